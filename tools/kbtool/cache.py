"""A content-addressed cache of per-record work: whether a file's bytes parse cleanly, what a regex
does with its record's own messages and its static analysis, whether it is too broad, which messages
it matches, the literals it requires, the catalog of a KB (`kbtool.catalog`), and each file's findings
under the rules of one file (`kbtool.remembered`).

Every entry is keyed by a hash of what it was computed from (the file's bytes, the regex and its
texts) together with kbtool's fingerprint: its version and the hash of its own code and data files,
Python's version and the installed files of the libraries whose answers are kept (`FINGERPRINTED_LIBRARIES`).
So an entry can never be served for different input or by a different kbtool: editing a record or
upgrading kbtool, Python, jsonschema or langdetect simply misses. The schema check and language
detection are cached only within a file's remembered findings: on their own they cost less than
looking an entry up (jsonschema-rs confirms a valid record in microseconds; langdetect runs only on
the few `*_zh` texts without Chinese characters).

The store is one SQLite file in the user's cache directory (`platformdirs.user_cache_dir`, or
`$KBTOOL_CACHE_DIR`), never inside the KB, so a pull request cannot plant entries. Values are JSON,
checked for shape by whoever reads them; a corrupt, locked or foreign file is ignored (a corrupt one
is replaced) and the run computes everything, exactly as with `--no-cache`.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple, Sequence

import kbtool
from kbtool.digests import blake2b
from kbtool.files import walk_file_names

#: Written into the store; a store without it (or with another value) is not kbtool's.
STORE_FORMAT = "kbtool-cache-1"
CACHE_FILE = "cache.sqlite3"
#: Keys per SELECT (under SQLite's limit on bound parameters).
_CHUNK = 500


class LookedUp(NamedTuple):
    """What `Cache.look_up` found: each item's key and value (None where it missed), and the numbers of those that missed."""

    keys: list[str]  # none when the cache is off
    values: list[Any]
    missing: list[int]


class Uncached:
    """A computed value that must not be stored (e.g. a search that was cut short by a time bound)."""

    def __init__(self, value: Any) -> None:
        self.value = value


#: Libraries whose answers the cache keeps: schema violations and their messages, language decisions,
#: what regexes (re2's and Python's) match.
FINGERPRINTED_LIBRARIES = ("jsonschema", "jsonschema_rs", "referencing", "langdetect", "re2")


@functools.lru_cache(maxsize=4)
def kbtool_fingerprint(version: str = kbtool.__version__, python: str = sys.version,
                       libraries: tuple[str, ...] = FINGERPRINTED_LIBRARIES) -> str:
    """kbtool's version and a hash of the names, sizes and modification times of its package files (code
    and data; the test Python applies to its own bytecode cache), with Python's version and the size and
    modification time of each of `libraries`' main file (a new version installs it again): any change to
    kbtool, Python or those libraries misses, and a run does not read 3 MB of code and data to know it."""
    digest = blake2b(version.encode(), digest_size=16)
    digest.update(f"\0{python}\0".encode(errors="surrogateescape"))
    for library in libraries:
        spec = importlib.util.find_spec(library)
        try:
            info = os.stat(spec.origin) if spec is not None and spec.origin else None
        except OSError:
            info = None
        shown = f"{spec.origin}\0{info.st_size}\0{info.st_mtime_ns}" if info is not None else "absent"
        digest.update(f"{library}\0{shown}\0".encode(errors="surrogateescape"))
    package = str(Path(kbtool.__file__).parent)
    for name in walk_file_names(package, (".py", ".json", ".jsonl", ".txt", ".md")):
        try:
            info = os.stat(name)
        except OSError:
            continue
        digest.update(f"{name[len(package):]}\0{info.st_size}\0{info.st_mtime_ns}\0".encode(errors="surrogateescape"))
    return digest.hexdigest()


def default_cache_dir() -> Path:
    configured = os.environ.get("KBTOOL_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("kbtool", appauthor=False))


#: Characters of values waiting to be written that make `Cache.put_many` write them.
FLUSH_CHARACTERS = 2_000_000


class Cache:
    """The store, or nothing at all (`directory=None`, e.g. for `--no-cache`): then every lookup misses."""

    def __init__(self, directory: Path | None, fingerprint: str | None = None) -> None:
        self.fingerprint = fingerprint if fingerprint is not None else kbtool_fingerprint()
        self.hits = 0
        self.misses = 0
        self._pending: dict[str, str] = {}
        self._pending_characters = 0
        self._writable = True  # until a write fails (a store locked by another process, or read-only)
        self._db: sqlite3.Connection | None = None
        if directory is not None:
            self._db = _open_store(Path(directory))

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def key(self, namespace: str, *parts: str | bytes) -> str:
        """The key of a value computed in `namespace` from `parts` (with this kbtool)."""
        digest = blake2b(digest_size=20)
        for part in (self.fingerprint, namespace, *parts):
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "little") + data)
        return digest.hexdigest()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        """The stored values of `keys` (absent keys are left out)."""
        return decoded(self.get_texts(keys))

    def get_texts(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored values of `keys` as stored (JSON text, to be `decoded`; absent keys are left out)."""
        found: dict[str, str] = {}
        wanted = list(dict.fromkeys(keys))
        if self._db is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                found.update(self._db.execute(f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        except sqlite3.Error:
            self._db = None  # unusable from here on: compute everything
            return {}
        return found

    def has_any(self, keys: Sequence[str]) -> bool:
        """Whether the store holds a value under one of `keys` (up to 500), without reading it."""
        wanted = list(keys[:_CHUNK])
        if self._db is None or not wanted:
            return False
        try:
            return self._db.execute(f"SELECT 1 FROM entries WHERE key IN ({','.join('?' * len(wanted))}) LIMIT 1",
                                    wanted).fetchone() is not None
        except sqlite3.Error:
            self._db = None
            return False

    def put_many(self, items: dict[str, Any]) -> None:
        """Keep `items` (key -> JSON-serialisable value) to be written by `flush`, which runs whenever
        FLUSH_CHARACTERS of them are waiting: a lint of 100,000 records keeps some 500 MB of values, which
        are not all held until the end (every value stands on its own, so writing them early is safe)."""
        if self._db is None or not self._writable:
            return
        for key, value in items.items():
            text = _stored_text(value)
            self._pending[key] = text
            self._pending_characters += len(text)
        if self._pending_characters > FLUSH_CHARACTERS:
            self.flush()

    def through(self, namespace: str, inputs: Sequence[tuple[str | bytes, ...]],
                compute: Callable[[list[int]], Sequence[Any]], valid: Callable[[Any], bool],
                load: Callable[[Any], Any] = lambda value: value, dump: Callable[[Any], Any] = lambda value: value) -> list[Any]:
        """For each item of `inputs` (the parts its value is computed from), the stored value when there
        is one that `valid` accepts (turned into the caller's type by `load`); `compute` is called once,
        with the numbers of the items that missed, and returns their values in that order (an
        `Uncached` value is used but not stored)."""
        found = self.look_up(namespace, inputs, valid, load)
        return self.keep(found, compute(found.missing) if found.missing else [], dump)

    def look_up(self, namespace: str, inputs: Sequence[tuple[str | bytes, ...]], valid: Callable[[Any], bool],
                load: Callable[[Any], Any] = lambda value: value) -> "LookedUp":
        """The first half of `through`: the stored values, and the numbers of the items that missed
        (`LookedUp.missing`), whose values the caller computes, when it will, and hands to `keep`."""
        if self._db is None:  # nothing stored, nothing to store: no key is worth making
            self.misses += len(inputs)
            return LookedUp([], [None] * len(inputs), list(range(len(inputs))))
        keys = [self.key(namespace, *parts) for parts in inputs]
        stored = self.get_many(keys)
        values: list[Any] = [None] * len(keys)
        missing: list[int] = []
        for number, key in enumerate(keys):
            value = stored.get(key, _ABSENT)
            if value is not _ABSENT:
                try:
                    if valid(value):
                        values[number] = load(value)
                        continue
                except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                    pass  # a value of the wrong shape: a miss
            missing.append(number)
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        return LookedUp(keys, values, missing)

    def keep(self, found: "LookedUp", computed: Sequence[Any], dump: Callable[[Any], Any] = lambda value: value) -> list[Any]:
        """The second half of `through`: the values of every item, with `computed` (the values of
        `found.missing`, in that order) stored."""
        values = found.values
        storing = bool(found.keys) and self._db is not None and self._writable
        new: dict[str, Any] = {}
        for number, value in zip(found.missing, computed):
            if isinstance(value, Uncached):
                values[number] = value.value
            else:
                values[number] = value
                if storing:
                    new[found.keys[number]] = dump(value)
        if new:
            self.put_many(new)
        return values

    def flush(self) -> None:
        """Write what was computed this run; a store that is locked or read-only is left as it is."""
        if self._db is None or not self._pending:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", self._pending.items())
                self._db.execute("COMMIT")
            except (sqlite3.Error, UnicodeError):
                self._db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, UnicodeError):
            self._writable = False  # a busy or read-only store (or text SQLite cannot store): this run's work is not kept
        self._pending.clear()
        self._pending_characters = 0

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_ABSENT = object()


def decoded(texts: dict[str, str]) -> dict[str, Any]:
    """The values of `Cache.get_texts`: each decoded from its JSON text (one that is not JSON is left out: a miss)."""
    found: dict[str, Any] = {}
    for key, value in texts.items():
        try:
            found[key] = json.loads(value)
        except (TypeError, ValueError, RecursionError):
            continue
    return found


def open_cache(enabled: bool = True) -> Cache:
    """The user's cache, or a disabled one when `enabled` is false."""
    return Cache(default_cache_dir() if enabled else None)


def _open_store(directory: Path) -> sqlite3.Connection | None:
    """The store in `directory`, created when missing; a file that is not a kbtool store of this
    format is replaced; None when the directory cannot be used (the run then goes without)."""
    path = directory / CACHE_FILE
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if directory.is_symlink() or path.is_symlink() or (path.exists() and not path.is_file()):
            return None  # never write through a link planted in the cache directory
    except OSError:
        return None
    for attempt in range(2):
        db = None
        try:
            db = sqlite3.connect(path, timeout=2.0, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            row = db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if row is None:
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('format', ?)", (STORE_FORMAT,))
            elif row[0] != STORE_FORMAT:
                raise sqlite3.DatabaseError("not a kbtool cache of this format")
            db.execute("SELECT key, value FROM entries LIMIT 1").fetchall()
            return db
        except sqlite3.DatabaseError as error:
            if db is not None:
                db.close()
            if isinstance(error, sqlite3.OperationalError) and any(
                    word in str(error) for word in ("locked", "readonly", "read-only", "unable to open", "disk")):
                return None  # busy or not writable: go without the cache this run
            # corrupt, or another program's file under our name: start afresh
            if attempt:
                return None
            try:
                path.unlink()
            except OSError:
                return None
    return None


def _stored_text(value: Any) -> str:
    """`value` as the JSON text the store keeps. A lone surrogate (a file name that is not UTF-8, as Python
    reads it) cannot be stored as text: such a value is kept with every non-ASCII character escaped, which
    reads back the same."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text

"""The catalog of a KB: what lookups need of every record file, kept in kbtool's cache between runs.

`kbtool match` (and any command that only looks records up by message) needs, of each record, its
id, regex, signature and aliases, and the literals its regex requires: not the whole parsed record.
The catalog holds exactly that, one entry per record file, with the file's size, modification time
and content hash. A run reads the catalog from the cache, looks at every file's size and
modification time, and reads again only the files where either differs (like git's index) or whose
modification time is too close to when the catalog was written to tell a later edit apart; a file
read again whose content hash is unchanged keeps its entry. The full record is read only for the
records shown to the user.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbtool.cache import Cache
from kbtool.kb import ENTRIES_DIR, discover_record_files
from kbtool.records import RecordFile, as_list, as_text, read_record_bytes, parse_record_text
from kbtool.regex.literals import literal_sets_from_json, literal_sets_to_json, required_literal_sets

#: A file modified this close to the moment the catalog was written may have changed within the same
#: clock tick: its modification time proves nothing, and it is read again.
RACY_NANOSECONDS = 2_000_000_000


@dataclass(frozen=True)
class CatalogEntry:
    """What lookups need of one record file."""

    path: str  # relative to the KB root, with "/" separators
    size: int
    mtime_ns: int
    digest: str  # hash of the file's bytes ("" when unreadable)
    entry_id: str | None
    regex: str | None  # None when the record has no string regex
    texts: tuple[str, ...]  # the signature and the string aliases
    literal_sets: tuple[frozenset[str], ...]  # required by the regex
    problem: str | None  # why the file is not a usable record (None when it is)

    def to_json(self) -> list:
        return [self.path, self.size, self.mtime_ns, self.digest, self.entry_id, self.regex, list(self.texts),
                literal_sets_to_json(self.literal_sets), self.problem]

    @classmethod
    def from_json(cls, value: Any) -> "CatalogEntry":
        path, size, mtime_ns, digest, entry_id, regex, texts, literal_sets, problem = value
        if not (isinstance(path, str) and isinstance(size, int) and isinstance(mtime_ns, int) and isinstance(digest, str)
                and all(item is None or isinstance(item, str) for item in (entry_id, regex, problem))
                and isinstance(texts, list) and all(isinstance(text, str) for text in texts)):
            raise ValueError("not a catalog entry")
        return cls(path, size, mtime_ns, digest, entry_id, regex, tuple(texts), literal_sets_from_json(literal_sets), problem)


@dataclass
class Catalog:
    root: Path
    entries: list[CatalogEntry]
    read_again: int = 0  # files read this run (the rest came from the cache)

    def record(self, entry: CatalogEntry) -> RecordFile:
        """The whole record of `entry`, read now (strictly, as lint reads it)."""
        record, raw = read_record_bytes(self.root / entry.path, self.root)
        if raw is not None:
            parse_record_text(record, raw)
        return record


def load_catalog(root: Path, cache: Cache) -> Catalog:
    """The catalog of the KB at `root`: from the cache, with the files that changed read again."""
    key = cache.key("catalog", str(root.resolve()))
    stored = cache.get_many([key]).get(key)
    known: dict[str, CatalogEntry] = {}
    written_ns = 0
    if isinstance(stored, dict) and isinstance(stored.get("written_ns"), int) and isinstance(stored.get("entries"), list):
        written_ns = stored["written_ns"]
        for value in stored["entries"]:
            try:
                entry = CatalogEntry.from_json(value)
            except (TypeError, ValueError):
                continue  # a damaged entry: that file is read again
            known[entry.path] = entry
    paths = discover_record_files(root / ENTRIES_DIR) if (root / ENTRIES_DIR).is_dir() else []
    started_ns = time.time_ns()
    entries: list[CatalogEntry] = []
    fresh: list[tuple[int, RecordFile, bytes | None, int, int]] = []
    for path in paths:
        relative = path.relative_to(root).as_posix()
        try:
            info = os.lstat(path)
            size, mtime_ns = info.st_size, info.st_mtime_ns
        except OSError:
            size = mtime_ns = -1
        entry = known.get(relative)
        if entry is not None and entry.size == size and entry.mtime_ns == mtime_ns and mtime_ns >= 0 \
                and mtime_ns < written_ns - RACY_NANOSECONDS:
            entries.append(entry)
            continue
        record, raw = read_record_bytes(path, root)
        if entry is not None and raw is not None and record.digest == entry.digest:
            entries.append(CatalogEntry(entry.path, size, mtime_ns, *_content(entry)))
            continue
        entries.append(None)  # filled below, once the new regexes' literals are known
        fresh.append((len(entries) - 1, record, raw, size, mtime_ns))
    _fill(entries, fresh, cache)
    catalog = Catalog(root, entries, read_again=len(fresh))
    if fresh or len(entries) != len(known) or any(entry is not known.get(entry.path) for entry in entries):
        cache.put_many({key: {"written_ns": started_ns, "entries": [entry.to_json() for entry in entries]}})
    return catalog


def _content(entry: CatalogEntry) -> tuple:
    return (entry.digest, entry.entry_id, entry.regex, entry.texts, entry.literal_sets, entry.problem)


def _fill(entries: list, fresh: list[tuple[int, RecordFile, bytes | None, int, int]], cache: Cache) -> None:
    """Parse the files read again and make their entries (the literals of their regexes through the cache)."""
    for _, record, raw, _, _ in fresh:
        if raw is not None:
            parse_record_text(record, raw)
    patterns = [as_text(record.data.get("regex")) for _, record, _, _, _ in fresh if record.data is not None
                and isinstance(record.data.get("regex"), str)]
    literal_sets = dict(zip(patterns, cache.through(
        "regex-literals", [(pattern,) for pattern in patterns],
        lambda missing: [required_literal_sets(patterns[n]) for n in missing],
        valid=lambda value: isinstance(value, list), load=literal_sets_from_json, dump=literal_sets_to_json)))
    for number, record, _, size, mtime_ns in fresh:
        data = record.data
        if data is None:
            problem = record.problems[0].message if record.problems else "not a record"
            entries[number] = CatalogEntry(record.relative_path, size, mtime_ns, record.digest, None, None, (), (), problem)
            continue
        regex = data.get("regex") if isinstance(data.get("regex"), str) else None
        texts = (as_text(data.get("signature")), *(alias for alias in as_list(data.get("aliases")) if isinstance(alias, str)))
        entries[number] = CatalogEntry(record.relative_path, size, mtime_ns, record.digest, record.entry_id, regex, texts,
                                       literal_sets.get(regex, ()) if regex is not None else (), None)

"""The catalog of a KB: what lookups and rules across records need of every record file, kept in
kbtool's cache between runs.

`kbtool match` needs, of each record, its id, regex, signature and aliases, and the literals its regex
requires; `kbtool lint --changed-since` needs, of the records that did not change, only what the rules
looking across records read (`CROSS_RECORD_FIELDS`): not the whole parsed record. The catalog holds
exactly that, one entry per record file, with the file's size, modification and change times, inode
and content hash. The literal filters, which only `match` reads (a third of the catalog), are kept
apart from the rest, so that `lint --changed-since` does not read them. A run reads the catalog from
the cache, looks at every file's size, times and inode, and reads again only the files where one of
them differs (like git's index; a program can set a file's modification time back, not its change
time) or whose times are too close to when the catalog was written to tell a later edit apart; a file
read again whose content hash is unchanged keeps its entry. `match` reads the whole record only for
the records it shows; `--changed-since` only for the records it reports on.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import time
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from kbtool.cache import Cache, decoded
from kbtool.files import StatusWalk, path_status_key, walk_file_names
from kbtool.kb import ENTRIES_DIR, KnowledgeBase, collector_paused, parse_read_files, shared_fields
from kbtool.records import (INVALID_JSON, ParseProblem, RecordFile, SharedRecord, as_list, as_text, read_record_bytes,
                            read_record_file)
from kbtool.regex.literals import (LiteralFilter, cached_literal_filters, cached_literal_sets, literal_filter_from_json,
                                   literal_filter_to_json, literal_sets_from_json, literal_sets_to_json)
from kbtool.regex.shapes import RegexAnalysis
from kbtool.teardown import keep

#: A file modified this close to the moment the catalog was written may have changed within the same
#: clock tick: its modification time proves nothing, and it is read again.
RACY_NANOSECONDS = 2_000_000_000


@dataclass(eq=False)
class CatalogEntry:
    """What lookups and rules across records need of one record file.

    The literal filter is kept as JSON text and decoded when first asked for: a lookup of one message
    needs it for the few records whose required literals the message holds (a filter that cannot be
    decoded, from a damaged cache, is left out: a filter only rules regexes out)."""

    path: str  # relative to the KB root, with "/" separators
    stat: tuple[int, int, int, int]  # size, modification and change times (ns), inode; all -1 when unknown
    digest: str  # hash of the file's bytes ("" when unreadable)
    regex: str | None  # the record's regex (None when it has none, or the file is not a record)
    literal_sets: tuple[frozenset[str], ...]  # required by the regex
    problem: str | None  # why the file is not a usable record (None when it is)
    shared: dict[str, Any] | None  # the record's CROSS_RECORD_FIELDS (None when the file is not a record)
    filter_json: str | None  # JSON of the regex's `literal_filter` (None: not read from the cache)

    @classmethod
    def made(cls, path: str, stat: tuple, digest: str, shared: dict[str, Any] | None,
             literal_sets: tuple[frozenset[str], ...], problem: str | None, literal_filter: LiteralFilter) -> "CatalogEntry":
        return cls(path, stat, digest, _regex_of(shared), literal_sets, problem, shared,
                   _dumps(literal_filter_to_json(literal_filter)))

    @functools.cached_property
    def literal_filter(self) -> LiteralFilter:
        try:
            return literal_filter_from_json(json.loads(self.filter_json or "[]"))
        except (ValueError, RecursionError):
            return ()

    @property
    def entry_id(self) -> str | None:
        value = (self.shared or {}).get("id")
        return value if isinstance(value, str) else None

    @property
    def texts(self) -> tuple[str, ...]:
        """The signature and the string aliases."""
        shared = self.shared or {}
        return (as_text(shared.get("signature")), *(alias for alias in as_list(shared.get("aliases")) if isinstance(alias, str)))


#: The columns of a stored part of the catalog, one item per record file (`stats` holds four integers per
#: file; `shared` leaves out the regex, which `regexes` holds). The part's filters are stored apart, in the
#: same order, with the same `written_ns`.
COLUMNS = ("paths", "stats", "digests", "regexes", "literals", "problems", "shared")


def _to_columns(entries: list[CatalogEntry]) -> dict[str, list]:
    return {"paths": [entry.path for entry in entries], "stats": [number for entry in entries for number in entry.stat],
            "digests": [entry.digest for entry in entries], "regexes": [entry.regex for entry in entries],
            "literals": [literal_sets_to_json(entry.literal_sets) for entry in entries],
            "problems": [entry.problem for entry in entries],
            "shared": [entry.shared if entry.regex is None else {key: value for key, value in entry.shared.items() if key != "regex"}
                       for entry in entries]}


def _from_columns(part: dict) -> list[CatalogEntry] | None:
    """The entries of a stored part (one JSON value: decoding it is one call into the JSON parser's C code,
    not one per record); None for a damaged part, whose files are then read again. The checks go column
    by column: a part holds about 1,600 entries."""
    columns = [part.get(name) for name in COLUMNS]
    if not all(type(column) is list for column in columns):
        return None
    paths, stats, digests, regexes, literals, problems, shared = columns
    if any(len(column) != len(paths) for column in columns if column is not stats) or len(stats) != 4 * len(paths) \
            or not all(type(item) is str for column in (paths, digests) for item in column) \
            or not all(item is None or type(item) is str for column in (regexes, problems) for item in column) \
            or not all(type(number) is int for number in stats) \
            or not all(_fits(data, regex, problem) for data, regex, problem in zip(shared, regexes, problems)):
        return None
    try:
        literal_sets = [literal_sets_from_json(value) for value in literals]
    except ValueError:
        return None
    for data, regex in zip(shared, regexes):
        if regex is not None:
            data["regex"] = regex
    numbers = iter(stats)
    return list(map(CatalogEntry, paths, zip(numbers, numbers, numbers, numbers), digests, regexes, literal_sets, problems,
                    shared, itertools.repeat(None)))


def _fits(shared: Any, regex: str | None, problem: str | None) -> bool:
    """Whether a stored entry's shared fields go with its regex and problem: none for a file that is not a
    record; for a record, a dict that holds the regex only when it is not a string (`regexes` holds it then)."""
    if problem is not None:
        return shared is None and regex is None
    return type(shared) is dict and ("regex" not in shared if regex is not None else _regex_of(shared) is None)


def _regex_of(shared: dict[str, Any] | None) -> str | None:
    value = (shared or {}).get("regex")
    return value if isinstance(value, str) else None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Catalog:
    root: Path
    entries: list[CatalogEntry]
    read: dict[str, RecordFile] = field(default_factory=dict)  # the files read whole to make their entries, by path

    def record(self, entry: CatalogEntry) -> RecordFile:
        """The whole record of `entry`, read now (strictly, as lint reads it)."""
        return read_record_file(self.root / entry.path, self.root)

    @collector_paused()
    def knowledge_base(self, whole: set[str], cache: Cache, made: dict[str, RecordFile] | None = None) -> KnowledgeBase:
        """The KB with only the files in `whole` (relative paths) read whole (as read to make their entries, else
        now, through `cache`'s parse results); of the others, the record `made` holds for it, else what the
        catalog holds for rules across records (their CROSS_RECORD_FIELDS)."""
        made = made or {}
        unread = [entry for entry in self.entries if entry.path in whole and entry.path not in self.read]
        read = [read_record_bytes(self.root / entry.path, self.root) for entry in unread]
        parse_read_files(read, cache)
        whole_records = {**self.read, **{entry.path: record for entry, (record, _) in zip(unread, read)}}
        files = [whole_records[entry.path] if entry.path in whole else made.get(entry.path) or self.shared_record(entry)
                 for entry in self.entries]
        return KnowledgeBase(root=self.root, files=files)

    def shared_record(self, entry: CatalogEntry) -> RecordFile:
        """The record of `entry` as far as rules across records need it: its CROSS_RECORD_FIELDS, no text."""
        return SharedRecord(self.root, entry.path, entry.digest, entry.shared, entry.literal_sets if entry.regex is not None else None,
                            [ParseProblem(INVALID_JSON, entry.problem)] if entry.problem is not None else [])


#: A catalog stored in more characters than this (some 10,000 records) has its KB's folder walked and its files'
#: statuses taken by another process (`StatusWalk`) while this one decodes it.
WALK_APART_CHARACTERS = 5_000_000

#: The catalog is kept in this many parts (by a hash of each file's path): a run that finds one file
#: changed rewrites one part, not the whole catalog.
PARTS = 64


def _part_of(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % PARTS


def part_keys(root: Path, cache: Cache, namespace: str = "catalog") -> list[str]:
    where = str(root.resolve())
    return [cache.key(namespace, where, str(number)) for number in range(PARTS)]


@dataclass
class _StoredParts:
    """What the cache holds of a KB's catalog (its filters aside)."""

    known: dict[str, tuple[CatalogEntry, int, int]]  # by path: the entry, when its part was written, the part's number
    parts: dict[int, list[CatalogEntry]]  # the entries of each part read, in their stored order
    written: dict[int, int]  # when each part read was written


def _stored_entries(stored: dict[str, Any], keys: list[str]) -> _StoredParts:
    """The entries of the catalog's parts `stored` (decoded, by key), without their filters. A damaged part is
    left out (its files are read again)."""
    found = _StoredParts({}, {}, {})
    for number, key in enumerate(keys):
        part = stored.get(key)
        entries = _from_columns(part) if isinstance(part, dict) and type(part.get("written_ns")) is int else None
        if entries is None:
            continue
        found.parts[number] = entries
        written_ns = found.written[number] = part["written_ns"]
        for entry in entries:
            found.known[entry.path] = (entry, written_ns, number)
    return found


def _stored_filters(cache: Cache, root: Path, stored: _StoredParts, numbers: set[int]) -> dict[str, str]:
    """The filters (JSON) the cache holds for the entries of the stored parts numbered in `numbers`, by path:
    of each part whose filters were written with it, in its order (others are left out: an entry without its
    filter rules nothing out)."""
    numbers = sorted(number for number in numbers if number in stored.parts)
    keys = part_keys(root, cache, "catalog-filters")
    found = cache.get_many(keys[number] for number in numbers)
    filters: dict[str, str] = {}
    for number in numbers:
        part, entries = found.get(keys[number]), stored.parts[number]
        column = part.get("filters") if isinstance(part, dict) and part.get("written_ns") == stored.written[number] else None
        if type(column) is list and len(column) == len(entries) and all(type(item) is str for item in column):
            filters.update(zip((entry.path for entry in entries), column))
    return filters


def _keep_parts(cache: Cache, root: Path, entries: list[CatalogEntry], parts: set[int] | None, written_ns: int) -> None:
    """Write the catalog's parts numbered in `parts` (None: all) from `entries`, as read from files
    whose status was taken after `written_ns`."""
    keys, filter_keys = part_keys(root, cache), part_keys(root, cache, "catalog-filters")
    grouped: dict[int, list[CatalogEntry]] = {number: [] for number in (range(PARTS) if parts is None else parts)}
    for entry in entries:
        part = grouped.get(_part_of(entry.path))
        if part is not None:
            part.append(entry)
    for number, part in grouped.items():  # one at a time: the cache writes them out as they pile up
        cache.put_many({keys[number]: {"written_ns": written_ns, **_to_columns(part)},
                        filter_keys[number]: {"written_ns": written_ns,
                                              "filters": [entry.filter_json or "[]" for entry in part]}})


@collector_paused()
def load_catalog(root: Path, cache: Cache, keep_read: bool = False, filters: bool = False) -> Catalog:
    """The catalog of the KB at `root`: from the cache, with the files that changed read again (and,
    with `keep_read`, kept whole in `Catalog.read`, for a caller that wants them whole). The literal
    filters of the entries are read only with `filters` (the others have `filter_json` None)."""
    keys = part_keys(root, cache)
    texts = cache.get_texts(keys)
    # Paths as strings below root/entries (the order of discover_record_files), without pathlib's cost per file.
    below = str(root / ENTRIES_DIR) + os.sep
    folder = (root / ENTRIES_DIR).is_dir()
    started_ns = time.time_ns()  # every file's status is taken after this
    walk = StatusWalk(below[:-1], (".json",)) if folder and sum(map(len, texts.values())) > WALK_APART_CHARACTERS else None
    stored = _stored_entries(decoded(texts), keys)
    known = stored.known
    listed = walk.result() if walk is not None else None
    paths, stats = listed if listed is not None else (walk_file_names(below[:-1], (".json",)) if folder else [], None)
    entries: list[CatalogEntry] = []
    fresh: list[tuple[int, RecordFile, bytes | None]] = []
    kept = [0] * PARTS  # entries of each stored part kept as they are
    changed: set[int] = set()
    for number, path in enumerate(paths):
        relative = ENTRIES_DIR + "/" + path[len(below):].replace(os.sep, "/")
        stat = stats[number] if stats is not None else path_status_key(path)
        entry, written_ns, part = known.get(relative, (None, 0, 0))
        if entry is not None and entry.stat == stat and stat[1] >= 0 and max(stat[1], stat[2]) < written_ns - RACY_NANOSECONDS:
            entries.append(entry)
            kept[part] += 1
            continue
        record, raw = read_record_bytes(Path(path), root)
        changed.add(_part_of(relative))
        if entry is not None and raw is not None and record.digest == entry.digest:
            entries.append(replace(entry, stat=stat))
            continue
        entries.append(None)  # filled below, once the new regexes' literals are known
        fresh.append((len(entries) - 1, record, raw))
    _fill(entries, fresh, cache)
    # A file gone, or a part unreadable:
    changed.update(number for number in range(PARTS) if kept[number] != len(stored.parts.get(number, ())))
    writing = changed if cache.enabled else set()
    if filters or writing:  # a part written again keeps the filters of its entries that did not change
        stored_filters = _stored_filters(cache, root, stored, set(range(PARTS)) if filters else writing)
        for entry in entries if stored_filters else ():
            if entry.filter_json is None:
                entry.filter_json = stored_filters.get(entry.path)
    if writing:
        _keep_parts(cache, root, entries, writing, started_ns)
    catalog = Catalog(root, entries, {record.relative_path: record for _, record, _ in fresh} if keep_read else {})
    keep(catalog)
    return catalog


def _fill(entries: list, fresh: list[tuple[int, RecordFile, bytes | None]], cache: Cache) -> None:
    """Parse the files read again and make their entries (the literals of their regexes through the cache)."""
    parse_read_files([(record, raw) for _, record, raw in fresh], cache)
    patterns = [record.data["regex"] for _, record, _ in fresh
                if record.data is not None and isinstance(record.data.get("regex"), str)]
    literal_sets = dict(zip(patterns, cached_literal_sets(patterns, cache)))
    filters = dict(zip(patterns, cached_literal_filters(patterns, cache)))
    for number, record, _ in fresh:
        regex = (record.data or {}).get("regex")
        entries[number] = _entry_of(record, literal_sets.get(regex, ()) if isinstance(regex, str) else (),
                                    filters.get(regex, ()) if isinstance(regex, str) else ())


def _entry_of(record: RecordFile, literal_sets: tuple[frozenset[str], ...], literal_filter: LiteralFilter) -> CatalogEntry:
    """The catalog entry of a record file read and parsed (with its status as it was read), with what its
    regex requires."""
    data = record.data
    if data is None:
        problem = record.problems[0].message if record.problems else "not a record"
        return CatalogEntry.made(record.relative_path, record.stat, record.digest, None, (), problem, ())
    return CatalogEntry.made(record.relative_path, record.stat, record.digest, shared_fields(data), literal_sets, None,
                             literal_filter)


def keep_catalog(kb: KnowledgeBase, cache: Cache, analysis: Callable[[RecordFile], RegexAnalysis]) -> None:
    """Keep in `cache` the catalog of `kb`, every file of which was just read from its root (a full
    lint), so that the next `match` or `lint --changed-since` reads the catalog instead of every file.
    `analysis` is the analysis of a record's regex (what it requires), as the lint worked it out."""
    below = ENTRIES_DIR + "/"
    if not cache.enabled or not kb.read_ns or any(not record.relative_path.startswith(below) for record in kb.files):
        return
    entries = []
    for record in kb.files:
        found = analysis(record) if isinstance((record.data or {}).get("regex"), str) else None
        entries.append(_entry_of(record, found.literal_sets if found else (), found.literal_filter if found else ()))
    _keep_parts(cache, kb.root, entries, None, kb.read_ns)


def catalog_kept(root: Path, cache: Cache) -> bool:
    """Whether the cache holds a catalog of the KB at `root` (some part of it), without reading it."""
    return cache.has_any(part_keys(root, cache))

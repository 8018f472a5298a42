"""The catalog of a KB: what lookups and rules across records need of every record file, kept in
kbtool's cache between runs.

`kbtool match` needs, of each record, its id, regex, signature and aliases, and the literals its regex
requires; `kbtool lint --changed-since` needs, of the records that did not change, only what the rules
looking across records read (`CROSS_RECORD_FIELDS`): not the whole parsed record. The catalog holds
exactly that, one entry per record file, with the file's size, modification and change times, inode
and content hash. The literal filters, which only `match` reads (a third of the catalog), and the shared
fields are kept apart from the rest: `lint --changed-since` does not read the filters, and `match` reads
either only for the records its query wakes (`_LaterColumns`); of the shared fields, each record's
transition graph is kept packed into one string (`kbtool.records.PackedGraph`). A run reads the catalog from
the cache, looks at every file's size, times and inode, and reads again only the files where one of
them differs (like git's index; a program can set a file's modification time back, not its change
time) or whose times are too close to when the catalog was written to tell a later edit apart; a file
read again whose content hash is unchanged keeps its entry. The catalog is stored in parts, and a part
is written again only when more than a few of its entries are out of date (`FEW_OUT_OF_DATE`). `match`
reads the whole record only for the records it shows; `--changed-since` only for the records it reports on.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import time
import zlib
from operator import attrgetter
from dataclasses import dataclass, field
from pathlib import Path
from types import NoneType
from typing import TYPE_CHECKING, Any, Callable, Iterable

from kbtool.cache import Cache, decoded
from kbtool.files import StatusWalk, path_status_key, walk_file_names
from kbtool.kb import ENTRIES_DIR, KnowledgeBase, collector_paused, parse_read_files, shared_fields
from kbtool.records import (INVALID_JSON, PackedGraph, ParseProblem, RecordFile, SharedRecord, as_list, as_text,
                            read_record_bytes, read_record_file)
from kbtool.regex.literals import (LiteralFilter, cached_literal_filters, cached_literal_sets, literal_filter_from_json,
                                   literal_filter_to_json, literal_sets_from_json, literal_sets_to_json)
from kbtool.teardown import keep

if TYPE_CHECKING:
    from kbtool.regex.shapes import RegexAnalysis

#: A file modified this close to the moment the catalog was written may have changed within the same
#: clock tick: its modification time proves nothing, and it is read again.
RACY_NANOSECONDS = 2_000_000_000


#: What an entry read from the cache holds of a column not read yet (`_LaterColumns`).
UNREAD: Any = type("Unread", (), {"__repr__": lambda self: "UNREAD"})()


@dataclass(eq=False)
class CatalogEntry:
    """What lookups and rules across records need of one record file.

    The literal filter is kept as JSON text and decoded when first asked for: a lookup of one message
    needs it for the few records whose required literals the message holds (a filter that cannot be
    decoded, from a damaged cache, is left out: a filter only rules regexes out). Of an entry read from
    the cache, the filter and the shared fields may be UNREAD: read with the other entries of its stored
    part when first asked for (`later`)."""

    path: str  # relative to the KB root, with "/" separators
    stat: tuple[int, int, int, int]  # size, modification and change times (ns), inode; all -1 when unknown
    digest: str  # hash of the file's bytes ("" when unreadable)
    regex: str | None  # the record's regex (None when it has none, or the file is not a record)
    literal_sets: tuple[frozenset[str], ...]  # required by the regex
    problem: str | None  # why the file is not a usable record (None when it is)
    stored_shared: dict[str, Any] | None  # the record's CROSS_RECORD_FIELDS (None when the file is not a record), or UNREAD
    stored_filter: str | None  # JSON of the regex's `literal_filter` (None: none kept in the cache), or UNREAD
    later: "_LaterColumns | None" = None  # where what is UNREAD is read from
    part: int = -1  # the number of the stored part it was read from

    @classmethod
    def made(cls, path: str, stat: tuple, digest: str, shared: dict[str, Any] | None,
             literal_sets: tuple[frozenset[str], ...], problem: str | None, literal_filter: LiteralFilter) -> "CatalogEntry":
        return cls(path, stat, digest, _regex_of(shared), literal_sets, problem, shared,
                   _dumps(literal_filter_to_json(literal_filter)))

    @property
    def shared(self) -> dict[str, Any] | None:
        if self.stored_shared is UNREAD:
            self.later.read("shared", self.part)
        return self.stored_shared

    @property
    def filter_json(self) -> str | None:
        if self.stored_filter is UNREAD:
            self.later.read("filters", self.part)
        return self.stored_filter

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
#: file; `regexes` the record's regex field, `_regex_cell`). The part's shared fields (`shared`, without the regex)
#: and its literal filters (`filters`) are stored apart (LATER_COLUMNS), in the same order, with the same
#: `written_ns`: the part alone says which regexes there are.
COLUMNS = ("paths", "stats", "digests", "regexes", "literals", "problems")
#: The namespace of the cache each column stored apart is kept in.
LATER_COLUMNS = {"shared": "catalog-shared", "filters": "catalog-filters"}


def _to_columns(entries: list[CatalogEntry]) -> dict[str, list]:
    return {"paths": [entry.path for entry in entries], "stats": [number for entry in entries for number in entry.stat],
            "digests": [entry.digest for entry in entries], "regexes": [_regex_cell(entry) for entry in entries],
            "literals": [literal_sets_to_json(entry.literal_sets) for entry in entries],
            "problems": [entry.problem for entry in entries]}


def _regex_cell(entry: CatalogEntry) -> Any:
    """How the `regexes` column holds a record's regex field: the regex; {"value": value} for a value that is not a
    string (a record's `"regex": 5`); None for a record without one, or a file that is not a record."""
    if entry.regex is not None or entry.problem is not None or "regex" not in entry.shared:
        return entry.regex
    return {"value": entry.shared["regex"]}


def _regex_field(cell: Any) -> tuple[bool, Any]:
    """(whether the record has a regex field, its value) from its `_regex_cell`."""
    return (cell is not None, cell["value"] if type(cell) is dict else cell)


def _valid_cell(cell: Any) -> bool:
    return cell is None or type(cell) is str or type(cell) is dict and cell.keys() == {"value"}


def _shared_column(entries: list[CatalogEntry]) -> list:
    """The part's shared fields as stored: without the regex (the `regexes` column holds it), with the graph as
    `shared_fields` gives it (packed where it can be: `PackedGraph`)."""
    return [entry.shared if entry.shared is None else {key: value for key, value in entry.shared.items() if key != "regex"}
            for entry in entries]


def _from_columns(part: dict, number: int, shared: list | None, later: "_LaterColumns") -> list[CatalogEntry] | None:
    """The entries of stored part `number` (one JSON value: decoding it is one call into the JSON parser's C code,
    not one per record), with their `shared` fields (None: read `later`); None for a damaged part, whose files
    are then read again. The checks go column by column: a part holds about 1,600 entries."""
    columns = [part.get(name) for name in COLUMNS]
    if not all(type(column) is list for column in columns):
        return None
    paths, stats, digests, regexes, literals, problems = columns
    if any(len(column) != len(paths) for column in columns if column is not stats) or len(stats) != 4 * len(paths) \
            or not _types_of(paths, digests) <= {str} or not _types_of(problems) <= {str, NoneType} \
            or not all(_valid_cell(cell) and (problem is None or cell is None) for cell, problem in zip(regexes, problems)) \
            or not _types_of(stats) <= {int} \
            or shared is not None and not _shared_fit(shared, regexes, problems):
        return None
    try:
        literal_sets = [literal_sets_from_json(value) for value in literals]
    except ValueError:
        return None
    numbers = iter(stats)
    return list(map(CatalogEntry, paths, zip(numbers, numbers, numbers, numbers), digests,
                    (cell if type(cell) is str else None for cell in regexes), literal_sets, problems,
                    shared if shared is not None else itertools.repeat(UNREAD), itertools.repeat(UNREAD),
                    itertools.repeat(later), itertools.repeat(number)))


def _types_of(*columns: list) -> set[type]:
    """The types of the items of `columns` (without a Python call per item: a part holds about 1,600 entries)."""
    return set().union(*(map(type, column) for column in columns))


def _shared_fit(shared: list, regexes: list, problems: list) -> bool:
    """Whether a stored shared column goes with its part's regex fields (`_regex_cell`) and problems: none for a
    file that is not a record, a dict without the regex for a record. If so, each record's regex field is put back
    into its shared fields, and its graph stored packed is marked so (`PackedGraph`)."""
    if len(shared) != len(regexes) or not all(data is None if problem is not None else type(data) is dict and "regex" not in data
                                              for data, problem in zip(shared, problems)):
        return False
    for data, cell in zip(shared, regexes):
        has_regex, value = _regex_field(cell)
        if has_regex:
            data["regex"] = value
        if data is not None and type(graph := data.get("transition_graph")) is str:
            data["transition_graph"] = PackedGraph(graph)
    return True


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
    later: "_LaterColumns | None" = None  # what of its entries is read when first asked for

    def read_all(self, column: str, parts: set[int] | None = None) -> None:
        """Read now `column` ("shared" or "filters") of every entry (or of those read from the stored parts
        numbered in `parts`) that does not hold it yet, in one look-up of the cache: for a caller about to
        ask for it of them all."""
        if self.later is not None:
            self.later.read_all(column, parts)

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


#: A catalog stored in more characters than this (some 10,000 records, its columns stored apart left out) has its
#: KB's folder walked and its files' statuses taken by another process (`StatusWalk`) while this one decodes it.
WALK_APART_CHARACTERS = 3_000_000

#: The catalog is kept in this many parts (by a hash of each file's path): a run that finds files changed
#: writes again the parts that hold them, not the whole catalog.
PARTS = 64
#: A stored part with no more than this many entries out of date (files changed, added or gone since it was written)
#: is not written again: reading those files again the next time costs less than writing the part (a lint after each
#: edit of a record wrote a part of a 100,000-record catalog every time).
FEW_OUT_OF_DATE = 8


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
    regexes: dict[int, list] = field(default_factory=dict)  # the regex fields of each part read (`_regex_cell`)


def _stored_entries(stored: dict[str, Any], keys: list[str], shared_keys: list[str] | None, later: "_LaterColumns") -> _StoredParts:
    """The entries of the catalog's parts `stored` (decoded, by key), without their filters; with their shared
    fields when `shared_keys` are given (stored under those), else with those read `later`. A damaged part (or
    shared column) is left out: its files are read again."""
    found = later.stored
    for number, key in enumerate(keys):
        part = stored.get(key)
        written_ns = part.get("written_ns") if isinstance(part, dict) else None
        if type(written_ns) is not int:
            continue
        shared = _column_of(stored.get(shared_keys[number]), "shared", written_ns) if shared_keys is not None else None
        entries = _from_columns(part, number, shared, later) if shared is not None or shared_keys is None else None
        if entries is None:
            continue
        found.parts[number] = entries
        found.written[number] = written_ns
        found.regexes[number] = part["regexes"]
        for entry in entries:
            found.known[entry.path] = (entry, written_ns, number)
    return found


def _column_of(value: Any, column: str, written_ns: int) -> list | None:
    """The column `column` of a part stored apart (LATER_COLUMNS), when it was written with the part."""
    found = value.get(column) if isinstance(value, dict) and value.get("written_ns") == written_ns else None
    return found if type(found) is list else None


class _LaterColumns:
    """The columns of the catalog's stored parts kept apart (LATER_COLUMNS) that were not read with the catalog,
    read part by part as an entry of the part is first asked for one (`CatalogEntry.shared`, `.filter_json`):
    a lookup of one message needs them of the few records whose required literals it holds. A part's filters
    that were not written with it, or are damaged, are none (a filter only rules regexes out); its shared
    fields are then read from the record files."""

    def __init__(self, cache: Cache, root: Path) -> None:
        self.cache = cache
        self.root = root
        self.stored = _StoredParts({}, {}, {})

    def read(self, column: str, *numbers: int) -> None:
        """Read `column` of the stored parts `numbers` into their entries, in one look-up."""
        keys = part_keys(self.root, self.cache, LATER_COLUMNS[column])
        found = self.cache.get_many(keys[number] for number in numbers)
        for number in numbers:
            entries = self.stored.parts[number]
            values = _column_of(found.get(keys[number]), column, self.stored.written[number])
            if column == "filters":
                fits = values is not None and len(values) == len(entries) and all(type(item) is str for item in values)
                for entry, value in zip(entries, values if fits else itertools.repeat(None)):
                    entry.stored_filter = value
            elif values is not None and _shared_fit(values, self.stored.regexes[number], [entry.problem for entry in entries]):
                for entry, value in zip(entries, values):
                    entry.stored_shared = value
            else:
                for entry in entries:
                    record = read_record_file(self.root / entry.path, self.root)
                    entry.stored_shared = shared_fields(record.data) if record.data is not None else None

    def read_all(self, column: str, numbers: Iterable[int] | None = None) -> None:
        """Read `column` of every stored part (or of those numbered in `numbers`) whose entries do not hold it yet,
        in one look-up."""
        attribute = "stored_shared" if column == "shared" else "stored_filter"
        unread = [number for number, entries in self.stored.parts.items()
                  if (numbers is None or number in numbers) and entries and getattr(entries[0], attribute) is UNREAD]
        if unread:
            self.read(column, *unread)


def _by_part(items: Iterable[Any], path: Callable[[Any], str], parts: set[int] | None = None) -> dict[int, list[Any]]:
    """`items` (catalog entries or record files, whose relative path is `path(item)`) grouped by the part of the
    catalog that holds them, of the parts numbered in `parts` (None: all)."""
    grouped: dict[int, list[Any]] = {number: [] for number in (range(PARTS) if parts is None else parts)}
    for item in items:
        part = grouped.get(_part_of(path(item)))
        if part is not None:
            part.append(item)
    return grouped


def _keep_parts(cache: Cache, root: Path, grouped: dict[int, Iterable[CatalogEntry]], written_ns: int) -> None:
    """Write the catalog's parts numbered as the keys of `grouped`, of its entries (made one part at a time when
    they are an iterator: those of a part are let go of once it is written), as read from files whose status was
    taken after `written_ns`."""
    keys = part_keys(root, cache)
    shared_keys, filter_keys = (part_keys(root, cache, LATER_COLUMNS[column]) for column in ("shared", "filters"))
    for number, entries in grouped.items():  # one at a time: the cache writes them out as they pile up
        part = list(entries)
        cache.put_many({keys[number]: {"written_ns": written_ns, **_to_columns(part)},
                        shared_keys[number]: {"written_ns": written_ns, "shared": _shared_column(part)},
                        filter_keys[number]: {"written_ns": written_ns,
                                              "filters": [entry.filter_json or "[]" for entry in part]}})


@collector_paused()
def load_catalog(root: Path, cache: Cache, keep_read: bool = False, lazy: bool = False) -> Catalog:
    """The catalog of the KB at `root`: from the cache, with the files that changed read again (and,
    with `keep_read`, kept whole in `Catalog.read`, for a caller that wants them whole). The literal
    filters of the entries kept in the cache, and with `lazy` their shared fields too, are read when first
    asked for (`_LaterColumns`)."""
    keys = part_keys(root, cache)
    shared_keys = None if lazy else part_keys(root, cache, LATER_COLUMNS["shared"])
    texts = cache.get_texts(keys + (shared_keys or []))
    # Paths as strings below root/entries (the order of discover_record_files), without pathlib's cost per file.
    below = str(root / ENTRIES_DIR) + os.sep
    folder = (root / ENTRIES_DIR).is_dir()
    started_ns = time.time_ns()  # every file's status is taken after this
    walk = StatusWalk(below[:-1], (".json",)) if folder and sum(len(texts.get(key, "")) for key in keys) > WALK_APART_CHARACTERS else None
    later = _LaterColumns(cache, root)
    stored = _stored_entries(decoded(texts), keys, shared_keys, later)
    known = stored.known
    listed = walk.result() if walk is not None else None
    paths, stats = listed if listed is not None else (walk_file_names(below[:-1], (".json",)) if folder else [], None)
    entries: list[CatalogEntry] = []
    fresh: list[tuple[int, RecordFile, bytes | None]] = []
    kept = [0] * PARTS  # entries of each stored part kept as they are
    added = [0] * PARTS  # files of each part that its stored entries do not hold (every file, of a part not stored)
    for number, path in enumerate(paths):
        relative = ENTRIES_DIR + "/" + path[len(below):].replace(os.sep, "/")
        stat = stats[number] if stats is not None else path_status_key(path)
        entry, written_ns, part = known.get(relative, (None, 0, 0))
        if entry is not None and entry.stat == stat and stat[1] >= 0 and max(stat[1], stat[2]) < written_ns - RACY_NANOSECONDS:
            entries.append(entry)
            kept[part] += 1
            continue
        record, raw = read_record_bytes(Path(path), root)
        added[_part_of(relative)] += entry is None
        if entry is not None and raw is not None and record.digest == entry.digest:
            entry.stat = stat
            entries.append(entry)
            continue
        entries.append(None)  # filled below, once the new regexes' literals are known
        fresh.append((len(entries) - 1, record, raw))
    _fill(entries, fresh, cache)
    # Written again: a part not stored (or unreadable) that holds a file, and a stored one with more than a few entries
    # out of date (read again, gone, or added).
    changed = {number for number, held in stored.parts.items() if len(held) - kept[number] + added[number] > FEW_OUT_OF_DATE}
    changed.update(number for number in range(PARTS) if number not in stored.parts and added[number])
    if cache.enabled and changed:  # a part written again keeps what the cache holds of its entries that did not change
        for column in LATER_COLUMNS:
            later.read_all(column, changed)
        _keep_parts(cache, root, _by_part(entries, attrgetter("path"), changed), started_ns)
    catalog = Catalog(root, entries, {record.relative_path: record for _, record, _ in fresh} if keep_read else {}, later)
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

    def entry_of(record: RecordFile) -> CatalogEntry:
        found = analysis(record) if isinstance((record.data or {}).get("regex"), str) else None
        return _entry_of(record, found.literal_sets if found else (), found.literal_filter if found else ())

    grouped = _by_part(kb.files, attrgetter("relative_path"))
    _keep_parts(cache, kb.root, {number: map(entry_of, records) for number, records in grouped.items()}, kb.read_ns)


def catalog_kept(root: Path, cache: Cache) -> bool:
    """Whether the cache holds a catalog of the KB at `root` (some part of it), without reading it."""
    return cache.has_any(part_keys(root, cache))

"""The loaded knowledge base: every record file, indexed by id and path. Nothing here is computed by rules."""

from __future__ import annotations

import functools
import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from kbtool.cache import Cache
from kbtool.errors import UsageError
from kbtool.files import walk_files
from kbtool.records import (PackedGraph, RecordFile, graph_targets, pack_graph, parse_known_clean, parse_record_text,
                            read_record_bytes)

ENTRIES_DIR = "entries"

#: What rules across records (KB scope), the regex facts and the filters read of records other than
#: the ones being reported on: `lint --changed-since` loads no more than this of unchanged records
#: (and of `transition_graph`, only the edges' targets: `kbtool.records.graph_targets`).
CROSS_RECORD_FIELDS = ("id", "signature", "aliases", "regex", "error_code", "transition_graph")

#: Files read and parsed at a time: a lint of the whole KB runs the rules of each file on one such part
#: once it has read the next (`load_knowledge_base`'s `each`), and never holds more than two parts whole.
FILES_AT_A_TIME = 2000
#: Files of a part parsed before `load_knowledge_base` tells its `parsed` of them.
PARSED_AT_A_TIME = 500


def shared_fields(data: dict[str, Any]) -> dict[str, Any]:
    """What rules across records read of the record `data`: its CROSS_RECORD_FIELDS (of the transition
    graph, only the edges' targets, packed into one string where they can be: `PackedGraph`, as the catalog
    stores them and a lint keeps them, instead of a dict for every edge)."""
    shared = {key: data[key] for key in CROSS_RECORD_FIELDS if key in data}
    if "transition_graph" in shared and type(shared["transition_graph"]) is not PackedGraph:  # packed: shared already
        targets = graph_targets(data)
        packed = pack_graph(targets)
        shared["transition_graph"] = targets if packed is None else PackedGraph(packed)
    return shared


def find_root(explicit: Path | None, start: Path | None = None) -> Path:
    """`--root`, else the nearest folder upward from `start` that has an `entries/` folder."""
    if explicit is not None:
        root = explicit.expanduser()
        if not root.is_dir():
            raise UsageError(f"--root {explicit}: no such folder")
        if not (root / ENTRIES_DIR).is_dir():
            # Else a mistyped --root is a KB with no records, and every check of it passes.
            hint = (f"pass the folder above it, {root.resolve().parent}" if root.resolve().name == "entries" else
                    f"pass the folder that holds entries/, or make {root / 'entries'} to start a new KB")
            raise UsageError(f"--root {explicit}: not a knowledge base: it has no 'entries/' folder (records are "
                             f"entries/<domain>/<slug>.json); {hint}")
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ENTRIES_DIR).is_dir():
            return candidate
    raise UsageError(
        f"no knowledge base found: neither {here} nor any folder above it has an 'entries/' folder; "
        "run kbtool inside a KB or pass --root DIR")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while the records of a KB are made in bulk (from the catalog), and
    what was made then left out of its later passes (`gc.freeze`; refcounting still frees it): records hold
    no reference cycles, and the collector's passes over them were a seventh of a `lint --changed-since` of
    a 100,000-record KB (0.7 of 4.7 seconds). Whatever else the collector tracked then is frozen too: a
    process that goes on for long after the run can give it back with `gc.unfreeze()`."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def discover_record_files(folder: Path) -> list[Path]:
    """Every `*.json` below `folder`, sorted, without following symbolic links.

    Links, directories named `*.json` and folders nested too deeply are returned too, so that the
    reader reports them instead of silently skipping them (`kbtool.files.walk_files`).
    """
    if folder.is_file() or folder.is_symlink():
        return [folder]
    return walk_files(folder, (".json",))


@dataclass
class KnowledgeBase:
    """All record files of a KB (plus any extra files being linted)."""

    root: Path
    files: list[RecordFile]
    by_id: dict[str, list[RecordFile]] = field(default_factory=dict)
    by_path: dict[str, RecordFile] = field(default_factory=dict)
    read_ns: int = 0  # time.time_ns() just before every file was read (0: the files were not all read then)

    def __post_init__(self) -> None:
        # Each record's id read as `RecordFile.entry_id` reads it, without a call per record: a lint
        # --changed-since makes the KnowledgeBase of 100,000 records.
        self.by_path.update({record.relative_path: record for record in self.files})
        by_id = self.by_id
        for record in self.files:
            data = record.data
            if data is not None and isinstance(entry_id := data.get("id"), str):
                by_id.setdefault(entry_id, []).append(record)

    @functools.cached_property
    def records(self) -> list[RecordFile]:
        """Files that parsed into a JSON object (listed once: rules go through them many times)."""
        return [record for record in self.files if record.data is not None]


def load_knowledge_base(root: Path, extra_paths: Iterable[Path] = (), cache: Cache | None = None,
                        each: Callable[[list[RecordFile], int], list[RecordFile]] | None = None,
                        parsed: Callable[[list[RecordFile]], None] | None = None) -> KnowledgeBase:
    """Read every record under `root/entries/` and any extra files or folders given. Files whose
    exact bytes the strict reader found clean before (`cache`) are parsed by the standard parser.
    They are read in `parts_of` parts, all alike; `each` (when given) is told of each part once the next is
    parsed (as it is parsed when there is no `parsed`), with the number of files in all, and gives what the
    KB is to hold of them instead. `parsed` (when given) is told sooner, of every PARSED_AT_A_TIME files of a
    part as they are parsed (e.g. to start work on them in other processes while the rest of the part is read)."""
    paths = discover_record_files(root / ENTRIES_DIR) if (root / ENTRIES_DIR).is_dir() else []
    seen = {os.path.abspath(path) for path in paths}
    for extra in extra_paths:
        for path in discover_record_files(extra):
            absolute = os.path.abspath(path)
            if absolute not in seen:
                seen.add(absolute)
                paths.append(Path(absolute))
    read_ns = time.time_ns()
    cache = cache if cache is not None else Cache(None)
    files: list[RecordFile] = []
    waiting: list[RecordFile] | None = None  # the part read before this one, not yet told to `each`
    parts = parts_of(len(paths))
    size = -(-len(paths) // parts) if parts else FILES_AT_A_TIME  # parts alike (2,522 files: two of 1,261)
    for start in range(0, len(paths), size):
        part: list[RecordFile] = []
        for first in range(start, min(start + size, len(paths)), PARSED_AT_A_TIME):
            read = [read_record_bytes(Path(os.path.abspath(path)), root)
                    for path in paths[first:min(first + PARSED_AT_A_TIME, start + size)]]
            parse_read_files(read, cache)
            records = [record for record, _ in read]
            del read  # the bytes
            if parsed is not None:
                parsed(records)
            part += records
        if each is None or parsed is None:  # nothing started on the next part for `each` to overlap with
            files.extend(part if each is None else each(part, len(paths)))
            continue
        # `each` is told of a part once the next is read (and `parsed` told of it): the work started on the
        # next part goes on in other processes while `each` works on this one.
        if waiting is not None:
            files.extend(each(waiting, len(paths)))
        waiting = part
    if waiting is not None:
        files.extend(each(waiting, len(paths)))
    return KnowledgeBase(root=root, files=files, read_ns=read_ns)


def parts_of(files: int) -> int:
    """How many parts `load_knowledge_base` reads `files` files in: none of more than FILES_AT_A_TIME."""
    return -(-files // FILES_AT_A_TIME)


def parse_read_files(read: list[tuple[RecordFile, bytes | None]], cache: Cache) -> None:
    """Parse each (record, bytes) read by `read_record_bytes`: strictly, unless `cache` says that the
    strict reader found these exact bytes clean before (then the standard parser gives the same data)."""
    readable = [(record, raw) for record, raw in read if raw is not None]
    clean = cache.through("parse", [(raw,) for _, raw in readable],
                          lambda missing: [_strictly_clean(*readable[n]) for n in missing],
                          valid=lambda value: value is True or value is False)
    for (record, raw), known_clean in zip(readable, clean):
        if record.data is not None or record.problems:
            continue  # parsed just now by _strictly_clean
        if known_clean:
            parse_known_clean(record, raw)
        else:
            parse_record_text(record, raw)


def _strictly_clean(record: RecordFile, raw: bytes) -> bool:
    """Parse `raw` strictly into `record`; whether it was a record without any problem."""
    parse_record_text(record, raw)
    return record.data is not None and not record.problems

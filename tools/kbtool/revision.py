"""What changed since a base revision, as plain data (read by `kbtool.git`, used by lint and the history rules).

Nothing here touches git: `kbtool.git` fills a :class:`ChangeSet` and the lint
engine and the history rules (KB7xx) only read it. Paths are relative to the KB
root with "/" separators, like `RecordFile.relative_path`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from kbtool.records import graph_edges


@dataclass(frozen=True)
class BaseRevision:
    """The records as they were at the base revision (only those the change touched).

    `records` maps a base-side path to the record data parsed from that path at
    the base commit. A renamed record is found by its id, so that a rename with
    edits is still compared with what it was.
    """

    ref: str
    commit: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_id: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, dict[str, Any]] = {}
        for data in self.records.values():
            entry_id = data.get("id")
            if isinstance(entry_id, str):
                by_id.setdefault(entry_id, data)
        object.__setattr__(self, "by_id", by_id)  # derived once; the dataclass is frozen

    def record_for(self, relative_path: str, entry_id: str | None) -> dict[str, Any] | None:
        """The base version of a record: by id first (renames keep ids), else by path."""
        if entry_id is not None and entry_id in self.by_id:
            return self.by_id[entry_id]
        return self.records.get(relative_path)


@dataclass(frozen=True)
class ChangeSet:
    """Record files changed since the merge base of a ref and HEAD, committed or not.

    `changed` holds added, modified, copied, renamed (new path) and untracked
    record files; `deleted` the record files that are gone (a rename shows as
    the old path deleted and the new path added). `base` has the base version
    of every changed or deleted record that existed at the base.
    """

    changed: frozenset[str]
    deleted: frozenset[str]
    base: BaseRevision


def records_referencing(records: Iterable[tuple[str, dict[str, Any]]], ids: set[str]) -> set[str]:
    """Paths of the records (given as (path, data)) whose graph names one of `ids`."""
    if not ids:
        return set()
    return {path for path, data in records if any(edge.target in ids for edge in graph_edges(data))}

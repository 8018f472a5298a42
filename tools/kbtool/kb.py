"""The loaded knowledge base: every record file, indexed by id and path, and regex results computed once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kbtool.records import RecordFile, read_record_file
from kbtool.regexes import (CATASTROPHIC_SECONDS_PER_JOB, BoundedMatcher, RegexAnalysis, SearchJob, SearchResult,
                            analyse_regex)

ENTRIES_DIR = "entries"


def discover_record_files(folder: Path) -> list[Path]:
    """Every `*.json` below `folder`, sorted, without following symbolic links.

    Links and directories named `*.json` are returned too, so that the reader
    reports them instead of silently skipping them.
    """
    found: list[Path] = []
    if folder.is_file() or folder.is_symlink():
        return [folder]
    for directory, subdirectories, files in os.walk(folder, followlinks=False):
        base = Path(directory)
        found.extend(base / name for name in files if name.endswith(".json"))
        found.extend(base / name for name in subdirectories if name.endswith(".json"))
        # A link to a folder is not followed (it could lead outside the KB or in a loop): report it.
        found.extend(base / name for name in subdirectories if not name.endswith(".json") and (base / name).is_symlink())
        subdirectories[:] = sorted(name for name in subdirectories
                                   if not name.endswith(".json") and not name.startswith(".") and not (base / name).is_symlink())
    return sorted(found)


def as_text(value: object) -> str:
    """`value` if it is a string, else "" (rules must survive records of the wrong shape)."""
    return value if isinstance(value, str) else ""


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class RegexCheck:
    """What the record's regex does with the record's own texts."""

    error: str | None  # compile error
    timed_out: bool
    signature_matches: bool | None
    alias_matches: tuple[bool | None, ...]
    signature_matches_ignoring_case: bool | None = None


@dataclass
class KnowledgeBase:
    """All record files of a KB (plus any extra files being linted)."""

    root: Path
    files: list[RecordFile]
    by_id: dict[str, list[RecordFile]] = field(default_factory=dict)
    by_path: dict[str, RecordFile] = field(default_factory=dict)
    regex_checks: dict[str, RegexCheck] = field(default_factory=dict)
    regex_analyses: dict[str, RegexAnalysis] = field(default_factory=dict)  # static analysis of each regex

    def __post_init__(self) -> None:
        for record in self.files:
            self.by_path[record.relative_path] = record
            if record.entry_id is not None:
                self.by_id.setdefault(record.entry_id, []).append(record)

    @property
    def records(self) -> Iterable[RecordFile]:
        """Files that parsed into a JSON object."""
        return (record for record in self.files if record.data is not None)

    def prepare_regexes(self, matcher: BoundedMatcher) -> None:
        """Match every record's regex against its signature and aliases, in one bounded batch."""
        candidates = [record for record in self.records if isinstance(record.data.get("regex"), str)]
        jobs = []
        for record in candidates:
            texts = [as_text(record.data.get("signature"))]
            texts += [as_text(alias) for alias in as_list(record.data.get("aliases"))]
            jobs.append(SearchJob(record.data["regex"], tuple(texts), analyse=True))
        results: list[SearchResult] = matcher.run(jobs)
        retry: list[int] = []
        for index, (record, result) in enumerate(zip(candidates, results)):
            analysis = result.analysis or analyse_regex(record.data["regex"])  # none when the job timed out
            self.regex_analyses[record.relative_path] = analysis
            self.regex_checks[record.relative_path] = RegexCheck(
                result.error, result.timed_out, result.matches[0], tuple(result.matches[1:]))
            if result.matches[0] is False:
                retry.append(index)
        ignoring_case = matcher.run([
            SearchJob(jobs[index].pattern, jobs[index].texts[:1], re.IGNORECASE,
                      CATASTROPHIC_SECONDS_PER_JOB if self.regex_analyses[candidates[index].relative_path].shape else None)
            for index in retry])
        for index, result in zip(retry, ignoring_case):
            record = candidates[index]
            check = self.regex_checks[record.relative_path]
            self.regex_checks[record.relative_path] = RegexCheck(
                check.error, check.timed_out, check.signature_matches, check.alias_matches, result.matches[0])


def load_knowledge_base(root: Path, extra_paths: Iterable[Path] = ()) -> KnowledgeBase:
    """Read every record under `root/entries/` and any extra files or folders given."""
    paths = discover_record_files(root / ENTRIES_DIR) if (root / ENTRIES_DIR).is_dir() else []
    seen = {os.path.abspath(path) for path in paths}
    for extra in extra_paths:
        for path in discover_record_files(extra):
            absolute = os.path.abspath(path)
            if absolute not in seen:
                seen.add(absolute)
                paths.append(Path(absolute))
    files = [read_record_file(Path(os.path.abspath(path)), root) for path in paths]
    return KnowledgeBase(root=root, files=files)

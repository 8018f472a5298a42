"""The baseline file: adopt kbtool on an existing KB and gate only on new problems.

`kbtool baseline write FILE` records every finding of a full lint run by rule
code, record id (the file's path when it has no id) and JSON pointer — never
by line number, so unrelated edits do not invalidate it. `kbtool lint
--baseline FILE` then leaves out the findings the baseline lists; a key listed
N times covers N findings.

The file must shrink as problems are fixed: a baseline entry that no longer
matches any finding is reported as `unused-baseline-entry`, a warning placed
at that entry's line in the baseline file. Only a run over the whole KB can
know that an entry is unused, so runs over some paths or `--changed-since`
do not report them, nor entries of rules that did not run. Writing the
baseline again drops the unused entries.

Format (JSON, version 1)::

    {"version": 1,
     "findings": [{"rule": "KB401", "name": "stale-entry", "record": "tensorflow/x",
                   "pointer": "/last_confirmed"}]}

`name` is for the people reviewing the file; matching uses `rule`, `record`
and `pointer` only. Messages are left out on purpose: they can change from
day to day (ages in days), and the file must only change when findings do.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kbtool.errors import UsageError
from kbtool.files import lies_in
from kbtool.findings import Finding, LintResult
from kbtool.kb import ENTRIES_DIR
from kbtool.records import value_offsets
from kbtool.writers import WriteRefused, atomic_write

#: Baseline files larger than this are refused unread.
MAX_BASELINE_BYTES = 64 * 1024 * 1024

BASELINE_VERSION = 1

Key = tuple[str, str, str]  # (rule code, record id or path, pointer)


def finding_key(finding: Finding) -> Key:
    return (finding.code, finding.entry_id or finding.path, finding.pointer)


@dataclass(frozen=True)
class BaselineEntry:
    index: int  # position in the file's findings list
    key: Key
    line: int  # line of the entry in the baseline file
    column: int


@dataclass(frozen=True)
class Baseline:
    path: Path
    display_path: str  # relative to the KB root when inside it
    entries: tuple[BaselineEntry, ...]


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def baseline_document(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = sorted(({"rule": finding.code, "name": finding.name, "record": finding.entry_id or finding.path,
                       "pointer": finding.pointer} for finding in findings),
                     key=lambda entry: (entry["record"], entry["rule"], entry["pointer"]))
    return {"version": BASELINE_VERSION, "findings": entries}


#: What to do about a file given as a baseline that is not one (it may be any file: never suggest writing over it).
_NOT_A_BASELINE = ("pass the file `kbtool baseline write FILE` made (if this one is such a file, damaged, "
                   "`kbtool baseline write` writes it again)")


def check_baseline_target(path: Path, root: Path) -> None:
    """Refuse, before any lint runs, to write a baseline where it would replace what is not a baseline: a file
    among the records (every .json file under entries/ is read as a record), or a file that is something else."""
    if lies_in(path, root / ENTRIES_DIR):  # no baseline replaces a record
        raise UsageError(f"baseline write {path}: is inside entries/, where every .json file is read as a record; "
                         "write the baseline beside the KB, e.g. `kbtool baseline write .kbtool-baseline.json`")
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or not info.st_size:
            return  # a new or empty file; anything else, writing it refuses
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return  # writing it says what is wrong
    # A baseline, even a damaged one (an entry cut short, git's conflict markers), names both keys near its start.
    if '"version"' not in head or '"findings"' not in head:
        raise UsageError(f"baseline write {path}: the file exists and is not a kbtool baseline, so it is left as it is; "
                         "write the baseline to another file, e.g. .kbtool-baseline.json")


def write_baseline(path: Path, result: LintResult) -> int:
    """Write the baseline of `result` to `path` (atomically, replacing it); the number of entries."""
    document = baseline_document(result.findings)
    try:
        atomic_write(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    except WriteRefused as error:
        raise UsageError(f"baseline write: {error}") from None
    except OSError as error:
        raise UsageError(f"baseline write: cannot write {path}: {error.strerror or error}") from None
    return len(document["findings"])


def load_baseline(path: Path, root: Path) -> Baseline:
    """Read a baseline file; every defect is a usage error naming the file, line and what to do."""
    option = f"--baseline {path}"
    try:
        info = os.lstat(path)
        # The baseline may come with the change being checked: never block on a FIFO, follow a link or
        # read an unbounded file.
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            raise UsageError(f"{option}: is {kind}; pass the baseline file itself")
        if info.st_size > MAX_BASELINE_BYTES:
            raise UsageError(f"{option}: is {info.st_size:,} bytes; baselines larger than {MAX_BASELINE_BYTES:,} bytes "
                             "are refused unread")
        with open(path, "rb") as handle:
            text = handle.read(MAX_BASELINE_BYTES + 1).decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{option}: no such file; create it with `kbtool baseline write {path}`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{option}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); {_NOT_A_BASELINE}") from None
    except (ValueError, RecursionError) as error:  # nested too deeply, integers too long
        raise UsageError(f"{path}: not a kbtool baseline ({type(error).__name__}: {str(error)[:80]}); "
                         f"{_NOT_A_BASELINE}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION \
            or not isinstance(document.get("findings"), list):
        raise UsageError(f"{path}: not a kbtool baseline (expected {{\"version\": {BASELINE_VERSION}, \"findings\": [...]}}); "
                         f"{_NOT_A_BASELINE}")
    offsets = value_offsets(text)
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]  # once: a big baseline has many entries
    entries = []
    for index, item in enumerate(document["findings"]):
        pointer = f"/findings/{index}"
        line, column = (1, 1)
        if pointer in offsets:
            line = bisect.bisect_right(line_starts, offsets[pointer])
            column = offsets[pointer] - line_starts[line - 1] + 1
        fields = [item.get(key) if isinstance(item, dict) else None for key in ("rule", "record", "pointer")]
        if not all(isinstance(value, str) for value in fields):
            raise UsageError(f"{path}:{line}:{column}: baseline entry #{index + 1} needs the strings 'rule', 'record' "
                             f"and 'pointer'; write the file again with `kbtool baseline write {path}`")
        entries.append(BaselineEntry(index=index, key=tuple(fields), line=line, column=column))  # type: ignore[arg-type]
    return Baseline(path=path, display_path=_display_path(path, root), entries=tuple(entries))


def match_baseline(findings: list[Finding], baseline: Baseline, *, whole_kb: bool,
                   active_codes: frozenset[str]) -> tuple[list[Finding], tuple[BaselineEntry, ...]]:
    """(the findings the baseline does not list, its entries that matched no finding).

    A key listed N times covers N findings. Only a run over the whole KB (`whole_kb`) can tell that
    an entry is unused, and only for rules that ran (`active_codes`).
    """
    remaining = Counter(entry.key for entry in baseline.entries)
    kept: list[Finding] = []
    for finding in findings:
        key = finding_key(finding)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            kept.append(finding)
    unused: list[BaselineEntry] = []
    if whole_kb:
        for entry in reversed(baseline.entries):  # the last ones of a repeated key are the unused ones
            if remaining[entry.key] > 0:
                remaining[entry.key] -= 1
                if entry.key[0] in active_codes:
                    unused.append(entry)
    unused.reverse()
    return kept, tuple(unused)

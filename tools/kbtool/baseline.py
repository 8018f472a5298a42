"""Baselines: adopt kbtool on an existing KB and gate only on new problems.

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
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import typer

from kbtool.findings import Finding
from kbtool.lint import LintResult, active_rules
from kbtool.records import value_offsets
from kbtool.rules import RULES
from kbtool.rules.base import Rule
from kbtool.settings import Settings, UsageError
from kbtool.writers import WriteRefused, atomic_write

#: Baseline files larger than this are refused unread.
MAX_BASELINE_BYTES = 64 * 1024 * 1024

BASELINE_VERSION = 1
UNUSED_BASELINE_ENTRY = "unused-baseline-entry"

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


@dataclass(frozen=True)
class BaselineReport:
    """What a baseline did in one run: the input of the `unused-baseline-entry` rule."""

    baseline: Baseline
    unused: tuple[BaselineEntry, ...]


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
        raise UsageError(f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); "
                         f"write it again with `kbtool baseline write {path}`") from None
    except (ValueError, RecursionError) as error:  # nested too deeply, integers too long
        raise UsageError(f"{path}: not a kbtool baseline ({type(error).__name__}: {str(error)[:80]}); "
                         f"write it again with `kbtool baseline write {path}`") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION \
            or not isinstance(document.get("findings"), list):
        raise UsageError(f"{path}: not a kbtool baseline (expected {{\"version\": {BASELINE_VERSION}, \"findings\": [...]}}); "
                         f"write it with `kbtool baseline write {path}`")
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
                             "and 'pointer'; write the file again with `kbtool baseline write`")
        entries.append(BaselineEntry(index=index, key=tuple(fields), line=line, column=column))  # type: ignore[arg-type]
    return Baseline(path=path, display_path=_display_path(path, root), entries=tuple(entries))


def apply_baseline(result: LintResult, baseline: Baseline, settings: Settings, *, whole_kb: bool) -> LintResult:
    """`result` without the findings the baseline lists, plus the `unused-baseline-entry` findings.

    `whole_kb`: the run covered every record (no paths, no --changed-since), so it can tell that an
    entry is unused.
    """
    active_codes = frozenset(rule.code for rule in active_rules(settings))
    remaining = Counter(entry.key for entry in baseline.entries)
    kept: list[Finding] = []
    for finding in result.findings:
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
    rule: Rule = next(candidate for candidate in RULES.values() if candidate.name == UNUSED_BASELINE_ENTRY)
    if rule.code in active_codes:
        report = BaselineReport(baseline=baseline, unused=tuple(unused))
        severity = settings.severities.get(rule.code, rule.severity)
        for line, column, problem in rule.check(report, None):
            kept.append(Finding(code=rule.code, name=rule.name, severity=severity, path=baseline.display_path,
                                entry_id=None, pointer=problem.pointer, line=line, column=column,
                                message=problem.message, hint=problem.hint))
    kept.sort(key=Finding.sort_key)
    return replace(result, findings=kept)



def build_baseline_app(handles_errors: Callable[[Callable], Callable]) -> typer.Typer:
    """The `kbtool baseline` command group (registered in cli.py)."""
    group = typer.Typer(help="Record today's findings so that lint gates only on new problems.", no_args_is_help=True)

    @group.command("write")
    @handles_errors
    def write_command(
        file: Path = typer.Argument(..., metavar="FILE", help="The baseline file to write (replaced if it exists), e.g. .kbtool-baseline.json."),
        root: Optional[Path] = typer.Option(None, "--root", help="The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/.", show_default=False),
        today: Optional[str] = typer.Option(None, "--today", metavar="YYYY-MM-DD", help="The date to lint as of. Default: $KBTOOL_TODAY, else the system date.", show_default=False),
        stale_days: Optional[int] = typer.Option(None, "--stale-days", min=0, help="As for kbtool lint.", show_default=False),
    ) -> None:
        """Lint the whole KB and write every finding to FILE, by rule, record id and JSON pointer (not line numbers).

        Then 'kbtool lint --baseline FILE' reports only findings that are not in FILE, and reports the
        entries of FILE that no longer occur (unused-baseline-entry) so that you write it again as problems
        get fixed: the file only shrinks. The KB's configuration in pyproject.toml (select, ignore,
        severities, suppressions) applies as for lint. Commit FILE with the KB.
        """
        from kbtool.config import build_settings
        from kbtool.lint import lint

        settings = build_settings(root=root, today=today, stale_days=stale_days)
        count = write_baseline(file, lint(settings))
        sys.stdout.write(f"wrote {count} finding{'' if count == 1 else 's'} to {file}; "
                         f"'kbtool lint --baseline {file}' now reports only new problems\n")

    return group

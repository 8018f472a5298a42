"""What rules report and what a lint run returns: severities, problems, findings, the result."""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class Severity(str, enum.Enum):
    """How much a finding matters: error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Problem:
    """What every check yields: where (a JSON pointer) and what is wrong.

    `message` says what is wrong; `hint` says what to do about it. The pointer is placed in the
    record being checked; a problem carries its own place only where the pointer cannot say:
    `line` and `column` for a parse error, a configuration line or a baseline entry, and `record`
    when a check over the whole knowledge base reports on one of its records.
    """

    pointer: str
    message: str
    hint: str = ""
    line: int | None = None
    column: int | None = None
    record: Any = None  # the RecordFile a KB-wide check reports on


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem placed in a file, with its rule and severity (slotted: a lint of 100,000 records holds
    hundreds of thousands of them)."""

    code: str
    name: str
    severity: Severity
    path: str  # relative to the KB root, "/" separators
    entry_id: str | None
    pointer: str
    line: int
    column: int
    message: str
    hint: str = ""

    @property
    def full_message(self) -> str:
        if not self.hint:
            return self.message
        return f"{self.message}. {self.hint[0].upper()}{self.hint[1:]}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.code, self.pointer, self.message, self.hint)


#: A message longer than this is cut, saying how much was left out: no output line runs to megabytes.
MAX_MESSAGE_CHARACTERS = 2000


def _short(text: str) -> str:
    """`text`, cut to MAX_MESSAGE_CHARACTERS, and interned: most findings of a large KB say the same as
    many others ("root_cause has no Chinese translation"), and then hold one string between them."""
    if len(text) <= MAX_MESSAGE_CHARACTERS:
        return sys.intern(text)
    return f"{text[:MAX_MESSAGE_CHARACTERS]}… ({len(text) - MAX_MESSAGE_CHARACTERS:,} more characters)"


def to_finding(rule: Any, problem: Problem, record: Any = None, path: str | None = None) -> Finding:
    """The finding of `rule` (a `kbtool.rules.Rule`) for `problem`, placed in `problem.record`, else `record`, at its pointer; or, for checks of
    another file (`path`: pyproject.toml, the baseline), at the line and column it carries."""
    record = problem.record or record
    if path is not None or record is None:
        return Finding(code=rule.code, name=rule.name, severity=rule.severity, path=path or "", entry_id=None,
                       pointer=problem.pointer, line=problem.line or 1, column=problem.column or 1,
                       message=_short(problem.message), hint=_short(problem.hint))
    line, column = (problem.line, problem.column or 1) if problem.line else record.locate(problem.pointer)
    return Finding(code=rule.code, name=rule.name, severity=rule.severity, path=record.relative_path,
                   entry_id=record.entry_id, pointer=_short(problem.pointer), line=line, column=column,
                   message=_short(problem.message), hint=_short(problem.hint))


@dataclass(frozen=True)
class LintResult:
    """The findings of one lint run, after every filter, and what was linted."""

    findings: list[Finding]
    files: int  # files that were linted (got findings reported)
    entries: int  # of those, files that parsed into a record
    root: Path | None = None  # the KB root the paths are relative to
    baselined: int = 0  # findings left out because the --baseline file lists them

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.WARNING)

    @property
    def infos(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.INFO)

    def failed(self, strict: bool) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

"""Severities and findings: what rules produce and reporters print."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How much a finding matters. Ordered: error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Problem:
    """What a rule yields: where in the record (JSON pointer) and what is wrong.

    `message` says what is wrong; `hint` says what to do about it.
    """

    pointer: str
    message: str
    hint: str = ""
    #: Where the problem is, when the pointer cannot say (e.g. a parse error); else derived from the pointer.
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Finding:
    """A problem placed in a file, with its rule and severity."""

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
        return (self.path, self.line, self.column, self.code, self.pointer, self.message)

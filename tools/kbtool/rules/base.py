"""The rule registry: every rule's metadata lives beside its check function.

A rule is a pure function that yields :class:`~kbtool.findings.Problem` objects. What it
receives depends on its scope:

* "file": every record file, parsed or not (the reader's own problems);
* "record": every file that parsed into a record;
* "kb": the whole knowledge base, once; each problem names its record (`Problem.record`);
* "config": what the configuration's suppressions did (`kbtool.filters.SuppressionReport`),
  problems placed at a line of the KB root's pyproject.toml;
* "baseline": what the `--baseline` file did (`kbtool.filters.BaselineReport`), problems placed
  at a line of that file.

The second argument is the lint context (`kbtool.lint.LintContext`). Rules never open files,
read the clock, touch git or print.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal

from kbtool.findings import Severity

Scope = Literal["file", "record", "kb", "config", "baseline"]


@dataclass(frozen=True)
class Rule:
    """A rule and its documentation (the single source for `kbtool rules` and docs/rules.md)."""

    code: str
    name: str
    family: str
    severity: Severity
    summary: str
    explanation: str
    fails: str  # an example that triggers the rule
    passes: str  # the near miss that does not
    scope: Scope
    check: Callable[..., Iterable[Any]]


RULES: dict[str, Rule] = {}  # by code, in registration order


def rule(*, code: str, name: str, family: str, severity: Severity, summary: str,
         explanation: str, fails: str, passes: str, scope: Scope = "record") -> Callable:
    """Register the decorated check function as a rule."""

    def register(check: Callable) -> Callable:
        if code in RULES or any(existing.name == name for existing in RULES.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        RULES[code] = Rule(
            code=code, name=name, family=family, severity=severity, summary=summary,
            explanation=textwrap.dedent(explanation).strip(),
            fails=textwrap.dedent(fails).strip(), passes=textwrap.dedent(passes).strip(),
            scope=scope, check=check)
        return check

    return register


def find_rule(name_or_code: str) -> Rule | None:
    """Look a rule up by code (case-insensitive) or name."""
    wanted = name_or_code.strip()
    for candidate in RULES.values():
        if candidate.code.lower() == wanted.lower() or candidate.name == wanted.lower():
            return candidate
    return None

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

import dataclasses
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal

from kbtool.findings import Severity

Scope = Literal["file", "record", "kb", "config", "baseline"]


@dataclass(frozen=True)
class Example:
    """A failing or passing example of a rule: shown in its documentation, and run by the test suite.

    The example is a change to a clean base record (the test suite's): `record` replaces top-level
    fields of it (a value of `None` removes the field). The other fields set the scene where one
    record is not enough.
    """

    shown: str  # what `kbtool rules NAME` and docs/rules.md print
    record: dict[str, Any] = field(default_factory=dict)  # fields replaced in (None: removed from) the base record
    raw: str | None = None  # the file's exact text instead of a record (rules about the file itself)
    path: str | None = None  # where the record file lies, relative to the KB root (default entries/<id>.json)
    others: tuple[dict[str, Any], ...] = ()  # more records, each a change to the base record (give each an id)
    today: str | None = None  # the date of the run (default: the test suite's)
    base: dict[str, Any] | None = None  # with --changed-since: the record at the base revision, as a change to the base record
    config: str = ""  # the [tool.kbtool] tables of the KB root's pyproject.toml
    baseline: tuple[dict[str, str], ...] | None = None  # with --baseline: its findings entries
    also: tuple[str, ...] = ()  # other rules this example triggers besides this one (failing examples only)


@dataclass(frozen=True)
class Rule:
    """A rule and its documentation (the single source for `kbtool rules` and docs/rules.md)."""

    code: str
    name: str
    family: str
    severity: Severity
    summary: str
    explanation: str
    fails: Example  # an example that triggers the rule
    passes: Example  # the near miss that does not
    scope: Scope
    check: Callable[..., Iterable[Any]]
    # A record rule whose findings on a record also depend on other records (it reads only their
    # CROSS_RECORD_FIELDS).
    looks_across: bool = False
    # A record rule whose findings depend on the date of the run (`settings.today`); it reads only the
    # record's date fields (`kbtool.rules.freshness.dated_fields`).
    dated: bool = False
    # It asks the run's regex facts (`context.regex`), which the regex workers work out: a lint of the whole
    # KB runs it on each part of the KB after the other rules, which run while the workers search.
    asks_regex: bool = False

    @property
    def of_one_file(self) -> bool:
        """Its findings on a file depend on that file alone, the settings but the date, and the schema: a lint
        of the whole KB remembers them (kbtool.remembered). The rules that compare a record with its base
        revision (kbtool.rules.history) find nothing without one, and runs with one remember nothing."""
        return self.scope in ("file", "record") and not self.looks_across and not self.dated

    @property
    def across_records(self) -> bool:
        """Its findings depend on other records too (a KB rule, or a record rule that looks across): a lint
        of the whole KB remembers them for the whole KB as it is (kbtool.remembered)."""
        return self.scope == "kb" or self.looks_across


RULES: dict[str, Rule] = {}  # by code, in registration order


def rule(*, code: str, name: str, family: str, severity: Severity, summary: str,
         explanation: str, fails: Example, passes: Example, scope: Scope = "record", looks_across: bool = False,
         dated: bool = False, asks_regex: bool = False) -> Callable:
    """Register the decorated check function as a rule."""

    def register(check: Callable) -> Callable:
        if code in RULES or any(existing.name == name for existing in RULES.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        made = Rule(
            code=code, name=name, family=family, severity=severity, summary=summary,
            explanation=textwrap.dedent(explanation).strip(),
            fails=_dedented(fails), passes=_dedented(passes),
            scope=scope, check=check, looks_across=looks_across, dated=dated, asks_regex=asks_regex)
        if made.dated and made.across_records:  # remembered across days for the KB as it is (kbtool.remembered)
            raise ValueError(f"rule {code} {name}: a rule across records cannot depend on the date of the run")
        RULES[code] = made
        return check

    return register


def _dedented(example: Example) -> Example:
    return dataclasses.replace(example, shown=textwrap.dedent(example.shown).strip())


def find_rule(name_or_code: str) -> Rule | None:
    """Look a rule up by code (case-insensitive) or name."""
    wanted = name_or_code.strip()
    for candidate in RULES.values():
        if candidate.code.lower() == wanted.lower() or candidate.name == wanted.lower():
            return candidate
    return None

"""Per-record suppressions from `[[tool.kbtool.suppress]]`: reading them, applying them, accounting for them.

A suppression names records (an id or a glob of ids), the rules to silence on them, a required
reason and an optional expiry date::

    [[tool.kbtool.suppress]]
    ids = ["tensorflow/tflite-*"]        # or one string
    rules = ["stale-entry"]              # rule names or codes
    reason = "re-verification scheduled with the TFLite 2.17 release"
    expires = 2027-01-31                 # optional; a TOML date or "YYYY-MM-DD"

Suppressions are accountable: the engine reports one that silences nothing (`unused-suppression`)
and one past its expiry date, which stops silencing (`expired-suppression`). Those findings are
placed in the KB root's pyproject.toml, at the line of the suppression.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from kbtool.findings import Finding
from kbtool.kb import KnowledgeBase
from kbtool.settings import UsageError

CONFIG_FILE_NAME = "pyproject.toml"
SUPPRESSION_KEYS = ("ids", "rules", "reason", "expires")


@dataclass(frozen=True)
class Suppression:
    """One `[[tool.kbtool.suppress]]` table."""

    index: int  # 0-based position among the suppressions
    ids: tuple[str, ...]  # record ids or glob patterns (`*`, `?`, `[...]`)
    rules: tuple[str, ...]  # rule codes, in the order written
    rule_names: tuple[str, ...]  # the rules as written (names or codes)
    reason: str
    expires: dt.date | None = None
    line: int = 1  # line of the table in pyproject.toml
    rule_lines: tuple[int, ...] = ()  # line of each item of `rules`

    @property
    def pointer(self) -> str:
        """Where the suppression sits in the pyproject.toml document (RFC 6901 over its TOML data)."""
        return f"/tool/kbtool/suppress/{self.index}"

    def describe(self) -> str:
        ids = ", ".join(f"'{pattern}'" for pattern in self.ids)
        return f"the suppression #{self.index + 1} (ids {ids})"

    def matches(self, entry_id: str | None) -> bool:
        return entry_id is not None and any(fnmatch.fnmatchcase(entry_id, pattern) for pattern in self.ids)

    def expired(self, today: dt.date) -> bool:
        """Past its expiry date: the date itself is the last day it still suppresses."""
        return self.expires is not None and today > self.expires


@dataclass
class SuppressionReport:
    """What one suppression did in one lint run (the input of the configuration rules)."""

    suppression: Suppression
    expired: bool
    suppressed: dict[str, int] = field(default_factory=dict)  # rule code → findings silenced
    # Whether this run saw every record the suppression names (a run over a few files cannot know
    # whether the suppression is used elsewhere), and whether it saw any of them.
    covers_all_matches: bool = True
    covers_some_match: bool = True
    active_codes: frozenset[str] = frozenset()  # rules that ran

    def unused_rules(self) -> list[tuple[int, str, str]]:
        """(position in `rules`, code, name as written) for each rule this suppression silenced nothing of."""
        if self.expired or not self.covers_all_matches:
            return []
        return [(position, code, self.suppression.rule_names[position])
                for position, code in enumerate(self.suppression.rules)
                if code in self.active_codes and not self.suppressed.get(code)]


# Reading -------------------------------------------------------------------------------------------

_SUPPRESS_HEADER = re.compile(r"^\s*\[\[\s*tool\s*\.\s*kbtool\s*\.\s*suppress\s*\]\]\s*(?:#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[{1,2}\s*[A-Za-z_]")


def suppression_lines(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of every `[[tool.kbtool.suppress]]` table in a pyproject.toml text, in order."""
    lines = text.splitlines()
    spans: list[tuple[int, int]] = []
    for number, line in enumerate(lines, start=1):
        if _SUPPRESS_HEADER.match(line):
            end = number
            for following in range(number + 1, len(lines) + 1):
                if _ANY_HEADER.match(lines[following - 1]):
                    break
                end = following
            spans.append((number, end))
    return spans


def _line_of(text_lines: list[str], span: tuple[int, int], name: str) -> int:
    """Line of the string `name` (double- or single-quoted) inside the table's lines; else the header's."""
    for number in range(span[0], span[1] + 1):
        if f'"{name}"' in text_lines[number - 1] or f"'{name}'" in text_lines[number - 1]:
            return number
    return span[0]


def _strings(value: Any, where: str, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise UsageError(f"{where}: '{what}' must be a non-empty string or list of non-empty strings, not {value!r}")
    return [item.strip() for item in value]


def _expiry(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise UsageError(f"{where}: 'expires' must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"{where}: 'expires' is {value!r}, which is not a date; write it as YYYY-MM-DD")


def parse_suppressions(value: Any, text: str, config_path: Path, find_rule) -> tuple[Suppression, ...]:
    """Validate the `suppress` array of `[tool.kbtool]`; `text` is pyproject.toml's text (for line numbers).

    `find_rule(name_or_code)` looks a rule up; unknown keys, rules, missing reasons and malformed
    dates are usage errors naming the suppression, its line and the key.
    """
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UsageError(f"{config_path}: [tool.kbtool] suppress must be an array of tables, written [[tool.kbtool.suppress]]")
    spans = suppression_lines(text)
    text_lines = text.splitlines()
    suppressions = []
    for index, table in enumerate(value):
        span = spans[index] if index < len(spans) else None
        line = span[0] if span else 1
        where = (f"{config_path}:{line}: [[tool.kbtool.suppress]] #{index + 1}" if span
                 else f"{config_path}: [tool.kbtool] suppress #{index + 1}")
        unknown = sorted(set(table) - set(SUPPRESSION_KEYS))
        if unknown:
            raise UsageError(f"{where}: unknown key '{unknown[0]}'; known keys: {', '.join(SUPPRESSION_KEYS)}")
        for required in ("ids", "rules", "reason"):
            if required not in table:
                raise UsageError(f"{where}: '{required}' is required"
                                 + (" (say why the findings are acceptable)" if required == "reason" else ""))
        ids = _strings(table["ids"], where, "ids")
        names = _strings(table["rules"], where, "rules")
        codes = []
        for name in names:
            found = find_rule(name)
            if found is None:
                raise UsageError(f"{where}: 'rules' names the unknown rule '{name}'; 'kbtool rules' lists them")
            codes.append(found.code)
        reason = table["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f"{where}: 'reason' must say why the findings are acceptable, not {reason!r}")
        rule_lines = tuple(_line_of(text_lines, span, name) if span else line for name in names)
        suppressions.append(Suppression(
            index=index, ids=tuple(ids), rules=tuple(codes), rule_names=tuple(names), reason=reason.strip(),
            expires=_expiry(table.get("expires"), where), line=line, rule_lines=rule_lines))
    return tuple(suppressions)


# Applying ------------------------------------------------------------------------------------------

def apply_suppressions(findings: Iterable[Finding], suppressions: Iterable[Suppression], today: dt.date,
                       kb: KnowledgeBase, targets: set[str] | None,
                       active_codes: frozenset[str]) -> tuple[list[Finding], list[SuppressionReport]]:
    """Drop the findings that a live suppression covers; say what each suppression did.

    `targets` is the set of files this run reports on (None: the whole KB); it decides whether the
    run can tell that a suppression is unused.
    """
    reports = []
    for suppression in suppressions:
        matched = [record.relative_path for record in kb.records if suppression.matches(record.entry_id)]
        if targets is None:
            covers_all, covers_some = True, True
        else:
            covers_all = bool(matched) and all(path in targets for path in matched)
            covers_some = any(path in targets for path in matched)
        reports.append(SuppressionReport(suppression=suppression, expired=suppression.expired(today),
                                         covers_all_matches=covers_all, covers_some_match=covers_some,
                                         active_codes=active_codes))
    live = [report for report in reports if not report.expired]
    kept: list[Finding] = []
    for finding in findings:
        covering = [report for report in live
                    if finding.code in report.suppression.rules and report.suppression.matches(finding.entry_id)]
        if not covering:
            kept.append(finding)
        for report in covering:  # overlapping suppressions all count as used
            report.suppressed[finding.code] = report.suppressed.get(finding.code, 0) + 1
    return kept, reports

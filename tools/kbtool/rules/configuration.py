"""Configuration: suppressions in `[[tool.kbtool.suppress]]` stay accountable.

These rules look at what the configuration did in a run, not at records: their findings are placed
in the KB root's pyproject.toml, at the line of the suppression, with a pointer into its TOML data
(`/tool/kbtool/suppress/N`). The lint engine gives them one
:class:`~kbtool.suppressions.SuppressionReport` per suppression.
"""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.rules.base import rule

FAMILY = "configuration"


@rule(code="KB901", name="unused-suppression", family=FAMILY, severity=Severity.WARNING, scope="config",
      summary="A suppression in `[[tool.kbtool.suppress]]` silences nothing.",
      explanation="""
      A suppression that no longer matches any finding (the record was fixed, renamed or deleted, or
      the glob matches nothing) would silently hide the next, unrelated problem of the same kind.
      Each rule of a suppression is accounted for separately, at the line where it is named: remove
      the rules that silence nothing, and the suppression when none is left. The check needs to see
      every record the suppression names, so a run over a few files reports only suppressions whose
      records are all among them; a rule turned off or not selected is not judged.
      """,
      fails="""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/tflite-quantization-range"
      rules = ["stale-entry"]          # but last_confirmed is recent: nothing to silence
      reason = "re-verification scheduled"
      """,
      passes="""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/tflite-quantization-range"
      rules = ["stale-entry"]          # and the record is stale: the finding is silenced
      reason = "re-verification scheduled"
      """)
def unused_suppression(reports, context):
    for report in reports:
        suppression = report.suppression
        for position, code, name in report.unused_rules():
            line = suppression.rule_lines[position] if position < len(suppression.rule_lines) else suppression.line
            yield line, Problem(f"{suppression.pointer}/rules/{position}",
                                f"{suppression.describe()} silences nothing of '{name}'",
                                f"remove '{name}' from its rules (and the suppression when no rule is left)")


@rule(code="KB902", name="expired-suppression", family=FAMILY, severity=Severity.WARNING, scope="config",
      summary="A suppression is past its `expires` date: it no longer silences anything.",
      explanation="""
      `expires` puts a date on a tolerated problem. From the day after that date the suppression
      stops working (the findings it hid are reported again) and is reported itself, so that someone
      fixes the records or, with a new reason, sets a new date. The date is compared with "today"
      (`--today`, else KBTOOL_TODAY, else the system date).
      """,
      fails="""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/*"
      rules = ["stale-entry"]
      reason = "bulk re-verification in Q3"
      expires = 2026-09-30             # linted on 2026-11-23
      """,
      passes="""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/*"
      rules = ["stale-entry"]
      reason = "bulk re-verification in Q1"
      expires = 2027-03-31             # linted on 2026-11-23
      """)
def expired_suppression(reports, context):
    for report in reports:
        if report.expired and report.covers_some_match:
            suppression = report.suppression
            yield suppression.line, Problem(
                suppression.pointer,
                f"{suppression.describe()} expired on {suppression.expires.isoformat()} and no longer silences "
                f"{', '.join(suppression.rule_names)}",
                "fix the findings it hid, or set a new expires date with a new reason")

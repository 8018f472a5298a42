"""Accountability: what silences findings (suppressions, a baseline) must keep earning its place.

These rules look at what the filters of a run did, not at records (`kbtool.filters` runs them):

* the configuration rules (scope "config") receive one `SuppressionReport` per
  `[[tool.kbtool.suppress]]`; their findings are placed in the KB root's pyproject.toml, at the
  line of the suppression, with a pointer into its TOML data (`/tool/kbtool/suppress/N`);
* the baseline rule (scope "baseline") receives a `BaselineReport`; its findings are placed in the
  baseline file, at the line of each entry that matched nothing.
"""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.rules.base import RULES, Example, rule

FAMILY = "accountability"


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
      fails=Example("""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/tflite-quantization-range"
      rules = ["stale-entry"]          # but last_confirmed is recent: nothing to silence
      reason = "re-verification scheduled"
      """),
      passes=Example("""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/tflite-quantization-range"
      rules = ["stale-entry"]          # and the record is stale: the finding is silenced
      reason = "re-verification scheduled"
      """))
def unused_suppression(reports, context):
    for report in reports:
        suppression = report.suppression
        for position, code, name in report.unused_rules():
            line = suppression.rule_lines[position] if position < len(suppression.rule_lines) else suppression.line
            yield Problem(f"{suppression.pointer}/rules/{position}",
                          f"{suppression.describe()} silences nothing of '{name}'",
                          f"remove '{name}' from its rules (and the suppression when no rule is left)", line=line)


@rule(code="KB902", name="expired-suppression", family=FAMILY, severity=Severity.WARNING, scope="config",
      summary="A suppression is past its `expires` date: it no longer silences anything.",
      explanation="""
      `expires` puts a date on a tolerated problem. From the day after that date the suppression
      stops working (the findings it hid are reported again) and is reported itself, so that someone
      fixes the records or, with a new reason, sets a new date. The date is compared with "today"
      (`--today`, else KBTOOL_TODAY, else the system date).
      """,
      fails=Example("""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/*"
      rules = ["stale-entry"]
      reason = "bulk re-verification in Q3"
      expires = 2026-09-30             # linted on 2026-11-23
      """),
      passes=Example("""
      [[tool.kbtool.suppress]]
      ids = "tensorflow/*"
      rules = ["stale-entry"]
      reason = "bulk re-verification in Q1"
      expires = 2027-03-31             # linted on 2026-11-23
      """))
def expired_suppression(reports, context):
    for report in reports:
        if report.expired and report.covers_some_match:
            suppression = report.suppression
            yield Problem(
                suppression.pointer,
                f"{suppression.describe()} expired on {suppression.expires.isoformat()} and no longer silences "
                f"{', '.join(suppression.rule_names)}",
                "fix the findings it hid, or set a new expires date with a new reason", line=suppression.line)


@rule(code="KB910", name="unused-baseline-entry", family=FAMILY, severity=Severity.WARNING, scope="baseline",
      summary="An entry of the `--baseline` file no longer matches any finding.",
      explanation="""
      A baseline (`kbtool baseline write FILE`) lists today's findings by rule, record id and JSON
      pointer so that `kbtool lint --baseline FILE` reports only new problems. When a listed problem
      is fixed, its entry must go, or it would silently excuse the same problem coming back. Each
      such entry is reported at its line in the baseline file; `kbtool baseline write FILE` writes
      the file again without them. Only a run over the whole KB reports unused entries (a run over
      some files, or with `--changed-since`, cannot know), and only for rules that ran.
      """,
      fails=Example('baseline lists {"rule": "KB401", "record": "tensorflow/x", "pointer": "/last_confirmed"} '
            'but tensorflow/x was re-confirmed and is no longer stale'),
      passes=Example('baseline lists {"rule": "KB401", "record": "tensorflow/x", "pointer": "/last_confirmed"} '
             'and tensorflow/x is still stale'))
def unused_baseline_entry(report, context):
    for entry in report.unused:
        code, record, pointer = entry.key
        known = RULES.get(code)
        what = f"{code} {known.name}" if known else code
        yield Problem(
            f"/findings/{entry.index}",
            f"baseline entry {what} for {record} at {pointer or '(the whole file)'} matches no finding any more",
            f"remove it: `kbtool baseline write {report.baseline.display_path}` rewrites the baseline without it",
            line=entry.line, column=entry.column)

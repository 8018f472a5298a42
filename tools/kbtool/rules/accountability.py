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

#: The examples' suppression and baseline entry: both excuse the base record's stale-entry finding.
_SUPPRESS_STALE = """\
[[tool.kbtool.suppress]]
ids = "tensorflow/tflite-quantization-range"
rules = ["stale-entry"]
reason = "re-verification scheduled"
"""
_STALE_ENTRY = {"rule": "KB401", "name": "stale-entry", "record": "tensorflow/tflite-quantization-range",
                "pointer": "/last_confirmed"}


def _expiring(reason: str, expires: str) -> str:
    return ('[[tool.kbtool.suppress]]\nids = "tensorflow/*"\nrules = ["stale-entry"]\n'
            f'reason = "{reason}"\nexpires = {expires}\n')


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
      fails=Example('# the record has "last_confirmed": "2026-06-01", linted on 2026-11-23: not stale, nothing to silence\n'
                    + _SUPPRESS_STALE,
                    record={"last_confirmed": "2026-06-01"}, config=_SUPPRESS_STALE),
      passes=Example('# the record has "last_confirmed": "2024-06-01", linted on 2026-11-23: stale, the finding is silenced\n'
                     + _SUPPRESS_STALE,
                     record={"last_confirmed": "2024-06-01"}, config=_SUPPRESS_STALE))
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
      # The record is stale in both: the near miss needs a finding for the live suppression to silence (else it
      # is unused-suppression), and once the suppression has expired that stale-entry is reported again.
      fails=Example('# the record has "last_confirmed": "2024-06-01" (stale), linted on 2026-11-23\n'
                    + _expiring("bulk re-verification in Q3", "2026-09-30"),
                    record={"last_confirmed": "2024-06-01"}, config=_expiring("bulk re-verification in Q3", "2026-09-30"),
                    also=("stale-entry",)),
      passes=Example('# the record has "last_confirmed": "2024-06-01" (stale), linted on 2026-11-23\n'
                     + _expiring("bulk re-verification in Q1", "2027-03-31"),
                     record={"last_confirmed": "2024-06-01"}, config=_expiring("bulk re-verification in Q1", "2027-03-31")))
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
      fails=Example('baseline lists {"rule": "KB401", "name": "stale-entry", "record": "tensorflow/tflite-quantization-range", '
                    '"pointer": "/last_confirmed"}, but the record has "last_confirmed": "2026-06-01" '
                    '(re-confirmed: not stale on 2026-11-23)',
                    record={"last_confirmed": "2026-06-01"}, baseline=(_STALE_ENTRY,)),
      passes=Example('baseline lists {"rule": "KB401", "name": "stale-entry", "record": "tensorflow/tflite-quantization-range", '
                     '"pointer": "/last_confirmed"}, and the record has "last_confirmed": "2024-06-01" '
                     '(still stale on 2026-11-23)',
                     record={"last_confirmed": "2024-06-01"}, baseline=(_STALE_ENTRY,)))
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

"""Baseline: a baseline file (`kbtool lint --baseline FILE`) shrinks as problems are fixed.

The rule looks at what the baseline did in a run, not at records: it receives a
:class:`~kbtool.baseline.BaselineReport` and its findings are placed in the
baseline file, at the line of each entry that matched nothing.
"""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.rules.base import RULES, rule

FAMILY = "baseline"


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
      fails='baseline lists {"rule": "KB401", "record": "tensorflow/x", "pointer": "/last_confirmed"} '
            'but tensorflow/x was re-confirmed and is no longer stale',
      passes='baseline lists {"rule": "KB401", "record": "tensorflow/x", "pointer": "/last_confirmed"} '
             'and tensorflow/x is still stale')
def unused_baseline_entry(report, context):
    for entry in report.unused:
        code, record, pointer = entry.key
        known = RULES.get(code)
        what = f"{code} {known.name}" if known else code
        yield entry.line, entry.column, Problem(
            f"/findings/{entry.index}",
            f"baseline entry {what} for {record} at {pointer or '(the whole file)'} matches no finding any more",
            f"remove it: `kbtool baseline write {report.baseline.display_path}` rewrites the baseline without it")

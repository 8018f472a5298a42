"""Freshness: records are re-verified before they go stale."""

from __future__ import annotations

import datetime as dt

from kbtool.findings import Problem, Severity
from kbtool.kb import as_text
from kbtool.rules.base import rule

FAMILY = "freshness"


def record_date(data: dict, key: str) -> dt.date | None:
    """The date in `data[key]`, or None when absent or malformed (the schema reports that)."""
    text = as_text(data.get(key))
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@rule(code="KB401", name="stale-entry", family=FAMILY, severity=Severity.WARNING,
      summary="`last_confirmed` is older than the stale threshold (`--stale-days`, default 365).",
      explanation="""
      Errors change with versions: a record nobody has re-verified for a year may describe a bug
      that was fixed or a workaround that no longer works. Re-verify the record against a current
      version and set `last_confirmed` (and `last_updated` if the content changed). "Today" is
      `--today`, else the KBTOOL_TODAY environment variable, else the system date; the threshold is
      `--stale-days`, else `stale-days` in `[tool.kbtool]`, else 365.
      """,
      fails='"last_confirmed": "2024-06-01" linted on 2026-11-23',
      passes='"last_confirmed": "2026-06-01" linted on 2026-11-23')
def stale_entry(record, context):
    confirmed = record_date(record.data, "last_confirmed")
    if confirmed is None:
        return
    today = context.settings.today
    age = (today - confirmed).days
    if age > context.settings.stale_days:
        yield Problem("/last_confirmed",
                      f"last_confirmed is {confirmed.isoformat()}, {age} days before {today.isoformat()}; "
                      f"records go stale after {context.settings.stale_days} days",
                      "re-verify the error on a current version and update last_confirmed")

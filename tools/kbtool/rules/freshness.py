"""Freshness: records are re-verified before they go stale."""

from __future__ import annotations

import datetime as dt

from kbtool.findings import Problem, Severity
from kbtool.records import as_text
from kbtool.rules.base import Example, rule

FAMILY = "freshness"


def dated_fields(schema) -> tuple[str, ...]:
    """The fields that the rules depending on the date of the run (`Rule.dated`) read: the record's dates."""
    return tuple(dict.fromkeys((*schema.date_keys, "last_confirmed")))


def record_date(data: dict, key: str) -> dt.date | None:
    """The date in `data[key]`, or None when absent or malformed (the schema reports that)."""
    text = as_text(data.get(key))
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@rule(code="KB401", name="stale-entry", family=FAMILY, severity=Severity.WARNING, dated=True,
      summary="`last_confirmed` is older than the stale threshold (`--stale-days`, default 365).",
      explanation="""
      Errors change with versions: a record nobody has re-verified for a year may describe a bug
      that was fixed or a workaround that no longer works. Re-verify the record against a current
      version and set `last_confirmed` and `last_updated` to that day (a confirmation is a change to
      the record, and `date-order` wants last_confirmed <= last_updated). "Today" is
      `--today`, else the KBTOOL_TODAY environment variable, else the system date; the threshold is
      `--stale-days`, else `stale-days` in `[tool.kbtool]`, else 365.
      """,
      fails=Example('"last_confirmed": "2024-06-01", "last_updated": "2026-06-01" linted on 2026-11-23',
                    record={"last_confirmed": "2024-06-01", "last_updated": "2026-06-01"}, today="2026-11-23"),
      passes=Example('"last_confirmed": "2026-06-01", "last_updated": "2026-06-01" linted on 2026-11-23',
                     record={"last_confirmed": "2026-06-01", "last_updated": "2026-06-01"}, today="2026-11-23"))
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
                      "re-verify the error on a current version, then set last_confirmed and last_updated to that day")


#: The record's dates, in the order they must be: seen, then confirmed, then updated.
DATE_ORDER = ("first_seen", "last_confirmed", "last_updated")
#: How many days ahead `stale-soon` looks.
STALE_SOON_DAYS = 30


def stale_from(confirmed: dt.date, stale_days: int) -> dt.date | None:
    """The day a record confirmed on `confirmed` goes stale; None when that lies past the calendar's end
    (a `last_confirmed` of 9999-12-31: `future-date` reports it)."""
    try:
        return confirmed + dt.timedelta(days=stale_days + 1)
    except OverflowError:
        return None


@rule(code="KB402", name="date-order", family=FAMILY, severity=Severity.ERROR,
      summary="The dates are out of order: it must hold that first_seen <= last_confirmed <= last_updated.",
      explanation="""
      An error cannot be confirmed before it was first seen, and confirming a record is itself a
      change to it: when you move `last_confirmed` forward after re-verifying, move `last_updated`
      to the same day (or later). Dates out of this order usually come from a typo in the year or
      from swapping two fields. Each pair that is out of order gives one finding, at the later
      field of the pair; a missing or malformed date is left to the `schema` rule.
      """,
      fails=Example('"first_seen": "2026-07-01", "last_confirmed": "2026-06-01", "last_updated": "2026-06-01"',
                    record={"first_seen": "2026-07-01", "last_confirmed": "2026-06-01", "last_updated": "2026-06-01"}),
      passes=Example('"first_seen": "2026-05-01", "last_confirmed": "2026-06-01", "last_updated": "2026-06-01"',
                     record={"first_seen": "2026-05-01", "last_confirmed": "2026-06-01", "last_updated": "2026-06-01"}))
def date_order(record, context):
    present = [(key, record_date(record.data, key)) for key in DATE_ORDER]
    present = [(key, value) for key, value in present if value is not None]
    for (earlier_key, earlier), (later_key, later) in zip(present, present[1:]):
        if later < earlier:
            yield Problem(f"/{later_key}",
                          f"{later_key} {later.isoformat()} is before {earlier_key} {earlier.isoformat()}; "
                          f"dates must satisfy {' <= '.join(DATE_ORDER)}",
                          f"correct the date, or set {later_key} to {earlier.isoformat()} or later")


@rule(code="KB403", name="future-date", family=FAMILY, severity=Severity.ERROR, dated=True,
      summary="A date (`first_seen`, `last_confirmed`, `last_updated`) lies after today.",
      explanation="""
      Nothing can have been seen, confirmed or updated tomorrow: a date in the future is a typo
      (often the year) and would also keep the record from ever looking stale. Every top-level
      field that the schema declares with `"format": "date"` is checked. "Today" is `--today`,
      else the KBTOOL_TODAY environment variable, else the system date.
      """,
      fails=Example('"last_confirmed": "2026-06-01", "last_updated": "2062-06-01" linted on 2026-11-23',
                    record={"last_confirmed": "2026-06-01", "last_updated": "2062-06-01"}, today="2026-11-23"),
      passes=Example('"last_confirmed": "2026-06-01", "last_updated": "2026-06-01" linted on 2026-11-23',
                     record={"last_confirmed": "2026-06-01", "last_updated": "2026-06-01"}, today="2026-11-23"))
def future_date(record, context):
    today = context.settings.today
    for key in context.schema.date_keys:
        value = record_date(record.data, key)
        if value is not None and value > today:
            yield Problem(f"/{key}", f"{key} is {value.isoformat()}, after today ({today.isoformat()})",
                          "correct the date; it cannot lie in the future")


@rule(code="KB404", name="stale-soon", family=FAMILY, severity=Severity.INFO, dated=True,
      summary=f"`last_confirmed` will pass the stale threshold within {STALE_SOON_DAYS} days.",
      explanation=f"""
      A reminder, before `stale-entry` turns into a warning: the record is not stale yet, but it will
      be within {STALE_SOON_DAYS} days. Plan to re-verify it. The threshold is the same as for
      `stale-entry` (`--stale-days`, else `stale-days` in `[tool.kbtool]`, else 365); a record goes
      stale on the day after `last_confirmed` + threshold.
      """,
      fails=Example('"last_confirmed": "2025-12-01" linted on 2026-11-23 (stale from 2026-12-02, in 9 days)',
                    record={"last_confirmed": "2025-12-01"}, today="2026-11-23"),
      passes=Example('"last_confirmed": "2025-12-23" linted on 2026-11-23 (stale from 2026-12-24, in 31 days)',
                     record={"last_confirmed": "2025-12-23"}, today="2026-11-23"))
def stale_soon(record, context):
    confirmed = record_date(record.data, "last_confirmed")
    today = context.settings.today
    if confirmed is None or confirmed > today:
        return
    stale_on = stale_from(confirmed, context.settings.stale_days)
    days_left = (stale_on - today).days if stale_on is not None else None
    if days_left is not None and 0 < days_left <= STALE_SOON_DAYS:
        yield Problem("/last_confirmed",
                      f"last_confirmed is {confirmed.isoformat()}; the record goes stale on {stale_on.isoformat()}, "
                      f"in {days_left} day{'s' if days_left != 1 else ''}",
                      "re-verify the error on a current version soon and update last_confirmed and last_updated")

"""date-order, future-date and stale-soon: the record's dates tell a possible story."""

from __future__ import annotations

from conftest import curated_record, findings_of, lint_json, write_record


def found(kb, record, name, *args):
    write_record(kb, record)
    return [(f["pointer"], f["message"]) for f in findings_of(lint_json(kb, *args), name)]


def dated(first_seen, last_confirmed, last_updated):
    record = curated_record()
    record.update(first_seen=first_seen, last_confirmed=last_confirmed, last_updated=last_updated)
    return record


# date-order
def test_first_seen_after_last_confirmed(kb):
    [(pointer, message)] = found(kb, dated("2024-07-01", "2024-06-01", "2024-06-01"), "date-order")
    assert pointer == "/last_confirmed" and "before first_seen 2024-07-01" in message


def test_last_updated_before_last_confirmed(kb):
    [(pointer, _)] = found(kb, dated("2024-01-10", "2024-06-02", "2024-06-01"), "date-order")
    assert pointer == "/last_updated"


def test_equal_dates_are_in_order(kb):
    assert found(kb, dated("2024-06-01", "2024-06-01", "2024-06-01"), "date-order") == []


def test_an_impossible_date_is_left_to_the_schema(kb):
    record = dated("2024-02-30", "2024-01-01", "2024-01-01")
    assert found(kb, record, "date-order") == []
    assert [pointer for pointer, _ in found(kb, record, "schema")] == ["/first_seen"]


# future-date
def test_a_date_after_today_is_reported(kb):
    [(pointer, message)] = found(kb, dated("2024-01-10", "2024-06-01", "2026-11-24"), "future-date")
    assert pointer == "/last_updated" and "after today (2026-11-23)" in message


def test_today_itself_is_not_in_the_future(kb):
    assert found(kb, dated("2024-01-10", "2026-11-23", "2026-11-23"), "future-date") == []


def test_future_date_follows_the_today_option(kb):
    record = dated("2024-01-10", "2026-11-23", "2026-11-23")
    assert [p for p, _ in found(kb, record, "future-date", "--today", "2026-11-22")] == ["/last_confirmed", "/last_updated"]


# stale-soon
def test_stale_soon_within_thirty_days(kb):
    [(pointer, message)] = found(kb, dated("2024-01-10", "2025-12-01", "2025-12-01"), "stale-soon")
    assert pointer == "/last_confirmed" and "goes stale on 2026-12-02, in 9 days" in message


def test_stale_soon_is_info(kb):
    write_record(kb, dated("2024-01-10", "2025-12-01", "2025-12-01"))
    [finding] = findings_of(lint_json(kb), "stale-soon")
    assert finding["severity"] == "info"


def test_not_stale_soon_thirty_one_days_ahead(kb):
    # stale from 2026-12-24: 31 days after 2026-11-23
    assert found(kb, dated("2024-01-10", "2025-12-23", "2025-12-23"), "stale-soon") == []


def test_already_stale_is_not_stale_soon(kb):
    record = dated("2024-01-10", "2024-06-01", "2024-06-01")
    assert found(kb, record, "stale-soon") == []
    assert len(found(kb, record, "stale-entry")) == 1


def test_stale_soon_follows_the_stale_days_option(kb):
    record = dated("2024-01-10", "2026-11-01", "2026-11-01")
    assert found(kb, record, "stale-soon") == []
    assert len(found(kb, record, "stale-soon", "--stale-days", "30")) == 1

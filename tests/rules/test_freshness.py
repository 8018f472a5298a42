"""Freshness rules: the record's dates tell a possible story, and records are re-verified before they go stale."""

from __future__ import annotations

from conftest import changed, clean_record, rule_findings


# stale-entry
def test_stale_entry_follows_the_stale_days_option(kb):
    record = changed(clean_record(), {"last_confirmed": "2026-01-01"})
    assert rule_findings(kb, "stale-entry", record) == []
    assert len(rule_findings(kb, "stale-entry", record, args=("--stale-days", "300"))) == 1


def test_stale_entry_boundary_is_exclusive(kb):
    # exactly 365 days before 2026-11-23: not stale yet; one day more: stale
    assert rule_findings(kb, "stale-entry", changed(clean_record(), {"last_confirmed": "2025-11-23"}), today="2026-11-23") == []
    [finding] = rule_findings(kb, "stale-entry", changed(clean_record(), {"last_confirmed": "2025-11-22"}),
                              today="2026-11-23")
    assert finding["pointer"] == "/last_confirmed"


# date-order
def test_date_order_reports_first_seen_after_last_confirmed(kb):
    record = changed(clean_record(), {"first_seen": "2024-07-01", "last_confirmed": "2024-06-01", "last_updated": "2024-06-01"})
    [finding] = rule_findings(kb, "date-order", record)
    assert finding["pointer"] == "/last_confirmed" and "before first_seen 2024-07-01" in finding["message"]


def test_date_order_reports_last_updated_before_last_confirmed(kb):
    record = changed(clean_record(), {"first_seen": "2024-01-10", "last_confirmed": "2024-06-02", "last_updated": "2024-06-01"})
    [finding] = rule_findings(kb, "date-order", record)
    assert finding["pointer"] == "/last_updated"


def test_date_order_accepts_equal_dates(kb):
    record = changed(clean_record(), {"first_seen": "2024-06-01", "last_confirmed": "2024-06-01", "last_updated": "2024-06-01"})
    assert rule_findings(kb, "date-order", record) == []


def test_date_order_leaves_an_impossible_date_to_the_schema(kb):
    record = changed(clean_record(), {"first_seen": "2024-02-30", "last_confirmed": "2024-01-01", "last_updated": "2024-01-01"})
    assert rule_findings(kb, "date-order", record) == []
    assert [finding["pointer"] for finding in rule_findings(kb, "schema", record)] == ["/first_seen"]


# future-date
def test_future_date_reports_a_date_after_today(kb):
    record = changed(clean_record(), {"last_confirmed": "2024-06-01", "last_updated": "2026-11-24"})
    [finding] = rule_findings(kb, "future-date", record, today="2026-11-23")
    assert finding["pointer"] == "/last_updated" and "after today (2026-11-23)" in finding["message"]


def test_future_date_does_not_count_today_as_the_future(kb):
    record = changed(clean_record(), {"last_confirmed": "2026-11-23", "last_updated": "2026-11-23"})
    assert rule_findings(kb, "future-date", record, today="2026-11-23") == []


def test_future_date_follows_the_today_option(kb):
    record = changed(clean_record(), {"last_confirmed": "2026-11-23", "last_updated": "2026-11-23"})
    found = rule_findings(kb, "future-date", record, today="2026-11-22")
    assert [finding["pointer"] for finding in found] == ["/last_confirmed", "/last_updated"]


# stale-soon
def test_stale_soon_reports_a_record_going_stale_within_thirty_days(kb):
    record = changed(clean_record(), {"last_confirmed": "2025-12-01", "last_updated": "2025-12-01"})
    [finding] = rule_findings(kb, "stale-soon", record, today="2026-11-23")
    assert finding["pointer"] == "/last_confirmed" and "goes stale on 2026-12-02, in 9 days" in finding["message"]


def test_stale_soon_is_an_info(kb):
    record = changed(clean_record(), {"last_confirmed": "2025-12-01", "last_updated": "2025-12-01"})
    [finding] = rule_findings(kb, "stale-soon", record, today="2026-11-23")
    assert finding["severity"] == "info"


def test_stale_soon_is_silent_thirty_one_days_ahead(kb):
    # stale from 2026-12-24: 31 days after 2026-11-23
    record = changed(clean_record(), {"last_confirmed": "2025-12-23", "last_updated": "2025-12-23"})
    assert rule_findings(kb, "stale-soon", record, today="2026-11-23") == []


def test_stale_soon_leaves_an_already_stale_record_to_stale_entry(kb):
    record = changed(clean_record(), {"last_confirmed": "2024-06-01", "last_updated": "2024-06-01"})
    assert rule_findings(kb, "stale-soon", record) == []
    assert len(rule_findings(kb, "stale-entry", record)) == 1


def test_stale_soon_follows_the_stale_days_option(kb):
    record = changed(clean_record(), {"last_confirmed": "2026-11-01", "last_updated": "2026-11-01"})
    assert rule_findings(kb, "stale-soon", record) == []
    assert len(rule_findings(kb, "stale-soon", record, args=("--stale-days", "30"))) == 1

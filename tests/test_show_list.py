"""`kbtool show ID` and `kbtool list` with its filters, through the real CLI."""

from __future__ import annotations

import json

import pytest

from conftest import TODAY, clean_record, run_kbtool, write_record


@pytest.fixture
def kb(tmp_path):
    fresh = clean_record()  # confirmed 2026-06-01: fresh on TODAY, with every translation
    write_record(tmp_path, fresh)
    stale = clean_record()
    stale.update(id="pytorch/old-error", domain="pytorch", category="runtime_error", signature="OldError: it broke",
                 regex="OldError: it broke", error_code=None, first_seen="2024-01-01", last_confirmed="2024-01-01",
                 last_updated="2024-01-01")
    stale.pop("root_cause_zh")
    write_record(tmp_path, stale)
    soon = clean_record()
    soon.update(id="pytorch/soon-error", domain="pytorch", signature="SoonError: it will break", regex="SoonError: it will break",
                error_code=None, first_seen="2025-11-01", last_confirmed="2025-11-30", last_updated="2025-11-30")
    write_record(tmp_path, soon)
    return tmp_path


def ids(*args, kb) -> list[str]:
    result = run_kbtool("list", "--root", kb, "--today", TODAY, "--format", "json", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return [row["id"] for row in json.loads(result.stdout)]


def test_show_prints_the_record_as_a_person_reads_it(kb):
    result = run_kbtool("show", "tensorflow/tflite-quantization-range", "--root", kb, "--today", TODAY)
    assert result.exit_code == 0
    record = clean_record()
    for heading in ("Signature", "Root cause", "Do not try", "What works", "Sources", "Dates"):
        assert f"\n{heading}\n" in result.stdout
    assert record["signature"] in result.stdout
    assert f"why it fails: {record['dead_ends'][0]['why_fails']}" in result.stdout
    assert record["workarounds"][0]["how"] in result.stdout
    assert "last confirmed 2026-06-01" in result.stdout and "fresh, confirmed 175 days ago" in result.stdout


def test_show_json_is_for_tools(kb):
    result = run_kbtool("show", "pytorch/old-error", "--root", kb, "--today", TODAY, "--format", "json")
    document = json.loads(result.stdout)
    assert document["id"] == "pytorch/old-error" and document["freshness"]["state"] == "stale"
    assert [item["action"] for item in document["workarounds"]] == [item["action"] for item in clean_record()["workarounds"]]


def test_show_of_an_unknown_id_suggests_close_ones(kb):
    result = run_kbtool("show", "pytorch/old-eror", "--root", kb)
    assert result.exit_code == 2 and "did you mean pytorch/old-error" in result.stderr


def test_list_prints_one_line_per_record(kb):
    result = run_kbtool("list", "--root", kb, "--today", TODAY)
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and lines[-1] == "3 records"
    assert lines[0].startswith("pytorch/old-error") and "stale" in lines[0]


@pytest.mark.parametrize("args, expected", [
    (["--domain", "pytorch"], ["pytorch/old-error", "pytorch/soon-error"]),
    (["--category", "runtime_error"], ["pytorch/old-error"]),
    (["--stale"], ["pytorch/old-error"]),
    (["--stale-soon"], ["pytorch/soon-error"]),
    (["--missing-translation"], ["pytorch/old-error"]),
    (["--rule", "stale-entry"], ["pytorch/old-error"]),
    (["--domain", "pytorch", "--stale-soon"], ["pytorch/soon-error"]),
])
def test_list_filters(kb, args, expected):
    assert ids(*args, kb=kb) == expected

"""`kbtool baseline write FILE` and `kbtool lint --baseline FILE`: gate only on new problems; the file shrinks."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY, curated_record, run_kbtool, write_record


def stale_record(record_id: str, error_code: str, **changes) -> dict:
    name = record_id.split("/")[1]
    record = curated_record()
    record.update({"id": record_id, "error_code": error_code, "signature": f"KBTestError: stage {name} failed with code 17",
                   "regex": rf"KBTestError: stage {name} failed with code \d+"}, **changes)
    return record  # last_confirmed 2024-06-01: stale on TODAY


def lint(kb: Path, *args: str):
    return run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "json", *args)


def write_baseline(kb: Path, baseline: Path) -> None:
    result = run_kbtool("baseline", "write", baseline, "--root", kb, "--today", TODAY)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_baseline_write_records_rule_record_and_pointer_not_lines(kb, tmp_path):
    write_record(kb, stale_record("tensorflow/one", "E1"))
    baseline = tmp_path / "baseline.json"
    write_baseline(kb, baseline)
    document = json.loads(baseline.read_text(encoding="utf-8"))
    assert document == {"version": 1, "findings": [
        {"rule": "KB401", "name": "stale-entry", "record": "tensorflow/one", "pointer": "/last_confirmed"}]}


def test_findings_in_the_baseline_are_not_reported_and_new_ones_are(kb, tmp_path):
    write_record(kb, stale_record("tensorflow/one", "E1"))
    baseline = tmp_path / "baseline.json"
    write_baseline(kb, baseline)
    record = stale_record("tensorflow/one", "E1")
    record["dead_ends"][0]["action"] = ""  # a new problem in the same record
    write_record(kb, record)
    result = lint(kb, "--baseline", baseline)
    assert result.exit_code == 1
    assert [(finding["name"], finding["pointer"]) for finding in json.loads(result.stdout)["findings"]] == [
        ("empty-dead-end-action", "/dead_ends/0/action")]


def test_unrelated_edits_that_move_lines_keep_the_baseline_valid(kb, tmp_path):
    write_record(kb, stale_record("tensorflow/one", "E1"))
    baseline = tmp_path / "baseline.json"
    write_baseline(kb, baseline)
    record = stale_record("tensorflow/one", "E1", tags=["quantization", "tflite", "calibration"])
    path = write_record(kb, record)
    path.write_text(path.read_text(encoding="utf-8").replace('"tags": [', '"tags": [\n\n\n'), encoding="utf-8")
    result = lint(kb, "--baseline", baseline)
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []


def test_writing_the_baseline_again_drops_the_unused_entries(kb):
    write_record(kb, stale_record("tensorflow/one", "E1"))
    write_record(kb, stale_record("tensorflow/two", "E2"))
    baseline = kb / "kbtool-baseline.json"
    write_baseline(kb, baseline)
    write_record(kb, stale_record("tensorflow/two", "E2", last_confirmed="2026-11-01", last_updated="2026-11-01"))
    write_baseline(kb, baseline)
    assert [entry["record"] for entry in json.loads(baseline.read_text())["findings"]] == ["tensorflow/one"]
    assert json.loads(lint(kb, "--baseline", baseline).stdout)["findings"] == []


def test_a_missing_or_broken_baseline_is_a_usage_error(kb, tmp_path):
    write_record(kb, stale_record("tensorflow/one", "E1"))
    missing = run_kbtool("lint", "--root", kb, "--baseline", tmp_path / "nope.json")
    assert missing.exit_code == 2 and "kbtool baseline write" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "findings": [\n  {"rule": "KB401"\n', encoding="utf-8")
    result = run_kbtool("lint", "--root", kb, "--baseline", broken)
    assert result.exit_code == 2 and f"{broken}:3:1" in result.stderr and "Traceback" not in result.stderr

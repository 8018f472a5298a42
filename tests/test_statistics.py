"""`kbtool lint --statistics`: the count of findings per rule."""

from __future__ import annotations

import json
import shutil

from conftest import SEED_000, SEED_002, TODAY, run_kbtool


def seeds_kb(kb):
    for source, record_id in ((SEED_000, "tensorflow/tflite-converter-unsupported-op"),
                              (SEED_002, "tensorflow/tflite-quantization-range")):
        target = kb / "entries" / f"{record_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return kb


def test_statistics_counts_findings_per_rule(kb):
    seeds_kb(kb)
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--statistics")
    assert result.exit_code == 1  # same exit status as without --statistics
    rows = {line.split()[1]: line.split() for line in result.stdout.splitlines()[1:] if line.split()[1:2] and line.split()[1].startswith("KB")}
    findings = json.loads(run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "json").stdout)["findings"]
    expected = {}
    for finding in findings:
        expected[finding["rule"]] = expected.get(finding["rule"], 0) + 1
    assert {code: int(row[0]) for code, row in rows.items()} == expected
    assert rows["KB501"][2:] == ["empty-dead-end-action", "error"] and rows["KB501"][0] == "3"


def test_statistics_lists_the_most_frequent_rule_first(kb):
    seeds_kb(kb)
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--statistics", "--format", "json")
    counts = [row["count"] for row in json.loads(result.stdout)["statistics"]]
    assert counts == sorted(counts, reverse=True) and counts[0] >= 3


def test_statistics_of_a_clean_kb_is_only_the_summary(kb):
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--statistics")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["0 errors, 0 warnings in 0 files (0 records checked)"]


def test_statistics_with_an_annotation_format_is_a_usage_error(kb):
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--statistics", "--format", "sarif")
    assert result.exit_code == 2 and "--statistics prints text or json" in result.stderr

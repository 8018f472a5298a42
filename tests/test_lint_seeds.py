"""The defects of the two verbatim seed records are caught, at the exact pointers."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO_ROOT, SEED_000, SEED_002, TODAY, findings_of, lint_json, run_kbtool

ID_000 = "tensorflow/tflite-converter-unsupported-op"
ID_002 = "tensorflow/tflite-quantization-range"


@pytest.fixture
def seed_kb(kb):
    for source, record_id in ((SEED_000, ID_000), (SEED_002, ID_002)):
        target = kb / "entries" / f"{record_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return kb


def pointers(document, name, entry_id):
    return sorted(finding["pointer"] for finding in findings_of(document, name) if finding["entry_id"] == entry_id)


def test_regex_mismatch_of_000_with_ignore_case_hint(seed_kb):
    document = lint_json(seed_kb)
    [finding] = [f for f in findings_of(document, "regex-mismatch") if f["entry_id"] == ID_000]
    assert finding["pointer"] == "/regex"
    assert "ignoring case" in finding["message"]
    assert pointers(document, "regex-mismatch", ID_002) == []


def test_empty_dead_end_actions_of_000(seed_kb):
    document = lint_json(seed_kb)
    assert pointers(document, "empty-dead-end-action", ID_000) == [
        "/dead_ends/0/action", "/dead_ends/1/action", "/dead_ends/2/action"]


def test_untranslated_workarounds_zh_of_002_and_none_in_000(seed_kb):
    document = lint_json(seed_kb)
    assert pointers(document, "untranslated-zh", ID_002) == ["/workarounds_zh/0", "/workarounds_zh/1"]
    assert pointers(document, "untranslated-zh", ID_000) == []


def test_both_seeds_are_stale_on_2026_11_23(seed_kb):
    document = lint_json(seed_kb)
    assert pointers(document, "stale-entry", ID_000) == ["/last_confirmed"]
    assert pointers(document, "stale-entry", ID_002) == ["/last_confirmed"]


def test_seed_findings_carry_lines_of_the_values(seed_kb):
    document = lint_json(seed_kb)
    text = (seed_kb / "entries" / f"{ID_000}.json").read_text(encoding="utf-8").splitlines()
    for finding in findings_of(document, "empty-dead-end-action"):
        line = text[finding["line"] - 1]
        assert line[finding["column"] - 1:].startswith('""'), line


def test_seed_lint_fails_with_exit_1(seed_kb):
    result = run_kbtool("lint", "--root", seed_kb, "--today", TODAY)
    assert result.exit_code == 1
    assert "error" in result.stdout.splitlines()[-1]


def test_repository_kb_has_no_error():
    result = run_kbtool("lint", "--root", REPO_ROOT, "--today", TODAY, "--format", "json")
    document = json.loads(result.stdout)
    assert document["summary"]["errors"] == 0, [f for f in document["findings"] if f["severity"] == "error"]
    assert result.exit_code == 0
    assert document["summary"]["entries"] >= 2

"""Graph rules: the transition graph links records that exist, and not a record to itself."""

from __future__ import annotations

import subprocess

from conftest import changed, clean_record, curated_record, lint_scene, rule_findings, write_record

OTHER = "tensorflow/tflite-converter-unsupported-op"


def test_edge_to_a_missing_record_is_reported(kb):
    record = changed(clean_record(), {"transition_graph": {"preceded_by": [{"error_id": "tensorflow/no-such-error"}]}})
    [finding] = rule_findings(kb, "dangling-reference", record)
    assert finding["pointer"] == "/transition_graph/preceded_by/0/error_id"
    assert "'tensorflow/no-such-error' names no record" in finding["message"]


def test_edge_to_an_existing_record_is_fine(kb):
    record = changed(clean_record(), {"transition_graph": {"leads_to": [{"error_id": OTHER, "probability": 0.3}]}})
    assert rule_findings(kb, "dangling-reference", record, others=(curated_record(OTHER),)) == []


def test_misspelt_edge_suggests_the_close_id(kb):
    record = changed(clean_record(), {"transition_graph": {
        "frequently_confused_with": [{"error_id": "tensorflow/tflite-converter-unsuported-op"}]}})
    [finding] = rule_findings(kb, "dangling-reference", record, others=(curated_record(OTHER),))
    assert f"Did you mean '{OTHER}'" in finding["message"]


def test_edge_to_a_record_deleted_in_git_is_reported(kb):
    record = changed(clean_record(), {"transition_graph": {"leads_to": [{"error_id": OTHER}]}})
    write_record(kb, record)
    deleted = write_record(kb, curated_record(OTHER))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(kb)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "two records"], check=True)
    assert rule_findings(kb, "dangling-reference", record) == []
    subprocess.run([*git, "rm", "-q", str(deleted)], check=True)
    subprocess.run([*git, "commit", "-qm", "delete one"], check=True)
    [finding] = rule_findings(kb, "dangling-reference", record)
    assert finding["entry_id"] == "tensorflow/tflite-quantization-range"


def test_malformed_edge_is_left_to_the_schema(kb):
    record = changed(clean_record(), {"transition_graph": {"leads_to": [{"error_id": "Not An Id"}]}})
    findings = lint_scene(kb, record)
    assert [f["pointer"] for f in findings if f["name"] == "schema"] == ["/transition_graph/leads_to/0/error_id"]
    assert [f for f in findings if f["name"] == "dangling-reference"] == []


def test_edge_to_itself_is_self_reference_not_dangling(kb):
    record = changed(clean_record(), {"transition_graph": {
        "frequently_confused_with": [{"error_id": "tensorflow/tflite-quantization-range"}]}})
    findings = lint_scene(kb, record)
    assert [f["pointer"] for f in findings if f["name"] == "self-reference"] == [
        "/transition_graph/frequently_confused_with/0/error_id"]
    assert [f for f in findings if f["name"] == "dangling-reference"] == []


def test_edge_to_a_sibling_is_not_self_reference(kb):
    record = changed(clean_record(), {"transition_graph": {"leads_to": [{"error_id": OTHER}]}})
    assert rule_findings(kb, "self-reference", record, others=(curated_record(OTHER),)) == []

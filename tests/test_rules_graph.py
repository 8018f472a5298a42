"""dangling-reference and self-reference: the transition graph links real, other records."""

from __future__ import annotations

import subprocess

from conftest import curated_record, findings_of, lint_json, write_record

OTHER = "tensorflow/tflite-converter-unsupported-op"


def linking(target, kind="leads_to"):
    record = curated_record()
    record["transition_graph"][kind] = [{"error_id": target, "probability": 0.3}]
    return record


def test_edge_to_a_missing_record(kb):
    write_record(kb, linking("tensorflow/no-such-error", "preceded_by"))
    [finding] = findings_of(lint_json(kb), "dangling-reference")
    assert finding["pointer"] == "/transition_graph/preceded_by/0/error_id"
    assert "'tensorflow/no-such-error' names no record" in finding["message"]


def test_edge_to_an_existing_record(kb):
    write_record(kb, linking(OTHER))
    write_record(kb, curated_record(OTHER))
    assert findings_of(lint_json(kb), "dangling-reference") == []


def test_misspelt_edge_suggests_the_close_id(kb):
    write_record(kb, linking("tensorflow/tflite-converter-unsuported-op", "frequently_confused_with"))
    write_record(kb, curated_record(OTHER))
    [finding] = findings_of(lint_json(kb), "dangling-reference")
    assert f"Did you mean '{OTHER}'" in finding["message"]


def test_edge_to_a_record_deleted_in_git(kb):
    write_record(kb, linking(OTHER))
    deleted = write_record(kb, curated_record(OTHER))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(kb)]
    subprocess.run(["git", "init", "-q", str(kb)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "two records"], check=True)
    assert findings_of(lint_json(kb), "dangling-reference") == []
    subprocess.run([*git, "rm", "-q", str(deleted)], check=True)
    subprocess.run([*git, "commit", "-qm", "delete one"], check=True)
    [finding] = findings_of(lint_json(kb), "dangling-reference")
    assert finding["entry_id"] == "tensorflow/tflite-quantization-range"


def test_malformed_edge_is_left_to_the_schema(kb):
    write_record(kb, linking("Not An Id"))
    document = lint_json(kb)
    assert findings_of(document, "dangling-reference") == []
    assert [f["pointer"] for f in findings_of(document, "schema")] == ["/transition_graph/leads_to/0/error_id"]


def test_edge_to_itself(kb):
    record = linking("tensorflow/tflite-quantization-range", "frequently_confused_with")
    write_record(kb, record)
    document = lint_json(kb)
    assert [f["pointer"] for f in findings_of(document, "self-reference")] == [
        "/transition_graph/frequently_confused_with/0/error_id"]
    assert findings_of(document, "dangling-reference") == []


def test_edge_to_a_sibling_is_not_self_reference(kb):
    write_record(kb, linking(OTHER))
    write_record(kb, curated_record(OTHER))
    assert findings_of(lint_json(kb), "self-reference") == []

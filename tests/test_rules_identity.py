"""domain-mismatch and duplicate-error-code: a record's identity is consistent and unique."""

from __future__ import annotations

from conftest import curated_record, findings_of, lint_json, write_record


def test_domain_differs_from_the_id(kb):
    record = curated_record()
    record["domain"] = "tflite"
    write_record(kb, record)
    [finding] = findings_of(lint_json(kb), "domain-mismatch")
    assert finding["pointer"] == "/domain" and "'tensorflow'" in finding["message"]


def test_domain_equal_to_the_id_prefix(kb):
    write_record(kb, curated_record())
    assert findings_of(lint_json(kb), "domain-mismatch") == []


def test_two_records_share_an_error_code_both_reported(kb):
    first = curated_record()
    second = curated_record("tensorflow/tflite-converter-unsupported-op")
    second["error_code"] = first["error_code"]
    write_record(kb, first)
    write_record(kb, second)
    found = findings_of(lint_json(kb), "duplicate-error-code")
    assert sorted((f["entry_id"], f["pointer"]) for f in found) == [
        ("tensorflow/tflite-converter-unsupported-op", "/error_code"),
        ("tensorflow/tflite-quantization-range", "/error_code")]
    assert all("also used by" in f["message"] for f in found)


def test_distinct_and_null_error_codes(kb):
    first = curated_record()
    second = curated_record("tensorflow/tflite-converter-unsupported-op")
    third = dict(curated_record(), id="tensorflow/other", error_code=None)
    second["error_code"] = None
    write_record(kb, first)
    write_record(kb, second)
    write_record(kb, third)
    assert findings_of(lint_json(kb), "duplicate-error-code") == []


def test_a_copied_file_is_left_to_duplicate_id(kb):
    record = curated_record()
    write_record(kb, record)
    write_record(kb, record, "entries/tensorflow/copy.json")
    document = lint_json(kb)
    assert findings_of(document, "duplicate-error-code") == []
    assert len(findings_of(document, "duplicate-id")) == 2

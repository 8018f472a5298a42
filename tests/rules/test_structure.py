"""Structure rules: the file parses, matches the schema, and sits where its id says."""

from __future__ import annotations

from conftest import (changed, clean_record, curated_record, findings_of, lint_json, lint_scene, rule_findings,
                      write_record)
from kbtool.canonical import canonical_text

OTHER_ID = "tensorflow/tflite-converter-unsupported-op"


# invalid-json
def test_invalid_json_is_reported_at_its_line_and_other_files_are_still_checked(kb):
    write_record(kb, clean_record())
    (kb / "entries" / "tensorflow" / "broken.json").write_text('{\n  "id": "tensorflow/broken",\n  "x": [1, 2,\n}')
    document = lint_json(kb)
    [finding] = findings_of(document, "invalid-json")
    assert finding["path"] == "entries/tensorflow/broken.json" and finding["line"] == 4
    assert document["summary"]["files"] == 2 and document["summary"]["entries"] == 1


# duplicate-key
def test_duplicate_key_is_reported_at_the_repeated_key(kb):
    text = canonical_text(clean_record()).replace('"locale": "en",', '"locale": "en",\n  "locale": "zh",')
    [finding] = rule_findings(kb, "duplicate-key", raw=text)
    assert finding["pointer"] == "/locale"


# schema
def test_schema_reports_an_impossible_date(kb):
    [finding] = rule_findings(kb, "schema", changed(clean_record(), {"first_seen": "2024-02-30"}))
    assert finding["pointer"] == "/first_seen" and "calendar date" in finding["message"]


def test_schema_accepts_a_leap_day(kb):
    assert rule_findings(kb, "schema", changed(clean_record(), {"first_seen": "2024-02-29"})) == []


def test_schema_names_a_misspelt_field(kb):
    [finding] = rule_findings(kb, "schema", changed(clean_record(), {"root_cuase": "typo"}))
    assert finding["pointer"] == "/root_cuase" and "'root_cuase'" in finding["message"]


def test_schema_allows_a_dollar_schema_property(kb):
    record = {"$schema": "../../schema/error-record.schema.json", **clean_record()}
    assert rule_findings(kb, "schema", record) == []


def test_schema_names_a_missing_required_field(kb):
    [finding] = rule_findings(kb, "schema", changed(clean_record(), {"root_cause": None}))
    assert "'root_cause'" in finding["message"] and finding["pointer"] == ""


def test_schema_rejects_a_rate_above_one_and_a_boolean_resolvable(kb):
    found = rule_findings(kb, "schema", changed(clean_record(), {"confidence": 1.5, "resolvable": True}))
    assert {finding["pointer"] for finding in found} == {"/confidence", "/resolvable"}


def test_schema_requires_error_id_in_graph_items(kb):
    record = clean_record()
    record["transition_graph"]["leads_to"] = [{"probability": 0.5}]
    [finding] = rule_findings(kb, "schema", record)
    assert finding["pointer"] == "/transition_graph/leads_to/0" and "error_id" in finding["message"]


# id-path-mismatch
def test_id_path_mismatch_names_the_right_path_for_a_misplaced_file(kb):
    [finding] = rule_findings(kb, "id-path-mismatch", path="entries/tensorflow/other-name.json")
    assert finding["pointer"] == "/id" and "entries/tensorflow/tflite-quantization-range.json" in finding["message"]


def test_id_path_mismatch_accepts_a_file_outside_entries_named_domain_slug(kb):
    record = changed(clean_record(), {"id": "tensorflow/tflite-quantization-range-2"})
    write_record(kb, record, "candidates/tensorflow/tflite-quantization-range-2.json")
    document = lint_json(kb, str(kb / "candidates"))
    assert findings_of(document, "id-path-mismatch") == []
    assert document["summary"]["files"] == 1


def test_id_path_mismatch_reports_a_file_outside_entries_not_named_domain_slug(kb):
    write_record(kb, clean_record(), "candidates/tensorflow/other-name.json")
    [finding] = findings_of(lint_json(kb, str(kb / "candidates")), "id-path-mismatch")
    assert "<folder>/tensorflow/tflite-quantization-range.json" in finding["message"]


# duplicate-id
def test_duplicate_id_reports_both_files(kb):
    found = rule_findings(kb, "duplicate-id", path="entries/tensorflow/copy.json", others=(clean_record(),))
    assert sorted(finding["path"] for finding in found) == [
        "entries/tensorflow/copy.json", "entries/tensorflow/tflite-quantization-range.json"]


def test_duplicate_id_is_silent_for_distinct_ids(kb):
    assert rule_findings(kb, "duplicate-id", others=(curated_record(OTHER_ID),)) == []


# domain-mismatch
def test_domain_mismatch_reports_a_domain_other_than_the_id_prefix(kb):
    [finding] = rule_findings(kb, "domain-mismatch", changed(clean_record(), {"domain": "tflite"}))
    assert finding["pointer"] == "/domain" and "'tensorflow'" in finding["message"]


def test_domain_mismatch_is_silent_when_the_domain_is_the_id_prefix(kb):
    assert rule_findings(kb, "domain-mismatch", clean_record()) == []


# duplicate-error-code
def test_duplicate_error_code_reports_both_records(kb):
    first = clean_record()
    second = changed(curated_record(OTHER_ID), {"error_code": first["error_code"]})
    found = rule_findings(kb, "duplicate-error-code", first, others=(second,))
    assert sorted((finding["entry_id"], finding["pointer"]) for finding in found) == [
        (OTHER_ID, "/error_code"), ("tensorflow/tflite-quantization-range", "/error_code")]
    assert all("also used by" in finding["message"] for finding in found)


def test_duplicate_error_code_is_silent_for_distinct_and_null_codes(kb):
    others = (curated_record(OTHER_ID),  # its own code
              changed(clean_record(), {"id": "tensorflow/other", "error_code": None}),
              changed(clean_record(), {"id": "tensorflow/another", "error_code": None}))
    assert rule_findings(kb, "duplicate-error-code", clean_record(), others=others) == []


def test_duplicate_error_code_leaves_a_copied_file_to_duplicate_id(kb):
    findings = lint_scene(kb, path="entries/tensorflow/copy.json", others=(clean_record(),))
    assert [finding for finding in findings if finding["name"] == "duplicate-error-code"] == []
    assert len([finding for finding in findings if finding["name"] == "duplicate-id"]) == 2

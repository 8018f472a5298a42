"""Each foundation rule fires on a defective record and stays silent on its near miss."""

from __future__ import annotations

from conftest import curated_record, findings_of, lint_json, write_record


def lint_one(kb, record, relative_path=None):
    write_record(kb, record, relative_path)
    return lint_json(kb)


def names(document):
    return {finding["name"] for finding in document["findings"]}


def test_curated_record_is_clean(kb):
    assert [f for f in lint_one(kb, curated_record())["findings"] if f["severity"] == "error"] == []


# schema
def test_schema_reports_an_impossible_date(kb):
    record = curated_record()
    record["first_seen"] = "2024-02-30"
    [finding] = findings_of(lint_one(kb, record), "schema")
    assert finding["pointer"] == "/first_seen" and "calendar date" in finding["message"]


def test_schema_accepts_a_leap_day(kb):
    record = curated_record()
    record["first_seen"] = "2024-02-29"
    assert findings_of(lint_one(kb, record), "schema") == []


def test_schema_names_a_misspelt_field(kb):
    record = curated_record()
    record["root_cuase"] = "typo"
    [finding] = findings_of(lint_one(kb, record), "schema")
    assert finding["pointer"] == "/root_cuase" and "'root_cuase'" in finding["message"]


def test_schema_allows_a_dollar_schema_property(kb):
    record = {"$schema": "../../schema/error-record.schema.json", **curated_record()}
    assert findings_of(lint_one(kb, record), "schema") == []


def test_schema_names_a_missing_required_field(kb):
    record = curated_record()
    del record["root_cause"]
    [finding] = findings_of(lint_one(kb, record), "schema")
    assert "'root_cause'" in finding["message"] and finding["pointer"] == ""


def test_schema_rejects_a_rate_above_one_and_boolean_resolvable(kb):
    record = curated_record()
    record["confidence"] = 1.5
    record["resolvable"] = True
    found = {f["pointer"] for f in findings_of(lint_one(kb, record), "schema")}
    assert found == {"/confidence", "/resolvable"}


def test_schema_requires_error_id_in_graph_items(kb):
    record = curated_record()
    record["transition_graph"]["leads_to"] = [{"probability": 0.5}]
    [finding] = findings_of(lint_one(kb, record), "schema")
    assert finding["pointer"] == "/transition_graph/leads_to/0" and "error_id" in finding["message"]


# regex-invalid
def test_regex_invalid_fires_on_unbalanced_parenthesis(kb):
    record = curated_record()
    record["regex"] = "Quantization range (min, max"
    [finding] = findings_of(lint_one(kb, record), "regex-invalid")
    assert finding["pointer"] == "/regex"
    assert findings_of(lint_json(kb), "regex-mismatch") == []


def test_regex_invalid_accepts_escaped_parenthesis(kb):
    record = curated_record()
    record["regex"] = "Quantization range \\(min, max\\)"
    assert findings_of(lint_one(kb, record), "regex-invalid") == []


# regex-mismatch
def test_regex_mismatch_fires_without_case_hint_when_case_is_not_the_problem(kb):
    record = curated_record()
    record["regex"] = "completely different text"
    [finding] = findings_of(lint_one(kb, record), "regex-mismatch")
    assert "ignoring case" not in finding["message"]


def test_regex_with_inline_ignore_case_is_a_match(kb):
    record = curated_record()
    record["regex"] = "(?i)VALUEERROR: QUANTIZATION RANGE"
    assert findings_of(lint_one(kb, record), "regex-mismatch") == []


# empty-dead-end-action
def test_whitespace_dead_end_action_fires(kb):
    record = curated_record()
    record["dead_ends"][1]["action"] = "  \n "
    [finding] = findings_of(lint_one(kb, record), "empty-dead-end-action")
    assert finding["pointer"] == "/dead_ends/1/action"


def test_short_dead_end_action_is_fine(kb):
    record = curated_record()
    record["dead_ends"][1]["action"] = "Reinstall."
    assert findings_of(lint_one(kb, record), "empty-dead-end-action") == []


# untranslated-zh
def test_english_signature_zh_fires(kb):
    record = curated_record()
    record["signature_zh"] = record["signature"]
    [finding] = findings_of(lint_one(kb, record), "untranslated-zh")
    assert finding["pointer"] == "/signature_zh"


def test_chinese_full_of_code_and_traditional_chinese_pass(kb):
    record = curated_record()
    record["workarounds_zh"] = [
        "設定 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]` 並重新轉換模型。",
        "使用 tf.lite.TFLiteConverter 并设置 optimizations=[tf.lite.Optimize.DEFAULT]",
    ]
    assert findings_of(lint_one(kb, record), "untranslated-zh") == []


def test_japanese_in_a_zh_field_fires(kb):
    record = curated_record()
    record["root_cause_zh"] = "量子化パラメータが見つかりません。"
    [finding] = findings_of(lint_one(kb, record), "untranslated-zh")
    assert "Japanese" in finding["message"]


# stale-entry
def test_stale_entry_respects_stale_days(kb):
    record = curated_record()
    record["last_confirmed"] = "2026-01-01"
    write_record(kb, record)
    assert findings_of(lint_json(kb), "stale-entry") == []
    assert len(findings_of(lint_json(kb, "--stale-days", "300"), "stale-entry")) == 1


def test_stale_entry_boundary_is_exclusive(kb):
    record = curated_record()
    record["last_confirmed"] = "2025-11-23"  # exactly 365 days before 2026-11-23
    assert findings_of(lint_one(kb, record), "stale-entry") == []
    record["last_confirmed"] = "2025-11-22"
    assert len(findings_of(lint_one(kb, record), "stale-entry")) == 1


# id-path-mismatch
def test_id_path_mismatch_fires_for_a_misplaced_file(kb):
    record = curated_record()
    [finding] = findings_of(lint_one(kb, record, "entries/tensorflow/other-name.json"), "id-path-mismatch")
    assert finding["pointer"] == "/id" and "entries/tensorflow/tflite-quantization-range.json" in finding["message"]


def test_file_outside_entries_named_domain_slug_is_fine(kb):
    record = curated_record()
    write_record(kb, record, "candidates/tensorflow/tflite-quantization-range-2.json")
    record["id"] = "tensorflow/tflite-quantization-range-2"
    write_record(kb, record, "candidates/tensorflow/tflite-quantization-range-2.json")
    document = lint_json(kb, str(kb / "candidates"))
    assert findings_of(document, "id-path-mismatch") == []
    assert document["summary"]["files"] == 1


# duplicate-id
def test_duplicate_id_reports_both_files(kb):
    record = curated_record()
    write_record(kb, record)
    document = lint_one(kb, record, "entries/tensorflow/copy.json")
    paths = sorted(f["path"] for f in findings_of(document, "duplicate-id"))
    assert paths == ["entries/tensorflow/copy.json", "entries/tensorflow/tflite-quantization-range.json"]


def test_distinct_ids_are_not_duplicates(kb):
    write_record(kb, curated_record())
    assert findings_of(lint_one(kb, curated_record("tensorflow/tflite-converter-unsupported-op")), "duplicate-id") == []


# invalid-json / duplicate-key through the CLI
def test_invalid_json_is_reported_with_line_and_other_files_still_checked(kb):
    write_record(kb, curated_record())
    broken = kb / "entries" / "tensorflow" / "broken.json"
    broken.write_text('{\n  "id": "tensorflow/broken",\n  "x": [1, 2,\n}')
    document = lint_json(kb)
    [finding] = findings_of(document, "invalid-json")
    assert finding["path"] == "entries/tensorflow/broken.json" and finding["line"] == 4
    assert document["summary"]["files"] == 2 and document["summary"]["entries"] == 1


def test_duplicate_key_is_reported(kb):
    path = write_record(kb, curated_record())
    text = path.read_text(encoding="utf-8").replace('"locale": "en",', '"locale": "en",\n  "locale": "zh",')
    path.write_text(text, encoding="utf-8")
    [finding] = findings_of(lint_json(kb), "duplicate-key")
    assert finding["pointer"] == "/locale"

"""Translation rules: every English text a user reads has a Chinese counterpart that really is Chinese."""

from __future__ import annotations

from conftest import changed, clean_record, curated_record, lint_scene, rule_findings


# untranslated-zh
def test_untranslated_zh_reports_english_text_in_signature_zh(kb):
    record = clean_record()
    [finding] = rule_findings(kb, "untranslated-zh", changed(record, {"signature_zh": record["signature"]}))
    assert finding["pointer"] == "/signature_zh"


def test_untranslated_zh_accepts_chinese_full_of_code_and_traditional_chinese(kb):
    record = changed(clean_record(), {"workarounds_zh": [
        "設定 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]` 並重新轉換模型。",
        "使用 tf.lite.TFLiteConverter 并设置 optimizations=[tf.lite.Optimize.DEFAULT]",
    ]})
    assert rule_findings(kb, "untranslated-zh", record) == []


def test_untranslated_zh_reports_japanese_in_a_zh_field(kb):
    [finding] = rule_findings(kb, "untranslated-zh", changed(clean_record(), {"root_cause_zh": "量子化パラメータが見つかりません。"}))
    assert "Japanese" in finding["message"]


# missing-translation
def test_missing_translation_is_silent_for_a_curated_record(kb):
    assert rule_findings(kb, "missing-translation", curated_record()) == []


def test_missing_translation_reports_an_absent_signature_zh_at_the_english_field(kb):
    [finding] = rule_findings(kb, "missing-translation", changed(clean_record(), {"signature_zh": None}))
    assert finding["pointer"] == "/signature" and "signature_zh is missing" in finding["message"]


def test_missing_translation_reports_a_blank_root_cause_zh_at_the_chinese_field(kb):
    [finding] = rule_findings(kb, "missing-translation", changed(clean_record(), {"root_cause_zh": "  "}))
    assert finding["pointer"] == "/root_cause_zh" and "empty" in finding["message"]


def test_missing_translation_reports_fewer_workarounds_zh_than_workarounds(kb):
    record = clean_record()
    [finding] = rule_findings(kb, "missing-translation", changed(record, {"workarounds_zh": record["workarounds_zh"][:1]}))
    assert finding["pointer"] == "/workarounds_zh" and "1 item but workarounds has 2" in finding["message"]


def test_missing_translation_reports_an_absent_workarounds_zh_at_workarounds(kb):
    found = rule_findings(kb, "missing-translation", changed(clean_record(), {"workarounds_zh": None}))
    assert [finding["pointer"] for finding in found] == ["/workarounds"]


def test_missing_translation_reports_a_blank_item_of_workarounds_zh(kb):
    record = clean_record()
    record["workarounds_zh"][1] = ""
    assert [finding["pointer"] for finding in rule_findings(kb, "missing-translation", record)] == ["/workarounds_zh/1"]


def test_missing_translation_needs_no_workarounds_zh_without_workarounds(kb):
    record = changed(clean_record(), {"workarounds": [], "workarounds_zh": None})
    assert rule_findings(kb, "missing-translation", record) == []


def test_missing_translation_needs_no_translation_of_an_empty_root_cause(kb):
    record = changed(clean_record(), {"root_cause": "", "root_cause_zh": ""})
    assert rule_findings(kb, "missing-translation", record) == []


def test_missing_translation_leaves_english_text_in_a_zh_field_to_untranslated_zh(kb):
    record = clean_record()
    findings = lint_scene(kb, changed(record, {"signature_zh": record["signature"]}))
    assert [finding for finding in findings if finding["name"] == "missing-translation"] == []
    assert [finding["pointer"] for finding in findings if finding["name"] == "untranslated-zh"] == ["/signature_zh"]

"""missing-translation: every English text a user reads has its Chinese counterpart."""

from __future__ import annotations

from conftest import curated_record, findings_of, lint_json, write_record


def missing(kb, record):
    write_record(kb, record)
    return sorted((f["pointer"], f["message"]) for f in findings_of(lint_json(kb), "missing-translation"))


def test_curated_record_has_every_translation(kb):
    assert missing(kb, curated_record()) == []


def test_absent_signature_zh_is_reported_at_the_english_field(kb):
    record = curated_record()
    del record["signature_zh"]
    [(pointer, message)] = missing(kb, record)
    assert pointer == "/signature" and "signature_zh is missing" in message


def test_blank_root_cause_zh_is_reported_at_the_chinese_field(kb):
    record = curated_record()
    record["root_cause_zh"] = "  "
    [(pointer, message)] = missing(kb, record)
    assert pointer == "/root_cause_zh" and "empty" in message


def test_fewer_workarounds_zh_than_workarounds(kb):
    record = curated_record()
    record["workarounds_zh"] = record["workarounds_zh"][:1]
    [(pointer, message)] = missing(kb, record)
    assert pointer == "/workarounds_zh" and "1 item but workarounds has 2" in message


def test_absent_workarounds_zh_is_reported_at_workarounds(kb):
    record = curated_record()
    del record["workarounds_zh"]
    assert [pointer for pointer, _ in missing(kb, record)] == ["/workarounds"]


def test_blank_item_of_workarounds_zh(kb):
    record = curated_record()
    record["workarounds_zh"][1] = ""
    assert [pointer for pointer, _ in missing(kb, record)] == ["/workarounds_zh/1"]


def test_no_workarounds_needs_no_workarounds_zh(kb):
    record = curated_record()
    record["workarounds"] = []
    del record["workarounds_zh"]
    assert missing(kb, record) == []


def test_empty_english_root_cause_needs_no_translation(kb):
    record = curated_record()
    record["root_cause"] = ""
    record["root_cause_zh"] = ""
    assert missing(kb, record) == []


def test_english_text_in_a_zh_field_is_left_to_untranslated_zh(kb):
    record = curated_record()
    record["signature_zh"] = record["signature"]
    write_record(kb, record)
    document = lint_json(kb)
    assert findings_of(document, "missing-translation") == []
    assert [f["pointer"] for f in findings_of(document, "untranslated-zh")] == ["/signature_zh"]

"""empty-field, contradictory-advice, duplicate-text, verdict-inconsistent, bad-url."""

from __future__ import annotations

import pytest

from conftest import curated_record, findings_of, lint_json, write_record


def pointers(kb, record, name):
    write_record(kb, record)
    return sorted(f["pointer"] for f in findings_of(lint_json(kb), name))


def messages(kb, record, name):
    write_record(kb, record)
    return [f["message"] for f in findings_of(lint_json(kb), name)]


# empty-field
def test_blank_why_fails_how_and_root_cause(kb):
    record = curated_record()
    record["root_cause"] = " "
    record["dead_ends"][1]["why_fails"] = ""
    record["workarounds"][0]["how"] = "\n"
    assert pointers(kb, record, "empty-field") == ["/dead_ends/1/why_fails", "/root_cause", "/workarounds/0/how"]


def test_blank_workaround_action(kb):
    record = curated_record()
    record["workarounds"][1]["action"] = ""
    assert pointers(kb, record, "empty-field") == ["/workarounds/1/action"]


def test_absent_how_is_not_blank(kb):
    record = curated_record()
    del record["workarounds"][0]["how"]
    assert pointers(kb, record, "empty-field") == []


def test_blank_dead_end_action_is_left_to_empty_dead_end_action(kb):
    record = curated_record()
    record["dead_ends"][0]["action"] = ""
    assert pointers(kb, record, "empty-field") == []
    assert pointers(kb, record, "empty-dead-end-action") == ["/dead_ends/0/action"]


# contradictory-advice
def test_same_action_as_dead_end_and_workaround(kb):
    record = curated_record()
    record["dead_ends"][1]["action"] = "switch to PER-CHANNEL or full-integer quantization"
    [message] = messages(kb, record, "contradictory-advice")
    assert "dead end 1 gives the same action as workaround 1" in message
    assert pointers(kb, record, "contradictory-advice") == ["/dead_ends/1/action"]


def test_a_narrower_dead_end_does_not_contradict(kb):
    record = curated_record()
    record["dead_ends"][1]["action"] = "Switch to per-channel quantization without recalibrating."
    assert pointers(kb, record, "contradictory-advice") == []


# duplicate-text
def test_how_repeating_action(kb):
    record = curated_record()
    record["workarounds"][0]["how"] = record["workarounds"][0]["action"].upper()
    assert pointers(kb, record, "duplicate-text") == ["/workarounds/0/how"]


def test_two_equal_dead_ends(kb):
    record = curated_record()
    record["dead_ends"].append(dict(record["dead_ends"][0], why_fails="Said twice."))
    assert pointers(kb, record, "duplicate-text") == ["/dead_ends/2/action"]


def test_two_equal_workarounds(kb):
    record = curated_record()
    record["workarounds"].append(dict(record["workarounds"][1]))
    record["workarounds_zh"].append(record["workarounds_zh"][1])
    assert pointers(kb, record, "duplicate-text") == ["/workarounds/2/action"]


def test_how_that_extends_the_action_is_not_a_duplicate(kb):
    record = curated_record()
    record["workarounds"][1]["how"] = record["workarounds"][1]["action"] + " Rerun the converter afterwards."
    assert pointers(kb, record, "duplicate-text") == []


def test_seed_000_repeats_action_in_how(kb):
    import shutil

    from conftest import SEED_000
    target = kb / "entries" / "tensorflow" / "tflite-converter-unsupported-op.json"
    target.parent.mkdir(parents=True)
    shutil.copy(SEED_000, target)
    found = sorted(f["pointer"] for f in findings_of(lint_json(kb), "duplicate-text"))
    assert found == ["/workarounds/0/how", "/workarounds/1/how", "/workarounds/2/how"]


# verdict-inconsistent
def test_resolvable_true_with_a_low_success_rate(kb):
    record = curated_record()
    record["fix_success_rate"] = 0.4
    assert pointers(kb, record, "verdict-inconsistent") == ["/resolvable"]


def test_resolvable_true_at_the_threshold(kb):
    record = curated_record()
    record["fix_success_rate"] = 0.7
    assert pointers(kb, record, "verdict-inconsistent") == []


def test_resolvable_false_with_fixes_that_work(kb):
    record = curated_record()
    record.update(resolvable="false", fix_success_rate=0.2)
    assert pointers(kb, record, "verdict-inconsistent") == ["/resolvable"]


def test_resolvable_false_with_a_rare_fix(kb):
    record = curated_record()
    record.update(resolvable="false", fix_success_rate=0.19)
    assert pointers(kb, record, "verdict-inconsistent") == []


def test_confident_without_evidence_or_sources(kb):
    record = curated_record()
    record["workarounds"][1]["sources"] = []
    [message] = messages(kb, record, "verdict-inconsistent")
    assert "confidence is 0.82 but evidence_count is 1" in message


def test_confident_with_a_sourced_workaround(kb):
    record = curated_record()
    assert record["workarounds"][1]["sources"] and record["evidence_count"] < 3
    assert pointers(kb, record, "verdict-inconsistent") == []


def test_confident_with_three_occurrences(kb):
    record = curated_record()
    record["workarounds"][1]["sources"] = []
    record["evidence_count"] = 3
    assert pointers(kb, record, "verdict-inconsistent") == []


def test_low_confidence_needs_no_evidence(kb):
    record = curated_record()
    record["workarounds"][1]["sources"] = []
    record["confidence"] = 0.3
    assert pointers(kb, record, "verdict-inconsistent") == []


# bad-url
@pytest.mark.parametrize("url", [
    "https://example.com/docs",
    "https://www.tensorflow.org/TODO",
    "TODO",
    "www.tensorflow.org/lite",
    "ftp://ftp.tensorflow.org/lite",
    "https://www.tensorflow.org/...",
    "http://localhost:8000/docs",
    "",
])
def test_bad_official_doc_url(kb, url):
    record = curated_record()
    record["official_doc_url"] = url
    assert pointers(kb, record, "bad-url") == ["/official_doc_url"]


@pytest.mark.parametrize("url", [
    None,
    "http://www.tensorflow.org/lite",
    "https://github.com/tensorflow/tensorflow/compare/v2.11.0...v2.12.0",
    "https://github.com/someone/todo-app/issues/3",
])
def test_good_official_doc_url(kb, url):
    record = curated_record()
    record["official_doc_url"] = url
    assert pointers(kb, record, "bad-url") == []


def test_placeholder_source_of_a_workaround(kb):
    record = curated_record()
    record["workarounds"][1]["sources"].append("https://example.org/issue")
    assert pointers(kb, record, "bad-url") == ["/workarounds/1/sources/1"]


def test_article_path_as_a_dead_end_source(kb):
    record = curated_record()
    record["dead_ends"][0]["sources"] = ["articles/001-quantize.md:12", "articles/003-ranges.md"]
    assert pointers(kb, record, "bad-url") == []


def test_article_path_escaping_the_repository(kb):
    record = curated_record()
    record["dead_ends"][0]["sources"] = ["../secrets/notes.md"]
    assert pointers(kb, record, "bad-url") == ["/dead_ends/0/sources/0"]


def test_placeholder_url_of_a_mined_article(kb):
    record = curated_record()
    record["sources"] = [{"path": "articles/001-quantize.md", "id": "001", "line": 4, "url": "<url>"},
                         {"path": "articles/003-ranges.md", "id": "003", "line": None, "url": None}]
    assert pointers(kb, record, "bad-url") == ["/sources/0/url"]

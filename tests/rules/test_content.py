"""Content rules: the advice a record gives is actually written down."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from conftest import SEED_000, changed, clean_record, rule_findings


# empty-dead-end-action
def test_whitespace_dead_end_action_fires(kb):
    record = clean_record()
    record["dead_ends"][1]["action"] = "  \n "
    [finding] = rule_findings(kb, "empty-dead-end-action", record)
    assert finding["pointer"] == "/dead_ends/1/action"


def test_short_dead_end_action_is_fine(kb):
    record = clean_record()
    record["dead_ends"][1]["action"] = "Reinstall."
    assert rule_findings(kb, "empty-dead-end-action", record) == []


# empty-field
def test_blank_why_fails_how_and_root_cause_are_each_reported(kb):
    record = clean_record()
    record["root_cause"] = " "
    record["dead_ends"][1]["why_fails"] = ""
    record["workarounds"][0]["how"] = "\n"
    assert sorted(f["pointer"] for f in rule_findings(kb, "empty-field", record)) == [
        "/dead_ends/1/why_fails", "/root_cause", "/workarounds/0/how"]


def test_blank_workaround_action_is_reported(kb):
    record = clean_record()
    record["workarounds"][1]["action"] = ""
    assert sorted(f["pointer"] for f in rule_findings(kb, "empty-field", record)) == ["/workarounds/1/action"]


def test_absent_how_is_not_blank(kb):
    record = clean_record()
    del record["workarounds"][0]["how"]
    assert rule_findings(kb, "empty-field", record) == []


def test_blank_dead_end_action_is_left_to_empty_dead_end_action(kb):
    record = clean_record()
    record["dead_ends"][0]["action"] = ""
    assert rule_findings(kb, "empty-field", record) == []
    assert sorted(f["pointer"] for f in rule_findings(kb, "empty-dead-end-action", record)) == ["/dead_ends/0/action"]


# contradictory-advice
def test_same_action_as_dead_end_and_workaround_is_reported_at_the_dead_end(kb):
    record = clean_record()
    record["dead_ends"][1]["action"] = "switch to PER-CHANNEL or full-integer quantization"
    [finding] = rule_findings(kb, "contradictory-advice", record)
    assert finding["pointer"] == "/dead_ends/1/action"
    assert "dead end 1 gives the same action as workaround 1" in finding["message"]


def test_a_narrower_dead_end_does_not_contradict(kb):
    record = clean_record()
    record["dead_ends"][1]["action"] = "Switch to per-channel quantization without recalibrating."
    assert rule_findings(kb, "contradictory-advice", record) == []


# duplicate-text
def test_how_repeating_the_action_in_another_case_is_reported(kb):
    record = clean_record()
    record["workarounds"][0]["how"] = record["workarounds"][0]["action"].upper()
    assert sorted(f["pointer"] for f in rule_findings(kb, "duplicate-text", record)) == ["/workarounds/0/how"]


def test_two_dead_ends_with_the_same_action_are_reported_at_the_second(kb):
    record = clean_record()
    record["dead_ends"].append(dict(record["dead_ends"][0], why_fails="Said twice."))
    assert sorted(f["pointer"] for f in rule_findings(kb, "duplicate-text", record)) == ["/dead_ends/2/action"]


def test_two_equal_workarounds_are_reported_at_the_second(kb):
    record = clean_record()
    record["workarounds"].append(dict(record["workarounds"][1]))
    record["workarounds_zh"].append(record["workarounds_zh"][1])
    assert sorted(f["pointer"] for f in rule_findings(kb, "duplicate-text", record)) == ["/workarounds/2/action"]


def test_how_that_extends_the_action_is_not_a_duplicate(kb):
    record = clean_record()
    record["workarounds"][1]["how"] = record["workarounds"][1]["action"] + " Rerun the converter afterwards."
    assert rule_findings(kb, "duplicate-text", record) == []


def test_seed_000_repeats_the_action_in_every_how(kb):
    found = rule_findings(kb, "duplicate-text", raw=SEED_000.read_text(encoding="utf-8"),
                          path="entries/tensorflow/tflite-converter-unsupported-op.json")
    assert sorted(f["pointer"] for f in found) == ["/workarounds/0/how", "/workarounds/1/how", "/workarounds/2/how"]


# verdict-inconsistent
def test_resolvable_true_with_a_low_success_rate_is_reported(kb):
    record = changed(clean_record(), {"resolvable": "true", "fix_success_rate": 0.4})
    assert sorted(f["pointer"] for f in rule_findings(kb, "verdict-inconsistent", record)) == ["/resolvable"]


def test_resolvable_true_at_the_threshold_is_fine(kb):
    record = changed(clean_record(), {"resolvable": "true", "fix_success_rate": 0.7})
    assert rule_findings(kb, "verdict-inconsistent", record) == []


def test_resolvable_false_with_fixes_that_work_is_reported(kb):
    record = changed(clean_record(), {"resolvable": "false", "fix_success_rate": 0.2})
    assert sorted(f["pointer"] for f in rule_findings(kb, "verdict-inconsistent", record)) == ["/resolvable"]


def test_resolvable_false_with_a_rare_fix_is_fine(kb):
    record = changed(clean_record(), {"resolvable": "false", "fix_success_rate": 0.19})
    assert rule_findings(kb, "verdict-inconsistent", record) == []


def test_confidence_without_evidence_or_sources_is_reported(kb):
    record = clean_record()
    record["workarounds"][1]["sources"] = []
    [finding] = rule_findings(kb, "verdict-inconsistent", record)
    assert finding["pointer"] == "/confidence"
    assert "confidence is 0.82 but evidence_count is 1" in finding["message"]


def test_confidence_backed_by_a_sourced_workaround_is_fine(kb):
    record = clean_record()
    assert record["workarounds"][1]["sources"] and record["evidence_count"] < 3 and record["confidence"] > 0.3
    assert rule_findings(kb, "verdict-inconsistent", record) == []


def test_confidence_backed_by_three_occurrences_is_fine(kb):
    record = changed(clean_record(), {"evidence_count": 3})
    record["workarounds"][1]["sources"] = []
    assert rule_findings(kb, "verdict-inconsistent", record) == []


def test_low_confidence_needs_no_evidence(kb):
    record = changed(clean_record(), {"confidence": 0.3})
    record["workarounds"][1]["sources"] = []
    assert rule_findings(kb, "verdict-inconsistent", record) == []


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
    "https://www.tensorflow.org/FIXME/lite",
    "https://www.tensorflow.org/api/TBD",
    "https://docs.python.org/3/library/xxx.html",
    "https://docs.python.org/3/library/XxXX",
    "https://www.tensorflow.org/…",
    "https://www.tensorflow.org/{page}",
    "https://www.tensorflow.org/<page>",
])
def test_bad_official_doc_url_is_reported(kb, url):
    record = changed(clean_record(), {"official_doc_url": url})
    assert sorted(f["pointer"] for f in rule_findings(kb, "bad-url", record)) == ["/official_doc_url"]


@pytest.mark.parametrize("url", [
    None,
    "http://www.tensorflow.org/lite",
    "https://github.com/tensorflow/tensorflow/compare/v2.11.0...v2.12.0",
    "https://github.com/someone/todo-app/issues/3",
    "https://nginx.org/en/linux_packages.html#xxxsomething",
    "https://github.com/xxxtentacion/exxxample",
])
def test_good_official_doc_url_is_fine(kb, url):
    record = clean_record()
    record["official_doc_url"] = url  # None: JSON null (changed() would remove the field)
    assert rule_findings(kb, "bad-url", record) == []


def test_placeholder_source_of_a_workaround_is_reported(kb):
    record = clean_record()
    record["workarounds"][1]["sources"].append("https://example.org/issue")
    assert sorted(f["pointer"] for f in rule_findings(kb, "bad-url", record)) == ["/workarounds/1/sources/1"]


def test_article_paths_are_valid_dead_end_sources(kb):
    record = clean_record()
    record["dead_ends"][0]["sources"] = ["articles/001-quantize.md:12", "articles/003-ranges.md"]
    assert rule_findings(kb, "bad-url", record) == []


def test_article_path_escaping_the_repository_is_reported(kb):
    record = clean_record()
    record["dead_ends"][0]["sources"] = ["../secrets/notes.md"]
    assert sorted(f["pointer"] for f in rule_findings(kb, "bad-url", record)) == ["/dead_ends/0/sources/0"]


def test_placeholder_url_of_a_mined_article_is_reported(kb):
    record = changed(clean_record(), {"sources": [
        {"path": "articles/001-quantize.md", "id": "001", "line": 4, "url": "<url>"},
        {"path": "articles/003-ranges.md", "id": "003", "line": None, "url": None}]})
    assert sorted(f["pointer"] for f in rule_findings(kb, "bad-url", record)) == ["/sources/0/url"]


# missing-advice
def test_empty_lists_of_advice_are_reported_and_no_workaround_is_fine_when_unresolvable(kb):
    record = clean_record()
    record["dead_ends"], record["workarounds"], record["workarounds_zh"] = [], [], []
    findings = rule_findings(kb, "missing-advice", record)
    assert sorted(f["pointer"] for f in findings) == ["/dead_ends", "/workarounds"]
    assert {f["severity"] for f in findings} == {"warning"}
    assert "does not say what works" in next(f for f in findings if f["pointer"] == "/workarounds")["message"]
    record["resolvable"] = "false"
    assert [f["pointer"] for f in rule_findings(kb, "missing-advice", record)] == ["/dead_ends"]
    assert rule_findings(kb, "missing-advice", clean_record()) == []


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["TODO", "TBD", "FIXME", "TOD", "FIX", "x", "X", ".", "..", "…", "<", ">", "{", "}", "/",
                                  "a", "_", "-", ":", "9", " "]), max_size=12).map("".join))
def test_a_link_is_searched_for_placeholder_words_whenever_it_may_hold_one(text):
    """`bad-url` searches a link for PLACEHOLDER_WORDS only when it holds what each of their matches holds: the
    links it does not search hold none."""
    from kbtool.rules.content import _PLACEHOLDER_MARK, PLACEHOLDER_WORDS

    assert PLACEHOLDER_WORDS.search(text) is None or _PLACEHOLDER_MARK.search(text) is not None

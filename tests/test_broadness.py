"""regex-too-broad's measures: generic texts, what every match requires, what it matches in the reference corpus."""

from __future__ import annotations

import json

import pytest

from conftest import clean_record, curated_record, rule_findings, write_record
from kbtool.regex.broadness import (MIN_DIFFERENT_ERRORS, REFERENCE_MESSAGES, ReferenceMessage, corpus_matches,
                                    generic_requirement, names_an_error, reference_messages, too_broad_reasons)
from kbtool.regex.literals import branch_literal_sets, literal_filter, required_literal_sets
from kbtool.regex.matcher import BoundedMatcher, SearchJob

CATCH_ALLS = [r"Error: .+", r"ValueError: \w+", r"\w+Error: .{10,}", r"not supported",
              r"ValueError: '[^']{1,200}'", r"KeyError: '[^']{1,200}'"]
SPECIFIC = [r"ModuleNotFoundError: No module named '[^']+'",
            r"RuntimeError: CUDA out of memory\. Tried to allocate \d[\d.,]{0,20} ?[KkMGTPE]i?B",
            r"TypeError: unsupported operand type\(s\) for \+: '[^']+' and '[^']+'",
            r"InvalidAliasNameException"]


@pytest.fixture(scope="module")
def matcher():
    with BoundedMatcher() as shared:
        yield shared


def test_the_reference_corpus_is_large_varied_and_documented():
    messages = reference_messages()
    assert len(messages) >= 3000
    assert len({message.error for message in messages}) >= 3000
    rows = [json.loads(line) for line in REFERENCE_MESSAGES.read_text(encoding="utf-8").splitlines()]
    assert len({row["ecosystem"] for row in rows}) >= 12
    sources = (REFERENCE_MESSAGES.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{row['source']}`" in sources for row in rows)


@pytest.mark.parametrize("pattern", CATCH_ALLS)
def test_catch_alls_are_too_broad_and_the_finding_names_messages_they_swallow(matcher, pattern):
    [reason] = too_broad_reasons([pattern], matcher, own_texts=[["Something specific: that does not occur"]])
    assert reason is not None and ("it matches for instance" in reason or "different errors" in reason)
    assert reason.count("'") >= 4  # the messages it swallows are quoted


@pytest.mark.parametrize("pattern", SPECIFIC)
def test_regexes_that_name_their_error_are_not_too_broad(matcher, pattern):
    assert too_broad_reasons([pattern], matcher, own_texts=[[""]]) == [None]


def test_a_requirement_of_class_names_levels_and_common_words_names_no_error():
    assert generic_requirement(branch_literal_sets(r"ValueError: \w+"))
    assert generic_requirement(branch_literal_sets(r"(?i)ERROR: (cannot|unable to) .*"))
    assert not generic_requirement(branch_literal_sets(r": fatal error: '[^']{1,200}' file not found"))
    assert not generic_requirement(branch_literal_sets(r"ValueError: Cannot reshape array of size \d+"))


def test_each_alternative_must_name_the_error_on_its_own():
    assert generic_requirement(branch_literal_sets(r"(?i)(Compilation Error|missing source|model.*not found)")) is None
    assert generic_requirement(branch_literal_sets(r"(?i)(CorruptRecordException|\.\./)")) is not None


def test_short_numbers_are_codes_and_long_ones_are_specific():
    assert not names_an_error("403") and not names_an_error("error 137: failed")
    assert names_an_error("0.30000000000000004") and names_an_error("errno 10054")


def test_corpus_matches_count_errors_not_occurrences_and_leave_out_the_records_own(matcher):
    corpus = [ReferenceMessage("KeyError: 'a'", "k1"), ReferenceMessage("KeyError: 'b'", "k1"),
              ReferenceMessage("KeyError: 'c' not found in index", "k2"),
              ReferenceMessage("KeyError: 'd' is not registered", "k3"),
              ReferenceMessage("KeyError: 'e' is not registered", "k4")]
    [found] = corpus_matches(["KeyError: "], [required_literal_sets("KeyError: ")], matcher, [["KeyError: 'x'"]],
                             corpus=corpus, enough=10)
    assert [message.error for message in found] == ["k2", "k3"]  # k1 is worded as the record's own; k4 as k3


def test_corpus_matches_stop_at_enough_errors(matcher):
    found = corpus_matches([r"(?i)error"], [required_literal_sets(r"(?i)error")], matcher)
    assert len(found[0]) == MIN_DIFFERENT_ERRORS


def test_corpus_matches_are_the_first_errors_in_the_corpus_order_for_each_regex(matcher):
    """Each regex gets the first `enough` different errors it matches, in the corpus's order, whatever the
    order its candidates are searched in; a regex that matches nothing, none."""
    words = ["disk", "socket", "token", "quota", "cache", "schema", "locale"]
    corpus = [ReferenceMessage(f"{word} unavailable {n}" if n % 2 else f"{word} readonly {n}", word)
              for n, word in enumerate(words * 3)]
    patterns = [r"\w+ unavailable \d+", r"readonly \d+", "never seen", r"(?:quota|schema) readonly"]
    found = corpus_matches(patterns, [required_literal_sets(pattern) for pattern in patterns], matcher, corpus=corpus, enough=4,
                           filters=[literal_filter(pattern) for pattern in patterns])
    assert [[message.message for message in messages] for messages in found] == [
        ["socket unavailable 1", "quota unavailable 3", "schema unavailable 5", "disk unavailable 7"],
        ["disk readonly 0", "token readonly 2", "cache readonly 4", "locale readonly 6"],
        [],
        ["quota readonly 10", "schema readonly 12"]]


def test_a_regex_whose_matches_matter_only_when_enough_is_not_searched_when_its_candidates_cannot_be_enough(matcher, monkeypatch):
    """`enough_only`: a regex whose candidates are messages of fewer than `enough` different errors is not searched and
    gets none; the others get what they get without it."""
    corpus = [ReferenceMessage(message, error) for message, error in [
        ("disk full on /a", "disk-full"), ("disk full on /b", "disk-full"), ("disk quota exceeded for uid 7", "quota"),
        ("socket closed by peer", "closed"), ("socket timed out after 30 s", "timeout"), ("socket refused: port 80", "refused")]]
    patterns = [r"disk full", r"disk \w+", r"socket \w+", r"never seen"]
    searched = []
    real_run = BoundedMatcher.run
    monkeypatch.setattr(BoundedMatcher, "run", lambda self, jobs: searched.extend(
        pattern for job in jobs for pattern in (job.patterns if hasattr(job, "patterns") else (job.pattern,))) or real_run(self, jobs))

    def found(enough_only):
        searched.clear()
        matches = corpus_matches(patterns, [required_literal_sets(pattern) for pattern in patterns], matcher, corpus=corpus,
                                 filters=[literal_filter(pattern) for pattern in patterns], enough_only=enough_only)
        return [[message.message for message in messages] for messages in matches], set(searched)

    everything, all_searched = found(None)
    assert [len(messages) for messages in everything] == [1, 2, 3, 0] and all_searched == set(patterns[:3])
    assert found([True] * 4) == ([[], [], everything[2], []], {r"socket \w+"})
    assert found([False, True, True, True]) == ([everything[0], [], everything[2], []], {r"disk full", r"socket \w+"})
    assert found([False] * 4) == (everything, all_searched)


def test_lint_reports_a_catch_all_regex_with_the_messages_it_swallows(kb):
    record = clean_record()
    record.update(signature="ValueError: 'abc'", regex=r"ValueError: '[^']{1,200}'", aliases=[])
    [finding] = rule_findings(kb, "regex-too-broad", record)
    assert finding["pointer"] == "/regex" and "ValueError: " in finding["message"].split("for instance", 1)[1]


def test_lint_excuses_a_record_about_a_bare_exception_name(kb):
    record = clean_record()
    record.update(signature="KeyboardInterrupt", regex="KeyboardInterrupt", aliases=[])
    assert rule_findings(kb, "regex-too-broad", record) == []


def test_the_reasons_are_the_same_when_a_worker_searched_the_generic_texts_with_the_own_ones(matcher):
    """`generic_hits` (what the workers found searching the generic texts beside each regex's own texts) gives the
    reasons a search of its own gives, and where one is not known (None) it is searched then."""
    patterns = CATCH_ALLS + SPECIFIC + [r".*", r"Error", r"(?i)fatal error", r"ValueError: .*", r"Killed"]
    own = [["Something specific: that does not occur"]] * len(patterns)
    results = matcher.run([SearchJob(pattern, tuple(texts), analyse=True, generic=True) for pattern, texts in zip(patterns, own)])
    hits = [result.generic for result in results]
    assert all(hit is not None for hit in hits) and sum(hit >= 0 for hit in hits) >= 4
    expected = too_broad_reasons(patterns, matcher, own_texts=own)
    assert too_broad_reasons(patterns, matcher, own_texts=own, generic_hits=hits) == expected
    assert too_broad_reasons(patterns, matcher, own_texts=own, generic_hits=[None, *hits[1:-1], None]) == expected
    assert "empty string" in expected[patterns.index(".*")] and "generic text 'Error'" in expected[patterns.index("Error")]


@pytest.mark.parametrize("regex, signature, said", [
    (r".*", "anything at all", "it matches the empty string"),
    (r"Error", "Error: the disk is full", "it matches the generic text 'Error'"),
    (r"(?i)fatal: .*", "fatal: not a git repository", "it matches the generic text 'fatal: '"),
])
def test_lint_reports_a_regex_that_matches_the_empty_string_or_a_generic_text(kb, regex, signature, said):
    record = clean_record()
    record.update(signature=signature, regex=regex, aliases=[])
    [finding] = rule_findings(kb, "regex-too-broad", record)
    assert finding["pointer"] == "/regex" and said in finding["message"]


def test_the_regex_facts_of_a_lint_judge_the_same_with_the_generic_texts_searched_beside_the_own_ones(tmp_path, monkeypatch):
    """`RegexFacts(judging=True)` (a lint) takes the first measure from what the workers found searching the generic
    texts beside each regex's own texts, and asks no search of its own for it: every record is judged as without."""
    from kbtool.kb import load_knowledge_base
    from kbtool.regex.facts import RegexFacts
    from kbtool.regex.generic import SEARCHED

    regexes = {"anything": (r".*", "anything at all"), "error": (r"Error", "Error: disk full"),
               "fatal": (r"(?i)fatal: .*", "fatal: not a git repository"), "value": (r"ValueError: \w+", "ValueError: abc"),
               **{f"specific-{number}": (rf"CUDA error {number}: device-side assert", f"CUDA error {number}: device-side assert")
                  for number in range(5)},
               **{f"catch-all-{number}": (pattern, "Something specific: that does not occur")
                  for number, pattern in enumerate([r"Error: .+", r"not supported", r"(?:.*)"])}}
    for name, (regex, signature) in regexes.items():
        record = curated_record()
        record.update(id=f"python/{name}", domain="python", signature=signature, regex=regex, aliases=[])
        write_record(tmp_path, record)
    kb = load_knowledge_base(tmp_path)
    asked = []
    real_run = BoundedMatcher.run
    monkeypatch.setattr(BoundedMatcher, "run", lambda matcher, jobs: asked.extend(jobs) or real_run(matcher, jobs))
    reasons = {}
    for judging in (True, False):
        asked.clear()
        with BoundedMatcher() as matcher:
            facts = RegexFacts(kb, matcher, judging=judging)
            reasons[judging] = {record.relative_path: facts.broad_reason(record) for record in kb.records}
        generic_searches = [job for job in asked if isinstance(job, SearchJob) and job.texts == SEARCHED]
        assert (generic_searches == []) if judging else generic_searches
    assert reasons[True] == reasons[False]
    assert sum("empty string" in (reason or "") or "generic text" in (reason or "") for reason in reasons[True].values()) >= 4
    assert all(reasons[True][f"entries/python/specific-{number}.json"] is None for number in range(5))


def test_the_reasons_are_those_of_searching_every_candidate_of_the_reference_corpus(matcher, monkeypatch):
    """`too_broad_reasons` leaves unsearched the regexes that cannot match enough different errors (`enough_only`): over
    the regexes of real records (the deadends sample) and catch-alls, its reasons are those of searching them all."""
    from pathlib import Path

    from kbtool.regex import broadness

    canons = sorted((Path(__file__).parent / "fixtures" / "deadends-sample").rglob("*.json"))
    errors = [json.loads(canon.read_text(encoding="utf-8"))["error"] for canon in canons]
    patterns = [error["regex"] for error in errors] + CATCH_ALLS + SPECIFIC
    own = [[error["signature"]] for error in errors] + [["Something specific: that does not occur"]] * (len(CATCH_ALLS) + len(SPECIFIC))
    pruned = too_broad_reasons(patterns, matcher, own_texts=own)
    real = broadness.corpus_matches
    monkeypatch.setattr(broadness, "corpus_matches", lambda *args, enough_only=None, **kwargs: real(*args, **kwargs))
    assert pruned == too_broad_reasons(patterns, matcher, own_texts=own)
    assert sum(reason is not None for reason in pruned) >= len(CATCH_ALLS) and len(patterns) >= 60

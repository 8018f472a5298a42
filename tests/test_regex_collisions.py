"""Cross-record matching finds exactly what trying every pair finds, while searching only a few pairs."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import curated_record, write_record
from kbtool.cache import Cache
from kbtool.kb import load_knowledge_base
from kbtool.regex import collisions
from kbtool.regex.collisions import cross_match, kb_messages
from kbtool.regex.matcher import BoundedMatcher, SearchJob, candidate_parts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate_kb import generate  # noqa: E402


def extra(record_id: str, signature: str, regex: str, aliases=()) -> dict:
    record = curated_record()
    record.update(id=record_id, domain=record_id.split("/")[0], signature=signature, regex=regex, error_code=None,
                  aliases=list(aliases))
    return record


@pytest.fixture(scope="module")
def generated_kb(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate(root, 400)
    for record in [
        extra("python/any-quantize", "ValueError: Cannot quantize node 'x'", "(?i)cannot QUANTIZE node"),
        extra("python/shape-pair", "shape (3, 4)", "\\(\\d+, \\d+\\)"),
        extra("python/alias-holder", "Unrelated message text", "Unrelated message",
              aliases=["RuntimeError: cuDNN tensor failed to load: tried to allocate 5 MiB"]),
        extra("python/cudnn-any", "cuDNN tensor failed to load", "cuDNN tensor failed to load"),
    ]:
        write_record(root, record)
    return root


def brute_force(kb, matcher, records):
    """Every (regex's record, message's record, message's pointer) found by searching every message of the KB (each
    record's signature and aliases) with every regex."""
    messages = [(other, pointer, value) for other in kb.records
                for pointer, value in [("/signature", other.data.get("signature"))]
                + [(f"/aliases/{index}", alias) for index, alias in enumerate(other.data.get("aliases") or [])]
                if isinstance(value, str) and value]
    jobs = [SearchJob(record.data["regex"], tuple(value for _, _, value in messages)) for record in records]
    found = set()
    for record, result in zip(records, matcher.run(jobs)):
        for (other, pointer, _), matched in zip(messages, result.matches):
            if matched and other is not record:
                found.add((record.relative_path, other.relative_path, pointer))
    return found


def test_cross_match_finds_the_same_pairs_as_trying_every_pair(generated_kb):
    kb = load_knowledge_base(generated_kb)
    records = list(kb.records)
    with BoundedMatcher() as matcher:
        indexed = cross_match(kb, matcher, records)
        expected = brute_force(kb, matcher, records)
    got = {(c.regex_record.relative_path, c.text.record.relative_path, c.text.pointer) for c in indexed.collisions}
    assert got == expected
    assert len(expected) >= 4  # the hand-made collisions at least: case-insensitive, no literal, alias


def test_the_regex_workers_look_up_the_candidates_and_this_process_when_their_job_overruns(tmp_path, monkeypatch):
    """The literal indexes of the whole KB's regexes are built in the regex workers (here this process cannot build
    one), one after another in each when there is more than one index's worth of regexes; when their job overruns
    its bound, this process builds them: the pairs are those of trying every pair (every regex, `value 1` to `value 9` and `value 0`, is
    in other records' messages, so that every part has candidates). The aliases make the look-up take many ticks of
    the worker's CPU timer (about 15 ms), so that a bound of 0.1 ms is overrun; the timer and the watchdog's view of
    the worker's CPU time count in ticks, so on a loaded machine the job may end before either notices (about one run
    in ten with two such tests at once on two cores): the look-up is tried again until one overruns, a few times at most."""
    for number in range(120):
        aliases = [f"ValueError: bad value {number} in row {row}" for row in range(10)]
        write_record(tmp_path, extra(f"python/bad-value-{number}", f"ValueError: bad value {number}", f"value {number % 10}",
                                     aliases=aliases))
    kb = load_knowledge_base(tmp_path)
    records = list(kb.records)
    with BoundedMatcher() as matcher:
        expected = brute_force(kb, matcher, records)
        with monkeypatch.context() as patched:
            patched.setattr(collisions, "LiteralIndex", None)
            in_workers = cross_match(kb, matcher, records)
        monkeypatch.setattr(collisions, "REGEXES_AT_A_TIME", 25)  # more than one index's worth: a worker builds several
        in_parts = cross_match(kb, matcher, records)
        monkeypatch.setattr(collisions, "REGEXES_AT_A_TIME", 10_000)
        monkeypatch.setattr(collisions, "CANDIDATES_SECONDS", 1e-4)
        for _ in range(5):
            here = cross_match(kb, matcher, records)
            if matcher.overran:
                break
        assert matcher.overran
    for found in (in_workers, in_parts, here):
        assert {(c.regex_record.relative_path, c.text.record.relative_path, c.text.pointer) for c in found.collisions} == expected
    assert len(expected) > 100 and here.candidate_pairs == in_parts.candidate_pairs == in_workers.candidate_pairs


def test_cross_match_searches_far_fewer_pairs_than_all(generated_kb):
    kb = load_knowledge_base(generated_kb)
    records = list(kb.records)
    with BoundedMatcher() as matcher:
        result = cross_match(kb, matcher, records)
    all_pairs = len(records) * len(records)
    texts = len(kb_messages(records)[1])
    # two regexes without literal text are searched against every message; the rest only against candidates
    assert result.fallback_regexes == 2
    assert result.candidate_pairs < 2 * texts + 5 * len(records) < all_pairs / 50


def test_cross_match_reports_regexes_beyond_the_fallback_budget_as_unchecked(generated_kb):
    kb = load_knowledge_base(generated_kb)
    records = list(kb.records)
    with BoundedMatcher() as matcher:
        result = cross_match(kb, matcher, records, fallback_budget=10)
    assert len(result.unchecked) == 2 and "entries/python/shape-pair.json" in result.unchecked


def test_the_regexes_looked_up_in_workers_are_split_in_halves_when_there_are_enough_and_in_parts_of_at_most():
    """A second worker is started for a look-up only when there are enough regexes to share (a small KB's lint does
    not pay for starting it); no part holds more than an index's worth, and each worker gets as many parts."""
    assert candidate_parts(0, 10_000) == [] and candidate_parts(999, 10_000) == [range(0, 999)]
    assert candidate_parts(1001, 10_000) == [range(0, 501), range(501, 1001)]
    assert candidate_parts(25_000, 10_000) == [range(0, 6250), range(6250, 12_500), range(12_500, 18_750),
                                               range(18_750, 25_000)]
    parts = candidate_parts(100_000, 10_000)
    assert len(parts) == 10 and {len(part) for part in parts} == {10_000} and parts[-1].stop == 100_000


def _pairs(found) -> set:
    return {(c.regex_record.relative_path, c.text.record.relative_path, c.text.pointer) for c in found.collisions}


def test_candidates_begun_before_the_last_records_are_checked_give_what_the_cross_match_finds_without(tmp_path, monkeypatch):
    """The candidates the workers look up early (`BegunCandidates`, from the KB's records as a lint keeps them) are
    those `cross_match` would look up itself: taken, they give the same pairs; begun over other messages (the same,
    in another order), they are not taken; where their look-up overran its bound, the cross match looks them up."""
    for number in range(120):  # as in the test above: a look-up of some 15 ms of the worker's CPU
        write_record(tmp_path, extra(f"python/bad-value-{number}", f"ValueError: bad value {number}", f"value {number % 10}",
                                     aliases=[f"ValueError: bad value {number} in row {row}" for row in range(10)]))
    kb = load_knowledge_base(tmp_path)
    records = list(kb.records)
    every = set(range(len(records)))
    sets = [collisions.required_literal_sets(record.data["regex"]) for record in records]
    with BoundedMatcher() as matcher:
        expected = cross_match(kb, matcher, records)
        texts, values = kb_messages(records)
        direct = collisions._candidates_in_workers(list(every), sets, [None] * len(records), records, texts,
                                                   [collisions.fold(value) for value in values], matcher)
        begun = collisions.BegunCandidates(records, records, sets, [None] * len(records), matcher, Cache(None))
        assert begun.look_up.candidates(records, every) == (direct, every)
        begun = collisions.BegunCandidates(records, records, sets, [None] * len(records), matcher, Cache(None))
        taken = cross_match(kb, matcher, records, begun=begun)
        assert begun.look_up.candidates(records, every) == ({}, set())  # asked once: by the cross match
        stale = collisions.BegunCandidates([*records[1:], records[0]], records, sets, [None] * len(records), matcher, Cache(None))
        not_taken = cross_match(kb, matcher, records, begun=stale)
        assert stale.look_up.candidates(records, every)[1] == every  # never asked
        with monkeypatch.context() as patched:
            patched.setattr(collisions, "CANDIDATES_SECONDS", 1e-4)
            overran = collisions.BegunCandidates(records, records, sets, [None] * len(records), matcher, Cache(None))
            assert overran.look_up.candidates(records, every) == ({}, set())
        overran = collisions.BegunCandidates(records, records, sets, [None] * len(records), matcher, Cache(None))
        with monkeypatch.context() as patched:
            patched.setattr(collisions, "CANDIDATES_SECONDS", 1e-4)
            patched.setattr(overran, "look_up", collisions.CandidateLookUp(records, sets, [None] * len(records), overran.folded,
                                                                          overran.owners, matcher))
            looked_up_again = cross_match(kb, matcher, records, begun=overran)
    assert _pairs(taken) == _pairs(not_taken) == _pairs(looked_up_again) == _pairs(expected) and len(_pairs(expected)) > 100
    assert (taken.candidate_pairs == not_taken.candidate_pairs == looked_up_again.candidate_pairs == expected.candidate_pairs
            == sum(map(len, direct.values())))


def test_a_lint_begins_the_cross_match_before_the_last_part_in_a_kb_of_a_few_parts_and_finds_the_same(generated_kb, monkeypatch,
                                                                                                        tmp_path):
    """A lint of the whole KB read in parts begins the cross match before the last part's rules run when the KB has at
    most BEGUN_PARTS parts, and not in a larger one: its findings are the same either way, and the same as those of
    a lint that reads the KB in one part."""
    from kbtool import kb as kb_module, lint as lint_module
    from kbtool.lint import lint
    from kbtool.settings import Settings

    def findings(cache: Cache | None = None) -> tuple[list, list]:
        """The findings of a lint of the whole KB, and (records begun with, whether the cross match took them) of each
        cross match begun."""
        begun = []
        real_begin, real_same = lint_module.RegexFacts.begin_cross_match, collisions.BegunCandidates.same
        monkeypatch.setattr(lint_module.RegexFacts, "begin_cross_match",
                            lambda facts, records: begun.append([len(records)]) or real_begin(facts, records))
        monkeypatch.setattr(collisions.BegunCandidates, "same",
                            lambda candidates, *texts: begun[-1].append(real_same(candidates, *texts)) or begun[-1][-1])
        result = lint(Settings(root=generated_kb, today=date(2026, 11, 28)), cache=cache)
        monkeypatch.setattr(lint_module.RegexFacts, "begin_cross_match", real_begin)
        monkeypatch.setattr(collisions.BegunCandidates, "same", real_same)
        return sorted(finding.sort_key() + (finding.hint,) for finding in result.findings), begun

    whole, begun_whole = findings()
    monkeypatch.setattr(kb_module, "FILES_AT_A_TIME", 100)  # the 404 files in five parts of 81 (the last 80)
    in_parts, begun_in_parts = findings()
    # With the cache: filled by a first lint (the cross match begun), and used by a second one after an edit of a
    # record's message (the first lint's answers for the whole KB no longer hold; those for each regex's candidates do).
    cached = Cache(tmp_path / "cache")
    filling, begun_filling = findings(cached)
    edited = next(generated_kb.glob("entries/*/*.json"))
    original = edited.read_text(encoding="utf-8")
    record = json.loads(original)
    edited.write_text(json.dumps({**record, "signature": record["signature"] + ": cuDNN tensor failed to load"}, indent=2),
                      encoding="utf-8")  # now matched by python/cudnn-any's regex too
    try:
        after_edit, begun_after_edit = findings(cached)
        monkeypatch.setattr(lint_module, "BEGUN_PARTS", 4)
        expected_after_edit, _ = findings()
    finally:
        edited.write_text(original, encoding="utf-8")
    not_begun, begun_not = findings()
    assert begun_whole == begun_in_parts == begun_filling == begun_after_edit == [[404, True]] and begun_not == []
    assert whole == in_parts == filling == not_begun and after_edit == expected_after_edit != whole
    assert any(finding[3] == "KB206" for finding in whole)  # regex-collision findings among them


def test_in_a_kb_of_two_parts_the_first_parts_rules_that_ask_the_regex_facts_run_after_the_other_rules_of_the_second(
        generated_kb, monkeypatch):
    """The regex workers analyse a part's regexes while the next part is read and its other rules run: in a KB of two
    parts, the first part's rules that ask the regex facts wait for those, and the findings are the same as those of a
    lint that reads the KB in one part, and of one that runs each part's rules in turn."""
    from kbtool import kb as kb_module, lint as lint_module
    from kbtool.lint import lint
    from kbtool.settings import Settings

    calls: list[tuple[bool, str]] = []  # (whether the rules ask the regex facts, the file) of each call on one file's rules
    real = lint_module._findings_of_file

    def logged(rules, record, context):
        if all(rule.of_one_file for rule in rules):  # not the rules across records, which run afterwards
            calls.append((any(rule.asks_regex for rule in rules), record.relative_path))
        return real(rules, record, context)

    monkeypatch.setattr(lint_module, "_findings_of_file", logged)

    def findings() -> tuple[list, list[bool], list[str]]:
        calls.clear()
        result = lint(Settings(root=generated_kb, today=date(2026, 11, 28)))
        return (sorted(finding.sort_key() + (finding.hint,) for finding in result.findings), [asks for asks, _ in calls],
                [path for _, path in calls])

    whole, whole_kinds, _ = findings()
    monkeypatch.setattr(kb_module, "FILES_AT_A_TIME", 250)  # the 404 files in two parts of 202
    two, kinds, paths = findings()
    monkeypatch.setattr(lint_module, "_WAITING_PARTS", 1)
    in_turn, kinds_in_turn, paths_in_turn = findings()
    assert whole_kinds == [False] * 404 + [True] * 404
    assert kinds == [False] * 404 + [True] * 404 and paths[:404] == paths[404:]
    assert kinds_in_turn == ([False] * 202 + [True] * 202) * 2 and paths_in_turn[:202] == paths_in_turn[202:404]
    assert sorted(paths[:404]) == sorted(paths_in_turn[:202] + paths_in_turn[404:606])
    assert whole == two == in_turn and any(finding[3] == "KB204" for finding in whole)


def test_the_cross_match_begun_looks_up_regexes_of_the_last_part_not_yet_judged_and_leaves_out_those_too_broad(tmp_path, monkeypatch):
    """The look-up begun before the last part's rules run takes every regex that may take part, the last part's before
    their broadness is judged; the cross match then leaves out those judged too broad: a catch-all in the last part is
    reported as too broad, never as colliding, as in a lint that begins nothing."""
    from kbtool import kb as kb_module, lint as lint_module
    from kbtool.lint import lint
    from kbtool.settings import Settings

    generate(tmp_path, 60)
    write_record(tmp_path, extra("zzz/catch-all", "Error: the disk is full", r"Error: .+"))  # sorts last: in the last part
    for number in range(3):
        write_record(tmp_path, extra(f"zzz/specific-{number}", f"Error: quota {number} of the bucket exceeded",
                                     rf"quota {number} of the bucket exceeded"))
    begun_with = []
    real = collisions.BegunCandidates.__init__

    def noted(self, records, regex_records, *rest):
        begun_with.append({record.relative_path for record in regex_records})
        real(self, records, regex_records, *rest)

    monkeypatch.setattr(collisions.BegunCandidates, "__init__", noted)
    monkeypatch.setattr(kb_module, "FILES_AT_A_TIME", 20)  # 64 files in four parts of 16

    def findings():
        result = lint(Settings(root=tmp_path, today=date(2026, 11, 28)))
        return sorted(finding.sort_key() + (finding.hint,) for finding in result.findings)

    begun = findings()
    monkeypatch.setattr(lint_module, "BEGUN_PARTS", 0)
    not_begun = findings()
    assert len(begun_with) == 1 and "entries/zzz/catch-all.json" in begun_with[0]
    assert begun == not_begun
    catch_all = [finding for finding in begun if finding[0] == "entries/zzz/catch-all.json"]
    assert any(finding[3] == "KB204" for finding in catch_all) and not any(finding[3] == "KB206" for finding in catch_all)

"""Cross-record matching finds exactly what trying every pair finds, while searching only a few pairs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import curated_record, write_record
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
    the worker's CPU timer (about 15 ms), so that a bound of 0.1 ms is surely overrun."""
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
        here = cross_match(kb, matcher, records)
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

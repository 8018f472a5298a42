"""The literal index finds exactly what trying every regex on every text finds (property test)."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from re import _casefix

import _sre
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.regex.index import LiteralIndex, TextIndex, could_match
from kbtool.regex.literals import filter_holds, fold, literal_filter, may_match_ignoring_case, required_literal_sets
from kbtool.regex.lookup import RegexLookup
from kbtool.regex.matcher import BoundedMatcher

WORDS = ["cuda", "out of memory", "Error", "module", "named", "x", "ab", "tensor", "Shape", "' '", "42", "é", "中文",
         "İnvalid", "ıd", "I"]
PIECES = [r"\d+", r".*", r"\w{1,5}", r"(?:a|b)", r"[^']*", r" ", r"(?i)"]


@st.composite
def patterns(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(WORDS).map(re.escape), st.sampled_from(PIECES[:-1])),
                          min_size=1, max_size=5))
    flags = draw(st.sampled_from(["", "(?i)"]))
    alternative = draw(st.one_of(st.none(), st.sampled_from(WORDS).map(re.escape)))
    body = "".join(parts)
    if draw(st.booleans()):  # alternatives of several parts each, inside a group, repeated or not
        branches = draw(st.lists(st.lists(st.sampled_from(WORDS).map(re.escape) | st.sampled_from(PIECES[:-1]),
                                          min_size=1, max_size=3).map("".join), min_size=2, max_size=3))
        body += "(?:" + "|".join(branches) + ")" + draw(st.sampled_from(["", "+", "?", "{2}"]))
    return flags + (f"(?:{body}|{alternative})" if alternative else body)


texts = st.lists(st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcxé中 '042ESTMeorunmdfyhpIİı", max_size=6),
                          max_size=8).map(" ".join), min_size=1, max_size=6)


@pytest.fixture(scope="module")
def matcher():
    with BoundedMatcher() as shared:
        yield shared


@pytest.mark.parametrize("scan_texts", [0, 100])  # through the index, and by reading every regex's literals
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regexes=st.lists(patterns(), min_size=1, max_size=12), queries=texts)
def test_indexed_lookup_equals_brute_force(matcher, regexes, queries, scan_texts):
    lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes],
                         [literal_filter(pattern) for pattern in regexes], scan_texts=scan_texts)
    found = {(hit.number, hit.text, hit.span) for hit in lookup.find(queries, matcher).hits}
    expected = set()
    for number, pattern in enumerate(regexes):
        for text_number, text in enumerate(queries):
            match = re.search(pattern, text)
            if match:
                expected.add((number, text_number, match.span()))
    assert found == expected


def test_characters_that_re_reads_as_one_ignoring_case_fold_alike():
    """Over all of Unicode: two characters that `re` matches to each other ignoring case (the same simple lower case,
    or one of `re`'s extra cases) fold alike, the Turkish İ and ı among them (case folding alone keeps ı and makes İ
    two characters)."""
    by_lower = defaultdict(list)
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF:
            by_lower[_sre.unicode_tolower(code)].append(chr(code))
    compared = 0
    for lower, chars in by_lower.items():
        alike = set(chars).union(*(by_lower[_sre.unicode_tolower(extra)] for extra in _casefix._EXTRA_CASES.get(lower, ())))
        for first in alike:
            for second in alike - {first}:
                if re.fullmatch("(?i)" + re.escape(first), second):
                    compared += 1
                    assert fold(first) == fold(second), (first, second)
    assert compared > 3000
    every_ascii = "".join(map(chr, range(128)))
    assert fold(every_ascii) == every_ascii.casefold() and fold(every_ascii + "ı") == every_ascii.casefold() + "i"


@pytest.mark.parametrize("pattern, text", [("(?i)İstanbul", "istanbul"), ("(?i)invalid value", "İNVALID VALUE"),
                                           ("(?i)ıli*-x", "IIli-X1b"), ("(?i)fıle not found", "FILE NOT FOUND")])
def test_a_regex_is_found_for_a_text_it_matches_ignoring_case_with_a_turkish_i(matcher, pattern, text):
    assert re.search(pattern, text)
    regexes = [pattern, "(?i)disk quota exceeded"]
    for scan_texts in (0, 100):
        lookup = RegexLookup(regexes, [required_literal_sets(regex) for regex in regexes], [[] for _ in regexes],
                             [literal_filter(regex) for regex in regexes], scan_texts=scan_texts)
        assert [hit.number for hit in lookup.find([text], matcher).hits] == [0], scan_texts


def test_only_regexes_whose_literals_occur_are_candidates():
    regexes = [r"CUDA out of memory", r"No module named '[^']+'", r"\d+"]
    for scan_texts in (0, 100):
        lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes],
                             scan_texts=scan_texts)
        assert lookup.candidates("RuntimeError: CUDA out of memory. Tried to allocate") == [0, 2]


@settings(max_examples=300, deadline=None)
@given(patterns(), texts)
def test_a_text_a_regex_matches_passes_its_literal_filter(pattern, queries):
    for text in queries:
        if re.search(pattern, text):
            assert filter_holds(literal_filter(pattern), fold(text)), (pattern, text)


def test_the_filter_keeps_alternatives_apart():
    pattern = r"(?i)prefix: (?:resource.*not found|aapt2.*link.*failed)"
    assert filter_holds(literal_filter(pattern), "prefix: aapt2 could not link: failed")
    # each alternative's words occur, but none has all of its own: the regex cannot match
    assert not filter_holds(literal_filter(pattern), "prefix: resource failed")
    assert re.search(pattern, "prefix: resource failed") is None
    for scan_texts in (0, 100):
        lookup = RegexLookup([pattern], [required_literal_sets(pattern)], [[]], [literal_filter(pattern)], scan_texts=scan_texts)
        assert lookup.candidates("prefix: resource failed") == []
        assert RegexLookup([pattern], [required_literal_sets(pattern)], [[]], scan_texts=scan_texts).candidates(
            "prefix: resource failed") == [0]


def test_a_slow_or_broken_regex_among_many_is_named_and_the_others_still_match():
    # One job carries every (regex, text) pair of the query; when it overruns or meets a regex that
    # does not compile, its pairs are searched again one regex at a time, so that only the culprit is
    # named and the other regexes' matches are kept.
    regexes = [r"(a+)+$", r"aaa", r"a(", r"aa+!"]
    text = "a" * 32 + "!"
    with BoundedMatcher(seconds_per_job=0.2) as matcher:
        lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes],
                             [literal_filter(pattern) for pattern in regexes])
        result = lookup.find([text], matcher)
    assert {(hit.number, hit.span) for hit in result.hits} == {(1, (0, 3)), (3, (0, 33))}
    assert result.timed_out == [0, 2]


def test_long_texts_are_spread_over_jobs_and_every_match_is_found(matcher):
    # A job searches at most CHARACTERS_PER_JOB characters of text, so that only a slow regex can
    # overrun its bound; the pairs of long texts are spread over several jobs, none lost.
    regexes = [r"needle \d+", r"needle", r"(?i)NEEDLE 7"]
    texts = ["x" * 60_000 + f" needle {number}" for number in range(4)] + ["no match here"]
    lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes],
                         [literal_filter(pattern) for pattern in regexes])
    found = {(hit.number, hit.text, hit.span) for hit in lookup.find(texts, matcher).hits}
    expected = {(number, text_number, match.span()) for number, pattern in enumerate(regexes)
                for text_number, text in enumerate(texts) if (match := re.search(pattern, text))}
    assert found == expected and len(expected) == 4 + 4 + 0


@settings(max_examples=80, deadline=None)
@given(regexes=st.lists(patterns(), min_size=1, max_size=12), queries=texts)
def test_the_waking_texts_are_all_those_with_a_candidate(regexes, queries):
    """`waking_texts` reads the texts joined in one pass: every text with a candidate regex is among those
    it names (a text matched by an indexed regex always is), and it names each text once, in order."""
    folded = [fold(text) for text in queries]
    index = LiteralIndex([required_literal_sets(pattern) for pattern in regexes], [literal_filter(pattern) for pattern in regexes])
    named = index.waking_texts(folded)
    assert named == sorted(set(named))
    assert {number for number, text in enumerate(folded) if any(True for _ in index.candidates(text))} <= set(named)
    for number, text in enumerate(queries):
        if any(re.search(regexes[regex], text) for regex in index.indexed):
            assert number in named


def test_a_text_holding_only_common_strings_of_a_regex_does_not_wake_it():
    """A regex is woken by its rarest required string (here the only regex's first set, all costing the same):
    a text holding only its other strings ("failed", which most messages of a KB hold) is not read again."""
    index = LiteralIndex([required_literal_sets("partition reassignment.*failed")], [literal_filter("partition reassignment.*failed")])
    texts = [fold(text) for text in ("job failed", "Partition reassignment failed", "partition reassignment done")]
    assert index.waking_texts(texts) == [1, 2]
    assert [number for number, text in enumerate(texts) if list(index.candidates(text))] == [1]


@settings(max_examples=150, deadline=None)
@given(first=st.lists(patterns(), min_size=1, max_size=12), second=st.lists(patterns(), min_size=1, max_size=12), queries=texts)
def test_the_texts_an_index_of_texts_gives_a_regex_are_those_its_literals_and_filter_let_through(first, second, queries):
    """`TextIndex.candidates` gives each regex exactly the texts in which each of its required sets has a string
    and that pass its filter, in order; also for regexes asked after others (what it learnt of them is kept)."""
    folded = [fold(text) for text in queries]
    index = TextIndex(folded)
    for regexes in (first, second):
        sets = [required_literal_sets(pattern) for pattern in regexes]
        filters = [literal_filter(pattern) for pattern in regexes]
        expected = [[number for number, text in enumerate(folded) if could_match(sets[regex], text) and filter_holds(filters[regex], text)]
                    for regex in range(len(regexes))]
        assert index.candidates(sets, filters) == expected, (regexes, queries)
        for regex, pattern in enumerate(regexes):  # so every text a regex matches is among them
            assert {number for number, text in enumerate(queries) if re.search(pattern, text)} <= set(expected[regex])


@settings(max_examples=60, deadline=None)
@given(regexes=st.lists(patterns(), min_size=1, max_size=12), queries=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
       seed=st.integers(0, 2 ** 16))
def test_an_index_of_many_texts_gives_the_same_candidates(regexes, queries, seed):
    """With hundreds of texts, where a common string is held by many of them (the texts holding it are then noted
    as one flag per text, `_bits`), each regex still gets exactly the texts its literals and filter let through."""
    chooser = random.Random(seed)
    folded = [fold(" ".join(chooser.choice(queries + ["cuda", "x", "module named"]) for _ in range(chooser.randint(1, 4))))
              for _ in range(chooser.randint(40, 400))]
    sets = [required_literal_sets(pattern) for pattern in regexes]
    filters = [literal_filter(pattern) for pattern in regexes]
    expected = [[number for number, text in enumerate(folded) if could_match(sets[regex], text) and filter_holds(filters[regex], text)]
                for regex in range(len(regexes))]
    assert TextIndex(folded).candidates(sets, filters) == expected, regexes


def test_an_index_of_texts_looks_at_each_text_apart():
    """A string found only across two texts (the end of one, a line break, the start of the next) is in neither."""
    index = TextIndex(["out of mem", "ory error", "cuda out of\nmemory"])
    assert index.candidates([(frozenset({"mem\nory"}),), (frozenset({"of\nmem"}),), (frozenset({"f m", "zzz"}),)], [None, (), None]) \
        == [[], [2], [0]]


@settings(max_examples=150, deadline=None)
@given(regexes=st.lists(patterns(), min_size=1, max_size=12), queries=texts)
def test_the_candidates_are_the_indexed_regexes_whose_literals_and_filter_hold(regexes, queries):
    """Whatever string wakes a regex (its rarest required set, or strings its filter gives), the candidates of
    a text are exactly the indexed regexes each of whose required sets has a string in it and whose filter it passes."""
    sets = [required_literal_sets(pattern) for pattern in regexes]
    filters = [literal_filter(pattern) for pattern in regexes]
    index = LiteralIndex(sets, filters)
    for text in queries:
        folded = fold(text)
        expected = {number for number in index.indexed if could_match(sets[number], folded) and filter_holds(filters[number], folded)}
        found = list(index.candidates(folded))
        assert len(found) == len(set(found)) and set(found) == expected, (text, regexes)


def test_a_common_word_of_the_required_set_wakes_no_regex_whose_alternatives_name_rarer_strings():
    # Each regex requires one of "error" and "invalid" (one per alternative), which nearly every message holds;
    # every match of an alternative also holds that alternative's own tool name: those wake it.
    regexes = [rf"(?i)(tool{number}x.*error|util{number}y.*invalid)" for number in range(40)]
    index = LiteralIndex([required_literal_sets(pattern) for pattern in regexes], [literal_filter(pattern) for pattern in regexes])
    assert index.woken("fatal error: invalid option") == []
    assert index.woken("tool7x: fatal error") == [7] and list(index.candidates("tool7x: fatal error")) == [7]
    assert index.woken("util12y said invalid") == [12] and list(index.candidates("util12y said invalid")) == [12]
    assert list(index.candidates("tool7x said invalid")) == []


ASCII_TEXTS = st.lists(st.sampled_from(["CUDA", "Out Of MEMORY", "error", "ERROR", "Module", "NAMED", "x", "AB", "Tensor",
                                        "shape", "42", "' '", "Temperature K"]) | st.text(alphabet="abcxABCX '042eE", max_size=6),
                       max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(patterns(), ASCII_TEXTS)
def test_a_text_said_not_to_match_ignoring_case_does_not(pattern, text):
    if not may_match_ignoring_case(literal_filter(pattern), text):
        assert re.search(pattern, text, re.IGNORECASE) is None, (pattern, text)


def test_ascii_texts_missing_a_clause_are_known_not_to_match_ignoring_case():
    pattern = r"ModuleNotFoundError: No module named '(?:torch|tensorflow)'"
    assert not may_match_ignoring_case(literal_filter(pattern), "ModuleNotFoundError: No module named 'numpy'")
    assert may_match_ignoring_case(literal_filter(pattern), "MODULENOTFOUNDERROR: NO MODULE NAMED 'TORCH'")
    assert may_match_ignoring_case(literal_filter("straße"), "STRASSE")  # not ASCII: unsure
    assert may_match_ignoring_case(literal_filter("temperature k"), "TEMPERATURE \u212a")

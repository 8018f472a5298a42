"""The literal index finds exactly what trying every regex on every text finds (property test)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.regex.literals import required_literal_sets
from kbtool.regex.lookup import RegexLookup
from kbtool.regex.matcher import BoundedMatcher

WORDS = ["cuda", "out of memory", "Error", "module", "named", "x", "ab", "tensor", "Shape", "' '", "42", "é", "中文"]
PIECES = [r"\d+", r".*", r"\w{1,5}", r"(?:a|b)", r"[^']*", r" ", r"(?i)"]


@st.composite
def patterns(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(WORDS).map(re.escape), st.sampled_from(PIECES[:-1])),
                          min_size=1, max_size=5))
    flags = draw(st.sampled_from(["", "(?i)"]))
    alternative = draw(st.one_of(st.none(), st.sampled_from(WORDS).map(re.escape)))
    body = "".join(parts)
    return flags + (f"(?:{body}|{alternative})" if alternative else body)


texts = st.lists(st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcxé中 '042ESTMeorunmdfyhp", max_size=6),
                          max_size=8).map(" ".join), min_size=1, max_size=6)


@pytest.fixture(scope="module")
def matcher():
    with BoundedMatcher() as shared:
        yield shared


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(patterns(), min_size=1, max_size=12), texts)
def test_indexed_lookup_equals_brute_force(matcher, regexes, queries):
    lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes])
    found = {(hit.number, hit.text, hit.span) for hit in lookup.find(queries, matcher).hits}
    expected = set()
    for number, pattern in enumerate(regexes):
        for text_number, text in enumerate(queries):
            match = re.search(pattern, text)
            if match:
                expected.add((number, text_number, match.span()))
    assert found == expected


def test_only_regexes_whose_literals_occur_are_candidates():
    regexes = [r"CUDA out of memory", r"No module named '[^']+'", r"\d+"]
    lookup = RegexLookup(regexes, [required_literal_sets(pattern) for pattern in regexes], [[] for _ in regexes])
    assert lookup.candidates("RuntimeError: CUDA out of memory. Tried to allocate") == [0, 2]

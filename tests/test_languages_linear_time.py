"""strip_code's patterns start only where a run of word characters starts, so they run in linear time.

The reference below is the straightforward form of the same patterns (which tried every position of
a run and took quadratic time on long runs); both must strip every text identically.
"""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from kbtool.languages import strip_code

_REFERENCE_PATTERNS = [
    re.compile(r"```.*?```", re.S),
    re.compile(r"`[^`]*`"),
    re.compile(r"\b(?:https?|ftp|file)://[!-~]+", re.A),
    re.compile(r"[\w.~-]*(?:[\\/][\w.~-]+)+[\\/]?", re.A),
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*", re.A),
    re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\([^()]*\))?", re.A),
    re.compile(r"[A-Za-z_]\w*\([^()]*\)", re.A),
    re.compile(r"\w*_\w*", re.A),
    re.compile(r"\b[A-Z][A-Z0-9]+\b", re.A),
    re.compile(r"\b[a-z]+[A-Z]\w*\b", re.A),
    re.compile(r"[0-9.,:;%+\-*/=<>()\[\]{}'\"#@$&|^~!?]+"),
]


def reference_strip_code(text: str) -> str:
    for pattern in _REFERENCE_PATTERNS:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


_CODE_LIKE = st.text(alphabet="aZq_19.-~/\\()` :中文é", max_size=40)


@settings(max_examples=3000, deadline=None)
@given(_CODE_LIKE)
def test_strip_code_agrees_with_the_straightforward_patterns(text):
    assert strip_code(text) == reference_strip_code(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["tf.lite", "2abc.de", "x_y", "f(x)", "a/b/", "--flag", "中文", "Ab", "1", " ", "`c`", "http://e.org/x"]),
                max_size=12).map("".join))
def test_strip_code_agrees_on_glued_code_tokens(text):
    assert strip_code(text) == reference_strip_code(text)


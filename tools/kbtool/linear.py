"""The schema's patterns, matched in linear time.

A pull request can change the KB's schema, so its patterns are as untrusted as a record's regex.
They are matched with RE2 (google-re2; jsonschema-rs with its linear-time `regex` engine), whose
time is linear in the text whatever the pattern: a pattern such as ^(a+)+$ cannot make a run
spin, in the main process or anywhere else, and no worker round trip is needed per value. A
pattern RE2 cannot compile (a look-around or a back-reference) makes the schema unusable, which
is a configuration error naming the pattern (`kbtool.schema`). RE2's `$` is the end of the text,
as in JSON Schema (ECMA-262), where Python's `$` also matches before a final newline.
"""

from __future__ import annotations

import functools

import re2

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print its own error on stderr; kbtool says it in its message


@functools.lru_cache(maxsize=256)
def linear_pattern(pattern: str):
    """`pattern` compiled by RE2; raises (re2.error or another exception) when RE2 cannot take it."""
    return re2.compile(pattern, _RE2_OPTIONS)


def _text_for_re2(text: str) -> str:
    """RE2 matches UTF-8: a lone surrogate (reported by its own rule) is matched as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def linear_search(pattern: str, text: str) -> bool:
    """Whether `pattern` (compiled by RE2) matches somewhere in `text`."""
    return linear_pattern(pattern).search(_text_for_re2(text)) is not None

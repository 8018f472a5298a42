"""`json_text` writes indented JSON itself (json.dumps indents through its slow Python encoder): its
text must be exactly json.dumps's, for any document, hostile strings included; `write_json` writes
the same text to a stream a piece at a time."""

from __future__ import annotations

import json
import random

import pytest

import io

from kbtool.display import _UNSAFE_IN_JSON, _Unsupported, _indented, json_text, write_json

#: Every character class that needs care: controls, quotes and backslashes, non-ASCII, line and
#: paragraph separators, bidi overrides, lone surrogates, astral characters, the byte-order mark.
CHARACTERS = [chr(code) for code in [*range(0x00, 0x250), 0x2028, 0x2029, 0x202E, 0x2066, 0xD800, 0xDFFF, 0x1F600, 0xFEFF]]


def _reference(document) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _document(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        return "".join(rng.choice(CHARACTERS) for _ in range(rng.randrange(8)))
    if roll < 0.5:
        return rng.choice([None, True, False, 0, -5, 10**30, rng.randrange(-9, 99)])
    if roll < 0.75:
        return {"".join(rng.choice(CHARACTERS) for _ in range(rng.randrange(4))): _document(rng, depth + 1)
                for _ in range(rng.randrange(4))}
    return [_document(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_indented_json_text_is_that_of_json_dumps_for_random_documents():
    rng = random.Random(20261129)
    for _ in range(3000):
        document = _document(rng)
        assert json_text(document, indent=2) == _reference(document)


def test_documents_it_does_not_write_itself_are_left_to_json_dumps():
    """Keys that are not strings, floats, values of other types: json.dumps writes those (its conversions
    of keys and its float repr are kept), and the text is the same."""
    for document in [{1: "a"}, {"a": 1.5}, {"a": [1.5, {"b": True}]}, {"a": {2: 3}}, [{"x": float("nan")}], {None: 1},
                     {"a": (1, 2)}]:
        parts: list[str] = []
        with pytest.raises(_Unsupported):
            _indented(document, "\n", parts)
        assert json_text(document, indent=2) == _reference(document)


def test_a_lint_report_is_written_as_json_dumps_writes_it():
    findings = [{"path": f"entries/x/{n}.json", "entry_id": None if n % 3 else f"x/{n}", "rule": "KB101", "name": "invalid-json",
                 "severity": "error", "pointer": "/signature", "line": n, "column": 1, "message": f"bad \u202e\n\"{n}\""}
                for n in range(200)]
    document = {"version": 1, "findings": findings, "summary": {"files": 200, "entries": 0, "errors": 200, "warnings": 0}}
    assert json_text(document, indent=2) == _reference(document)


def _as_generators(document):
    """`document` with every list given as a generator (as the lint reports give their findings)."""
    if isinstance(document, list):
        return (_as_generators(item) for item in document)
    if isinstance(document, dict):
        return {key: _as_generators(item) for key, item in document.items()}
    return document


def test_write_json_writes_the_text_of_json_dumps_with_lists_given_as_generators():
    rng = random.Random(20261130)
    documents = [[], {"a": []}, [[], [[]]], {"findings": [{"n": n, "message": "\u202e" * (n % 3)} for n in range(10000)]}]
    documents += [_document(rng) for _ in range(2000)]
    for document in documents:
        stream = io.StringIO()
        write_json(_as_generators(document), stream)
        assert stream.getvalue() == _reference(document)


def test_write_json_writes_in_pieces():
    writes: list[str] = []

    class Stream:
        def write(self, text: str) -> None:
            writes.append(text)

    document = {"findings": ({"line": n} for n in range(20000))}
    write_json(document, Stream())
    assert len(writes) > 4 and max(map(len, writes)) < len("".join(writes)) / 4
    assert json.loads("".join(writes)) == {"findings": [{"line": n} for n in range(20000)]}


def test_write_json_refuses_what_it_cannot_write_as_json_dumps_would():
    for document in [{"a": 1.5}, {1: "a"}, [object()]]:
        with pytest.raises(TypeError):
            write_json(document, io.StringIO())

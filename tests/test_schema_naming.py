"""A record's schema violations are named from jsonschema-rs's errors where the two libraries find the same
ones, and from jsonschema's otherwise: the problems are the same either way. Compared here on records broken
at random (a fixed seed) in every way the schema can be broken, and on schemas whose keywords, patterns or draft
the two libraries read differently."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from kbtool.schema import PACKAGED_SCHEMA, load_record_schema
from kbtool.violations import (FAST_NAMED, MAX_SCHEMA_PROBLEMS, fast_named_record, fast_nameable, named_by_jsonschema,
                               named_by_jsonschema_rs)

SCHEMA = load_record_schema(PACKAGED_SCHEMA)

STRINGS = ["", "x", "Type-System", "type_system", "A" * 5000, "2024-1-5", "2024-02-30", "2023-02-29", "2024-02-29",
           "20240101", "2024-13-01", "2024-01-01T00:00:00", "0000-01-01", "ai_generated", "verified", "nope", "tensorflow/ok",
           "Bad/ID", "zh-CN", "en", "E1234", "https://example.com/", "it's", '"quoted"', "\u00e9\u00e8", "\U0001f600", "a\u00a0b", "a\rb"]
VALUES = [None, True, False, 0, -1, 1, 2, 0.5, 1.0, 1.5, -0.1, 10 ** 30, float("inf"), [], {}, ["x"], [1], {"a": 1},
          {"action": 1}, {"": 1}]


def _records() -> list[dict]:
    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((REPO_ROOT / "entries").rglob("*.json"))]
    for path in sorted((FIXTURES / "seeds").glob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue
    return [record for record in records if isinstance(record, dict)]


def _containers(node, found):
    if isinstance(node, (dict, list)):
        found.append(node)
        for value in (node.values() if isinstance(node, dict) else node):
            _containers(value, found)
    return found


def _break(record: dict, rng: random.Random) -> dict:
    """`record` with one to four random changes: a key removed or added, a value replaced by one of
    another type or shape, a string emptied, lengthened or reworded, a list emptied or grown."""
    broken = copy.deepcopy(record)
    for _ in range(rng.randint(1, 4)):
        node = rng.choice(_containers(broken, []))
        action = rng.random()
        if isinstance(node, dict):
            keys = list(node)
            if action < 0.15 and keys:
                del node[rng.choice(keys)]
            elif action < 0.25:
                node[rng.choice(["extra", "no_such_field", "signature_zh", "versions", "Regex", "", "it's"])] = copy.deepcopy(rng.choice(STRINGS + VALUES))
            elif keys:
                node[rng.choice(keys)] = copy.deepcopy(rng.choice(STRINGS + VALUES))
        elif node:
            if action < 0.3:
                node.clear()
            elif action < 0.6:
                node.append(copy.deepcopy(rng.choice(STRINGS + VALUES + [{"action": "a", "why_fails": "b"}])))
            else:
                node[rng.randrange(len(node))] = copy.deepcopy(rng.choice(STRINGS + VALUES))
    return broken


def _as_tuples(problems) -> list[tuple]:
    return sorted((problem.pointer, problem.message, problem.hint) for problem in problems)


def test_violations_named_from_jsonschema_rs_are_those_named_from_jsonschema():
    rng = random.Random(20261202)
    records = _records()
    invalid = fast = 0
    keywords: set[str] = set()
    assert SCHEMA.fast_names
    for _ in range(3000):
        broken = _break(rng.choice(records), rng)
        if SCHEMA.fast_validator.is_valid(broken):
            continue
        invalid += 1
        slow = list(named_by_jsonschema(SCHEMA.validator, broken))
        assert slow, broken
        assert _as_tuples(SCHEMA.problems(broken)) == _as_tuples(slow), repr(broken)[:3000]
        errors = list(SCHEMA.fast_validator.iter_errors(broken))
        if fast_named_record(broken) and named_by_jsonschema_rs(errors, SCHEMA.document, broken) is not None:
            fast += 1
            keywords.update(error.kind.name for error in errors)
    # most broken records are named from jsonschema-rs (not those with an empty key or an infinite number), and the
    # comparison reached every keyword it names
    assert invalid > 1500 and fast >= 0.8 * invalid, (fast, invalid)
    assert keywords == FAST_NAMED, FAST_NAMED - keywords


def test_a_date_of_the_year_0000_is_no_date_for_either_library():
    record = copy.deepcopy(_records()[0])
    record["first_seen"] = "0000-01-01"
    assert not SCHEMA.fast_validator.is_valid(record)
    record["no_such_field"] = 1
    assert {problem.pointer for problem in SCHEMA.problems(record)} == {"/first_seen", "/no_such_field"}


def test_a_required_field_whose_name_holds_a_quote_is_named_whole(tmp_path: Path):
    document = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    document["required"] = [*document["required"], "it's"]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    schema = load_record_schema(path)
    problems = list(schema.problems(copy.deepcopy(_records()[0])))
    assert [(problem.message, problem.hint) for problem in problems] == [
        ("required field 'it's' is missing in the record", 'add "it\'s"')]


def test_a_record_with_more_violations_than_are_listed_is_named_from_jsonschema():
    broken = {f"extra_{index}": index for index in range(3)}
    broken["versions"] = [index for index in range(MAX_SCHEMA_PROBLEMS + 5)]  # each item of the wrong type
    errors = list(SCHEMA.fast_validator.iter_errors(broken))
    assert len(errors) > MAX_SCHEMA_PROBLEMS
    assert named_by_jsonschema_rs(errors, SCHEMA.document, broken) is None
    problems = list(SCHEMA.problems(broken))
    assert len(problems) == MAX_SCHEMA_PROBLEMS + 1 and problems[-1].message.startswith(f"more than {MAX_SCHEMA_PROBLEMS}")


@pytest.mark.parametrize("signature_schema, value, top_level", [
    ({"anyOf": [{"type": "string", "minLength": 5}, {"type": "integer"}]}, "abc", {}),
    ({"$ref": "#/$defs/text"}, 5, {}),
    ({"const": "fixed"}, "other", {}),
    ({"type": "string", "format": "email"}, "not an address", {}),
    ({"type": "string", "not": {"pattern": "^abc"}}, "abcdef", {}),
    # the libraries disagree: \s holds a no-break space for jsonschema-rs (ECMA 262), not for RE2
    ({"type": "string", "pattern": "\\s"}, "Fehler:\u00a0kaputt", {}),
    # `.` takes a carriage return for RE2, not for jsonschema-rs
    ({"type": "string", "pattern": "^.+$"}, "10%\r20%", {}),
    ({"type": "number", "multipleOf": 0.01}, 0.07, {}),
    ({"type": "string", "format": "regex"}, "(?<n>x)", {}),
    # jsonschema-rs reads this draft as 7, jsonschema (not knowing the spelling) as 2020-12
    ({"type": "array", "prefixItems": [{"enum": ["first"]}]}, ["second"], {"$schema": "https://json-schema.org/draft-07/schema"}),
    ({"type": "object", "properties": {"": {"maximum": 1}}}, {"": 5}, {}),
], ids=["anyOf", "ref", "const", "format-email", "not", "unicode-space", "dot", "multipleOf", "format-regex", "draft-07",
        "empty-key"])
def test_a_schema_the_two_libraries_read_differently_is_named_from_jsonschema(tmp_path: Path, signature_schema, value, top_level):
    document = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    document["properties"]["signature"] = signature_schema
    document["$defs"] = {"text": {"type": "string", "description": "A text."}}
    document.update(top_level)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    schema = load_record_schema(path)
    assert not schema.fast_names and not fast_nameable(document)
    record = copy.deepcopy(_records()[0])
    record["signature"] = value
    record["no_such_field"] = 1  # a violation of its own, whatever the two make of the signature
    problems = _as_tuples(schema.problems(record))
    assert problems == _as_tuples(named_by_jsonschema(schema.validator, record))
    assert "/no_such_field" in {pointer for pointer, _, _ in problems}

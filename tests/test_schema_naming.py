"""A record's schema violations are named from jsonschema-rs's errors where they can be, and from
jsonschema's otherwise: the problems are the same either way. Compared here on records broken at random
(a fixed seed) in every way the schema can be broken, and on schemas with keywords only jsonschema names."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from kbtool.schema import PACKAGED_SCHEMA, load_record_schema
from kbtool.violations import FAST_NAMED, MAX_SCHEMA_PROBLEMS, named_by_jsonschema, named_by_jsonschema_rs

SCHEMA = load_record_schema(PACKAGED_SCHEMA)

STRINGS = ["", "x", "Type-System", "type_system", "A" * 5000, "2024-1-5", "2024-02-30", "2023-02-29", "2024-02-29",
           "20240101", "2024-13-01", "2024-01-01T00:00:00", "ai_generated", "verified", "nope", "tensorflow/ok",
           "Bad/ID", "zh-CN", "en", "E1234", "https://example.com/", "it's", '"quoted"', "\u00e9\u00e8", "\U0001f600"]
VALUES = [None, True, False, 0, -1, 1, 2, 0.5, 1.0, 1.5, -0.1, 10 ** 30, [], {}, ["x"], [1], {"a": 1}, {"action": 1}]


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
                node[rng.choice(["extra", "no_such_field", "signature_zh", "versions", "Regex"])] = rng.choice(STRINGS + VALUES)
            elif keys:
                node[rng.choice(keys)] = rng.choice(STRINGS + VALUES)
        elif node:
            if action < 0.3:
                node.clear()
            elif action < 0.6:
                node.append(rng.choice(STRINGS + VALUES + [{"action": "a", "why_fails": "b"}]))
            else:
                node[rng.randrange(len(node))] = rng.choice(STRINGS + VALUES)
    return broken


def _as_tuples(problems) -> list[tuple]:
    return sorted((problem.pointer, problem.message, problem.hint) for problem in problems)


def test_violations_named_from_jsonschema_rs_are_those_named_from_jsonschema():
    rng = random.Random(20261202)
    records = _records()
    compared = invalid = 0
    keywords: set[str] = set()
    for _ in range(3000):
        broken = _break(rng.choice(records), rng)
        if SCHEMA.fast_validator.is_valid(broken):
            continue
        invalid += 1
        errors = list(SCHEMA.fast_validator.iter_errors(broken))
        fast = named_by_jsonschema_rs(errors, SCHEMA.document, broken)
        slow = list(named_by_jsonschema(SCHEMA.validator, broken))
        assert slow, broken
        if fast is None:
            continue
        compared += 1
        keywords.update(error.kind.name for error in errors)
        assert _as_tuples(fast) == _as_tuples(slow), json.dumps(broken, ensure_ascii=False)[:3000]
    # nearly every broken record is named from jsonschema-rs, and the comparison reached every keyword it names
    assert invalid > 1500 and compared >= 0.98 * invalid, (compared, invalid)
    assert keywords == FAST_NAMED, FAST_NAMED - keywords


def test_a_record_with_more_violations_than_are_listed_is_named_from_jsonschema():
    broken = {f"extra_{index}": index for index in range(3)}
    broken["versions"] = [index for index in range(MAX_SCHEMA_PROBLEMS + 5)]  # each item of the wrong type
    errors = list(SCHEMA.fast_validator.iter_errors(broken))
    assert len(errors) > MAX_SCHEMA_PROBLEMS
    assert named_by_jsonschema_rs(errors, SCHEMA.document, broken) is None
    problems = list(SCHEMA.problems(broken))
    assert len(problems) == MAX_SCHEMA_PROBLEMS + 1 and problems[-1].message.startswith(f"more than {MAX_SCHEMA_PROBLEMS}")


@pytest.mark.parametrize("signature_schema, value", [
    ({"anyOf": [{"type": "string", "minLength": 5}, {"type": "integer"}]}, "abc"),
    ({"$ref": "#/$defs/text"}, 5),
    ({"const": "fixed"}, "other"),
    ({"type": "string", "format": "email"}, "not an address"),
    ({"type": "string", "not": {"pattern": "^abc"}}, "abcdef"),
], ids=["anyOf", "ref", "const", "format-email", "not"])
def test_a_violation_only_jsonschema_names_alike_is_named_from_jsonschema(tmp_path: Path, signature_schema, value):
    document = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    document["properties"]["signature"] = signature_schema
    document["$defs"] = {"text": {"type": "string", "description": "A text."}}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    schema = load_record_schema(path)
    record = copy.deepcopy(_records()[0])
    record["signature"] = value
    assert not schema.fast_validator.is_valid(record)
    assert named_by_jsonschema_rs(schema.fast_validator.iter_errors(record), schema.document, record) is None
    problems = list(schema.problems(record))
    assert _as_tuples(problems) == _as_tuples(named_by_jsonschema(schema.validator, record))
    assert [problem.pointer for problem in problems] == ["/signature"]

"""The record schema is checked against its metaschema by jsonschema-rs first, and records against it;
jsonschema, slow to import, is loaded only to name what is wrong with a schema that does not pass, or with
a record whose violations jsonschema-rs's errors do not name (`kbtool.violations`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from jsonschema.validators import Draft202012Validator

from conftest import REPO_ROOT, curated_record, write_record

SCHEMA = json.loads((REPO_ROOT / "schema" / "error-record.schema.json").read_text(encoding="utf-8"))


def _kb_with_schema(root, signature_schema=None, **top_level):
    write_record(root, curated_record())
    document = json.loads(json.dumps(SCHEMA))
    if signature_schema is not None:
        document["properties"]["signature"] = signature_schema
    document.update(top_level)
    (root / "schema").mkdir(parents=True, exist_ok=True)
    (root / "schema" / "error-record.schema.json").write_text(json.dumps(document), encoding="utf-8")
    return document


def _nested(depth: int) -> dict:
    node: dict = {"type": "string"}
    for _ in range(depth):
        node = {"allOf": [node]}
    return node


def _lint(root, *options):
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "kbtool", "lint", "--root", str(root), "--no-cache", *options],
                          capture_output=True, text=True, cwd=root)


def _imported(run) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("signature_schema, top_level", [
    ({"type": 5}, {}),
    ({"type": "string", "minLength": -1}, {}),
    ({"type": "string", "pattern": "("}, {}),       # no regex at all
    ({"type": "string", "pattern": "\\pN"}, {}),    # RE2 takes it, Python's re (jsonschema's "regex" format) does not
    ({"type": "object", "required": ["a", "a"]}, {}),
    ({"type": "object", "patternProperties": {"[z-a]": {}}}, {}),
    # jsonschema-rs reads this spelling as draft 7, where `items` may be a list; jsonschema does not know it
    # and checks the schema as draft 2020-12, where it may not
    ({"type": "array", "items": [{"type": "string"}]}, {"$schema": "https://json-schema.org/draft-07/schema"}),
    (_nested(400), {}),                               # deeper than jsonschema can walk
], ids=["type", "minLength", "unbalanced", "re2-only", "required-twice", "pattern-property", "other-draft-spelling",
        "nested-400"])
def test_a_schema_that_fails_its_metaschema_is_refused_with_jsonschemas_message(tmp_path, signature_schema, top_level):
    document = _kb_with_schema(tmp_path, signature_schema, **top_level)
    with pytest.raises(Exception) as expected:
        Draft202012Validator.check_schema(document)
    run = _lint(tmp_path)
    assert run.returncode == 2, run.stderr[-2000:]
    message = run.stderr.splitlines()[-1]
    assert "the record schema is not a valid JSON Schema" in message
    if isinstance(expected.value, RecursionError):  # its wording depends on where the limit was met
        assert "maximum recursion depth exceeded" in message
    else:
        assert expected.value.message in message


def test_a_schema_of_another_draft_is_checked_as_jsonschema_checks_it(tmp_path):
    """A schema of draft 7, named by the URI jsonschema knows, is checked against draft 7's metaschema by
    jsonschema and used: a record that breaks it gets a finding, not an error."""
    _kb_with_schema(tmp_path, {"type": "string", "maxLength": 10}, **{"$schema": "http://json-schema.org/draft-07/schema#"})
    run = _lint(tmp_path, "--format", "json")
    assert run.returncode == 1, run.stderr[-2000:]
    assert [finding["pointer"] for finding in json.loads(run.stdout)["findings"] if finding["name"] == "schema"] == ["/signature"]


def test_jsonschema_is_imported_only_for_a_violation_jsonschema_rs_does_not_name(tmp_path):
    _kb_with_schema(tmp_path)
    run = _lint(tmp_path)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "jsonschema_rs" in _imported(run) and "jsonschema" not in _imported(run)

    broken = curated_record()
    broken["id"] = "tensorflow/another"
    broken["no_such_field"] = 1
    write_record(tmp_path, broken)
    run = _lint(tmp_path, "--format", "json")
    assert "jsonschema" not in _imported(run)
    schema_findings = [finding for finding in json.loads(run.stdout)["findings"] if finding["name"] == "schema"]
    assert [(finding["path"], finding["message"]) for finding in schema_findings] == [
        ("entries/tensorflow/another.json", "unknown field 'no_such_field' in the record. Check the spelling; allowed fields: "
         + ", ".join(SCHEMA["properties"]))]

    broken["versions"] = list(range(300))  # more violations than a record's findings list: jsonschema picks those listed
    write_record(tmp_path, broken)
    run = _lint(tmp_path, "--format", "json")
    assert "jsonschema" in _imported(run)
    schema_findings = [finding for finding in json.loads(run.stdout)["findings"] if finding["name"] == "schema"]
    assert len(schema_findings) == 201
    assert [finding["pointer"] for finding in schema_findings if finding["message"].startswith("more than 200 schema violations")] == [""]

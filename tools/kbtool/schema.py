"""The record schema: loaded once, every violation turned into a finding-ready problem."""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import validator_for

from kbtool.findings import Problem
from kbtool.records import make_pointer

SCHEMA_FILE_NAME = "error-record.schema.json"
PACKAGED_SCHEMA = Path(__file__).parent / "data" / SCHEMA_FILE_NAME
#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200


class SchemaLoadError(Exception):
    """The schema file itself is unusable (a configuration error)."""


def schema_path_for(root: Path) -> Path:
    """The KB's own `schema/error-record.schema.json`, else the copy shipped with kbtool."""
    own = root / "schema" / SCHEMA_FILE_NAME
    return own if own.is_file() else PACKAGED_SCHEMA


@functools.lru_cache(maxsize=4)
def load_schema(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SchemaLoadError(f"{path}: cannot read the record schema: {error}") from error
    if not isinstance(schema, dict):
        raise SchemaLoadError(f"{path}: the record schema must be a JSON object")
    return schema


@functools.lru_cache(maxsize=4)
def validator(path: Path):
    schema = load_schema(path)
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except Exception as error:
        raise SchemaLoadError(f"{path}: the record schema is not a valid JSON Schema: {getattr(error, 'message', error)}") from error
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def known_keys(path: Path = PACKAGED_SCHEMA) -> list[str]:
    """Top-level property names in schema order (the canonical key order of a record)."""
    return list(load_schema(path).get("properties", {}))


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: ValidationError) -> Problem:
    tokens = list(error.absolute_path)
    pointer = make_pointer(*tokens)
    field = "/".join(str(token) for token in tokens) or "the record"
    validator_name = error.validator
    if validator_name == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = f"in {field}" if tokens else "in the record"
        return Problem(pointer, f"required field '{missing}' is missing {where}", f"add \"{missing}\"")
    if validator_name == "additionalProperties":
        extras = sorted(set(error.instance) - set(error.schema.get("properties", {}))) if isinstance(error.instance, dict) else []
        names = ", ".join(f"'{name}'" for name in extras)
        target = make_pointer(*tokens, extras[0]) if extras else pointer
        allowed = ", ".join(error.schema.get("properties", {}))
        return Problem(target, f"unknown field {names} in {field}", f"check the spelling; allowed fields: {allowed}")
    if validator_name == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        return Problem(pointer, f"{field} must be of type {expected}, not {_short(error.instance)}")
    if validator_name == "enum":
        choices = ", ".join(json.dumps(choice) for choice in error.validator_value)
        return Problem(pointer, f"{field} is {_short(error.instance)}, which is not one of {choices}")
    if validator_name == "format" and error.validator_value == "date":
        return Problem(pointer, f"{field} is {_short(error.instance)}, which is not a real calendar date", "write it as YYYY-MM-DD")
    if validator_name == "pattern":
        return Problem(pointer, f"{field} is {_short(error.instance)}, which does not match the pattern {error.validator_value}")
    if validator_name in ("minimum", "maximum"):
        return Problem(pointer, f"{field} is {error.instance}, outside the allowed range", f"it must be {'at least' if validator_name == 'minimum' else 'at most'} {error.validator_value}")
    if validator_name == "maxLength":
        return Problem(pointer, f"{field} is {len(error.instance):,} characters long; at most {error.validator_value:,} are allowed", "shorten it")
    if validator_name == "minLength":
        return Problem(pointer, f"{field} must not be empty")
    return Problem(pointer, f"{field}: {error.message}")


@functools.lru_cache(maxsize=4)
def fast_validator(path: Path):
    """jsonschema-rs for the first pass (~100x faster); None when it is unavailable or rejects the schema."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(load_schema(path), validate_formats=True)
    except Exception:
        return None


def schema_problems(data: Any, schema_path: Path) -> Iterator[Problem]:
    """One problem per schema violation, pointing at the offending value.

    Valid records (nearly all) are confirmed by the fast validator; only records it rejects are
    walked by jsonschema, which names every violation with its path.
    """
    validator(schema_path)  # reports an unusable schema even when the fast path would accept it
    fast = fast_validator(schema_path)
    if fast is not None:
        try:
            if fast.is_valid(data):
                return
        except Exception:
            pass
    # A hostile record can hold hundreds of thousands of violations: list the first ones, then say how to go on.
    found = list(itertools.islice(validator(schema_path).iter_errors(data), MAX_SCHEMA_PROBLEMS + 1))
    errors = sorted(found[:MAX_SCHEMA_PROBLEMS], key=lambda error: [str(token) for token in error.absolute_path])
    for error in errors:
        yield _describe(error)
    if len(found) > MAX_SCHEMA_PROBLEMS:
        yield Problem("", f"more than {MAX_SCHEMA_PROBLEMS} schema violations; only the first {MAX_SCHEMA_PROBLEMS} are listed",
                      "fix these and run kbtool lint again to see the rest")

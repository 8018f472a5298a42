"""The record schema: loaded once, every violation turned into a finding-ready problem."""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import validator_for

from kbtool.errors import UsageError
from kbtool.findings import Problem
from kbtool.records import make_pointer

SCHEMA_FILE_NAME = "error-record.schema.json"
PACKAGED_SCHEMA = Path(__file__).parent / "data" / SCHEMA_FILE_NAME
#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200


class SchemaLoadError(UsageError):
    """The schema file itself is unusable: a configuration error (exit status 2)."""


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


def _fast_validator(schema: dict[str, Any]):
    """jsonschema-rs for the first pass (~100x faster); None when it is unavailable or rejects the schema."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True)
    except Exception:
        return None


@dataclass(frozen=True)
class RecordSchema:
    """The record schema in force for a KB, loaded once and handed to rules."""

    path: Path
    document: dict[str, Any]
    validator: Any  # jsonschema's, names every violation
    fast_validator: Any  # jsonschema-rs's, for the common valid case; None when unavailable
    key_order: tuple[str, ...]  # top-level property names in schema order (a record's canonical key order)
    date_keys: tuple[str, ...]  # top-level properties declared with "format": "date"
    translated_pairs: tuple[tuple[str, str], ...]  # (english_key, zh_key) for every *_zh property with an English one

    def problems(self, data: Any) -> Iterator[Problem]:
        """One problem per schema violation, pointing at the offending value.

        Valid records (nearly all) are confirmed by the fast validator; only records it rejects are
        walked by jsonschema, which names every violation with its path.
        """
        if self.fast_validator is not None:
            try:
                if self.fast_validator.is_valid(data):
                    return
            except Exception:
                pass
        # A hostile record can hold hundreds of thousands of violations: list the first ones, then say how to go on.
        found = list(itertools.islice(self.validator.iter_errors(data), MAX_SCHEMA_PROBLEMS + 1))
        errors = sorted(found[:MAX_SCHEMA_PROBLEMS], key=lambda error: [str(token) for token in error.absolute_path])
        for error in errors:
            yield _describe(error)
        if len(found) > MAX_SCHEMA_PROBLEMS:
            yield Problem("", f"more than {MAX_SCHEMA_PROBLEMS} schema violations; only the first {MAX_SCHEMA_PROBLEMS} are listed",
                          "fix these and run kbtool lint again to see the rest")


@functools.lru_cache(maxsize=4)
def load_record_schema(path: Path) -> RecordSchema:
    """Read and check the schema at `path`; an unusable one is a SchemaLoadError naming the file."""
    schema = load_schema(path)
    cls = validator_for(schema, default=Draft202012Validator)
    try:
        cls.check_schema(schema)
    except Exception as error:
        raise SchemaLoadError(f"{path}: the record schema is not a valid JSON Schema: {getattr(error, 'message', error)}") from error
    properties = schema.get("properties", {})
    key_order = tuple(properties)
    return RecordSchema(
        path=path, document=schema, validator=cls(schema, format_checker=cls.FORMAT_CHECKER),
        fast_validator=_fast_validator(schema), key_order=key_order,
        date_keys=tuple(key for key, spec in properties.items() if isinstance(spec, dict) and spec.get("format") == "date"),
        translated_pairs=tuple((key[: -len("_zh")], key) for key in key_order
                               if key.endswith("_zh") and key[: -len("_zh")] in properties))


def record_schema(root: Path) -> RecordSchema:
    """The schema in force for the KB at `root`: its own, else the one shipped with kbtool."""
    return load_record_schema(schema_path_for(root))


def schema_problems(data: Any, schema_path: Path) -> Iterator[Problem]:
    """`load_record_schema(schema_path).problems(data)`, for writers that check before they write."""
    return load_record_schema(schema_path).problems(data)

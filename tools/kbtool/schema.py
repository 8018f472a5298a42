"""The record schema: loaded once, every violation turned into a finding-ready problem."""

from __future__ import annotations

import datetime
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from kbtool.errors import UsageError
from kbtool.findings import Problem
from kbtool.linear import linear_pattern
from kbtool.violations import FAST_DRAFTS, fast_named_record, fast_nameable, named_by_jsonschema, named_by_jsonschema_rs

SCHEMA_FILE_NAME = "error-record.schema.json"
PACKAGED_SCHEMA = Path(__file__).parent / "data" / SCHEMA_FILE_NAME


class SchemaLoadError(UsageError):
    """The schema file itself is unusable: a configuration error (exit status 2)."""


# --- the schema is input too: its patterns run in linear time (`kbtool.linear`), its references stay inside it


def _patterns_of(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, pattern) of every `pattern` and `patternProperties` key in a schema document."""
    stack = [(node, pointer)]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield f"{pointer}/pattern", node["pattern"]
            if isinstance(node.get("patternProperties"), dict):
                yield from ((f"{pointer}/patternProperties", key) for key in node["patternProperties"])
            stack.extend((value, f"{pointer}/{key}") for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{index}") for index, value in enumerate(node))


def _references_of(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, reference) of every `$ref` and `$dynamicRef` in a schema document."""
    stack = [(node, pointer)]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            for keyword in ("$ref", "$dynamicRef", "$recursiveRef"):
                if isinstance(node.get(keyword), str):
                    yield f"{pointer}/{keyword}", node[keyword]
            stack.extend((value, f"{pointer}/{key}") for key, value in node.items() if key not in ("enum", "const", "examples", "default"))
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{index}") for index, value in enumerate(node))


@functools.lru_cache(maxsize=1)
def _packaged_id() -> str | None:
    try:
        identifier = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8")).get("$id")
    except (OSError, ValueError, AttributeError):
        return None
    return identifier.rstrip("#") if isinstance(identifier, str) else None


def _check_references(path: Path, schema: dict[str, Any]) -> None:
    """Only references inside the document itself (`#...`, or its own `$id`) or to kbtool's own
    schema are resolved; any other is a configuration error naming it (nothing is ever fetched)."""
    allowed = {identifier for identifier in (schema.get("$id"), _packaged_id()) if isinstance(identifier, str)}
    allowed = {identifier.rstrip("#") for identifier in allowed}
    for pointer, reference in _references_of(schema):
        base = reference.split("#", 1)[0]
        if base and base not in allowed:
            raise SchemaLoadError(
                f"{path}: field {pointer or '/'}: the record schema refers to {reference!r}, outside the schema itself; "
                "kbtool resolves references only inside the schema document (\"#/$defs/...\") and never reads "
                "another file or the network: copy the definition into the schema's $defs")


def _check_patterns(path: Path, schema: dict[str, Any]) -> None:
    for pointer, pattern in _patterns_of(schema):
        try:
            linear_pattern(pattern)
        except Exception as error:  # re2.error, or a pattern RE2 cannot take
            reason = error.args[0] if error.args else error
            reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
            raise SchemaLoadError(
                f"{path}: field {pointer}: the pattern {pattern!r} cannot be matched in linear time ({reason}); "
                "kbtool runs the schema's patterns with RE2: remove look-arounds and back-references") from None


def schema_path_for(root: Path) -> Path:
    """The KB's own `schema/error-record.schema.json`, else the copy shipped with kbtool."""
    own = root / "schema" / SCHEMA_FILE_NAME
    if own.is_symlink():
        raise SchemaLoadError(f"{own}: the record schema is a symbolic link; kbtool reads it only as a regular file "
                              "inside the KB (links are not followed): replace the link with the file")
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


def _fast_validator(schema: dict[str, Any]):
    """jsonschema-rs for the first pass (~100x faster); None when it is unavailable or rejects the schema."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=_retrieve_for_rs,
                                           pattern_options=jsonschema_rs.RegexOptions(), formats={"date": _is_date})
    except Exception:
        return None


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_date(value: str) -> bool:
    """The "date" format as jsonschema checks it (`datetime.date.fromisoformat` of YYYY-MM-DD), for jsonschema-rs:
    its own takes the year 0000, which Python's calendar does not have."""
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _retrieve_for_rs(uri: str) -> Any:
    """jsonschema-rs's retriever: kbtool's own schema, nothing else (no file, no network)."""
    if uri.rstrip("#") == _packaged_id():
        return json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    raise ValueError(f"{uri}: kbtool does not fetch schemas")


@dataclass(frozen=True)
class RecordSchema:
    """The record schema in force for a KB, loaded once and handed to rules."""

    path: Path
    document: dict[str, Any]
    key_order: tuple[str, ...]  # top-level property names in schema order (a record's canonical key order)
    date_keys: tuple[str, ...]  # top-level properties declared with "format": "date"
    translated_pairs: tuple[tuple[str, str], ...]  # (english_key, zh_key) for every *_zh property with an English one

    @functools.cached_property
    def fast_validator(self) -> Any:
        """jsonschema-rs's validator, for the common valid case; None when unavailable."""
        return _fast_validator(self.document)

    @functools.cached_property
    def fast_names(self) -> bool:
        """Whether the violations of its records may be named from the fast validator's errors (`fast_nameable`)."""
        return fast_nameable(self.document)

    @functools.cached_property
    def validator(self) -> Any:
        """jsonschema's validator, which names every violation (`kbtool.naming_validator`, imported when first needed)."""
        from kbtool.naming_validator import naming_validator
        return naming_validator(self.document, PACKAGED_SCHEMA)

    def problems(self, data: Any) -> Iterator[Problem]:
        """One problem per schema violation, pointing at the offending value.

        Valid records (nearly all) are confirmed by the fast validator, and the violations of the others
        named from its errors where `kbtool.violations` finds both libraries agree (`fast_names`,
        `fast_named_record`); only the rest are walked by jsonschema.
        """
        if self.fast_validator is not None:
            try:
                if self.fast_validator.is_valid(data):
                    return
                named = (named_by_jsonschema_rs(self.fast_validator.iter_errors(data), self.document, data)
                         if self.fast_names and fast_named_record(data) else None)
            except Exception:
                named = None
            if named is not None:
                yield from named
                return
        yield from named_by_jsonschema(self.validator, data)


@functools.lru_cache(maxsize=4)
def load_record_schema(path: Path) -> RecordSchema:
    """Read and check the schema at `path`; an unusable one is a SchemaLoadError naming the file."""
    schema = load_schema(path)
    if not _passes_metaschema_fast(schema):
        from kbtool.naming_validator import metaschema_error
        error = metaschema_error(schema)
        if error is not None:
            raise SchemaLoadError(f"{path}: the record schema is not a valid JSON Schema: {error}")
    _check_references(path, schema)
    _check_patterns(path, schema)
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise SchemaLoadError(f"{path}: field /properties: the record schema's properties must be an object")
    key_order = tuple(properties)
    return RecordSchema(
        path=path, document=schema, key_order=key_order,
        date_keys=tuple(key for key, spec in properties.items() if isinstance(spec, dict) and spec.get("format") == "date"),
        translated_pairs=tuple((key[: -len("_zh")], key) for key in key_order
                               if key.endswith("_zh") and key[: -len("_zh")] in properties))


#: A schema nested deeper than this is left to jsonschema's check (which refuses what it cannot walk).
FAST_CHECKED_DEPTH = 64


def _passes_metaschema_fast(schema: dict[str, Any]) -> bool:
    """Whether jsonschema-rs finds `schema`, of draft 2020-12 and nested at most FAST_CHECKED_DEPTH deep,
    valid against its metaschema, and every pattern in it compiles with Python's re (the "regex" format
    jsonschema checks and jsonschema-rs does not). False means "not known": jsonschema's own check then
    decides and names what is wrong."""
    if schema.get("$schema", FAST_DRAFTS[0]) not in FAST_DRAFTS or _deeper_than(schema, FAST_CHECKED_DEPTH):
        return False
    try:
        import jsonschema_rs
        if not jsonschema_rs.meta.is_valid(schema):
            return False
    except Exception:  # not installed, or a document it cannot take
        return False
    try:
        for _, pattern in _patterns_of(schema):
            re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
    return True


def _deeper_than(document: Any, limit: int) -> bool:
    stack = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    return False


def record_schema(root: Path) -> RecordSchema:
    """The schema in force for the KB at `root`: its own, else the one shipped with kbtool."""
    return load_record_schema(schema_path_for(root))


def schema_problems(data: Any, schema_path: Path) -> Iterator[Problem]:
    """`load_record_schema(schema_path).problems(data)`, for writers that check before they write."""
    return load_record_schema(schema_path).problems(data)

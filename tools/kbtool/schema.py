"""The record schema: loaded once, every violation turned into a finding-ready problem."""

from __future__ import annotations

import functools
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import re2
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend, validator_for
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from kbtool.errors import UsageError
from kbtool.findings import Problem
from kbtool.records import make_pointer

SCHEMA_FILE_NAME = "error-record.schema.json"
PACKAGED_SCHEMA = Path(__file__).parent / "data" / SCHEMA_FILE_NAME
#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200


class SchemaLoadError(UsageError):
    """The schema file itself is unusable: a configuration error (exit status 2)."""


# --- the schema is input too: its patterns run in linear time, its references stay inside it ------
#
# A pull request can change the KB's schema, so its patterns are as untrusted as a record's regex.
# They are matched with RE2 (google-re2; jsonschema-rs with its linear-time `regex` engine), whose
# time is linear in the text whatever the pattern: a pattern such as ^(a+)+$ cannot make a run
# spin, in the main process or anywhere else, and no worker round trip is needed per value. A
# pattern RE2 cannot compile (a look-around or a back-reference) makes the schema unusable, which
# is a configuration error naming the pattern. RE2's `$` is the end of the text, as in JSON Schema
# (ECMA-262), where Python's `$` also matches before a final newline.

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # RE2 would print its own error on stderr; kbtool says it in its message


@functools.lru_cache(maxsize=256)
def _linear(pattern: str):
    return re2.compile(pattern, _RE2_OPTIONS)


def _text_for_re2(text: str) -> str:
    """RE2 matches UTF-8: a lone surrogate (reported by its own rule) is matched as U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _matches(pattern: str, text: str) -> bool:
    return _linear(pattern).search(_text_for_re2(text)) is not None


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, pattern_properties, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for key, value in instance.items():
            if _matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator, additional, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [key for key in instance if key not in properties and not any(_matches(pattern, key) for pattern in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        names = ", ".join(repr(extra) for extra in sorted(extras)[:20]) + (f" and {len(extras) - 20} more" if len(extras) > 20 else "")
        yield ValidationError(f"Additional properties are not allowed ({names} unexpected)")


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
            _linear(pattern)
        except Exception as error:  # re2.error, or a pattern RE2 cannot take
            reason = error.args[0] if error.args else error
            reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
            raise SchemaLoadError(
                f"{path}: field {pointer}: the pattern {pattern!r} cannot be matched in linear time ({reason}); "
                "kbtool runs the schema's patterns with RE2: remove look-arounds and back-references") from None


def _retrieve(uri: str):
    """The only document a reference may reach besides the schema itself: kbtool's own schema."""
    if uri.rstrip("#") == _packaged_id():
        return Resource.from_contents(json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8")))
    raise NoSuchResource(ref=uri)


_REGISTRY = SPECIFICATIONS.combine(Registry(retrieve=_retrieve))


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
        return jsonschema_rs.validator_for(schema, validate_formats=True, retriever=_retrieve_for_rs,
                                           pattern_options=jsonschema_rs.RegexOptions())
    except Exception:
        return None


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
    _check_references(path, schema)
    _check_patterns(path, schema)
    linear = extend(cls, {"pattern": _pattern, "patternProperties": _pattern_properties,
                          "additionalProperties": _additional_properties})
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        raise SchemaLoadError(f"{path}: field /properties: the record schema's properties must be an object")
    key_order = tuple(properties)
    return RecordSchema(
        path=path, document=schema, validator=linear(schema, format_checker=cls.FORMAT_CHECKER, registry=_REGISTRY),
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

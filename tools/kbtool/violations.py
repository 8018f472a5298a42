"""Every violation of the record schema named, with jsonschema; and the schema checked against its metaschema.

Imported only when needed: most records are confirmed valid by jsonschema-rs (`RecordSchema.problems`),
and most schemas by jsonschema-rs's metaschema check (`kbtool.schema`), so a run over valid records
does not pay for importing jsonschema. The schema's patterns are matched with RE2 here too
(`kbtool.linear`): a pattern cannot make a run spin.
"""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend, validator_for
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from kbtool.findings import Problem
from kbtool.linear import linear_search as _matches
from kbtool.records import make_pointer

#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200


def metaschema_error(schema: dict[str, Any]) -> str | None:
    """What jsonschema finds wrong with `schema` checked against its metaschema; None when nothing is."""
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except Exception as error:
        return str(getattr(error, "message", error))
    return None


def naming_validator(schema: dict[str, Any], packaged: Path) -> Any:
    """jsonschema's validator of `schema`, with the schema's patterns matched by RE2 and references
    resolved only inside the schema or to kbtool's own schema (the file `packaged`)."""
    cls = validator_for(schema, default=Draft202012Validator)
    linear = extend(cls, {"pattern": _pattern, "patternProperties": _pattern_properties,
                          "additionalProperties": _additional_properties})
    return linear(schema, format_checker=cls.FORMAT_CHECKER, registry=_registry(packaged))


def violations(validator: Any, data: Any) -> Iterator[Problem]:
    """One problem per violation of `data`, pointing at the offending value; past MAX_SCHEMA_PROBLEMS,
    one problem says there are more (a hostile record can hold hundreds of thousands)."""
    found = list(itertools.islice(validator.iter_errors(data), MAX_SCHEMA_PROBLEMS + 1))
    errors = sorted(found[:MAX_SCHEMA_PROBLEMS], key=lambda error: [str(token) for token in error.absolute_path])
    # A date in another form ("2024-1-5") breaks the field's pattern: saying also that it is no real date is wrong.
    misshapen = {tuple(error.absolute_path) for error in errors if error.validator == "pattern"}
    for error in errors:
        if error.validator == "format" and tuple(error.absolute_path) in misshapen:
            continue
        yield _describe(error)
    if len(found) > MAX_SCHEMA_PROBLEMS:
        yield Problem("", f"more than {MAX_SCHEMA_PROBLEMS} schema violations; only the first {MAX_SCHEMA_PROBLEMS} are listed",
                      "fix these and run kbtool lint again to see the rest")


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


@functools.lru_cache(maxsize=4)
def _registry(packaged: Path) -> Registry:
    """The metaschemas, and the one document a reference may reach besides the schema itself: kbtool's own schema."""
    own = json.loads(packaged.read_text(encoding="utf-8"))
    identifier = own.get("$id") if isinstance(own, dict) else None

    def retrieve(uri: str) -> Resource:
        if isinstance(identifier, str) and uri.rstrip("#") == identifier.rstrip("#"):
            return Resource.from_contents(own)
        raise NoSuchResource(ref=uri)

    return SPECIFICATIONS.combine(Registry(retrieve=retrieve))


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_description(fix: str, error: ValidationError) -> str:
    """`fix`, then what the schema says the field holds (its `description`), when it says."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if not isinstance(description, str) or not description.strip():
        return fix
    text = " ".join(description.split())
    said = f"the schema says: {text if len(text) <= 160 else text[:159] + '…'}"
    return f"{fix}; {said}" if fix else said


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
        required = error.schema.get("required") if expected == "object" else None
        article = "an" if expected[:1] in "aeiou" else "a"
        fix = (f"write an object with {', '.join(json.dumps(key) for key in required)}" if isinstance(required, list) and required
               else f"write {article} {expected}" + (" (a number is written without quotes)" if expected in ("number", "integer")
                                                      and isinstance(error.instance, str) else ""))
        return Problem(pointer, f"{field} must be of type {expected}, not {_short(error.instance)}", _with_description(fix, error))
    if validator_name == "enum":
        choices = ", ".join(json.dumps(choice) for choice in error.validator_value)
        return Problem(pointer, f"{field} is {_short(error.instance)}, which is not one of {choices}")
    if validator_name == "format" and error.validator_value == "date":
        return Problem(pointer, f"{field} is {_short(error.instance)}, which is not a real calendar date", "write it as YYYY-MM-DD")
    if validator_name == "pattern":
        return Problem(pointer, f"{field} is {_short(error.instance)}, which does not match the pattern {error.validator_value}",
                       _with_description("", error) or "change it to match the pattern")
    if validator_name in ("minimum", "maximum"):
        return Problem(pointer, f"{field} is {error.instance}, outside the allowed range", f"it must be {'at least' if validator_name == 'minimum' else 'at most'} {error.validator_value}")
    if validator_name == "maxLength":
        return Problem(pointer, f"{field} is {len(error.instance):,} characters long; at most {error.validator_value:,} are allowed", "shorten it")
    if validator_name == "minLength":
        return Problem(pointer, f"{field} must not be empty")
    return Problem(pointer, f"{field}: {error.message}")

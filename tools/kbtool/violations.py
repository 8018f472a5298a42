"""Every violation of the record schema named: one problem per violation, pointing at the offending value.

The names come from jsonschema-rs's errors when every violation of the record is of a kind named here
alike from both libraries (`FAST_NAMED`), and from jsonschema's otherwise (`kbtool.naming_validator`,
imported only then): a lint of a KB whose invalid records break only those keywords never imports
jsonschema. Either way a record's problems are the same (a test compares the two on mutated records).
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterable, Iterator, NamedTuple

from kbtool.findings import Problem
from kbtool.records import make_pointer

#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200

#: The keywords whose violations jsonschema-rs's errors are named from. A record with a violation of any
#: other (anyOf, a format other than date, a keyword reached through $ref, ...) is named from jsonschema's.
FAST_NAMED = frozenset({"required", "additionalProperties", "type", "enum", "format", "pattern",
                        "minimum", "maximum", "maxLength", "minLength"})


class Violation(NamedTuple):
    """What naming a violation reads of it: the fields of jsonschema's ValidationError of the same names."""

    absolute_path: tuple  # path of the offending value in the record
    validator: str  # the keyword violated
    validator_value: Any  # that keyword's value in the schema
    instance: Any  # the offending value
    schema: dict  # the (sub)schema holding the keyword
    message: str


def named_by_jsonschema(validator: Any, data: Any) -> Iterator[Problem]:
    """The problems of `data` as jsonschema's `validator` (`kbtool.naming_validator`) finds them."""
    found = list(itertools.islice(validator.iter_errors(data), MAX_SCHEMA_PROBLEMS + 1))
    yield from _named(found[:MAX_SCHEMA_PROBLEMS])
    if len(found) > MAX_SCHEMA_PROBLEMS:
        yield Problem("", f"more than {MAX_SCHEMA_PROBLEMS} schema violations; only the first {MAX_SCHEMA_PROBLEMS} are listed",
                      "fix these and run kbtool lint again to see the rest")


def named_by_jsonschema_rs(errors: Iterable[Any], schema: dict[str, Any], data: Any) -> list[Problem] | None:
    """The problems of `data` from jsonschema-rs's `errors` (its `iter_errors(data)`), named as
    `named_by_jsonschema` names jsonschema's; None when one is not of a kind in FAST_NAMED, or was reached
    through a reference (its schema path may then lie in another document), or there are more than
    MAX_SCHEMA_PROBLEMS (which of them are listed then depends on the order each library finds them in)."""
    found: list[Violation] = []
    for error in errors:
        keyword, schema_path = error.kind.name, list(error.schema_path)
        if len(found) == MAX_SCHEMA_PROBLEMS or keyword not in FAST_NAMED or schema_path[-1:] != [keyword] \
                or list(getattr(error, "evaluation_path", ())) != schema_path:
            return None
        holder, value = _at(schema, schema_path[:-1]), _at(data, error.instance_path)
        if not isinstance(holder, dict) or keyword not in holder or value is _MISSING \
                or (keyword == "format" and holder[keyword] != "date"):
            return None
        message = f"{error.kind.property!r} is a required property" if keyword == "required" else ""
        found.append(Violation(tuple(error.instance_path), keyword, holder[keyword], value, holder, message))
    return list(_named(found))


_MISSING = object()


def _at(document: Any, path: Iterable[str | int]) -> Any:
    """The value at `path` in a JSON document; _MISSING where there is none."""
    for token in path:
        if isinstance(document, dict) and isinstance(token, str) and token in document:
            document = document[token]
        elif isinstance(document, list) and type(token) is int and 0 <= token < len(document):
            document = document[token]
        else:
            return _MISSING
    return document


def _named(errors: list) -> Iterator[Problem]:
    errors = sorted(errors, key=lambda error: [str(token) for token in error.absolute_path])
    # A date in another form ("2024-1-5") breaks the field's pattern: saying also that it is no real date is wrong.
    misshapen = {tuple(error.absolute_path) for error in errors if error.validator == "pattern"}
    for error in errors:
        if error.validator == "format" and tuple(error.absolute_path) in misshapen:
            continue
        yield _describe(error)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_description(fix: str, error: Any) -> str:
    """`fix`, then what the schema says the field holds (its `description`), when it says."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if not isinstance(description, str) or not description.strip():
        return fix
    text = " ".join(description.split())
    said = f"the schema says: {text if len(text) <= 160 else text[:159] + '…'}"
    return f"{fix}; {said}" if fix else said


def _describe(error: Any) -> Problem:
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

"""Every violation of the record schema named: one problem per violation, pointing at the offending value.

The names come from jsonschema-rs's errors where the two libraries are known to find the same violations
(`fast_nameable`: a schema of draft 2020-12 using only the keywords of `FAST_NAMED`, applied through
`properties`, `items` and `additionalProperties`, whose patterns mean the same in both dialects; a record
without an empty key or a number JSON cannot hold), and from jsonschema's otherwise (`kbtool.naming_validator`,
imported only then): a lint of a KB of kbtool's schema never imports jsonschema. Either way a record's
problems are the same (a test compares the two on records broken at random).
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import re
from typing import Any, Iterable, Iterator, NamedTuple

from kbtool.findings import Problem
from kbtool.records import make_pointer

#: Violations listed per record; beyond this one finding says there are more.
MAX_SCHEMA_PROBLEMS = 200

#: The keywords whose violations jsonschema-rs's errors are named from.
FAST_NAMED = frozenset({"required", "additionalProperties", "type", "enum", "format", "pattern",
                        "minimum", "maximum", "maxLength", "minLength"})
#: What else a schema named from jsonschema-rs's errors may hold: the applicators that lead to those keywords, and
#: words that check nothing.
_FAST_SCHEMA_WORDS = FAST_NAMED | {"properties", "items", "$schema", "$id", "title", "description", "$comment",
                                   "default", "examples", "readOnly", "writeOnly", "deprecated"}
#: The draft jsonschema-rs is trusted with, to check a schema against its metaschema (`kbtool.schema`) and to name the
#: violations of its records: the one jsonschema applies to a schema that names it, or names none. (jsonschema-rs knows
#: spellings of other drafts' URIs that jsonschema does not, and would read such a schema as another draft.)
FAST_DRAFTS = ("https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#")
#: What a pattern must not hold to mean the same to jsonschema-rs (ECMA 262) and to RE2 (what jsonschema matches with
#: here): an escaped letter or digit other than \n, \t, \r and \f (class shorthands such as \s and \d differ on Unicode,
#: \b on words, \A and \z exist in one only), a group of another kind than (?:...) (flags, look-arounds, names), an
#: empty class; nor `.` outside a class (`_same_in_both_dialects`).
_DIALECT_BOUND = re.compile(r"\\(?![ntrf])[A-Za-z0-9]|\(\?(?!:)|\[\^?\]")


def fast_nameable(schema: Any) -> bool:
    """Whether the violations of a record of `schema` may be named from jsonschema-rs's errors: the schema is of
    draft 2020-12, holds only `_FAST_SCHEMA_WORDS` (schemas under `properties`, `items` and `additionalProperties`),
    `format` only as "date", no empty property name, and patterns that mean the same in both regex dialects."""
    if not isinstance(schema, dict) or schema.get("$schema", FAST_DRAFTS[0]) not in FAST_DRAFTS:
        return False
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict) or not _FAST_SCHEMA_WORDS.issuperset(node):
            return False
        if "format" in node and node["format"] != "date" or "pattern" in node and not _same_in_both_dialects(node["pattern"]):
            return False
        properties = node.get("properties", {})
        if not isinstance(properties, dict) or "" in properties:
            return False
        stack.extend(properties.values())
        stack.extend(node[key] for key in ("items", "additionalProperties") if key in node)
    return True


def _same_in_both_dialects(pattern: Any) -> bool:
    if not isinstance(pattern, str) or _DIALECT_BOUND.search(pattern):
        return False
    outside_classes = re.sub(r"\\.|\[(?:\\.|[^\]\\])*\]", "", pattern)  # escapes and classes taken out
    return "." not in outside_classes


def fast_named_record(data: Any) -> bool:
    """Whether jsonschema-rs sees `data` as jsonschema does: no empty key (left out of jsonschema-rs's paths) and no
    number JSON cannot hold (infinite or NaN, which jsonschema-rs takes for null), anywhere in it."""
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            if "" in node:
                return False
            stack.extend(node.values())
        elif type(node) is list:
            stack.extend(node)
        elif type(node) is float and not math.isfinite(node):
            return False
        elif not (node is None or type(node) in (str, int, float, bool)):
            return False  # a value JSON has no word for (a tuple, say): each library takes it in its own way
    return True


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
    `named_by_jsonschema` names jsonschema's, for a `schema` that is `fast_nameable` and a record that is
    `fast_named_record` (the caller's to ask); None when one is not of a kind in FAST_NAMED or not where its
    schema path says, or there are more than MAX_SCHEMA_PROBLEMS (which of them are listed then depends on the
    order each library finds them in)."""
    found: list[Violation] = []
    for error in errors:
        keyword, schema_path = error.kind.name, list(error.schema_path)
        if len(found) == MAX_SCHEMA_PROBLEMS or keyword not in FAST_NAMED or schema_path[-1:] != [keyword]:
            return None
        holder, value = _at(schema, schema_path[:-1]), _at(data, error.instance_path)
        if not isinstance(holder, dict) or keyword not in holder or value is _MISSING:
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
        missing = _required_name(error.message)
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


_REQUIRED = " is a required property"


def _required_name(message: str) -> str:
    """The property jsonschema's message of a `required` violation names (`'name' is a required property`, the name
    as Python writes a string: quoted with " when it holds a ')."""
    if message.endswith(_REQUIRED):
        try:
            name = ast.literal_eval(message[: -len(_REQUIRED)])
        except (ValueError, SyntaxError):
            return message
        if isinstance(name, str):
            return name
    return message

"""jsonschema's validator of the record schema, and the schema checked against its metaschema.

Imported only when needed: records are confirmed valid, and most violations named, from jsonschema-rs
(`kbtool.violations`), and most schemas checked by jsonschema-rs's metaschema check (`kbtool.schema`), so
a run does not pay for importing jsonschema unless a record holds a violation only jsonschema names
alike. The schema's patterns are matched with RE2 here (`kbtool.linear`): a pattern cannot make a run spin.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend, validator_for
from jsonschema_specifications import REGISTRY as SPECIFICATIONS
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from kbtool.linear import linear_search as _matches


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

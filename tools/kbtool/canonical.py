"""The canonical text of a record: schema key order, two-space indent, real UTF-8, one trailing newline.

Key order follows the schema at every level that the schema describes (the record itself,
the items of `versions`, `dead_ends`, `workarounds`, `sources`, the `transition_graph` and
its edges, ...): known keys in the schema's order, unknown keys after them in their own
order. Objects the schema leaves open (`os_specific`) keep their order. Values are never
changed: parsing the canonical text gives back exactly the data it was made from.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from kbtool.schema import PACKAGED_SCHEMA, load_schema

# A lone surrogate (only possible inside a string, from a `\ud800` escape) cannot be written as UTF-8:
# it is written back as the escape it came from.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=4)
def _record_schema(path: Path) -> dict[str, Any]:
    return load_schema(path)


def _order(value: Any, schema: Any) -> Any:
    if isinstance(value, dict):
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        if not isinstance(properties, dict):
            properties = {}
        result = {key: _order(value[key], properties[key]) for key in properties if key in value}
        extra = schema.get("additionalProperties") if isinstance(schema, dict) else None
        for key, item in value.items():
            if key not in result:
                result[key] = _order(item, extra if isinstance(extra, dict) else {})
        return result
    if isinstance(value, list):
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        return [_order(item, items if isinstance(items, dict) else {}) for item in value]
    return value


def ordered(data: dict[str, Any], schema_path: Path = PACKAGED_SCHEMA) -> dict[str, Any]:
    """`data` with keys in schema order (`$schema` first) at every level, unknown keys kept after the known ones."""
    return _order(data, _record_schema(schema_path))


def canonical_text(data: dict[str, Any], schema_path: Path = PACKAGED_SCHEMA) -> str:
    """The one canonical serialisation of a record."""
    text = json.dumps(ordered(data, schema_path), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)

"""The canonical text of a record: schema key order, two-space indent, real UTF-8, one trailing newline."""

from __future__ import annotations

import json
from typing import Any

from kbtool.schema import known_keys


def ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Keys in schema order (`$schema` first), unknown keys kept after the known ones in their own order."""
    order = known_keys()
    result = {key: data[key] for key in order if key in data}
    result.update((key, value) for key, value in data.items() if key not in result)
    return result


def canonical_text(data: dict[str, Any]) -> str:
    """The one canonical serialisation of a record."""
    return json.dumps(ordered(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n"

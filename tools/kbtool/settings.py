"""One frozen settings object: `[tool.kbtool]` in the KB root's pyproject.toml, then environment, then flags.

This module is the only place that reads the clock ("today").
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from kbtool.findings import Severity
    from kbtool.suppressions import Suppression

DEFAULT_STALE_DAYS = 365
TODAY_ENVIRONMENT_VARIABLE = "KBTOOL_TODAY"


class UsageError(Exception):
    """A mistake in the command line or configuration: exit status 2."""


@dataclass(frozen=True)
class Settings:
    """Everything a lint run depends on besides the files themselves."""

    root: Path
    today: dt.date
    stale_days: int = DEFAULT_STALE_DAYS
    select: frozenset[str] = frozenset()  # rule codes; empty means all
    ignore: frozenset[str] = frozenset()  # rule codes
    strict: bool = False
    config: dict[str, Any] = field(default_factory=dict)  # the raw [tool.kbtool] table
    severities: Mapping[str, Severity] = field(default_factory=dict)  # rule code → severity from [tool.kbtool.severity]
    suppressions: tuple[Suppression, ...] = ()  # [[tool.kbtool.suppress]], applied by the lint engine


def parse_date(text: str, what: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: '{text}' is not a date; write it as YYYY-MM-DD") from None


def resolve_today(flag: str | None) -> dt.date:
    """`--today`, else $KBTOOL_TODAY, else the system clock."""
    if flag:
        return parse_date(flag, "--today")
    from_environment = os.environ.get(TODAY_ENVIRONMENT_VARIABLE)
    if from_environment:
        return parse_date(from_environment, TODAY_ENVIRONMENT_VARIABLE)
    return dt.date.today()


def find_root(explicit: Path | None, start: Path | None = None) -> Path:
    """`--root`, else the nearest folder upward from `start` that has an `entries/` folder."""
    if explicit is not None:
        root = explicit.expanduser()
        if not root.is_dir():
            raise UsageError(f"--root {explicit}: no such folder")
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "entries").is_dir():
            return candidate
    raise UsageError(
        f"no knowledge base found: neither {here} nor any folder above it has an 'entries/' folder; "
        "run kbtool inside a KB or pass --root DIR")


def read_config(root: Path) -> dict[str, Any]:
    """The `[tool.kbtool]` table of `root/pyproject.toml` ({} when absent)."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: cannot read the configuration: {error}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise UsageError(f"{path}: cannot read the configuration: values are nested too deeply") from None
    table = document.get("tool", {}).get("kbtool", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.kbtool] must be a table")
    return table

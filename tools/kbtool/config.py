"""Building the Settings object: `[tool.kbtool]`, then environment, then flags (flags win)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from kbtool.rules import find_rule
from kbtool.settings import DEFAULT_STALE_DAYS, Settings, UsageError, find_root, read_config, resolve_today

CONFIG_KEYS = {"stale-days", "select", "ignore"}


def resolve_rule_codes(names: Iterable[str], where: str) -> frozenset[str]:
    """Rule names or codes → codes; an unknown one is a usage error naming it."""
    codes = set()
    for name in names:
        found = find_rule(name)
        if found is None:
            raise UsageError(f"{where}: unknown rule '{name}'; 'kbtool rules' lists them")
        codes.add(found.code)
    return frozenset(codes)


def _string_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise UsageError(f"{where} must be a list of rule names")


def build_settings(*, root: Path | None, today: str | None = None, stale_days: int | None = None,
                   strict: bool = False, select: list[str] | None = None, ignore: list[str] | None = None) -> Settings:
    kb_root = find_root(root)
    config = read_config(kb_root)
    where = f"{kb_root / 'pyproject.toml'} [tool.kbtool]"
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key '{unknown[0]}'; known keys: {', '.join(sorted(CONFIG_KEYS))}")
    configured_stale = config.get("stale-days", DEFAULT_STALE_DAYS)
    if not isinstance(configured_stale, int) or isinstance(configured_stale, bool) or configured_stale < 0:
        raise UsageError(f"{where}: stale-days must be a whole number of days, not {configured_stale!r}")
    select_codes = resolve_rule_codes(select or _string_list(config.get("select", []), f"{where} select"),
                                      "--select" if select else f"{where} select")
    ignore_codes = resolve_rule_codes(ignore or _string_list(config.get("ignore", []), f"{where} ignore"),
                                      "--ignore" if ignore else f"{where} ignore")
    return Settings(
        root=kb_root,
        today=resolve_today(today),
        stale_days=configured_stale if stale_days is None else stale_days,
        select=select_codes,
        ignore=ignore_codes,
        strict=strict,
        config=config,
    )

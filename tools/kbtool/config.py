"""Building the Settings object: `[tool.kbtool]`, then environment, then flags (flags win).

Keys of `[tool.kbtool]` in the KB root's pyproject.toml::

    [tool.kbtool]
    stale-days = 365                      # days after last_confirmed before a record is stale
    select = ["schema", "KB201"]          # only these rules (names or codes); default: all
    ignore = ["stale-soon"]               # skip these rules

    [tool.kbtool.severity]                # per-rule severity: error, warning, info or off
    stale-entry = "error"
    verdict-inconsistent = "off"

    [[tool.kbtool.suppress]]              # silence rules on some records, with a reason
    ids = ["tensorflow/tflite-*"]
    rules = ["stale-entry"]
    reason = "re-verification scheduled with the TFLite 2.17 release"
    expires = 2027-01-31

An unknown key, rule name or severity is a usage error (exit 2) that names the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from kbtool.findings import Severity
from kbtool.rules import find_rule
from kbtool.settings import DEFAULT_STALE_DAYS, Settings, UsageError, find_root, read_config, resolve_today
from kbtool.suppressions import CONFIG_FILE_NAME, parse_suppressions

CONFIG_KEYS = {"stale-days", "select", "ignore", "severity", "suppress"}
#: What `[tool.kbtool.severity]` accepts; "off" turns the rule off.
SEVERITY_CHOICES = ("error", "warning", "info", "off")


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


def _config_text(root: Path) -> str:
    """pyproject.toml's text, for line numbers in messages ("" when absent; read_config reports read errors)."""
    try:
        return (root / CONFIG_FILE_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _key_label(path: Path, text: str, table: str, key: str) -> str:
    """`path:LINE: [table] key` — the line of `key = ...` inside `[table]` when it can be found."""
    in_table = False
    assignment = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    header = re.compile(r"^\s*\[{1,2}\s*([^\]]+?)\s*\]{1,2}")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1).replace(" ", "").replace('"', "")
            in_table = current == table
            if current == f"{table}.{key}":  # a sub-table such as [tool.kbtool.severity]
                return f"{path}:{number}: [{table}] {key}"
            continue
        if in_table and assignment.match(line):
            return f"{path}:{number}: [{table}] {key}"
    return f"{path}: [{table}] {key}"


def _severities(value: Any, path: Path, text: str) -> tuple[dict[str, Severity], frozenset[str]]:
    """`[tool.kbtool.severity]` → (rule code → severity, codes turned off)."""
    if not isinstance(value, dict):
        raise UsageError(f"{_key_label(path, text, 'tool.kbtool', 'severity')}: must be a table of rule = \"error\"|\"warning\"|\"info\"|\"off\"")
    severities: dict[str, Severity] = {}
    off: set[str] = set()
    for name, choice in value.items():
        where = _key_label(path, text, "tool.kbtool.severity", name)
        found = find_rule(name)
        if found is None:
            raise UsageError(f"{where}: unknown rule '{name}'; 'kbtool rules' lists them")
        if not isinstance(choice, str) or choice.strip().lower() not in SEVERITY_CHOICES:
            raise UsageError(f"{where}: unknown severity {choice!r}; choose one of {', '.join(SEVERITY_CHOICES)}")
        choice = choice.strip().lower()
        if choice == "off":
            off.add(found.code)
        else:
            severities[found.code] = Severity(choice)
    return severities, frozenset(off)


def build_settings(*, root: Path | None, today: str | None = None, stale_days: int | None = None,
                   strict: bool = False, select: list[str] | None = None, ignore: list[str] | None = None) -> Settings:
    kb_root = find_root(root)
    config = read_config(kb_root)
    config_path = kb_root / CONFIG_FILE_NAME
    text = _config_text(kb_root) if config else ""
    where = f"{config_path} [tool.kbtool]"
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise UsageError(f"{_key_label(config_path, text, 'tool.kbtool', unknown[0])}: unknown key '{unknown[0]}'; "
                         f"known keys: {', '.join(sorted(CONFIG_KEYS))}")
    configured_stale = config.get("stale-days", DEFAULT_STALE_DAYS)
    if not isinstance(configured_stale, int) or isinstance(configured_stale, bool) or configured_stale < 0:
        raise UsageError(f"{_key_label(config_path, text, 'tool.kbtool', 'stale-days')}: must be a whole number of days, "
                         f"not {configured_stale!r}")
    select_codes = resolve_rule_codes(select or _string_list(config.get("select", []), f"{where} select"),
                                      "--select" if select else f"{where} select")
    ignore_codes = resolve_rule_codes(ignore or _string_list(config.get("ignore", []), f"{where} ignore"),
                                      "--ignore" if ignore else f"{where} ignore")
    severities, off_codes = _severities(config.get("severity", {}), config_path, text)
    if select:  # a rule named on the command line runs even when the file turns it off
        off_codes -= resolve_rule_codes(select, "--select")
    suppressions = parse_suppressions(config.get("suppress", []), text, config_path, find_rule) if "suppress" in config else ()
    return Settings(
        root=kb_root,
        today=resolve_today(today),
        stale_days=configured_stale if stale_days is None else stale_days,
        select=select_codes,
        ignore=ignore_codes | off_codes,
        strict=strict,
        config=config,
        severities=severities,
        suppressions=suppressions,
    )

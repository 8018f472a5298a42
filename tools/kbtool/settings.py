"""One frozen settings object: `[tool.kbtool]` in the KB root's pyproject.toml, then environment, then flags.

This module is the only place that reads the clock ("today"). Keys of `[tool.kbtool]`::

    [tool.kbtool]
    stale-days = 365                      # days after last_confirmed before a record is stale
    select = ["schema", "KB201"]          # only these rules (names or codes); default: all
    ignore = ["stale-soon"]               # skip these rules

    [tool.kbtool.severity]                # per-rule severity: error, warning, info or off
    stale-entry = "error"
    verdict-inconsistent = "off"

    [[tool.kbtool.suppress]]              # silence rules on some records, with a reason
    ids = ["tensorflow/tflite-*"]         # an id or a glob of ids (`*`, `?`, `[...]`), or a list
    rules = ["stale-entry"]               # rule names or codes
    reason = "re-verification scheduled with the TFLite 2.17 release"
    expires = 2027-01-31                  # optional; a TOML date or "YYYY-MM-DD"

An unknown key, rule name or severity, a suppression without a reason or with a malformed date, is a
usage error (exit 2) that names the file, the line and the key. Suppressions are applied, and held to
account (`unused-suppression`, `expired-suppression`), by the filters of `kbtool.filters`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from kbtool.errors import UsageError
from kbtool.kb import find_root

if TYPE_CHECKING:
    from kbtool.findings import Severity

DEFAULT_STALE_DAYS = 365
TODAY_ENVIRONMENT_VARIABLE = "KBTOOL_TODAY"
CONFIG_FILE_NAME = "pyproject.toml"
CONFIG_KEYS = {"stale-days", "select", "ignore", "severity", "suppress"}
#: What `[tool.kbtool.severity]` accepts; "off" turns the rule off.
SEVERITY_CHOICES = ("error", "warning", "info", "off")
SUPPRESSION_KEYS = ("ids", "rules", "reason", "expires")


@dataclass(frozen=True)
class Suppression:
    """One `[[tool.kbtool.suppress]]` table."""

    index: int  # 0-based position among the suppressions
    ids: tuple[str, ...]  # record ids or glob patterns (`*`, `?`, `[...]`)
    rules: tuple[str, ...]  # rule codes, in the order written
    rule_names: tuple[str, ...]  # the rules as written (names or codes)
    reason: str
    expires: dt.date | None = None
    line: int = 1  # line of the table in pyproject.toml
    rule_lines: tuple[int, ...] = ()  # line of each item of `rules`

    @property
    def pointer(self) -> str:
        """Where the suppression sits in the pyproject.toml document (RFC 6901 over its TOML data)."""
        return f"/tool/kbtool/suppress/{self.index}"

    def describe(self) -> str:
        ids = ", ".join(f"'{pattern}'" for pattern in self.ids)
        return f"the suppression #{self.index + 1} (ids {ids})"

    def matches(self, entry_id: str | None) -> bool:
        return entry_id is not None and any(fnmatch.fnmatchcase(entry_id, pattern) for pattern in self.ids)

    def expired(self, today: dt.date) -> bool:
        """Past its expiry date: the date itself is the last day it still suppresses."""
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Settings:
    """Everything a lint run depends on besides the files themselves."""

    root: Path
    today: dt.date
    stale_days: int = DEFAULT_STALE_DAYS
    select: frozenset[str] = frozenset()  # rule codes; empty means all
    ignore: frozenset[str] = frozenset()  # rule codes
    strict: bool = False
    severities: Mapping[str, Severity] = field(default_factory=dict)  # rule code → severity from [tool.kbtool.severity]
    suppressions: tuple[Suppression, ...] = ()  # [[tool.kbtool.suppress]], applied by kbtool.filters


# --- today and the KB root ---------------------------------------------------------------------------

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


# --- reading pyproject.toml --------------------------------------------------------------------------

def read_config(root: Path) -> dict[str, Any]:
    """The `[tool.kbtool]` table of `root/pyproject.toml` ({} when absent)."""
    path = root / CONFIG_FILE_NAME
    if not path.is_file():
        return {}
    import tomllib  # here: most KBs have no configuration, and a `kbtool match` does not wait for the import

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


_HEADER = re.compile(r"^\s*\[{1,2}\s*([^\]]+?)\s*\]{1,2}")
_ANY_HEADER = re.compile(r"^\s*\[{1,2}\s*[A-Za-z_]")


class TomlLines:
    """Line numbers in a pyproject.toml text, for messages (tomllib gives values, not lines)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def key_line(self, table: str, key: str) -> int | None:
        """The line of `key = ...` inside `[table]`, or of the sub-table `[table.key]`."""
        assignment = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
        in_table = False
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER.match(line)
            if header:
                name = header.group(1).replace(" ", "").replace('"', "")
                if name == f"{table}.{key}":
                    return number
                in_table = name == table
            elif in_table and assignment.match(line):
                return number
        return None

    def array_table_spans(self, table: str) -> list[tuple[int, int]]:
        """(first line, last line) of every `[[table]]` in order (a header with nothing after it but a comment)."""
        header = re.compile(r"^\s*\[\[\s*" + r"\s*\.\s*".join(map(re.escape, table.split("."))) + r"\s*\]\]\s*(?:#.*)?$")
        spans = []
        for number, line in enumerate(self.lines, start=1):
            if header.match(line):
                end = number
                while end < len(self.lines) and not _ANY_HEADER.match(self.lines[end]):
                    end += 1
                spans.append((number, end))
        return spans

    def string_line(self, span: tuple[int, int], name: str) -> int:
        """The line of the string `name` (double- or single-quoted) within `span`; else its first line."""
        for number in range(span[0], span[1] + 1):
            if f'"{name}"' in self.lines[number - 1] or f"'{name}'" in self.lines[number - 1]:
                return number
        return span[0]

    def label(self, path: Path, table: str, key: str) -> str:
        """`path:LINE: [table] key`, without the line when it cannot be found."""
        line = self.key_line(table, key)
        return f"{path}:{line}: [{table}] {key}" if line else f"{path}: [{table}] {key}"


def _find_rule(name: str):
    """`kbtool.rules.find_rule`, imported on first use: the registry imports every rule (and the regex
    machinery), which commands that name no rule, such as `match`, need not load."""
    from kbtool.rules import find_rule

    return find_rule(name)


def resolve_rule_codes(names: Iterable[str], where: str) -> frozenset[str]:
    """Rule names or codes → codes; an unknown one is a usage error naming it."""
    codes = set()
    for name in names:
        found = _find_rule(name)
        if found is None:
            raise UsageError(f"{where}: unknown rule '{name}'; 'kbtool rules' lists them")
        codes.add(found.code)
    return frozenset(codes)


def _rule_list(value: Any, where: str) -> list[str]:
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


def _severities(value: Any, path: Path, lines: TomlLines) -> tuple[dict[str, Severity], frozenset[str]]:
    """`[tool.kbtool.severity]` → (rule code → severity, codes turned off)."""
    from kbtool.findings import Severity  # here: a `kbtool match` has no use for findings

    if not isinstance(value, dict):
        raise UsageError(f"{lines.label(path, 'tool.kbtool', 'severity')}: must be a table of rule = \"error\"|\"warning\"|\"info\"|\"off\"")
    severities: dict[str, Severity] = {}
    off: set[str] = set()
    for name, choice in value.items():
        where = lines.label(path, "tool.kbtool.severity", name)
        found = _find_rule(name)
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


def _strings(value: Any, where: str, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise UsageError(f"{where}: '{what}' must be a non-empty string or list of non-empty strings, not {value!r}")
    return [item.strip() for item in value]


def _expiry(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise UsageError(f"{where}: 'expires' must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise UsageError(f"{where}: 'expires' is {value!r}, which is not a date; write it as YYYY-MM-DD")


def parse_suppressions(value: Any, lines: TomlLines, config_path: Path) -> tuple[Suppression, ...]:
    """Validate the `suppress` array of `[tool.kbtool]`: unknown keys, rules, missing reasons and
    malformed dates are usage errors naming the suppression, its line and the key."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise UsageError(f"{config_path}: [tool.kbtool] suppress must be an array of tables, written [[tool.kbtool.suppress]]")
    spans = lines.array_table_spans("tool.kbtool.suppress")
    suppressions = []
    for index, table in enumerate(value):
        span = spans[index] if index < len(spans) else None
        line = span[0] if span else 1
        where = (f"{config_path}:{line}: [[tool.kbtool.suppress]] #{index + 1}" if span
                 else f"{config_path}: [tool.kbtool] suppress #{index + 1}")
        unknown = sorted(set(table) - set(SUPPRESSION_KEYS))
        if unknown:
            raise UsageError(f"{where}: unknown key '{unknown[0]}'; known keys: {', '.join(SUPPRESSION_KEYS)}")
        for required in ("ids", "rules", "reason"):
            if required not in table:
                raise UsageError(f"{where}: '{required}' is required"
                                 + (" (say why the findings are acceptable)" if required == "reason" else ""))
        ids = _strings(table["ids"], where, "ids")
        names = _strings(table["rules"], where, "rules")
        codes = []
        for name in names:
            found = _find_rule(name)
            if found is None:
                raise UsageError(f"{where}: 'rules' names the unknown rule '{name}'; 'kbtool rules' lists them")
            codes.append(found.code)
        reason = table["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise UsageError(f"{where}: 'reason' must say why the findings are acceptable, not {reason!r}")
        rule_lines = tuple(lines.string_line(span, name) if span else line for name in names)
        suppressions.append(Suppression(
            index=index, ids=tuple(ids), rules=tuple(codes), rule_names=tuple(names), reason=reason.strip(),
            expires=_expiry(table.get("expires"), where), line=line, rule_lines=rule_lines))
    return tuple(suppressions)


#: The longest stale threshold (a hundred years): dates computed from it stay within the calendar.
MAX_STALE_DAYS = 36_500


def build_settings(*, root: Path | None, today: str | None = None, stale_days: int | None = None,
                   strict: bool = False, select: list[str] | None = None, ignore: list[str] | None = None) -> Settings:
    """The settings of one run: the KB root's `[tool.kbtool]`, then the environment, then these flags."""
    kb_root = find_root(root)
    config = read_config(kb_root)
    config_path = kb_root / CONFIG_FILE_NAME
    lines = TomlLines(_config_text(kb_root) if config else "")
    unknown = sorted(set(config) - CONFIG_KEYS)
    if unknown:
        raise UsageError(f"{lines.label(config_path, 'tool.kbtool', unknown[0])}: unknown key '{unknown[0]}'; "
                         f"known keys: {', '.join(sorted(CONFIG_KEYS))}")
    configured_stale = config.get("stale-days", DEFAULT_STALE_DAYS)
    if not isinstance(configured_stale, int) or isinstance(configured_stale, bool) or not 0 <= configured_stale <= MAX_STALE_DAYS:
        raise UsageError(f"{lines.label(config_path, 'tool.kbtool', 'stale-days')}: must be a whole number of days "
                         f"from 0 to {MAX_STALE_DAYS:,}, not {configured_stale!r}")
    if stale_days is not None and not 0 <= stale_days <= MAX_STALE_DAYS:
        raise UsageError(f"--stale-days {stale_days}: give a number of days from 0 to {MAX_STALE_DAYS:,} (a hundred years)")
    # Like every other configuration error, a bad `select` or `ignore` names its line: path:LINE: [tool.kbtool] select
    select_where, ignore_where = (lines.label(config_path, "tool.kbtool", key) for key in ("select", "ignore"))
    select_codes = resolve_rule_codes(select or _rule_list(config.get("select", []), select_where),
                                      "--select" if select else select_where)
    ignore_codes = resolve_rule_codes(ignore or _rule_list(config.get("ignore", []), ignore_where),
                                      "--ignore" if ignore else ignore_where)
    severities, off_codes = _severities(config.get("severity", {}), config_path, lines)
    if select:  # a rule named on the command line runs even when the file turns it off
        off_codes -= resolve_rule_codes(select, "--select")
    suppressions = parse_suppressions(config.get("suppress", []), lines, config_path) if "suppress" in config else ()
    return Settings(
        root=kb_root,
        today=resolve_today(today),
        stale_days=configured_stale if stale_days is None else stale_days,
        select=select_codes,
        ignore=ignore_codes | off_codes,
        strict=strict,
        severities=severities,
        suppressions=suppressions,
    )

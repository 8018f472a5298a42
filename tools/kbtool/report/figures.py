"""The figures of `kbtool report`, computed once from the knowledge base and one lint run.

Every renderer (plain text, rich tables, JSON, the HTML page) reads the one document that
`report_document` returns, so that the page, the terminal and tools see the same numbers, and the
findings per rule are those of `kbtool lint --statistics` (the same lint run, counted the same way).

Freshness is the age of `last_confirmed` on "today" against the stale threshold of the settings:
*stale* past the threshold (what `stale-entry` reports), *aging* past half of it, *fresh* otherwise;
a record without a readable `last_confirmed` is *undated*. Translation coverage counts, per domain,
the English fields with text whose `*_zh` counterpart is present and really Chinese (a list counts
when it has one Chinese string per English item).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from kbtool.findings import LintResult, Severity
from kbtool.kb import KnowledgeBase, load_knowledge_base
from kbtool.languages import detect_language
from kbtool.lint import check_knowledge_base
from kbtool.rules.freshness import record_date, stale_from
from kbtool.rules.graph import id_edges
from kbtool.schema import record_schema
from kbtool.settings import Settings

FORMAT_VERSION = 1
FRESHNESS_STATES = ("fresh", "aging", "stale", "undated")
#: The freshness chart shows this many months, the last one being the month of the newest
#: `last_confirmed`; older records are counted in one "earlier" bar.
MONTHS_SHOWN = 36
EARLIER = "earlier"
#: Rules whose findings say something about a record's regex, and what the report calls them.
REGEX_HEALTH = {"KB204": "too_broad", "KB206": "colliding", "KB205": "slow"}


@dataclass(frozen=True)
class Report:
    """The lint run and the knowledge base a report was computed from, and its figures."""

    result: LintResult
    kb: KnowledgeBase
    document: dict[str, Any]


def freshness_state(confirmed: dt.date | None, today: dt.date, stale_days: int) -> str:
    """fresh, aging, stale or undated (see the module's docstring)."""
    if confirmed is None:
        return "undated"
    age = (today - confirmed).days
    if age > stale_days:
        return "stale"
    if age > stale_days / 2:
        return "aging"
    return "fresh"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _chinese(value: Any) -> bool:
    return _has_text(value) and detect_language(value).is_chinese


def translation_counts(data: dict, pairs: tuple[tuple[str, str], ...]) -> tuple[int, int]:
    """(English fields with text, of those the ones whose `*_zh` counterpart is present and Chinese)."""
    expected = covered = 0
    for english_key, zh_key in pairs:
        english, translated = data.get(english_key), data.get(zh_key)
        if isinstance(english, list):
            if not english:
                continue
            expected += 1
            covered += (isinstance(translated, list) and len(translated) == len(english)
                        and all(_chinese(item) for item in translated))
        elif _has_text(english):
            expected += 1
            covered += _chinese(translated)
    return expected, covered


def has_sources(data: dict) -> bool:
    """Whether the record names any source: `sources`, `official_doc_url`, or a source of a dead end or workaround."""
    if data.get("sources") or _has_text(data.get("official_doc_url")):
        return True
    for key in ("dead_ends", "workarounds"):
        items = data.get(key)
        if isinstance(items, list) and any(isinstance(item, dict) and item.get("sources") for item in items):
            return True
    return False


def month_bars(months: Counter, shown: int = MONTHS_SHOWN) -> list[dict[str, Any]]:
    """Records per month of `last_confirmed`: every month from the first to the last (empty ones
    too, so the time axis is even), at most `shown` of them, the older ones lumped into "earlier"."""
    if not months:
        return []
    first, last = min(months), max(months)

    def index(month: str) -> int:
        year, number = month.split("-")
        return int(year) * 12 + int(number) - 1

    start = max(index(first), index(last) - shown + 1)
    bars = []
    earlier = sum(count for month, count in months.items() if index(month) < start)
    if earlier:
        bars.append({"month": EARLIER, "records": earlier})
    for position in range(start, index(last) + 1):
        month = f"{position // 12:04d}-{position % 12 + 1:02d}"
        bars.append({"month": month, "records": months.get(month, 0)})
    return bars


def rule_counts(result: LintResult) -> list[dict[str, Any]]:
    """One row per rule with findings: code, name, severity, count; most findings first, then by code
    (the rows of `kbtool lint --statistics`)."""
    counts = Counter(finding.code for finding in result.findings)
    first: dict[str, Any] = {}
    for finding in result.findings:
        first.setdefault(finding.code, finding)
    return [{"rule": code, "name": first[code].name, "severity": first[code].severity.value, "count": count}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _record_row(record, **extra: Any) -> dict[str, Any]:
    return {"id": record.entry_id or "", "path": record.relative_path, **extra}


def report_document(kb: KnowledgeBase, result: LintResult, settings: Settings) -> dict[str, Any]:
    """Every figure of the report as one JSON-ready document (the `--format json` contract, version 1)."""
    today, stale_days = settings.today, settings.stale_days
    pairs = record_schema(settings.root).translated_pairs
    records = list(kb.records)
    per_domain: dict[str, dict[str, int]] = {}
    tiers: Counter = Counter()
    states: Counter = Counter()
    months: Counter = Counter()
    due, without_sources, dangling = [], [], []
    edges = 0
    for record in records:
        data = record.data
        domain = data.get("domain") if isinstance(data.get("domain"), str) else "(none)"
        row = per_domain.setdefault(domain, {"records": 0, "expected": 0, "covered": 0})
        row["records"] += 1
        expected, covered = translation_counts(data, pairs)
        row["expected"] += expected
        row["covered"] += covered
        tier = data.get("verification_tier")
        tiers[tier if isinstance(tier, str) else "(none)"] += 1
        confirmed = record_date(data, "last_confirmed")
        state = freshness_state(confirmed, today, stale_days)
        states[state] += 1
        if confirmed is not None:
            months[confirmed.isoformat()[:7]] += 1
        if state in ("stale", "aging"):
            due.append(_record_row(record, last_confirmed=confirmed.isoformat(), age_days=(today - confirmed).days,
                                   state=state, stale_on=_iso(stale_from(confirmed, stale_days))))
        if not has_sources(data):
            without_sources.append(_record_row(record))
        for edge in id_edges(data):
            edges += 1
            if edge.target not in kb.by_id:
                dangling.append(_record_row(record, kind=edge.kind, target=edge.target))
    due.sort(key=lambda row: (row["last_confirmed"], row["id"]))
    findings_by_rule = rule_counts(result)
    regex_records: dict[str, set[str]] = {name: set() for name in REGEX_HEALTH.values()}
    for finding in result.findings:
        if finding.code in REGEX_HEALTH:
            regex_records[REGEX_HEALTH[finding.code]].add(finding.path)
    return {
        "version": FORMAT_VERSION,
        "today": today.isoformat(),
        "stale_days": stale_days,
        "records": len(records),
        "files": len(kb.files),
        "domains": [{"domain": domain, "records": row["records"],
                     "translation": {"fields": row["expected"], "translated": row["covered"],
                                     "share": round(row["covered"] / row["expected"], 4) if row["expected"] else None}}
                    for domain, row in sorted(per_domain.items())],
        "verification_tiers": [{"tier": tier, "records": count}
                               for tier, count in sorted(tiers.items(), key=lambda item: (-item[1], item[0]))],
        "freshness": {
            "states": {state: states.get(state, 0) for state in FRESHNESS_STATES},
            "by_month": month_bars(months),
            "due": due,
        },
        "findings": {
            "by_rule": findings_by_rule,
            "by_severity": {severity.value: sum(1 for finding in result.findings if finding.severity is severity)
                            for severity in Severity},
        },
        "without_sources": without_sources,
        "graph": {"records": len(records), "edges": edges, "dangling": dangling},
        "regex": {name: sorted(paths) for name, paths in regex_records.items()},
        "summary": {"files": result.files, "entries": result.entries, "errors": result.errors, "warnings": result.warnings},
    }


def build_report(settings: Settings, progress: Callable[[int, int], None] | None = None) -> Report:
    """Load the KB at `settings.root`, lint all of it once, and compute the report's figures."""
    kb = load_knowledge_base(settings.root)
    findings = check_knowledge_base(kb, settings, progress=progress)
    result = LintResult(findings=findings, files=len(kb.files), entries=sum(1 for _ in kb.records), root=settings.root)
    return Report(result=result, kb=kb, document=report_document(kb, result, settings))

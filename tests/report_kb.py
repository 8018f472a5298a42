"""A generated KB of a few hundred records for the `kbtool report` tests, and figures computed from it
here, independently of kbtool (from the generator's own choices, not by reading the records back)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from conftest import TODAY, clean_record, write_record

DOMAINS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")
TIERS = ("imported", "extracted", "community", "verified")
STALE_DAYS = 365
ROWS_SHOWN = 50  # kbtool.report.html.TABLE_ROWS_SHOWN, restated: the test says what the page promises


@dataclass
class GeneratedKb:
    root: Path
    records: int = 0
    per_domain: dict[str, int] = field(default_factory=dict)
    translated: dict[str, tuple[int, int]] = field(default_factory=dict)  # domain -> (fields, translated)
    months: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=lambda: {"fresh": 0, "aging": 0, "stale": 0, "undated": 0})
    without_sources: int = 0
    edges: int = 0
    dangling: int = 0

    @property
    def month_span(self) -> int:
        """Months from the oldest to the newest last_confirmed, both included (the freshness chart's bars, up to 36)."""
        first, last = min(self.months), max(self.months)
        span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
        return min(span, 36) + (1 if span > 36 else 0)


def generate_kb(root: Path, count: int = 300, seed: int = 12) -> GeneratedKb:
    """`count` records over DOMAINS with varied dates, tiers, translations, sources and graph edges."""
    chooser = random.Random(seed)
    today = dt.date.fromisoformat(TODAY)
    kb = GeneratedKb(root=root)
    base = clean_record()
    previous_message = ("", "")
    for number in range(count):
        domain = DOMAINS[number % len(DOMAINS)]
        record = dict(base)
        record["id"] = f"{domain}/generated-error-{number:04d}"
        record["domain"] = domain
        word = "".join(chooser.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
        record["signature"] = f"{domain.title()}Error: the {word} stage {number} refused the input batch"
        record["regex"] = rf"{domain.title()}Error: the {word} stage \d+ refused the input batch"
        record["error_code"] = None
        if number % 50 == 23:  # the same message as the record before: the two regexes collide
            record["signature"], record["regex"] = previous_message
        previous_message = (record["signature"], record["regex"])
        if number % 50 == 11:  # a regex that claims every error: too broad, and colliding with the others
            record["regex"] = "Error"
        record["verification_tier"] = TIERS[number % len(TIERS)]
        age = chooser.randrange(0, 900)
        confirmed = today - dt.timedelta(days=age)
        record.update(first_seen=(confirmed - dt.timedelta(days=30)).isoformat(), last_confirmed=confirmed.isoformat(),
                      last_updated=confirmed.isoformat())
        kb.months[confirmed.isoformat()[:7]] = kb.months.get(confirmed.isoformat()[:7], 0) + 1
        kb.states["stale" if age > STALE_DAYS else "aging" if age > STALE_DAYS / 2 else "fresh"] += 1
        # translations: three English fields (signature, root_cause, workarounds); translate some of them
        fields, translated = kb.translated.get(domain, (0, 0))
        keep = number % 4  # 0: none, 1: signature only, 2: + root cause, 3: all three
        for key in ("signature_zh", "root_cause_zh", "workarounds_zh"):
            record.pop(key, None)
        if keep >= 1:
            record["signature_zh"] = f"{domain}错误：第{number}阶段拒绝了输入批次"
        if keep >= 2:
            record["root_cause_zh"] = "输入批次的形状与该阶段期望的不一致，因此被拒绝。"
        if keep >= 3:
            record["workarounds_zh"] = ["使用有代表性的数据集进行校准。" for _ in record["workarounds"]]
        kb.translated[domain] = (fields + 3, translated + min(keep, 3))
        # sources: every fifth record has none at all
        if number % 5 == 0:
            record["official_doc_url"] = None
            record.pop("sources", None)
            record["dead_ends"] = [dict(item, sources=[]) for item in record["dead_ends"]]
            record["workarounds"] = [dict(item, sources=[]) for item in record["workarounds"]]
            kb.without_sources += 1
        else:
            record["official_doc_url"] = f"https://docs.example.org/{domain}/{number}"
        # graph: a link to the previous record; every 25th one to a record that does not exist
        leads_to = []
        if number:
            previous = DOMAINS[(number - 1) % len(DOMAINS)]
            leads_to.append({"error_id": f"{previous}/generated-error-{number - 1:04d}"})
        if number % 25 == 7:
            leads_to.append({"error_id": f"{domain}/no-such-record-{number}"})
            kb.dangling += 1
        kb.edges += len(leads_to)
        record["transition_graph"] = {"leads_to": leads_to, "preceded_by": [], "frequently_confused_with": []}
        write_record(root, record)
        kb.records += 1
        kb.per_domain[domain] = kb.per_domain.get(domain, 0) + 1
    return kb

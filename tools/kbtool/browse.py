"""`kbtool show` and `kbtool list`: finding one's way in the KB.

`show` prints one record as a person reads it (signature, root cause, what not to try and why, what
works and how, sources, dates and freshness); `list` prints one line per record, filtered. Both have
a JSON form for tools. Every value from a record goes through `kbtool.display.visible`.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kbtool.display import json_text, path_from_here, visible
from kbtool.errors import UsageError
from kbtool.files import real_location
from kbtool.kb import ENTRIES_DIR, KnowledgeBase
from kbtool.records import RecordFile
from kbtool.report.figures import freshness_state, translation_counts
from kbtool.rules.freshness import STALE_SOON_DAYS, record_date, stale_from
from kbtool.schema import record_schema
from kbtool.settings import Settings


def find_record(kb: KnowledgeBase, entry_id: str) -> RecordFile:
    """The record with id `entry_id`, or in the file at that path (from the KB root or from here, or the file its
    id names); a usage error naming close ids otherwise, or saying why the file named is not a record."""
    found = kb.by_id.get(entry_id)
    if found:
        return found[0]
    here = real_location(entry_id)
    root = Path(os.path.realpath(kb.root))
    meant = [entry_id, f"{ENTRIES_DIR}/{entry_id}.json", *([here.relative_to(root).as_posix()] if here.is_relative_to(root) else [])]
    record = next((kb.by_path[path] for path in meant if path in kb.by_path), None)
    if record is None and here.is_file():
        raise UsageError(f"{entry_id}: not a record file of the KB at {kb.root} (records are its "
                         f"{ENTRIES_DIR}/<domain>/<slug>.json files)")
    if record is not None and record.data is None:
        problem = record.problems[0].message if record.problems else "not a record"
        raise UsageError(f"{record.relative_path}: not a readable record ({problem}); "
                         f"'kbtool lint {path_from_here(record.path)}' says where and what to do")
    if record is not None:
        return record
    close = difflib.get_close_matches(entry_id, list(kb.by_id), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'kbtool list' lists the records"
    raise UsageError(f"no record has the id '{entry_id}'{hint}")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def freshness(data: dict, settings: Settings) -> dict[str, Any]:
    """State (fresh, aging, stale, undated), age in days and the day the record goes stale."""
    confirmed = record_date(data, "last_confirmed")
    state = freshness_state(confirmed, settings.today, settings.stale_days)
    if confirmed is None:
        return {"state": state, "age_days": None, "stale_on": None, "stale_soon": False}
    stale_on = stale_from(confirmed, settings.stale_days)
    days_left = (stale_on - settings.today).days if stale_on is not None else None
    return {"state": state, "age_days": (settings.today - confirmed).days, "stale_on": stale_on.isoformat() if stale_on else None,
            "stale_soon": days_left is not None and 0 < days_left <= STALE_SOON_DAYS}


def sources_of(data: dict) -> list[str]:
    """Every source the record names: its documentation, `sources`, and those of dead ends and workarounds."""
    found: list[str] = []
    if _text(data.get("official_doc_url")):
        found.append(data["official_doc_url"].strip())
    for item in data.get("sources") or []:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            found.append(url.strip())
    for key in ("dead_ends", "workarounds"):
        for item in _items(data.get(key)):
            found.extend(source for source in item.get("sources") or [] if isinstance(source, str) and source.strip())
    return list(dict.fromkeys(found))


def record_view(record: RecordFile, settings: Settings) -> dict[str, Any]:
    """What `show` prints, as a JSON-ready document."""
    data = record.data or {}
    return {
        "id": record.entry_id, "path": record.relative_path,
        "domain": _text(data.get("domain")), "category": _text(data.get("category")),
        "signature": _text(data.get("signature")), "regex": _text(data.get("regex")),
        "root_cause": _text(data.get("root_cause")),
        "dead_ends": [{"action": _text(item.get("action")), "why_fails": _text(item.get("why_fails"))}
                      for item in _items(data.get("dead_ends"))],
        "workarounds": [{"action": _text(item.get("action")), "how": _text(item.get("how"))}
                        for item in _items(data.get("workarounds"))],
        "sources": sources_of(data),
        "dates": {key: _text(data.get(key)) or None for key in ("first_seen", "last_confirmed", "last_updated")},
        "freshness": freshness(data, settings),
        "verification_tier": _text(data.get("verification_tier")) or None,
    }


def _indented(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + visible(line) for line in text.splitlines()) if text else prefix + "(none)"


def write_record_text(view: dict[str, Any], stream: TextIO) -> None:
    """One record as a person reads it."""
    fresh = view["freshness"]
    dates = view["dates"]
    stream.write(f"{visible(view['id'])}  ({visible(view['path'])})\n")
    stream.write(f"{visible(view['domain'])} / {visible(view['category'])}, {visible(view['verification_tier'] or 'no tier')}\n\n")
    stream.write(f"Signature\n{_indented(view['signature'])}\n\nRoot cause\n{_indented(view['root_cause'])}\n\n")
    stream.write("Do not try\n")
    for index, item in enumerate(view["dead_ends"], start=1):
        stream.write(f"  {index}. {visible(item['action'])}\n{_indented('why it fails: ' + item['why_fails'], '     ')}\n")
    if not view["dead_ends"]:
        stream.write("    (none recorded)\n")
    stream.write("\nWhat works\n")
    for index, item in enumerate(view["workarounds"], start=1):
        stream.write(f"  {index}. {visible(item['action'])}\n{_indented(item['how'], '     ')}\n")
    if not view["workarounds"]:
        stream.write("    (none recorded)\n")
    stream.write("\nSources\n" + ("".join(f"    {visible(url)}\n" for url in view["sources"]) or "    (none)\n"))
    age = "" if fresh["age_days"] is None else f", confirmed {fresh['age_days']} days ago" + (
        f", stale on {fresh['stale_on']}" if fresh["stale_on"] else "")
    stream.write(f"\nDates\n    first seen {dates['first_seen']}, last confirmed {dates['last_confirmed']}, "
                 f"last updated {dates['last_updated']}\n    {fresh['state']}{age}\n")


@dataclass(frozen=True)
class ListFilter:
    """What `list` keeps; every given criterion must hold."""

    domain: str | None = None
    category: str | None = None
    stale: bool = False
    stale_soon: bool = False
    missing_translation: bool = False
    with_findings_of: frozenset[str] | None = None  # paths with findings of the chosen rule (None: no filter)


def list_rows(kb: KnowledgeBase, settings: Settings, chosen: ListFilter) -> list[dict[str, Any]]:
    """One row per record that `chosen` keeps, by id."""
    pairs = record_schema(settings.root).translated_pairs
    rows = []
    for record in sorted(kb.records, key=lambda item: (item.entry_id or "", item.relative_path)):
        data = record.data
        fresh = freshness(data, settings)
        fields, translated = translation_counts(data, pairs)
        if (chosen.domain and _text(data.get("domain")) != chosen.domain) \
                or (chosen.category and _text(data.get("category")) != chosen.category) \
                or (chosen.stale and fresh["state"] != "stale") or (chosen.stale_soon and not fresh["stale_soon"]) \
                or (chosen.missing_translation and translated == fields) \
                or (chosen.with_findings_of is not None and record.relative_path not in chosen.with_findings_of):
            continue
        rows.append({"id": record.entry_id, "path": record.relative_path, "domain": _text(data.get("domain")),
                     "category": _text(data.get("category")), "last_confirmed": _text(data.get("last_confirmed")) or None,
                     "freshness": fresh["state"], "translated": f"{translated}/{fields}",
                     "signature": _text(data.get("signature"))})
    return rows


def write_list_text(rows: list[dict[str, Any]], stream: TextIO) -> None:
    """One line per record: id, last confirmed, freshness, signature (cut to fit one line)."""
    width = max([len(visible(row["id"] or "")) for row in rows] + [2])
    for row in rows:
        signature = " ".join(row["signature"].split())
        signature = signature if len(signature) <= 80 else signature[:79] + "…"
        stream.write(f"{visible(row['id'] or row['path']):<{width}}  {row['last_confirmed'] or '-':<10}  "
                     f"{row['freshness']:<7}  {visible(signature)}\n")
    stream.write(f"{len(rows)} record{'' if len(rows) == 1 else 's'}\n")


def write_json(document: Any, stream: TextIO) -> None:
    stream.write(json_text(document, indent=2) + "\n")


__all__ = ["ListFilter", "find_record", "list_rows", "record_view", "write_json", "write_list_text",
           "write_record_text"]

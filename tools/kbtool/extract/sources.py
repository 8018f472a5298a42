"""`kbtool extract --add-sources`: attach each article to the known records whose messages it quotes.

For every message an existing record's regex recognises, the article (its path, id, line of the message and
URL) is added to that record's `sources`, unless the record already lists the article; `last_updated` becomes
today. Nothing else of the record changes, and each file is replaced atomically (readers see the old file or
the new one). Without the flag `extract` only reports these records, as it always did.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from kbtool.canonical import canonical_text
from kbtool.extract.candidates import Extraction
from kbtool.kb import load_knowledge_base
from kbtool.records import read_record_file
from kbtool.writers import WriteRefused, atomic_write, kb_lock


@dataclass(frozen=True)
class SourceAdded:
    """One record that gained sources (or could not be written: `problem`)."""

    entry_id: str
    path: str  # the record file, relative to the KB root
    articles: tuple[str, ...]  # the article paths added
    problem: str | None = None


def add_sources(extraction: Extraction, root: Path, today: dt.date, dry_run: bool = False) -> list[SourceAdded]:
    """Add the articles of the extraction's known messages to the `sources` of their records."""
    wanted: dict[str, list[dict]] = {}
    for result in extraction.results:
        for message in result.messages:
            if message.status != "known" or message.entry_id is None:
                continue
            items = wanted.setdefault(message.entry_id, [])
            if all(item["path"] != result.path for item in items):
                items.append({"path": result.path, "id": result.id, "line": message.line, "url": result.url})
    if not wanted:
        return []
    kb = load_knowledge_base(root)
    done: list[SourceAdded] = []
    for entry_id in sorted(wanted):
        files = kb.by_id.get(entry_id) or []
        if len(files) != 1 or not isinstance(files[0].data, dict):
            continue  # a duplicate id or an unreadable record: lint reports it; nothing is guessed here
        record_file = files[0]
        if dry_run:
            added = _add_to(record_file.data, wanted[entry_id], entry_id, record_file.relative_path, today)
            if added is not None:
                done.append(added[0])
            continue
        try:
            with kb_lock(root):  # re-read inside the lock: another run may have changed the record meanwhile
                fresh = read_record_file(record_file.path, root)
                if not isinstance(fresh.data, dict) or fresh.problems:
                    continue  # lint reports what is wrong with it; nothing is rewritten that could lose data
                added = _add_to(fresh.data, wanted[entry_id], entry_id, record_file.relative_path, today)
                if added is None:
                    continue
                if added[1] is None:  # not updated: the result says why
                    done.append(added[0])
                    continue
                try:
                    atomic_write(record_file.path, canonical_text(added[1]), confine_to=root)
                except (WriteRefused, OSError) as error:
                    added = (SourceAdded(entry_id, record_file.relative_path, added[0].articles, str(error)), added[1])
        except WriteRefused as error:  # the lock could not be taken
            added = (SourceAdded(entry_id, record_file.relative_path, tuple(item["path"] for item in wanted[entry_id]),
                                 str(error)), None)
        done.append(added[0])
    return done


def _add_to(record: dict, wanted: list[dict], entry_id: str, relative_path: str,
            today: dt.date) -> tuple[SourceAdded, dict | None] | None:
    """The record with the `wanted` sources it does not list yet, or None when it lists them all; a `sources` that is
    there but not a list is left as it is (replacing it would lose it): the result says so, with no record."""
    data = json.loads(json.dumps(record))  # a copy; the record stays as it was read
    if "sources" in data and not isinstance(data["sources"], list):
        return SourceAdded(entry_id, relative_path, tuple(item["path"] for item in wanted),
                           f"its sources is {type(data['sources']).__name__}, not a list; not updated, since that would "
                           "lose it: make it a list (lint's schema rule says how), then run extract --add-sources again"), None
    sources = data.get("sources", [])
    listed = {item.get("path") for item in sources if isinstance(item, dict)} | \
             {item.get("url") for item in sources if isinstance(item, dict) and item.get("url")}
    new = [item for item in wanted if item["path"] not in listed and (not item["url"] or item["url"] not in listed)]
    if not new:
        return None
    data["sources"] = sources + new
    data["last_updated"] = max(today.isoformat(), str(data.get("last_updated") or ""))
    return SourceAdded(entry_id, relative_path, tuple(item["path"] for item in new)), data

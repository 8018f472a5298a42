"""`kbtool match`: which records recognise an error message (or a whole log)?

Every record's regex is untrusted, so all of them run through the bounded
matcher; a regex that overruns its time bound is reported, never waited for.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, TextIO

from kbtool.kb import KnowledgeBase, load_knowledge_base
from kbtool.records import as_dict, as_list, as_text
from kbtool.regex.matcher import BoundedMatcher, SearchJob
from kbtool.errors import UsageError

#: Longest text `match` reads (a log is searched as a whole).
MAX_TEXT_CHARACTERS = 1_000_000


@dataclass(frozen=True)
class MatchReport:
    matches: list[dict]  # the matching records' data, with their path
    timed_out: list[str]  # ids of records whose regex overran the time bound
    unreadable: int  # record files that could not be read (lint reports why)
    unreadable_reasons: tuple[str, ...] = ()  # "path: what is wrong", one per such file


def find_matches(kb: KnowledgeBase, text: str, matcher: BoundedMatcher) -> MatchReport:
    """Records of `kb` whose regex is found in `text`."""
    records = [record for record in kb.records if isinstance(record.data.get("regex"), str)]
    results = matcher.run([SearchJob(record.data["regex"], (text,)) for record in records])
    matches, timed_out = [], []
    for record, result in zip(records, results):
        if result.timed_out:
            timed_out.append(record.entry_id or record.relative_path)
        elif result.matches[0]:
            matches.append({"path": record.relative_path, **record.data})
    matches.sort(key=lambda data: (-_specificity(data), data["path"]))
    unreadable = [record for record in kb.files if record.data is None]
    reasons = tuple(f"{record.relative_path}: {record.problems[0].message if record.problems else 'not a record'}"
                    for record in unreadable)
    return MatchReport(matches, timed_out, len(unreadable), reasons)


def match_text(root: Path, text: str) -> MatchReport:
    """Load the KB at `root` and find the records whose regex recognises `text`."""
    kb = load_knowledge_base(root)
    with BoundedMatcher() as matcher:
        return find_matches(kb, text, matcher)


def _specificity(data: dict) -> int:
    """Longer regexes tend to be more specific: show them first."""
    return len(as_text(data.get("regex")))


def write_text_report(report: MatchReport, stream: TextIO) -> None:
    for data in report.matches:
        stream.write(f"{as_text(data.get('id')) or data['path']}  ({data['path']})\n")
        stream.write(f"  signature:  {' '.join(as_text(data.get('signature')).split())}\n")
        root_cause = " ".join(as_text(data.get("root_cause")).split())
        if root_cause:
            stream.write(f"  root cause: {root_cause}\n")
        for dead_end in as_list(data.get("dead_ends")):
            dead_end = as_dict(dead_end)
            if as_text(dead_end.get("action")).strip():
                stream.write(f"  don't:      {as_text(dead_end.get('action'))} ({' '.join(as_text(dead_end.get('why_fails')).split())})\n")
        for workaround in as_list(data.get("workarounds")):
            workaround = as_dict(workaround)
            if as_text(workaround.get("action")).strip():
                stream.write(f"  do:         {as_text(workaround.get('action'))}\n")
        stream.write("\n")
    count = len(report.matches)
    stream.write(f"{count} matching record{'' if count == 1 else 's'}\n")


def write_json_report(report: MatchReport, stream: TextIO) -> None:
    document = {
        "version": 1,
        "matches": [{"entry_id": data.get("id"), "path": data["path"], "signature": data.get("signature"),
                     "root_cause": data.get("root_cause"), "dead_ends": data.get("dead_ends", []),
                     "workarounds": data.get("workarounds", [])} for data in report.matches],
        "timed_out": report.timed_out,
        "unreadable_records": report.unreadable,
    }
    json.dump(document, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def read_query_text(message: Optional[str], file: Optional[Path]) -> str:
    """The message or log to look up: `message`, else the file, else standard input ('-' or nothing when piped)."""
    if message is not None and file is not None:
        raise UsageError("give the message as an argument or with --file, not both")
    if file is not None:
        try:
            with open(file, "rb") as handle:
                raw = handle.read(MAX_TEXT_CHARACTERS * 4 + 1)
        except OSError as error:
            raise UsageError(f"--file {file}: cannot be read: {error.strerror}") from None
        text = raw.decode("utf-8", errors="replace")
    elif message is None or message == "-":
        if message is None and sys.stdin.isatty():
            raise UsageError("no message: pass it as an argument, with --file LOG, or on standard input ('-')")
        text = sys.stdin.read(MAX_TEXT_CHARACTERS + 1)
    else:
        text = message
    if len(text) > MAX_TEXT_CHARACTERS:
        raise UsageError(f"the text is longer than {MAX_TEXT_CHARACTERS:,} characters; pass the part of the log around the error")
    if not text.strip():
        raise UsageError("the message is empty")
    return text

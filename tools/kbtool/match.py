"""`kbtool match`: which records recognise an error message (or a whole log)?

Every record's regex is untrusted, so all of them run through the bounded matcher, and only those
whose required literals occur in the text are run at all (`kbtool.regex.lookup`); a regex that
overruns its time bound is reported, never waited for. A pasted log is matched line by line, and the
results are grouped by the line they matched, best first (see `RegexLookup` for the ranking): the
error line outranks the chatter around it, because the right record shares the error's own words.
"""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Iterable, NamedTuple, Optional, Sequence, TextIO

from kbtool.cache import Cache
from kbtool.catalog import Catalog, CatalogEntry, load_catalog
from kbtool.display import json_text, lines_of, visible
from kbtool.errors import UsageError
from kbtool.records import as_dict, as_list, as_text
from kbtool.regex.lookup import RegexLookup, wording, wording_overlap
from kbtool.regex.matcher import BoundedMatcher

#: Longest text `match` reads (a log is searched line by line).
MAX_TEXT_CHARACTERS = 1_000_000
#: Lines of a log searched at most (the last ones: the error is usually at the end).
MAX_LINES = 20_000
#: Records listed as the closest when nothing matches.
CLOSEST = 3


class Match(NamedTuple):
    """A record that recognises one line of the text."""

    data: dict  # the record's data, with its path
    line: int  # 1-based line of the text it matched
    matched: str  # the text its regex matched


class MatchReport(NamedTuple):
    matches: list[Match]  # best first, each record once (under its best line)
    timed_out: list[str]  # ids of records whose regex overran the time bound
    unreadable: int  # record files that could not be read (lint reports why)
    unreadable_reasons: tuple[str, ...] = ()  # "path: what is wrong", one per such file
    closest: Sequence[dict] = ()  # when nothing matches: records sharing the most words
    milliseconds: float = 0.0  # time the search took


class _Lazy(Sequence):
    """An attribute of each catalog entry, read when first asked for (a lookup of one message needs the
    literal filters and messages of the few records whose required literals it holds); read of every
    entry at once (`Catalog.read_all`) for a caller that goes through them all."""

    def __init__(self, catalog: Catalog, entries: list[CatalogEntry], attribute: str, column: str) -> None:
        self.catalog = catalog
        self.entries = entries
        self.attribute = attribute
        self.column = column

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, number):
        return getattr(self.entries[number], self.attribute)

    def __iter__(self):
        self.catalog.read_all(self.column)
        return (getattr(entry, self.attribute) for entry in self.entries)

    def about_to_read(self, numbers: list[int]) -> None:
        """Read the attribute of the entries `numbers` at once (`kbtool.regex.lookup` is about to ask for it)."""
        self.catalog.read_all(self.column, {self.entries[number].part for number in numbers})


class KbMatcher:
    """The records of a KB (its catalog), indexed once, matched against any number of texts."""

    def __init__(self, catalog: Catalog, matcher: BoundedMatcher) -> None:
        self.catalog = catalog
        self.matcher = matcher
        self.entries = [entry for entry in catalog.entries if entry.regex is not None]
        self.lookup = RegexLookup([entry.regex for entry in self.entries], [entry.literal_sets for entry in self.entries],
                                  _Lazy(catalog, self.entries, "texts", "shared"),
                                  _Lazy(catalog, self.entries, "literal_filter", "filters"))
        self.unreadable_reasons = tuple(f"{entry.path}: {entry.problem}" for entry in catalog.entries if entry.problem)

    def match(self, text: str, closest: bool = True) -> MatchReport:
        """The records that recognise `text`; when none does and `closest`, the records sharing the most words."""
        started = time.perf_counter()
        lines = lines_of(text)
        numbered = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()][-MAX_LINES:]
        # A record whose message spans lines (a Go data race report) is searched for in the text as a whole too.
        whole = "\n".join(lines[numbered[0][0] - 1:]) if len(numbered) > 1 else None
        result = self.lookup.find([line for _, line in numbered], self.matcher, across=whole)
        matches, seen = [], set()
        for hit in result.hits:  # best first: each record under its best line
            if hit.number in seen:
                continue
            seen.add(hit.number)
            data = self._data(self.entries[hit.number])
            if data is None:
                continue  # changed into something unreadable since the catalog was read
            if hit.text == len(numbered):  # in the whole text: at the line of its first character that is no space
                matched = whole[hit.span[0]:hit.span[1]]
                start = hit.span[0] + len(matched) - len(matched.lstrip())
                matches.append(Match(data, numbered[0][0] + whole.count("\n", 0, start), matched.strip()))
                continue
            number, line = numbered[hit.text]
            matches.append(Match(data, number, line[hit.span[0]:hit.span[1]]))
        closest = self._closest(text) if closest and not matches else []
        return MatchReport(matches, [self.entries[n].entry_id or self.entries[n].path for n in result.timed_out],
                           len(self.unreadable_reasons), self.unreadable_reasons, closest,
                           (time.perf_counter() - started) * 1000)

    def _data(self, entry: CatalogEntry) -> dict | None:
        """The record of `entry` with its path, read now; None when it is no longer a record. (A field of the record
        named `path`, which the schema does not know, does not take the place of the file's path.)"""
        record = self.catalog.record(entry)
        if record.data is None:
            return None
        return {"path": entry.path, **{key: value for key, value in record.data.items() if key != "path"}}

    def _closest(self, text: str) -> list[dict]:
        """The records whose signature shares the most fixed words with `text` (none when none does)."""
        words = wording(text)
        self.catalog.read_all("shared")
        scored = sorted(((wording_overlap(words, self.lookup.wording(number)), number) for number in range(len(self.entries))),
                        key=lambda item: (-item[0], item[1]))
        found = (self._data(self.entries[number]) for overlap, number in scored[:CLOSEST] if overlap > 0)
        return [data for data in found if data is not None]


def match_text(root: Path, text: str, cache: Cache | None = None, matcher: BoundedMatcher | None = None) -> MatchReport:
    """Find the records of the KB at `root` whose regex recognises `text`, searched through `matcher` (a new
    one when None: one started ahead, `BoundedMatcher.start`, has its worker ready sooner)."""
    with nullcontext(matcher) if matcher is not None else BoundedMatcher() as searcher:
        searcher.start()  # the worker starts up while the catalog is read
        return KbMatcher(load_catalog(root, cache or Cache(None), lazy=True), searcher).match(text)


def match_batch(root: Path, queries: Iterable[str], stream: TextIO, cache: Cache | None = None,
                matcher: BoundedMatcher | None = None) -> int:
    """Match every query in one process, searched through `matcher` (as `match_text`); one JSON line per query
    on `stream`. The number of queries."""
    count = 0
    with nullcontext(matcher) if matcher is not None else BoundedMatcher() as searcher:
        # Not lazy: the queries of a batch wake records of every part of the catalog; read as they wake them, the
        # parts would slow the queries that come first (0.2-0.5 s each at 100,000 records, instead of 0.4 ms).
        session = KbMatcher(load_catalog(root, cache or Cache(None)), searcher)
        for count, query in enumerate(queries, start=1):
            report = session.match(query, closest=False)
            stream.write(json_text({"query": count, "milliseconds": round(report.milliseconds, 3),
                                    "matches": [_match_entry(match) for match in report.matches],
                                    "timed_out": report.timed_out}) + "\n")
    return count


def batch_queries(text: str, paragraphs: bool) -> list[str]:
    """One query per non-empty line, or per block of lines separated by blank lines (`paragraphs`)."""
    if not paragraphs:
        return [line for line in lines_of(text) if line.strip()]
    blocks, current = [], []
    for line in lines_of(text):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _match_entry(match: Match) -> dict:
    data = match.data
    return {"entry_id": data.get("id"), "path": data["path"], "line": match.line, "matched": match.matched,
            "signature": data.get("signature"), "root_cause": data.get("root_cause"),
            "dead_ends": data.get("dead_ends", []), "workarounds": data.get("workarounds", []),
            "official_doc_url": data.get("official_doc_url")}


def write_text_report(report: MatchReport, stream: TextIO) -> None:
    current_line = None
    for match in report.matches:
        data = match.data
        if match.line != current_line:
            current_line = match.line
            stream.write(f"== line {match.line}: {visible(match.matched[:200])}\n\n")
        stream.write(f"{visible(as_text(data.get('id')) or data['path'])}  ({visible(data['path'])})\n")
        stream.write(f"  signature:  {visible(' '.join(as_text(data.get('signature')).split()))}\n")
        root_cause = visible(" ".join(as_text(data.get("root_cause")).split()))
        if root_cause:
            stream.write(f"  root cause: {root_cause}\n")
        for dead_end in as_list(data.get("dead_ends")):
            dead_end = as_dict(dead_end)
            if as_text(dead_end.get("action")).strip():
                stream.write(f"  don't:      {visible(as_text(dead_end.get('action')))} "
                             f"({visible(' '.join(as_text(dead_end.get('why_fails')).split()))})\n")
        for workaround in as_list(data.get("workarounds")):
            workaround = as_dict(workaround)
            if as_text(workaround.get("action")).strip():
                stream.write(f"  do:         {visible(as_text(workaround.get('action')))}\n")
                how = " ".join(as_text(workaround.get("how")).split())
                if how:
                    stream.write(f"      how:    {visible(how[:500])}\n")
                for source in as_list(workaround.get("sources")):
                    if isinstance(source, str) and source.strip():
                        stream.write(f"      source: {visible(source)}\n")
        if as_text(data.get("official_doc_url")):
            stream.write(f"  docs:       {visible(as_text(data.get('official_doc_url')))}\n")
        stream.write("\n")
    count = len(report.matches)
    if count:
        stream.write(f"{count} matching record{'' if count == 1 else 's'}\n")
        return
    stream.write("no record recognises this message\n")
    if report.closest:
        stream.write("closest records (sharing the most words with it):\n")
        for data in report.closest:
            stream.write(f"  {visible(as_text(data.get('id')) or data['path'])}: "
                         f"{visible(' '.join(as_text(data.get('signature')).split())[:160])}\n")
    stream.write("if it is a new error, start a record: kbtool new-entry --signature \"<the message>\" --domain <tool>\n")


def write_json_report(report: MatchReport, stream: TextIO) -> None:
    document = {
        "version": 1,
        "matches": [_match_entry(match) for match in report.matches],
        "closest": [{"entry_id": data.get("id"), "path": data["path"], "signature": data.get("signature")}
                    for data in report.closest],
        "timed_out": report.timed_out,
        "unreadable_records": report.unreadable,
    }
    stream.write(json_text(document, indent=2))
    stream.write("\n")


def read_query_text(message: Optional[str], file: Optional[Path], option: str = "--file") -> str:
    """The message or log to look up: `message`, else the file (given with `option`), else standard input ('-' or
    nothing when piped)."""
    if message is not None and file is not None:
        raise UsageError("give the message as an argument or with --file, not both")
    if file is not None:
        try:
            with open(file, "rb") as handle:
                raw = handle.read(MAX_TEXT_CHARACTERS * 4 + 1)
        except OSError as error:
            raise UsageError(f"{option} {file}: cannot be read: {error.strerror}") from None
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

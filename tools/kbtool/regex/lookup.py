"""Which of many regexes recognise a text, found through the literal index and ranked as a maintainer would.

`RegexLookup` holds the regexes of a KB (with the required literals of each, and the messages of its
record: signature and aliases). `find` searches texts, usually the lines of a pasted log: each text is
read once by the literal index (`kbtool.regex.index`), and only the regexes whose required literals
all occur in it are run, through the bounded matcher. The result is exactly what trying every regex
on every text would give (a regex with no usable literal is tried on every text).

Ranking, best first (`Hit.key`):

1. how much of the record's own wording the text shares (`wording_overlap`: the fixed words of its
   signature and aliases, without names, numbers, paths and addresses): a regex anchored on the
   error's own words beats one that matched incidental text;
2. how much literal text the regex requires (a specific regex beats a generic one);
3. how long the matched span is;
4. the regex's position, so that ties are broken the same way every time.
"""

from __future__ import annotations

import re
from typing import Callable, Iterator, NamedTuple, Sequence

from kbtool.regex.index import LiteralIndex, could_match
from kbtool.regex.literals import LiteralFilter, filter_holds, fold
from kbtool.regex.matcher import BoundedMatcher, PairsJob, SearchJob, SearchResult

#: Texts per search job.
TEXTS_PER_JOB = 200
#: (regex, text) pairs per job of `search_pairs`, and characters of text they search at most (a job
#: stays far below its time bound, so that only a slow regex overruns it).
PAIRS_PER_JOB = 512
CHARACTERS_PER_JOB = 100_000

_VARYING = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|0x[0-9a-f]+|(?:[a-z]:)?[\\/][^\s:]+|\b\d[\d.,:x-]*\b")
_WORD = re.compile(r"[^\W_]+")


def wording(text: str) -> frozenset[str]:
    """The fixed words of a message: what stays when its names, numbers, paths and addresses change."""
    return frozenset(_WORD.findall(_VARYING.sub(" ", text.casefold())))


def wording_overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Jaccard overlap of two wordings (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def search_in_rounds(patterns: Sequence[str], texts: Sequence[str], candidates: dict[int, list[int]],
                     matcher: BoundedMatcher, *, spans: bool = False, done: Callable[[int], bool] = lambda number: False,
                     per_job: int = TEXTS_PER_JOB) -> Iterator[tuple[int, list[int], SearchResult]]:
    """Search each pattern (by number) in its candidate texts, one batch of `per_job` texts per pattern per
    round: (pattern number, the batch's text numbers, result). A pattern whose search overran its time bound
    or failed, or for which `done(number)` holds, is not tried again."""
    batches = {number: [found[start:start + per_job] for start in range(0, len(found), per_job)]
               for number, found in candidates.items() if found}
    dropped: set[int] = set()
    round_number = 0
    while True:
        work = [(number, batch[round_number]) for number, batch in batches.items()
                if round_number < len(batch) and number not in dropped and not done(number)]
        if not work:
            return
        results = matcher.run([SearchJob(patterns[number], tuple(texts[t] for t in chunk), spans=spans)
                               for number, chunk in work])
        for (number, chunk), result in zip(work, results):
            if result.timed_out or result.error:
                dropped.add(number)
            yield number, chunk, result
        round_number += 1


def _about_to_read(items: Sequence, numbers: list[int]) -> None:
    """Tell `items` (when it is read lazily: it has `about_to_read`) which of them are read next, so that it
    can read them all at once."""
    about_to_read = getattr(items, "about_to_read", None)
    if about_to_read is not None and numbers:
        about_to_read(numbers)


def search_pairs(patterns: Sequence[str], texts: Sequence[str], candidates: dict[int, list[int]],
                 matcher: BoundedMatcher, *, spans: bool = False) -> Iterator[tuple[int, list[int], SearchResult]]:
    """What `search_in_rounds` yields (a pattern's results may come in several parts), with many small
    searches sent to the worker in one job (`PairsJob`) instead of one job per pattern: a query of a
    few texts meets dozens of regexes, and a round trip to the worker costs more than a search. The
    pairs of a job that overran its time bound or met a pattern that does not compile are searched
    again one pattern at a time (`search_in_rounds`), so that the culprit alone is named."""
    pairs = sorted((text, number) for number, found in candidates.items() for text in found)
    retry: dict[int, list[int]] = {}
    chunks: list[list[tuple[int, int]]] = []
    characters = 0
    for text, number in pairs:
        if not chunks or len(chunks[-1]) >= PAIRS_PER_JOB or characters + len(texts[text]) > CHARACTERS_PER_JOB:
            chunks.append([])
            characters = 0
        chunks[-1].append((text, number))
        characters += len(texts[text])
    jobs = []
    for chunk in chunks:
        pattern_slot: dict[int, int] = {}
        text_slot: dict[int, int] = {}
        for text, number in chunk:
            pattern_slot.setdefault(number, len(pattern_slot))
            text_slot.setdefault(text, len(text_slot))
        jobs.append(PairsJob(tuple(patterns[number] for number in pattern_slot), tuple(texts[text] for text in text_slot),
                             tuple((pattern_slot[number], text_slot[text]) for text, number in chunk)))
    for chunk, result in zip(chunks, matcher.run(jobs)):
        if result.timed_out or result.cut_short or result.error:
            for text, number in chunk:
                retry.setdefault(number, []).append(text)
            continue
        by_pattern: dict[int, tuple[list[int], list]] = {}
        for (text, number), span in zip(chunk, result.spans or ()):
            found, found_spans = by_pattern.setdefault(number, ([], []))
            found.append(text)
            found_spans.append(span)
        for number, (found, found_spans) in by_pattern.items():
            yield number, found, SearchResult(tuple(span is not None for span in found_spans),
                                              spans=tuple(found_spans) if spans else None)
    yield from search_in_rounds(patterns, texts, retry, matcher, spans=spans)


def _lines_around(text: str, span: tuple[int, int]) -> str:
    """The whole lines of `text` that the match at `span` covers."""
    end = text.find("\n", span[1])
    return text[text.rfind("\n", 0, span[0]) + 1:len(text) if end < 0 else end]


class Hit(NamedTuple):
    """Regex `number` recognises text `text` at `span`."""

    number: int
    text: int
    span: tuple[int, int]
    overlap: float  # with the record's own wording
    literal: int  # characters of literal text the regex requires

    @property
    def key(self) -> tuple:
        return (-round(self.overlap, 6), -self.literal, -(self.span[1] - self.span[0]), self.number)


class LookupResult(NamedTuple):
    hits: list[Hit]  # every (regex, text) that matched, best first
    timed_out: list[int]  # regexes whose search overran the time bound


#: Texts a lookup checks against every regex's literals before it builds its index: for one message,
#: reading every regex's literals costs less than building the index.
SCAN_TEXTS = 8


class RegexLookup:
    """Regexes looked up by the literals they require, and ranked by how well they recognise a text."""

    def __init__(self, patterns: Sequence[str], literal_sets: Sequence[tuple[frozenset[str], ...]],
                 own_texts: Sequence[Sequence[str]], filters: Sequence[LiteralFilter | None] | None = None,
                 scan_texts: int = SCAN_TEXTS) -> None:
        self.patterns = list(patterns)
        self.scan_texts = scan_texts
        self.literal_sets = literal_sets
        self.filters = filters
        self.own_texts = own_texts
        self._index: LiteralIndex | None = None
        self._scanned = 0
        self._wordings: dict[int, frozenset[str]] = {}

    @property
    def index(self) -> LiteralIndex:
        if self._index is None:
            self._index = LiteralIndex(self.literal_sets, self.filters)
        return self._index

    def literal(self, number: int) -> int:
        """Characters of literal text regex `number` requires."""
        return sum(min(len(option) for option in options) for options in self.literal_sets[number])

    def wording(self, number: int) -> frozenset[str]:
        """The fixed words of regex `number`'s own messages (its record's signature and aliases)."""
        if number not in self._wordings:
            self._wordings[number] = frozenset().union(*(wording(text) for text in self.own_texts[number]))
        return self._wordings[number]

    def candidates(self, text: str) -> list[int]:
        """The regexes that could match `text`: those whose required literals all occur in it and that
        pass their literal filter, and those that cannot be looked up by literal and pass their filter."""
        folded = fold(text)
        if self._index is None and self._scanned < self.scan_texts:
            self._scanned += 1
            possible = [number for number, sets in enumerate(self.literal_sets) if could_match(sets, folded)]
            if self.filters is None:
                return possible
            _about_to_read(self.filters, possible)
            return [number for number in possible if filter_holds(self.filters[number] or (), folded)]
        return sorted(set(self.index.candidates(folded, unindexed=True)))

    def find(self, texts: Sequence[str], matcher: BoundedMatcher, across: str | None = None) -> LookupResult:
        """Every regex that matches one of `texts`, ranked (best first). `across` (a text of several lines, such as
        `texts` joined) is searched too, by the regexes whose literals it holds and no one of `texts` does: those
        of messages that span lines (a hit on it is text number `len(texts)`, ranked by the lines it covers)."""
        by_regex: dict[int, list[int]] = {}
        for text_number, text in enumerate(texts):
            for number in self.candidates(text):
                by_regex.setdefault(number, []).append(text_number)
        if across is not None:
            texts = [*texts, across]
            for number in set(self.candidates(across)).difference(by_regex):
                by_regex[number] = [len(texts) - 1]
        found: list[tuple[int, int, tuple[int, int]]] = []
        timed_out: set[int] = set()
        for number, chunk, result in search_pairs(self.patterns, texts, by_regex, matcher, spans=True):
            if result.timed_out or result.cut_short or result.error:
                timed_out.add(number)
                continue
            found.extend((number, text_number, span) for text_number, span in zip(chunk, result.spans or ()) if span is not None)
        _about_to_read(self.own_texts, [number for number, _, _ in found])
        hits: list[Hit] = []
        text_wordings: dict[int, frozenset[str]] = {}
        for number, text_number, span in found:
            if across is not None and text_number == len(texts) - 1:
                words = wording(_lines_around(across, span))
            else:
                if text_number not in text_wordings:
                    text_wordings[text_number] = wording(texts[text_number])
                words = text_wordings[text_number]
            hits.append(Hit(number, text_number, span, wording_overlap(words, self.wording(number)), self.literal(number)))
        hits.sort(key=lambda hit: hit.key)
        return LookupResult(hits, sorted(timed_out))

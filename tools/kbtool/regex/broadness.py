"""Regexes that name no specific error: a record's regex that claims messages of many errors.

Three measures, cheapest first:

1. *Generic texts*: the regex matches the empty string or one of `GENERIC_TEXTS` ("Error",
   "ValueError: ", "Traceback (most recent call last):", ...).
2. *What it requires*: everything every match must contain (`required_literal_sets`) is an
   exception or log-level name, punctuation and common words: nothing that names an error.
   `ValueError: \\w+`, `KeyError: '[^']{1,200}'` and `Error: .+` are such regexes.
3. *What it matches*: searched in a reference corpus of real, distinct error messages from many
   ecosystems (`reference/messages.jsonl`, its sources and licences in `reference/SOURCES.md`), it
   matches messages of several different errors. The corpus is looked up by the strings a regex
   requires (`TextIndex`), so only the messages that hold them are searched.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from kbtool.regex.generic import GENERIC_TEXTS, SEARCHED, first_generic_reason, first_hit, needs_generic_search
from kbtool.regex.index import TextIndex
from kbtool.regex.literals import LiteralFilter, branch_literal_sets, fold, required_literal_sets
from kbtool.regex.lookup import search_pairs, wording, wording_overlap
from kbtool.regex.matcher import BoundedMatcher, SearchJob

REFERENCE_MESSAGES = Path(__file__).parent / "reference" / "messages.jsonl"
#: A regex that matches messages of this many different errors of the reference corpus is too broad.
MIN_DIFFERENT_ERRORS = 3


#: A record whose signature is nothing but an exception name (`KeyboardInterrupt`, `MemoryError`) is
#: about that exception as a whole: its regex cannot require more than the name.
BARE_EXCEPTION_NAME = re.compile(r"(?:[A-Z][a-z0-9]+){2,}")


def too_broad_reasons(patterns: Sequence[str], matcher: BoundedMatcher,
                      literal_sets: Sequence[tuple[frozenset[str], ...]] | None = None,
                      own_texts: Sequence[Sequence[str]] | None = None,
                      branches: Sequence[Sequence[tuple[frozenset[str], ...]]] | None = None,
                      filters: Sequence[LiteralFilter] | None = None,
                      generic_hits: Sequence[int | None] | None = None) -> list[str | None]:
    """For each pattern, why it is too broad, or None.

    In order: it matches the empty string or one of `GENERIC_TEXTS`; what every match must contain
    names no error (`generic_requirement`); it matches messages of `MIN_DIFFERENT_ERRORS` different
    errors of the reference corpus. `own_texts[i]` are the signature and aliases of the pattern's
    record (their own error does not count, and a signature that is a bare exception name excuses
    the last two measures). Patterns that do not compile or overrun the time bound get None (other
    checks report them). `literal_sets` and `branches` (`required_literal_sets` and `branch_literal_sets` of
    each pattern) save parsing again; `filters` (`literal_filter` of each) narrow the corpus search;
    `generic_hits`, where a worker searched the generic texts already (`SearchJob.generic`), say what it found.
    """
    literal_sets = list(literal_sets) if literal_sets is not None else [required_literal_sets(p) for p in patterns]
    own_texts = list(own_texts) if own_texts is not None else [[] for _ in patterns]
    usable, reasons_text = _generic_text_reasons(patterns, matcher, literal_sets, generic_hits or [None] * len(patterns))
    excused = [bool(texts) and bool(BARE_EXCEPTION_NAME.fullmatch(texts[0].strip())) for texts in own_texts]
    requirement: dict[int, str] = {}
    for number, pattern in enumerate(patterns):
        if reasons_text[number] is None and usable[number] and not excused[number]:
            reason = generic_requirement(branches[number] if branches is not None else branch_literal_sets(pattern))
            if reason is not None:
                requirement[number] = reason
    remaining = [number for number in range(len(patterns))
                 if reasons_text[number] is None and usable[number] and not excused[number]]
    found = corpus_matches([patterns[n] for n in remaining], [literal_sets[n] for n in remaining], matcher,
                           [own_texts[n] for n in remaining], filters=[filters[n] for n in remaining] if filters is not None else None,
                           enough_only=[n not in requirement for n in remaining])
    for number, matches in zip(remaining, found):
        shown = "; ".join(_quoted(match.message) for match in matches)
        if number in requirement:  # name what it swallows too, when the corpus shows it
            reasons_text[number] = requirement[number] + (f"; it matches for instance {shown}" if matches else "")
        elif len(matches) >= MIN_DIFFERENT_ERRORS:
            reasons_text[number] = (f"it matches messages of {len(matches)} different errors of kbtool's reference "
                                    f"corpus of real messages: {shown}")
    return reasons_text


def _generic_text_reasons(patterns: Sequence[str], matcher: BoundedMatcher, literal_sets: Sequence[tuple[frozenset[str], ...]],
                          hits: Sequence[int | None]) -> tuple[list[bool], list[str | None]]:
    """Whether each pattern's search of the empty string and the generic texts (`SEARCHED`) finished (or was not
    needed: `needs_generic_search`), and why that makes it too broad; `hits[i]`, where not None, is the first of those
    texts a worker found it matches (-1: none)."""
    usable, reasons = [True] * len(patterns), [first_generic_reason(hit) for hit in hits]
    to_match = [number for number, hit in enumerate(hits) if hit is None and needs_generic_search(literal_sets[number])]
    for number, result in zip(to_match, matcher.run([SearchJob(patterns[number], SEARCHED) for number in to_match])):
        usable[number] = result.error is None and not result.timed_out
        reasons[number] = first_generic_reason(first_hit(result.matches)) if usable[number] else None
    return usable, reasons


# --------------------------------------------------------------------------------------------
# What a regex requires

#: Words that name no error by themselves: function words, log levels and the vocabulary every error
#: message shares. Words that do name a kind of error together ("file not found", "unknown type name")
#: are not here: whether a regex built of them is too broad is for the reference corpus to show.
COMMON_WORDS = frozenset("""
a an the and or not no nor of to in on at by for from with as is are was were be been being it its this that
these those there has have had do does did can could should would will may might must than then if but so any
all some each other only error errors err exception exceptions warning warnings warn fatal critical info
debug trace notice panic failed fail fails failure unable invalid unknown unexpected cannot can't couldn't
""".split())
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@functools.lru_cache(maxsize=1)
def _generic_class_names() -> frozenset[str]:
    """Exception class names that every runtime raises for thousands of errors (`ValueError`,
    `RuntimeException`): they say what kind of error, not which. A specific one
    (`InvalidAliasNameException`) does name an error."""
    return frozenset(text.casefold().rstrip(": ") for text in GENERIC_TEXTS
                     if re.fullmatch(r"[A-Z]\w+: ?", text) or re.fullmatch(r"[A-Z][a-z]+[A-Z]\w+", text))


def names_an_error(text: str) -> bool:
    """Whether `text` holds a word that is neither a generic class or log-level name nor a common word
    (nor a number of fewer than four digits)."""
    generic = _generic_class_names()
    if sum(char.isdigit() for char in text) >= 5:  # a long number or a run of numbers (a phone number, a size) is specific
        return True
    for word in _WORD.findall(text.casefold()):
        if word in COMMON_WORDS or word in generic or (word.isdigit() and len(word) < 4) or len(word) == 1:
            continue  # a short number is a status or exit code that many errors share; a long one is specific
        return True
    return False


def generic_requirement(branches: Sequence[Sequence[frozenset[str]]]) -> str | None:
    """Why a regex identifies no error, from the required literal sets of each of its alternatives
    (`branch_literal_sets`); None when every alternative requires a text that names an error. An
    alternative with no required literal at all is left to the other measures."""
    for literal_sets in branches:
        if not literal_sets or any(all(names_an_error(option) for option in options) for options in literal_sets):
            continue
        shown = " and ".join("|".join(repr(option) for option in sorted(options)[:3]) for options in literal_sets[:3])
        where = "" if len(branches) == 1 else "one of its alternatives requires only "
        return (f"{where or 'all that every match must contain is '}{shown}: an exception or log-level name, "
                "punctuation and common words, which name no particular error")
    return None


# --------------------------------------------------------------------------------------------
# What a regex matches in the reference corpus


@dataclass(frozen=True)
class ReferenceMessage:
    message: str
    error: str  # identity: messages with one key are occurrences of one error


@functools.lru_cache(maxsize=1)
def reference_messages() -> tuple[ReferenceMessage, ...]:
    """The reference corpus shipped with kbtool."""
    with open(REFERENCE_MESSAGES, encoding="utf-8") as handle:  # its lines read as one JSON array: one call to the parser
        rows = json.loads("[" + ",".join(line for line in handle if line.strip()) + "]")
    return tuple(ReferenceMessage(row["message"], row["error"]) for row in rows)


@functools.lru_cache(maxsize=1)
def _reference_index() -> TextIndex:
    """The reference corpus's messages, folded (`fold`), looked up by the strings regexes require (one index for
    the run: which messages hold a common string is found once)."""
    return TextIndex([fold(reference.message) for reference in reference_messages()])


@functools.lru_cache(maxsize=8192)
def _message_wording(message: str) -> frozenset[str]:
    """The `wording` of a message of the corpus (worked out once: the regexes of a KB match many of the same)."""
    return wording(message)


#: Two messages whose fixed words (`kbtool.regex.lookup.wording`) overlap this much are one error.
SAME_ERROR_OVERLAP = 0.5


def same_wording(first: frozenset[str], second: frozenset[str]) -> bool:
    if not first or not second:
        return first == second
    return wording_overlap(first, second) >= SAME_ERROR_OVERLAP


def corpus_matches(patterns: Sequence[str], literal_sets: Sequence[tuple[frozenset[str], ...]], matcher: BoundedMatcher,
                   own_texts: Sequence[Sequence[str]] = (), corpus: Sequence[ReferenceMessage] | None = None,
                   enough: int = MIN_DIFFERENT_ERRORS, filters: Sequence[LiteralFilter] | None = None,
                   enough_only: Sequence[bool] | None = None) -> list[list[ReferenceMessage]]:
    """For each pattern, one message of each different error of the corpus that it matches, the first
    `enough` in the corpus's order. Two messages are one error when they share their identity key or
    most of their fixed wording; messages worded like the pattern's own texts (`own_texts[i]`: its
    record's signature and aliases) are its own error and do not count. A regex whose search overran
    its time bound keeps the matches found before. A pattern marked in `enough_only` matters only with
    `enough` matches: when the messages it could match (its candidates) are of fewer different errors, it
    is not searched and gets none (most regexes of a KB: 1,262 of the 1,702 of the 2,522 imported records
    that have a candidate)."""
    index = _reference_index() if corpus is None else TextIndex([fold(reference.message) for reference in corpus])
    corpus = reference_messages() if corpus is None else corpus
    candidates = dict(enumerate(index.candidates(literal_sets, filters if filters is not None else [None] * len(patterns))))
    if enough_only is not None:
        candidates = {number: found for number, found in candidates.items()
                      if not enough_only[number] or len({corpus[message].error for message in found}) >= enough}
    # Every candidate pair searched, many to a job (a regex's candidates are few: searching them all costs less
    # than a round trip to the worker per regex); then each regex's matches taken in the corpus's order.
    matched: dict[int, list[int]] = {}
    for number, batch, result in search_pairs(patterns, [reference.message for reference in corpus], candidates, matcher):
        matched.setdefault(number, []).extend(message for message, hit in zip(batch, result.matches) if hit)
    found: list[list[tuple[ReferenceMessage, frozenset[str]]]] = [[] for _ in patterns]
    for number, messages in matched.items():  # (the few regexes that match a message of the corpus)
        own = [wording(text) for text in own_texts[number]] if number < len(own_texts) else []
        for message_number in sorted(messages):
            reference = corpus[message_number]
            words = _message_wording(reference.message)
            if any(same_wording(words, mine) for mine in own):
                continue
            if any(reference.error == other.error or same_wording(words, other_words)
                   for other, other_words in found[number]):
                continue
            found[number].append((reference, words))
            if len(found[number]) >= enough:
                break
    return [[reference for reference, _ in matches] for matches in found]


def _quoted(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")

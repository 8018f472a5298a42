"""Which record regexes match other records' messages, found without trying every pair.

Trying every regex on every signature is quadratic: 10^10 searches for 100,000 records.
Instead, each regex's parse tree gives strings that every match must contain
(`required_literal_sets`). An Aho-Corasick automaton over those strings reads every
(case-folded) signature and alias once and yields, per text, the regexes that could
match it; the other required strings of the regex filter the candidates further. Only
the candidate pairs are searched, through the `BoundedMatcher`, in batches. Regexes
with no usable literal are searched against every text, up to a fixed budget; the rest
are reported as unchecked rather than silently skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import ahocorasick

from kbtool.kb import KnowledgeBase, as_dict, as_list, as_text
from kbtool.records import RecordFile
from kbtool.regexes import BoundedMatcher, SearchJob, required_literal_sets
from kbtool.regex_shapes import MIN_LITERAL_LENGTH

#: Texts per search job: small enough that one job stays well inside the matcher's time bound.
TEXTS_PER_JOB = 200
#: Regex-text pairs searched for regexes that have no literal to narrow the search.
FALLBACK_PAIR_BUDGET = 5_000_000


@dataclass(frozen=True)
class Text:
    """One message of a record: its signature or one of its aliases."""

    record: RecordFile
    pointer: str  # "/signature" or "/aliases/N"

    @property
    def field(self) -> str:
        return "signature" if self.pointer == "/signature" else f"alias {self.pointer.rsplit('/', 1)[-1]}"


@dataclass(frozen=True)
class Collision:
    """`regex_record`'s regex matches `text`, a message of another record."""

    regex_record: RecordFile
    text: Text


@dataclass
class CrossMatch:
    collisions: list[Collision] = field(default_factory=list)
    timeouts: dict[str, list[Text]] = field(default_factory=dict)  # regex owner path -> texts being searched
    unchecked: dict[str, str] = field(default_factory=dict)  # regex owner path -> why it was not checked
    candidate_pairs: int = 0
    fallback_regexes: int = 0


def record_texts(record: RecordFile) -> list[Text]:
    """The record's non-empty signature and aliases."""
    data = record.data or {}
    texts = [Text(record, "/signature")] if as_text(data.get("signature")) else []
    texts += [Text(record, f"/aliases/{index}") for index, alias in enumerate(as_list(data.get("aliases")))
              if as_text(alias)]
    return texts


def text_value(text: Text) -> str:
    data = text.record.data or {}
    if text.pointer == "/signature":
        return as_text(data.get("signature"))
    return as_text(as_list(data.get("aliases"))[int(text.pointer.rsplit("/", 1)[-1])])


def confused_ids(record: RecordFile) -> set[str]:
    """Ids listed under `transition_graph.frequently_confused_with`."""
    graph = as_dict((record.data or {}).get("transition_graph"))
    return {as_text(as_dict(item).get("error_id")) for item in as_list(graph.get("frequently_confused_with"))}


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def cross_match(kb: KnowledgeBase, matcher: BoundedMatcher, regex_records: list[RecordFile],
                fallback_budget: int = FALLBACK_PAIR_BUDGET,
                literal_sets: dict[str, tuple[frozenset[str], ...]] | None = None) -> CrossMatch:
    """Every message of another record that one of `regex_records`' regexes matches.

    `regex_records` must have a regex that compiles (callers leave out catastrophic ones).
    A pair is skipped when either record lists the other as frequently confused with it,
    or when both records carry the same id (that is `duplicate-id`'s business). `literal_sets`
    (by record path, when the caller has them) saves parsing the regexes again.
    """
    texts: list[Text] = [text for record in kb.records for text in record_texts(record)]
    folded = [text_value(text).casefold() for text in texts]
    result = CrossMatch()

    known = literal_sets or {}
    literal_sets = [known[record.relative_path] if record.relative_path in known
                    else required_literal_sets(as_text(record.data.get("regex"))) for record in regex_records]
    indexed = [index for index, sets in enumerate(literal_sets)
               if sets and min(len(text) for text in sets[0]) >= MIN_LITERAL_LENGTH]
    fallback = [index for index, sets in enumerate(literal_sets)
                if not sets or min(len(text) for text in sets[0]) < MIN_LITERAL_LENGTH]

    candidates: dict[int, list[int]] = defaultdict(list)  # regex index -> text indexes
    if indexed:
        regexes_by_literal: dict[str, list[int]] = defaultdict(list)
        for index in indexed:
            for literal in literal_sets[index][0]:
                regexes_by_literal[literal].append(index)
        automaton = ahocorasick.Automaton()
        literal_owners = list(regexes_by_literal.values())
        for number, literal in enumerate(regexes_by_literal):
            automaton.add_word(literal, number)
        automaton.make_automaton()
        for text_index, text in enumerate(folded):
            owner = texts[text_index].record
            seen: set[int] = set()
            for _, number in automaton.iter(text):
                for regex_index in literal_owners[number]:
                    if regex_index in seen or regex_records[regex_index] is owner:
                        continue
                    seen.add(regex_index)
                    # every other required set must be in the text too
                    if all(any(literal in text for literal in option) for option in literal_sets[regex_index][1:]):
                        candidates[regex_index].append(text_index)
    if fallback:
        result.fallback_regexes = len(fallback)
        spent = 0
        for index in fallback:
            if spent + len(texts) > fallback_budget:
                result.unchecked[regex_records[index].relative_path] = (
                    f"the regex has no literal text of {MIN_LITERAL_LENGTH} or more characters to look it up by, "
                    f"and the {len(fallback)} such regexes of this KB exceed the budget of "
                    f"{fallback_budget:,} searches")
                continue
            spent += len(texts)
            candidates[index] = [text_index for text_index, text in enumerate(texts)
                                 if text.record is not regex_records[index]]
    result.candidate_pairs = sum(len(found) for found in candidates.values())

    # Search the candidates in rounds: one batch of texts per regex per round, so that a regex
    # that overran its time bound is not tried again.
    batches = {index: list(_chunks(found, TEXTS_PER_JOB)) for index, found in candidates.items() if found}
    round_number = 0
    while True:
        work = [(index, batch[round_number]) for index, batch in batches.items()
                if round_number < len(batch) and regex_records[index].relative_path not in result.timeouts]
        if not work:
            break
        jobs = [SearchJob(as_text(regex_records[index].data.get("regex")), tuple(text_value(texts[t]) for t in chunk))
                for index, chunk in work]
        for (index, chunk), outcome in zip(work, matcher.run(jobs)):
            regex_record = regex_records[index]
            if outcome.timed_out:
                result.timeouts[regex_record.relative_path] = [texts[t] for t in chunk]
                continue
            for text_index, matched in zip(chunk, outcome.matches):
                if matched:
                    result.collisions.append(Collision(regex_record, texts[text_index]))
        round_number += 1

    result.collisions = [collision for collision in result.collisions if not _excused(collision)]
    return result


def _excused(collision: Collision) -> bool:
    first, second = collision.regex_record, collision.text.record
    if first.entry_id is not None and first.entry_id == second.entry_id:
        return True
    return (second.entry_id in confused_ids(first)) or (first.entry_id in confused_ids(second))

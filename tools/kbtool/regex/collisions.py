"""Which record regexes match other records' messages, found without trying every pair.

Trying every regex on every signature is quadratic: 10^10 searches for 100,000 records.
`cross_match` goes in four steps instead:

1. the literal index (`kbtool.regex.index`) reads every case-folded signature and alias once
   and yields the regexes that could match it;
2. regexes with no usable literal are searched against every text, within a fixed budget of
   pairs; the rest are reported as unchecked rather than silently skipped;
3. only the candidate pairs are searched, through the `BoundedMatcher`, in batches;
4. pairs that the records excuse (listed as frequently confused, or one id twice) are dropped.

A lint of a KB of a few parts begins step 1 in the workers before its last records are checked
(`BegunCandidates`, from `kbtool.lint`), and the cross match takes what they found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple, Sequence

from kbtool.cache import Cache
from kbtool.digests import blake2b
from kbtool.kb import KnowledgeBase
from kbtool.records import RecordFile, as_text, graph_edges
from kbtool.regex.index import LiteralIndex, LiteralSets, could_match, indexable
from kbtool.regex.literals import MIN_LITERAL_LENGTH, LiteralFilter, fold, required_literal_sets
from kbtool.regex.lookup import search_in_rounds
from kbtool.regex.matcher import BoundedMatcher, CandidatesJob, Submitted, candidate_parts

#: Texts per search job: small enough that one job stays well inside the matcher's time bound.
TEXTS_PER_JOB = 200
#: The bound of one look-up of the candidates in a regex worker (`CandidatesJob`): no regex runs, so only a
#: machine far too slow for it reaches it (then the process looks them up itself).
CANDIDATES_SECONDS = 300.0
#: Regex-text pairs searched for regexes that have no literal to narrow the search.
FALLBACK_PAIR_BUDGET = 5_000_000
#: Regexes whose literals one index holds: the cross match of a 100,000-record KB looks every message up
#: in ten such indexes, five in each regex worker one after the other, instead of holding one index of them all
#: (160 MB more).
REGEXES_AT_A_TIME = 10_000


class Text(NamedTuple):
    """One message of a record: its signature or one of its aliases. (A tuple: a lint makes one for every
    message of the KB, 100,000 and more.)"""

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


def kb_messages(records: Iterable[RecordFile]) -> tuple[list[Text], list[str]]:
    """The messages of `records`: each one's non-empty signature and aliases (the Texts, and their values), in one
    pass (a lint of 100,000 records makes them for all)."""
    texts: list[Text] = []
    values: list[str] = []
    for record in records:
        data = record.data
        if not data:
            continue
        signature = data.get("signature")
        if isinstance(signature, str) and signature:
            texts.append(Text(record, "/signature"))
            values.append(signature)
        aliases = data.get("aliases")
        if aliases and isinstance(aliases, list):
            for index, alias in enumerate(aliases):
                if isinstance(alias, str) and alias:
                    texts.append(Text(record, f"/aliases/{index}"))
                    values.append(alias)
    return texts, values


def confused_ids(record: RecordFile) -> set[str]:
    """Ids listed under `transition_graph.frequently_confused_with`."""
    return {edge.target for edge in graph_edges(record.data or {}, ("frequently_confused_with",))}


def may_meet(kb: KnowledgeBase, regex_records: list[RecordFile], literal_sets: list[tuple[frozenset[str], ...]],
             focus: set[str]) -> list[RecordFile]:
    """The records of `focus`, and the other `regex_records` whose required literals (`literal_sets[i]`)
    all occur in one message of a record of `focus`: the only regexes that can take part in a cross
    match that concerns the focus. A plain scan, no index: the focus has few messages."""
    folded = [fold(value) for value in kb_messages(kb.by_path[path] for path in sorted(focus) if path in kb.by_path)[1]]
    # A first look, each first required string of a regex looked for once in the focus's messages joined: a regex
    # none of whose first required strings occurs there cannot match any of them (could_match then decides for the
    # few that are left).
    joined = "\n".join(folded)
    held = {literal for literal in frozenset().union(*(sets[0] for sets in literal_sets if sets)) if literal in joined}
    return [record for record, sets in zip(regex_records, literal_sets)
            if record.relative_path in focus or (not sets or not held.isdisjoint(sets[0]))
            and any(could_match(sets, text) for text in folded)]


def _indexed_candidates(index: LiteralIndex, regex_records: list[RecordFile], texts: list[Text],
                        folded: Sequence[str], focus: set[str] | None) -> dict[int, list[int]]:
    """Step 1: regex number -> numbers of the texts of other records that it could match (with `focus`,
    only the pairs where the regex or the text belongs to a record of `focus`)."""
    if focus is None:
        pairs: Iterable[tuple[int, int]] = ((regex_number, text_number) for text_number, text in enumerate(folded)
                                            for regex_number in index.candidates(text))
    else:
        focused = [number for number, record in enumerate(regex_records) if record.relative_path in focus]
        own_index = LiteralIndex([index.literal_sets[number] for number in focused],  # the focus's regexes, over every text
                                 [index.filters[number] for number in focused])
        pairs = sorted({(regex_number, text_number) for text_number, text in enumerate(texts)
                        if text.record.relative_path in focus for regex_number in index.candidates(folded[text_number])}
                       | {(focused[position], text_number) for text_number in own_index.waking_texts(folded)
                          for position in own_index.candidates(folded[text_number])},
                       key=lambda pair: (pair[1], pair[0]))
    candidates: dict[int, list[int]] = {}
    for regex_number, text_number in pairs:
        if regex_records[regex_number] is not texts[text_number].record:
            candidates.setdefault(regex_number, []).append(text_number)
    return candidates


def _candidates_in_workers(regexes: list[int], sets: list[LiteralSets], filters: list[LiteralFilter | None],
                           regex_records: list[RecordFile], texts: list[Text], folded: Sequence[str],
                           matcher: BoundedMatcher, begun: "BegunCandidates | None" = None) -> dict[int, list[int]]:
    """Step 1 for the whole KB: regex number -> numbers of the texts of other records that it could match, of the
    `regexes` (numbers), looked up by the regex workers (`CandidateLookUp`) while this process is free, or earlier
    (`begun`); the regexes of a job that overran are looked up here."""
    wanted = set(regexes)
    candidates, covered = begun.look_up.candidates(regex_records, wanted) if begun is not None else ({}, set())
    rest = [number for number in regexes if number not in covered]
    owners = begun.owners if begun is not None else [text.record.relative_path for text in texts]
    found, covered = CandidateLookUp([regex_records[number] for number in rest], [sets[number] for number in rest],
                                     [filters[number] for number in rest], folded, owners, matcher).candidates(regex_records, wanted)
    candidates.update(found)
    overran = [number for number in rest if number not in covered]  # or the run's budget was spent
    for start in range(0, len(overran), REGEXES_AT_A_TIME):
        candidates.update(_candidates_here(overran[start:start + REGEXES_AT_A_TIME], sets, filters, regex_records, texts, folded,
                                           None)[0])
    return {number: candidates[number] for number in sorted(candidates)}


class CandidateLookUp:
    """Step 1 for some regexes (`regex_records`, their required literal sets and filters `sets` and `filters`) in the
    regex workers (`CandidatesJob`s of `candidate_parts`): submitted at once over the `folded` messages (`owners`: the
    path of each one's record), taken once (`candidates`)."""

    def __init__(self, regex_records: list[RecordFile], sets: list[LiteralSets], filters: list[LiteralFilter | None],
                 folded: Sequence[str], owners: list[str], matcher: BoundedMatcher) -> None:
        self.owners = owners
        self._paths = [record.relative_path for record in regex_records]
        self._parts = candidate_parts(len(sets), REGEXES_AT_A_TIME)
        texts_sent = tuple(folded)  # one object for every job: sent once to each worker, ahead of its jobs (`TextsJob`)
        jobs = [CandidatesJob(tuple(sets[number] for number in part), tuple(filters[number] for number in part), texts_sent,
                              seconds=CANDIDATES_SECONDS) for part in self._parts]
        self._submitted: Submitted | None = matcher.submit(jobs) if jobs else None

    def candidates(self, regex_records: list[RecordFile], wanted: set[int]) -> tuple[dict[int, list[int]], set[int]]:
        """The candidates found of the regexes `wanted` (numbers in `regex_records`): regex number -> the numbers of
        the messages of other records that it could match, in order; and the numbers of those found (a job that
        overran found none). Asked once: then nothing is found."""
        number_of = {record.relative_path: number for number, record in enumerate(regex_records)}
        candidates: dict[int, list[int]] = {}
        covered: set[int] = set()
        submitted, self._submitted = self._submitted, None
        for part, result in zip(self._parts, submitted.result() if submitted is not None else ()):
            if result.candidates is None:
                continue
            paths = [self._paths[position] for position in part]
            numbers = [number_of.get(path) for path in paths]
            covered.update(number for number in numbers if number in wanted)
            for position, text_number in zip(*result.candidates):
                number = numbers[position]
                if number in wanted and self.owners[text_number] != paths[position]:
                    candidates.setdefault(number, []).append(text_number)
        return candidates, covered


class BegunCandidates:
    """Step 1 of the cross match of the whole KB, begun before every record is checked (`RegexFacts.begin_cross_match`):
    the regex workers look up the candidates of `regex_records` (their required literal sets and filters `sets` and
    `filters`) in the messages of `records` while this process checks the last of them; but for the regexes whose
    matches in those messages the cache holds. `cross_match` takes what they found (`look_up`), provided the KB holds
    the very messages begun with (`same`)."""

    def __init__(self, records: list[RecordFile], regex_records: list[RecordFile], sets: list[LiteralSets],
                 filters: list[LiteralFilter | None], matcher: BoundedMatcher, cache: Cache) -> None:
        texts, self.values = kb_messages(records)
        self.owners = [text.record.relative_path for text in texts]  # the path of each message's record
        self.folded = tuple(fold(value) for value in self.values)
        self.hashes: dict[int, str] = {number: _text_hash(value) for number, value in enumerate(self.values)} if cache.enabled else {}
        if cache.enabled:  # (the keys of `cross_match`'s answers for the whole KB)
            keys = _whole_keys(cache, regex_records, self.hashes, self.owners, lambda record: record.relative_path)
            stored = cache.get_many(keys)
            wanted = [number for number, key in enumerate(keys) if not _hash_list(stored.get(key))]
            regex_records, sets, filters = ([items[number] for number in wanted] for items in (regex_records, sets, filters))
        self.look_up = CandidateLookUp(regex_records, sets, filters, self.folded, self.owners, matcher)

    def same(self, texts: list[Text], values: list[str]) -> bool:
        """Whether `texts` and their `values` are the messages begun with."""
        return values == self.values and self.owners == [text.record.relative_path for text in texts]


def _candidates_here(part: list[int], sets: list[LiteralSets], filters: list[LiteralFilter | None],
                     regex_records: list[RecordFile], texts: list[Text], folded: Sequence[str],
                     focus: set[str] | None) -> tuple[dict[int, list[int]], list[int]]:
    """Step 1 in this process for the regexes `part` (numbers), through a literal index of them: their candidates
    (`_indexed_candidates`, by regex number), and those of them the index cannot look up."""
    index = LiteralIndex([sets[number] for number in part], [filters[number] for number in part])
    found = _indexed_candidates(index, [regex_records[number] for number in part], texts, folded, focus)
    return {part[position]: text_numbers for position, text_numbers in found.items()}, [part[position] for position in index.unindexed]


def _over_budget(unindexed: list[int], texts: int, budget: int) -> list[int]:
    """Of the regexes with no usable literal (in order), those beyond the budget of searches: each of the
    others is tried on every text."""
    allowed = budget // texts if texts else len(unindexed)
    return unindexed[allowed:]


def _fallback_candidates(unindexed: list[int], regex_records: list[RecordFile], texts: list[Text], budget: int,
                         candidates: dict[int, list[int]], result: CrossMatch, focus: set[str] | None,
                         searching: set[int]) -> None:
    """Step 2: regexes with no usable literal get every other record's text, while the budget lasts (with
    `focus`, a regex outside it gets only the texts of the focus's records). The budget counts every
    such regex; only those in `searching` get candidates (the others are answered already)."""
    if focus is not None:
        outside = [number for number in unindexed if regex_records[number].relative_path not in focus]
        focused_texts = [number for number, text in enumerate(texts) if text.record.relative_path in focus] if outside else []
        for number in outside:
            candidates[number] = [t for t in focused_texts if texts[t].record is not regex_records[number]]
        unindexed = [number for number in unindexed if regex_records[number].relative_path in focus]
    if not unindexed:
        return
    result.fallback_regexes = len(unindexed)
    over = set(_over_budget(unindexed, len(texts), budget))
    for number in unindexed:
        if number in over:
            result.unchecked[regex_records[number].relative_path] = (
                f"the regex has no literal text of {MIN_LITERAL_LENGTH} or more characters to look it up by, "
                f"and the {len(unindexed)} such regexes of this KB exceed the budget of {budget:,} searches")
        elif number in searching:
            candidates[number] = [text_number for text_number, text in enumerate(texts)
                                  if text.record is not regex_records[number]]


def _search(candidates: dict[int, list[int]], regex_records: list[RecordFile], texts: list[Text], values: list[str],
            matcher: BoundedMatcher, result: CrossMatch, cache: Cache, text_hashes: dict[int, str],
            whole_keys: dict[int, str]) -> list[tuple[int, int]]:
    """Step 3: search the candidate pairs in rounds (`search_in_rounds`): a regex that overran its time
    bound is not tried again, and the texts it was searching are kept to name them. A regex whose
    candidate texts are the same as in an earlier run (the cache holds which of them it matched) is
    not searched again. What each regex matched is kept by its candidates and, under `whole_keys[n]`,
    by the whole KB's messages. Returns the matching (regex, text) pairs."""
    patterns = [as_text(record.data.get("regex")) for record in regex_records]
    keys = {number: cache.key("regex-cross", patterns[number], *sorted({text_hashes[t] for t in found}))
            for number, found in candidates.items()} if cache.enabled else {}
    known = cache.get_many(keys.values())
    matched_pairs: list[tuple[int, int]] = []
    to_search: dict[int, list[int]] = {}
    found_hashes: dict[int, set[str] | None] = {}  # None: not to be cached (a search did not finish)
    for number, found in candidates.items():
        answer = known.get(keys[number]) if keys else None
        if _hash_list(answer):
            matched = set(answer)
            matched_pairs.extend((number, t) for t in found if text_hashes[t] in matched)
            found_hashes[number] = matched
        else:
            to_search[number] = found
            found_hashes[number] = set()
    for number, chunk, outcome in search_in_rounds(patterns, values, to_search, matcher, per_job=TEXTS_PER_JOB):
        regex_record = regex_records[number]
        if outcome.timed_out or outcome.cut_short or outcome.error is not None:
            found_hashes[number] = None
        if outcome.timed_out:
            result.timeouts[regex_record.relative_path] = [texts[t] for t in chunk]
            continue
        hits = [t for t, matched in zip(chunk, outcome.matches) if matched]
        matched_pairs.extend((number, t) for t in hits)
        if found_hashes[number] is not None:
            found_hashes[number].update(text_hashes[t] for t in hits)
    done = {number: sorted(found) for number, found in found_hashes.items() if found is not None}
    cache.put_many({keys[number]: found for number, found in done.items() if number in to_search and keys})
    cache.put_many({whole_keys[number]: done.get(number, []) for number in whole_keys
                    if number in done or number not in candidates})  # no candidate: it matches nothing
    return matched_pairs


def _text_hash(value: str) -> str:
    return blake2b(value.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _whole_keys(cache: Cache, regex_records: list[RecordFile], hashes: dict[int, str], owners: list,
                owner: Callable[[RecordFile], object]) -> list[str]:
    """The keys under which the cache keeps what each regex matches of the whole KB's messages (their hashes
    `hashes`, by number), but for its own record's (`owners[n]`: what tells message n's record, as `owner` tells it
    of a record)."""
    messages = blake2b("\n".join(sorted(hashes.values())).encode(), digest_size=20).hexdigest()
    own: dict[object, list[str]] = {}  # a regex is not searched in its own record's messages: they are part of the key
    for number, value in hashes.items():
        own.setdefault(owners[number], []).append(value)
    return [cache.key("regex-cross-kb", as_text(record.data.get("regex")), messages, *sorted(own.get(owner(record), ())))
            for record in regex_records]


def _hash_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def cross_match(kb: KnowledgeBase, matcher: BoundedMatcher, regex_records: list[RecordFile],
                fallback_budget: int = FALLBACK_PAIR_BUDGET,
                literal_sets: dict[str, tuple[frozenset[str], ...]] | None = None, cache: Cache | None = None,
                focus: set[str] | None = None, filters: dict[str, LiteralFilter] | None = None,
                begun: BegunCandidates | None = None) -> CrossMatch:
    """Every message of another record that one of `regex_records`' regexes matches.

    `regex_records` must have a regex that compiles (callers leave out catastrophic ones).
    A pair is skipped when either record lists the other as frequently confused with it,
    or when both records carry the same id (that is `duplicate-id`'s business). `literal_sets`
    (by record path, when the caller has them) saves parsing the regexes again; `filters` (their
    `literal_filter`s, by record path) rule out more candidates. With `focus` (record
    paths), only the pairs where the regex or the message belongs to one of those records are
    searched: what a run reporting on those records needs, at a cost that grows with them rather than
    with the KB. `cache` holds what each regex matched in earlier runs, by its candidate messages and
    by the whole KB's messages: a KB whose messages did not change needs no candidate search at all. What the
    regex workers found of the candidates before (`begun`, of the whole KB's messages) is used where it holds.
    """
    texts, values = kb_messages(kb.records)
    begun = begun if begun is not None and focus is None and begun.same(texts, values) else None
    known = literal_sets or {}
    sets = [known[record.relative_path] if record.relative_path in known
            else required_literal_sets(as_text(record.data.get("regex"))) for record in regex_records]
    cache = cache if cache is not None else Cache(None)
    # Text number -> hash of its text: of every text for the whole KB's key (kept in the cache); else of the candidates' only (below).
    text_hashes: dict[int, str] = (begun.hashes if begun is not None else
                                   {number: _text_hash(value) for number, value in enumerate(values)}) if focus is None and cache.enabled else {}
    result = CrossMatch()
    matched_pairs: list[tuple[int, int]] = []
    whole_keys: dict[int, str] = {}
    remaining = list(range(len(regex_records)))
    if cache.enabled and focus is None:
        unchecked = set(_over_budget([n for n, found in enumerate(sets) if not indexable(found)], len(texts), fallback_budget))
        checked = [number for number in range(len(regex_records)) if number not in unchecked]
        whole_keys = dict(zip(checked, _whole_keys(cache, [regex_records[number] for number in checked], text_hashes,
                                                   [id(text.record) for text in texts], id)))
        stored = cache.get_many(whole_keys.values())
        by_hash: dict[str, list[int]] = {}
        for number, value in text_hashes.items():
            by_hash.setdefault(value, []).append(number)
        for number, key in whole_keys.items():
            if _hash_list(stored.get(key)):
                matched_pairs.extend((number, t) for value in stored[key] for t in by_hash.get(value, ())
                                     if texts[t].record is not regex_records[number])
        answered = {number for number, key in whole_keys.items() if _hash_list(stored.get(key))}
        remaining = [number for number in remaining if number not in answered]
        whole_keys = {number: key for number, key in whole_keys.items() if number not in answered}
    # The regexes not answered above: candidates through literal indexes of just them, REGEXES_AT_A_TIME at a time,
    # built by the regex workers for the whole KB (half of the indexes each, beside this process), here for a focus.
    folded = begun.folded if begun is not None else [fold(value) for value in values]
    candidates: dict[int, list[int]] = {}
    unindexed = [number for number, found in enumerate(sets) if not indexable(found)] if focus is None else []
    literal_filters = [(filters or {}).get(record.relative_path) for record in regex_records]
    if focus is None:
        candidates.update(_candidates_in_workers(remaining, sets, literal_filters, regex_records, texts, folded, matcher, begun))
    else:
        for start in range(0, len(remaining), REGEXES_AT_A_TIME):
            found, not_indexed = _candidates_here(remaining[start:start + REGEXES_AT_A_TIME], sets, literal_filters,
                                                  regex_records, texts, folded, focus)
            candidates.update(found)
            unindexed += not_indexed
    _fallback_candidates(unindexed, regex_records, texts, fallback_budget, candidates, result, focus,
                         searching=set(remaining))
    result.candidate_pairs = sum(len(found) for found in candidates.values())
    text_hashes.update((t, _text_hash(values[t])) for found in candidates.values() for t in found if t not in text_hashes)
    matched_pairs += _search(candidates, regex_records, texts, values, matcher, result, cache, text_hashes, whole_keys)
    result.collisions = [Collision(regex_records[number], texts[t]) for number, t in sorted(set(matched_pairs))]
    result.collisions = [collision for collision in result.collisions if not excused(collision)]
    return result


def excused(collision: Collision) -> bool:
    """Step 4: the records say that the pair is no accident (or it is one id twice)."""
    first, second = collision.regex_record, collision.text.record
    if first.entry_id is not None and first.entry_id == second.entry_id:
        return True
    return (second.entry_id in confused_ids(first)) or (first.entry_id in confused_ids(second))

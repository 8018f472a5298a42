"""A literal index over many regexes: which of them could match a text, found without running any.

Each regex's parse tree gives sets of strings such that every match contains one string of each
set (`required_literal_sets`). An Aho-Corasick automaton over every string long enough to look up
reads a text (folded by `kbtool.regex.literals.fold`) once and tells which of them occur. Each
regex is woken by one set (its anchor: of the sets whose strings are all long enough to look up,
the one whose strings the fewest other regexes name, so that a common word such as "error: " does
not wake thousands of regexes), or, when its literal filter gives rarer ones, by strings one of
which every match holds (one for each alternative of `(a.*error|b.*invalid)`: `a` or `b`, not the
required set {error, invalid}); a woken regex is a candidate when its other sets also have a string
in the text (told by the automaton's finds, or looked for when too short to index) and, where its
literal filter is known (`literal_filter`: the alternatives of the regex kept apart), the text
passes it. Regexes with no usable literal (shorter than `MIN_LITERAL_LENGTH`) cannot be looked up
and are listed apart, for the caller to try another way.

`TextIndex` looks the other way: many fixed texts (a reference corpus), and which of them each
regex could match.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
from collections import Counter, defaultdict
from typing import Iterable, Iterator, Sequence

import ahocorasick

from kbtool.regex.literals import MIN_LITERAL_LENGTH, LiteralFilter

LiteralSets = tuple[frozenset[str], ...]


def _selective(text: str) -> bool:
    """A literal worth indexing: MIN_LITERAL_LENGTH characters, or two of a script whose characters are
    words (Chinese `香港`, Japanese, Korean): such a pair is as rare in texts as a longer ASCII word."""
    return len(text) >= MIN_LITERAL_LENGTH or (len(text) == 2 and all(ord(char) >= 0x2E80 for char in text))


@functools.lru_cache(maxsize=4096)
def _all_selective(options: frozenset[str]) -> bool:
    """Whether `options` is not empty and each of its strings is selective (asked of one regex's sets several
    times in a row, as it is indexed)."""
    return bool(options) and all(_selective(text) for text in options)


def _lookup_sets(sets: LiteralSets) -> list[int]:
    """Positions of the sets a regex can be looked up by: every string of the set is selective."""
    return [position for position, options in enumerate(sets) if _all_selective(options)]


def could_match(sets: LiteralSets, folded_text: str) -> bool:
    """Whether every required set of a regex has a string in `folded_text`: else the regex cannot match it."""
    for options in sets:  # loops, not generators: `kbtool match` asks this of every regex of the KB
        for literal in options:
            if literal in folded_text:
                break
        else:
            return False
    return True


def indexable(sets: LiteralSets) -> bool:
    """Whether a regex with these required literal sets can be looked up by literal."""
    return bool(_lookup_sets(sets))


class TextIndex:
    """Many fixed texts (folded: `fold`), looked up by the strings regexes require: the texts a regex could
    match, told by its required sets and literal filter without looking at each text for each regex. Which
    texts hold a string is found once per string for all the texts (by an automaton's pass over each text;
    a string too short to index, by a look in each text when it comes to it, or only in the few texts a
    regex's longer strings leave), and kept when some text holds it: the regexes of a KB ask again and
    again for the same common strings ("error", "failed")."""

    def __init__(self, folded_texts: Sequence[str]) -> None:
        self.texts = list(folded_texts)
        self._all = (1 << len(self.texts)) - 1
        #: The texts holding a string, as bits: each string long enough to look up that some text holds, and
        #: each shorter string looked for.
        self._holding: dict[str, int] = {}

    def candidates(self, literal_sets: Sequence[LiteralSets], filters: Sequence[LiteralFilter | None]) -> list[list[int]]:
        """For each regex (its required sets and literal filter, None where unknown), the numbers of the texts
        in which each of its required sets has a string and that pass its filter, in order."""
        self._learn({text for sets, literal_filter in zip(literal_sets, filters)
                     for text in _strings_named(sets, range(len(sets)), literal_filter)} - self._holding.keys())
        found = []
        for sets, literal_filter in zip(literal_sets, filters):
            bits = self._all
            for options in sorted(sets, key=_all_selective, reverse=True):  # a short string is looked for last
                bits = self._holding_any(options, bits)
                if not bits:
                    break
            found.append(_numbers(self._passing(literal_filter or (), bits) if bits else 0))
        return found

    def _learn(self, strings: set[str]) -> None:
        """Which texts hold each of `strings` (long enough to look up): an automaton's pass over each text."""
        if not strings:
            return
        strings = list(strings)
        automaton = ahocorasick.Automaton()
        for number, text in enumerate(strings):
            automaton.add_word(text, number)
        automaton.make_automaton()
        holding: list[list[int]] = [[] for _ in strings]
        second = operator.itemgetter(1)
        for number, folded in enumerate(self.texts):
            for found in set(map(second, automaton.iter(folded))):
                holding[found].append(number)
        self._holding.update((strings[found], _bits(numbers, len(self.texts))) for found, numbers in enumerate(holding) if numbers)

    def _held(self, text: str) -> int:
        """The texts holding `text` (a string long enough to look up is known once `_learn` has seen it)."""
        bits = self._holding.get(text)
        if bits is None:
            if _selective(text):
                return 0
            bits = self._holding[text] = _bits_of_flags(bytes(map(operator.contains, self.texts, itertools.repeat(text))))
        return bits

    def _any(self, options: frozenset[str]) -> int:
        bits = 0
        for text in options:
            bits |= self._held(text)
        return bits

    def _holding_any(self, options: frozenset[str], bits: int) -> int:
        """Of the texts `bits`, those holding one of `options`. When they are few and a string too short to index
        is among the options, each of them is looked at, not every text (`_held`)."""
        if bits != self._all and not _all_selective(options) and bits.bit_count() <= _FEW_TEXTS:
            texts = self.texts
            return sum(1 << number for number in _numbers(bits) if any(option in texts[number] for option in options))
        return bits & self._any(options)

    def _passing(self, literal_filter: LiteralFilter, bits: int) -> int:
        """Of the texts `bits`, those that pass `literal_filter`."""
        for clause in literal_filter:
            if isinstance(clause, frozenset):
                bits = self._holding_any(clause, bits)
            else:
                bits &= functools.reduce(operator.or_, (self._passing(alternative, bits) for alternative in clause), 0)
            if not bits:
                break
        return bits


#: Texts few enough to look at each for a short string, rather than look for it in every text (`TextIndex._holding_any`).
_FEW_TEXTS = 64
#: Numbers below this many are made into bits one at a time; more, through a flag per text (`_bits_of_flags`): adding
#: up their powers of two costs the size of the int for each (looking up the reference corpus's candidates for the
#: regexes of the 2,522 imported records took 526–646 ms so, 454–513 ms with the flags, in alternating runs).
_FEW_NUMBERS = 32
_FLAG_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _bits(numbers: Sequence[int], size: int) -> int:
    """The numbers (each once, each below `size`) as the bits of an int."""
    if len(numbers) < _FEW_NUMBERS:
        return sum(1 << number for number in numbers)
    flags = bytearray(size)
    for number in numbers:
        flags[number] = 1
    return _bits_of_flags(flags)


def _bits_of_flags(flags: bytes | bytearray) -> int:
    """The positions of `flags` (one byte, 0 or 1, per number from 0) that are 1, as the bits of an int (read as
    the int's binary digits, lowest last: in time linear in their number, whatever how many are set)."""
    return int(flags[::-1].translate(_FLAG_DIGITS) or b"0", 2)


def _numbers(bits: int) -> list[int]:
    """The numbers of the bits set in `bits`, in order."""
    numbers = []
    while bits:
        lowest = bits & -bits
        numbers.append(lowest.bit_length() - 1)
        bits ^= lowest
    return numbers


#: Most (anchor string, other string) pairs one regex is listed under.
_MAX_PAIRS = 16


class LiteralIndex:
    """Regexes (by their position in `literal_sets`) looked up by the literals they require; with
    `filters` (`literal_filter` of each regex, or None where unknown), a candidate must also pass its
    filter, which keeps the alternatives of a regex apart."""

    def __init__(self, literal_sets: Sequence[LiteralSets], filters: Sequence[LiteralFilter | None] | None = None) -> None:
        self.literal_sets = literal_sets
        self.filters = list(filters) if filters is not None else [None] * len(literal_sets)
        usable = [_lookup_sets(sets) for sets in literal_sets]
        self.indexed = [number for number, positions in enumerate(usable) if positions]
        self.unindexed = [number for number, positions in enumerate(usable) if not positions]
        # How common each string is, told by how many of the regexes name it (in a usable set or in their filter).
        frequency = Counter(text for number in self.indexed
                            for text in _strings_named(literal_sets[number], usable[number], self.filters[number]))
        #: Regexes by a string of their anchor set: those with no other usable set; by a string of their
        #: anchor and one of their first other usable set (most regexes woken by one string fail on
        #: that set: looked up by the two, they are not even woken), or, where that would make too
        #: many pairs, listed with that set, to be checked against the automaton's finds.
        self._alone: dict[str, list[int]] = defaultdict(list)
        self._by_two: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._paired: dict[str, list[tuple[frozenset[str], int]]] = defaultdict(list)
        #: Of each indexed regex, its usable sets not told by what woke it (told by the automaton's finds)
        #: and its sets too short to index (looked for in the text).
        self._rest: dict[int, tuple[LiteralSets, LiteralSets]] = {}
        words: set[str] = set()  # the strings the automaton finds
        for number in self.indexed:
            sets = literal_sets[number]
            short = tuple(options for position, options in enumerate(sets) if position not in usable[number])
            # Woken by its anchor: of its usable sets, the one whose strings the fewest regexes name; or, when
            # its filter gives cheaper strings one of which every match holds (`_cover`: a string of each
            # alternative of `(?i)(generator expression.*error|genex.*invalid)`, rather than the common
            # "error" or "invalid" of its required set), by any of those.
            anchor_cost, anchor = min((sum(frequency[text] for text in sets[position]), position) for position in usable[number])
            cover = _cover(self.filters[number] or (), frequency)
            if cover is not None and cover[0] < anchor_cost:
                for literal in cover[1]:
                    self._alone[literal].append(number)
                words.update(cover[1])
                self._rest[number] = (tuple(sets[position] for position in usable[number]), short)
                continue
            told = [sets[position] for position in usable[number] if position != anchor]
            for literal in sets[anchor]:
                if not told:
                    self._alone[literal].append(number)
                elif len(sets[anchor]) * len(told[0]) <= _MAX_PAIRS:
                    for second in told[0]:
                        self._by_two[literal][second].append(number)
                else:
                    self._paired[literal].append((told[0], number))
            self._rest[number] = (tuple(told[1:]), short)
        #: Each regex's literal filter without its required sets (already checked), with the sets whose
        #: strings are long enough told by the automaton's finds (their strings are added to it).
        words.update(text for number in self.indexed for position in usable[number] for text in literal_sets[number][position])
        self._filters: list[_Compiled] = [_compiled(literal_filter or (), set(literal_sets[number]), words)
                                          for number, literal_filter in enumerate(self.filters)]
        self._automaton = None
        if words:
            self._automaton = ahocorasick.Automaton()
            for literal in words:
                self._automaton.add_word(literal, literal)
            self._automaton.make_automaton()

    def waking_texts(self, folded_texts: Sequence[str]) -> list[int]:
        """The numbers of the texts of `folded_texts` that hold a string waking one of the index's regexes (what
        a regex is looked up by: its anchor, or the strings its filter gives): the only ones for which
        `candidates` yields an indexed regex. One pass of an automaton of those strings over the texts joined
        (a string found across two of them only adds one to look at), rather than one per text; the other
        strings of the index (held by most texts of a KB: "error", "failed") are not looked for."""
        waking = self._alone.keys() | self._by_two.keys() | self._paired.keys()
        if not waking:
            return []
        automaton = ahocorasick.Automaton()
        for literal in waking:
            automaton.add_word(literal, literal)
        automaton.make_automaton()
        joined = "\n".join(folded_texts)
        ends = list(itertools.accumulate(len(text) + 1 for text in folded_texts))  # where the text after each one starts
        found = {bisect.bisect_right(ends, end) for end, _ in automaton.iter(joined)}
        return sorted(found)

    def candidates(self, folded_text: str, unindexed: bool = False) -> Iterator[int]:
        """Indexed regexes whose every required set has a string in `folded_text` (folded: `fold`) and that
        pass their filter, each once, in the order their literals occur; with `unindexed`, then the
        regexes that cannot be looked up by literal and pass their filter."""
        in_order = self._in_order(folded_text)
        found = set(in_order)
        for number in self._woken(in_order, found):
            told, short = self._rest[number]
            if told and not all(not options.isdisjoint(found) for options in told):
                continue
            if short and not could_match(short, folded_text):
                continue
            compiled = self._filters[number]
            if not compiled or _holds(compiled, found, folded_text):
                yield number
        if unindexed:
            yield from (number for number in self.unindexed if _holds(self._filters[number], found, folded_text))

    def woken(self, folded_text: str) -> list[int]:
        """The indexed regexes that the strings found in `folded_text` wake: those that `candidates` then checks."""
        in_order = self._in_order(folded_text)
        return list(self._woken(in_order, set(in_order)))

    def _in_order(self, folded_text: str) -> list[str]:
        """The index's strings that occur in `folded_text`, each once, in the order they occur."""
        return list(dict.fromkeys(literal for _, literal in self._automaton.iter(folded_text))) if self._automaton is not None else []

    def _woken(self, in_order: list[str], found: set[str]) -> Iterator[int]:
        seen: set[int] = set()
        for literal in in_order:
            woken = self._alone.get(literal, []) + [number for first, number in self._paired.get(literal, ())
                                                    if not first.isdisjoint(found)]
            seconds = self._by_two.get(literal)
            if seconds:
                for second in (found if len(found) < len(seconds) else seconds):
                    if second in found and second in seconds:
                        woken += seconds[second]
            for number in woken:
                if number not in seen:
                    seen.add(number)
                    yield number


def _strings_named(sets: LiteralSets, usable: Iterable[int], literal_filter: LiteralFilter | None) -> set[str]:
    """The strings long enough to look up that a regex names in its usable sets (positions `usable`) and its filter."""
    named = {text for position in usable for text in sets[position] if _selective(text)}
    clauses = list(literal_filter or ())
    while clauses:
        clause = clauses.pop()
        if isinstance(clause, frozenset):
            named.update(text for text in clause if _selective(text))
        else:
            clauses.extend(inner for alternative in clause for inner in alternative)
    return named


def _cover(literal_filter: LiteralFilter, frequency: Counter) -> tuple[int, frozenset[str]] | None:
    """The cheapest set of strings (by the sum of their `frequency`) one of which every text passing
    `literal_filter` holds, each long enough to look up; None when the filter gives none. A clause that is
    a set is one such set; one of alternatives, the union of one such set of each alternative."""
    best = None
    for clause in literal_filter:
        if isinstance(clause, frozenset):
            if not _all_selective(clause):
                continue
            strings = clause
        else:
            covers = [_cover(alternative, frequency) for alternative in clause]
            if not all(covers):
                continue
            strings = frozenset().union(*(cover[1] for cover in covers))
        cost = sum(frequency[text] for text in strings)
        if best is None or cost < best[0]:
            best = (cost, strings)
    return best


#: A literal filter made ready for one index: clauses (True, set) told by the automaton's finds,
#: (False, set) looked for in the text, (None, (union, words, others)) alternatives of which one must
#: hold: a string of `union` found, all the strings of one of `words` found, or one of `others`.
_Compiled = tuple


def _compiled(literal_filter: LiteralFilter, checked: set, words: set[str]) -> _Compiled:
    clauses = []
    for clause in literal_filter:
        if clause in checked:
            continue
        if isinstance(clause, frozenset):
            told = not clause or _all_selective(clause)  # (as `all` says of an empty set)
            if told:
                words.update(clause)
            clauses.append((told, clause))
            continue
        alternatives = [_compiled(alternative, set(), words) for alternative in clause]
        if not all(alternatives):
            continue  # an alternative that requires nothing left: the clause always holds
        # Alternatives that each require one set told by the automaton hold when that union is found;
        # those that require several single strings told by it, when all of them are found.
        single = [alternative[0][1] for alternative in alternatives if len(alternative) == 1 and alternative[0][0] is True]
        words_only = [frozenset(next(iter(options)) for _, options in alternative) for alternative in alternatives
                      if len(alternative) > 1 and all(told is True and len(options) == 1 for told, options in alternative)]
        others = tuple(alternative for alternative in alternatives
                       if not (len(alternative) == 1 and alternative[0][0] is True)
                       and not (len(alternative) > 1 and all(told is True and len(options) == 1 for told, options in alternative)))
        union = frozenset().union(*single)
        if not words_only and not others:
            clauses.append((True, union))
        else:
            clauses.append((None, (union, tuple(words_only), others)))
    clauses.sort(key=lambda clause: (clause[0] is None, clause[0] is False))  # cheapest first
    return tuple(clauses)


def _holds(compiled: _Compiled, found: set[str], folded_text: str) -> bool:
    for told, clause in compiled:
        if told is True:
            if clause.isdisjoint(found):
                return False
        elif told is False:
            if not any(literal in folded_text for literal in clause):
                return False
        else:
            union, words_only, others = clause
            if (union.isdisjoint(found) and not any(words <= found for words in words_only)
                    and not any(_holds(alternative, found, folded_text) for alternative in others)):
                return False
    return True

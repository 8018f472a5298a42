"""A literal index over many regexes: which of them could match a text, found without running any.

Each regex's parse tree gives sets of strings such that every match contains one string of each
set (`required_literal_sets`). An Aho-Corasick automaton over the strings of one set of each regex
(its anchor: of the sets whose strings are all long enough to look up, the one whose strings the
fewest other regexes require, so that a common word such as "error: " does not wake thousands of
regexes) reads a (case-folded) text once and yields the regexes that could match it; the other
sets filter the candidates further. Regexes with no usable literal (shorter than
`MIN_LITERAL_LENGTH`) cannot be looked up and are listed apart, for the caller to try another way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterator, Sequence

import ahocorasick

from kbtool.regex.literals import MIN_LITERAL_LENGTH

LiteralSets = tuple[frozenset[str], ...]


def _selective(text: str) -> bool:
    """A literal worth indexing: MIN_LITERAL_LENGTH characters, or two of a script whose characters are
    words (Chinese `香港`, Japanese, Korean): such a pair is as rare in texts as a longer ASCII word."""
    return len(text) >= MIN_LITERAL_LENGTH or (len(text) == 2 and all(ord(char) >= 0x2E80 for char in text))


def _lookup_sets(sets: LiteralSets) -> list[int]:
    """Positions of the sets a regex can be looked up by: every string of the set is selective."""
    return [position for position, options in enumerate(sets) if options and all(_selective(text) for text in options)]


def could_match(sets: LiteralSets, folded_text: str) -> bool:
    """Whether every required set of a regex has a string in `folded_text`: else the regex cannot match it."""
    return all(any(literal in folded_text for literal in options) for options in sets)


def indexable(sets: LiteralSets) -> bool:
    """Whether a regex with these required literal sets can be looked up by literal."""
    return bool(_lookup_sets(sets))


class LiteralIndex:
    """Regexes (by their position in `literal_sets`) looked up by the literals they require."""

    def __init__(self, literal_sets: Sequence[LiteralSets]) -> None:
        self.literal_sets = literal_sets
        usable = [_lookup_sets(sets) for sets in literal_sets]
        self.indexed = [number for number, positions in enumerate(usable) if positions]
        self.unindexed = [number for number, positions in enumerate(usable) if not positions]
        frequency = Counter(literal for number in self.indexed for position in usable[number]
                            for literal in literal_sets[number][position])
        #: The set each indexed regex is looked up by (its rarest usable one); the others filter.
        self._anchor: dict[int, int] = {
            number: min(usable[number], key=lambda position: (sum(frequency[text] for text in literal_sets[number][position]),
                                                              position))
            for number in self.indexed}
        owners: dict[str, list[int]] = defaultdict(list)
        for number in self.indexed:
            for literal in literal_sets[number][self._anchor[number]]:
                owners[literal].append(number)
        self._owners = list(owners.values())
        self._automaton = None
        if owners:
            self._automaton = ahocorasick.Automaton()
            for position, literal in enumerate(owners):
                self._automaton.add_word(literal, position)
            self._automaton.make_automaton()

    def candidates(self, folded_text: str) -> Iterator[int]:
        """Indexed regexes whose every required set has a string in `folded_text` (case-folded), each once,
        in the order their literals occur."""
        if self._automaton is None:
            return
        seen: set[int] = set()
        for _, position in self._automaton.iter(folded_text):
            for number in self._owners[position]:
                if number in seen:
                    continue
                seen.add(number)
                sets = self.literal_sets[number]
                anchor = self._anchor[number]
                if could_match(sets[:anchor] + sets[anchor + 1:], folded_text):
                    yield number

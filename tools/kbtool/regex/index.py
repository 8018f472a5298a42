"""A literal index over many regexes: which of them could match a text, found without running any.

Each regex's parse tree gives sets of strings such that every match contains one string of each
set (`required_literal_sets`). An Aho-Corasick automaton over the strings of each regex's most
selective set reads a (case-folded) text once and yields the regexes that could match it; the
other sets filter the candidates further. Regexes with no usable literal (shorter than
`MIN_LITERAL_LENGTH`) cannot be looked up and are listed apart, for the caller to try another way.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator, Sequence

import ahocorasick

from kbtool.regex.literals import MIN_LITERAL_LENGTH

LiteralSets = tuple[frozenset[str], ...]


def _selective(text: str) -> bool:
    """A literal worth indexing: MIN_LITERAL_LENGTH characters, or two of a script whose characters are
    words (Chinese `香港`, Japanese, Korean): such a pair is as rare in texts as a longer ASCII word."""
    return len(text) >= MIN_LITERAL_LENGTH or (len(text) == 2 and all(ord(char) >= 0x2E80 for char in text))


def indexable(sets: LiteralSets) -> bool:
    """Whether a regex with these required literal sets can be looked up by literal."""
    return bool(sets) and all(_selective(text) for text in sets[0])


class LiteralIndex:
    """Regexes (by their position in `literal_sets`) looked up by the literals they require."""

    def __init__(self, literal_sets: Sequence[LiteralSets]) -> None:
        self.literal_sets = literal_sets
        self.indexed = [number for number, sets in enumerate(literal_sets) if indexable(sets)]
        self.unindexed = [number for number, sets in enumerate(literal_sets) if not indexable(sets)]
        owners: dict[str, list[int]] = defaultdict(list)
        for number in self.indexed:
            for literal in literal_sets[number][0]:
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
                if all(any(literal in folded_text for literal in option) for option in self.literal_sets[number][1:]):
                    yield number

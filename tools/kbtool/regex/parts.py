"""Parts of error messages that vary between two occurrences of the same error, as patterns.

Rules use them to tell a regex that hard-codes one occurrence (`regex-literal-only`,
`volatile-signature`) from one that recognises the error.
"""

from __future__ import annotations

import re

#: Parts of a message that usually differ between two occurrences of the same error: quoted
#: names, numbers with a decimal point or of four or more digits (three-digit numbers are mostly
#: codes: errno 111, exit code 137), tuples and lists of numbers (shapes), absolute paths outside
#: the system folders, hexadecimal addresses. A message with none of them is constant
#: text, and a regex that is that text escaped is fine. A quoted builtin type name ('str',
#: 'list') is not a varying part: in "unhashable type: 'list'" it is the error itself.
_BUILTIN_TYPE = r"(?:str|bytes|bytearray|int|float|complex|bool|list|dict|tuple|set|frozenset|NoneType|object|type)"
VARYING_PART = re.compile(
    rf"'(?!{_BUILTIN_TYPE}')[^'\n]{{1,200}}'|\"(?!{_BUILTIN_TYPE}\")[^\"\n]{{1,200}}\"|`[^`\n]{{1,200}}`"
    r"|(?<![\w.])\d+\.\d+(?![\w.])|(?<![\w.])\d{4,}(?![\w.])"
    r"|[(\[]\d+(?:, ?\d+)+[)\]]"
    r"|(?<![\w.])(?!/(?:dev|proc|sys|etc|run|var/run|usr/bin|bin)/)(?:/[\w.@-]+){2,}|\b[A-Za-z]:\\[\w.\\ -]+"
    r"|\b0x[0-9a-fA-F]{4,}\b")


#: Run-specific parts of a message: (what, how to find it in the signature, what to write in the regex).
VOLATILE_PARTS: tuple[tuple[str, re.Pattern, str], ...] = (
    ("a memory address", re.compile(r"\b0x[0-9a-fA-F]{6,16}\b"), "0x[0-9a-f]+"),
    ("an absolute home path", re.compile(r"(?:/home/|/Users/)[^/\s'\"`:]+|\b[A-Za-z]:\\Users\\[^\\\s'\"`:]+"),
     "[^'\"]*"),
    ("a temporary path", re.compile(r"/tmp/[^/\s'\"`:]*\d[^/\s'\"`:]*"), "[^'\"]*"),
    ("a process id", re.compile(r"\b(?:[Pp][Ii][Dd]|[Pp]rocess)[ =:#]{0,3}\d{2,}"), "\\d+"),
    ("a timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
     "[0-9:. -]+"),
)


def volatile_parts(signature: str) -> list[tuple[str, str]]:
    """(what, text) of every run-specific part in `signature` (these are kbtool's own regexes)."""
    return [(what, found.group(0)) for what, finder, _ in VOLATILE_PARTS for found in finder.finditer(signature[:4000])]


# --- what varies, learned from real messages ---------------------------------------------------------
#
# The reference corpus (`regex/reference/messages.jsonl`, package data) holds real messages keyed by
# error: two messages with the same key are two occurrences of the same error, so the words where they
# differ are the positions that vary. Its canonical signatures also write a varying position with a
# placeholder word (`undefined: X`, `when calling the X operation`, `cannot find -lfoo`). Both give
# *slot contexts*: the words around a position that holds a run-specific name. The generaliser turns a
# bare word found in such a context into a wildcard; the context is three words (two on one side, one on
# the other), so a context like "the ___ is" alone never makes a word vary.

#: Words that authors of canonical signatures write where a name goes.
#: English nouns (`name`, `value`) are left out: canons also use them as words (`the name of`).
PLACEHOLDER_WORDS = frozenset({"x", "y", "z", "n", "foo", "bar", "baz", "xxx", "<name>", "image:tag"})

_SLOT_WORD = re.compile(r"\S+")


def _words(message: str) -> list[str]:
    return [word.casefold().strip(".,;:!?()") for word in _SLOT_WORD.findall(message[:2000])]


def _contexts(words: list[str], index: int) -> set[tuple[str, str, str, str]]:
    """The two three-word contexts of position `index`: ('L', left2, left1, right1) and ('R', left1, right1, right2)."""
    edge = "\x00"
    left2 = words[index - 2] if index >= 2 else edge
    left1 = words[index - 1] if index >= 1 else edge
    right1 = words[index + 1] if index + 1 < len(words) else edge
    right2 = words[index + 2] if index + 2 < len(words) else edge
    found = set()
    if left1 != edge:  # at the edges of a message, the edge itself is part of the context (`undefined: X`)
        found.add(("L", left2, left1, right1))
    if right1 != edge:
        found.add(("R", left1, right1, right2))
    return found


def contexts_of(words: list[str], index: int) -> set[tuple[str, str, str, str]]:
    """The slot contexts of word `index` of a message split with `message_words`."""
    return _contexts(words, index)


def message_words(message: str) -> list[str]:
    """The words of a message as the slot contexts see them (case-folded, outer punctuation stripped)."""
    return _words(message)


def _load_reference() -> list[dict]:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent / "reference" / "messages.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:  # an installation without the package data: nothing learned
        return []
    return [json.loads(line) for line in lines if line.strip()]


_LEARNED: frozenset | None = None


def learned_slot_contexts() -> frozenset:
    """Slot contexts learned from the reference corpus (computed once a process)."""
    global _LEARNED
    if _LEARNED is None:
        _LEARNED = frozenset(slot_contexts(_load_reference()))
    return _LEARNED


def slot_contexts(rows) -> set[tuple[str, str, str, str]]:
    """Slot contexts from messages (dicts with `message` and `error`): placeholder words, and the single
    words where two messages of the same error differ while the words around them agree."""
    found: set[tuple[str, str, str, str]] = set()
    by_error: dict[str, list[list[str]]] = {}
    for row in rows:
        words = _words(row["message"])
        for index, word in enumerate(words):
            if word in PLACEHOLDER_WORDS:
                found |= _contexts(words, index)
        by_error.setdefault(row["error"], []).append(words)
    for group in by_error.values():
        for first, second in zip(group, group[1:]):
            if len(first) != len(second):
                continue
            differing = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
            if 0 < len(differing) <= 3:
                for index in differing:
                    if index - 1 not in differing and index + 1 not in differing:
                        found |= _contexts(first, index) | _contexts(second, index)
    return found

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

"""Python's own parse tree of a record's regex, read faster than Python's parser reads it.

`re` parses a pattern one character at a time in pure Python: some 0.13 ms for a record's regex of 85
characters, 11 s for the 100,000 regexes of a large KB, each lint. `parse` reads the shapes record regexes are
made of (runs of plain text taken whole, escaped punctuation, `.`, `\\d`-style classes, character sets,
quantifiers, capturing and non-capturing groups, alternatives, leading global flags `(?i)`) into the very tree
`re._parser.parse` gives: the same `SubPattern`s and `State`, alternatives folded the same way, for
`re._compiler` to compile and `kbtool.regex.literals` and `kbtool.regex.shapes` to analyse. Anything else (named
groups, look-arounds, back-references, inline flags elsewhere, numeric and named character escapes, verbose mode,
and every pattern `re` rejects or warns about) gives None: the caller asks Python's parser, which also names the
error. `tests/test_quickparse.py` holds the two parsers to the same trees, on real regexes and generated ones.
"""

from __future__ import annotations

import re
from re import _constants as _sre
from re import _parser as _sre_parse

_LITERAL, _IN, _AT, _ANY, _RANGE, _NEGATE = _sre.LITERAL, _sre.IN, _sre.AT, _sre.ANY, _sre.RANGE, _sre.NEGATE
_SUBPATTERN, _BRANCH, _MAXREPEAT = _sre.SUBPATTERN, _sre.BRANCH, _sre.MAXREPEAT
_REPEAT_CODES = {"": _sre.MAX_REPEAT, "?": _sre.MIN_REPEAT, "+": _sre.POSSESSIVE_REPEAT}
_REPEATS = frozenset(_REPEAT_CODES.values())
_CATEGORIES, _ESCAPES = _sre_parse.CATEGORIES, _sre_parse.ESCAPES
_DIGITS_AND_LETTERS = _sre_parse.DIGITS | _sre_parse.ASCIILETTERS

#: A run of characters that stand for themselves (`re._parser.SPECIAL_CHARS` are the others).
_PLAIN = re.compile("[^" + re.escape(_sre_parse.SPECIAL_CHARS) + "]+")
#: A counted repeat, `{m}`, `{m,}`, `{,n}`, `{m,n}` (ASCII digits, as `re` reads them); `{}` is plain text.
_COUNTED = re.compile(r"\{([0-9]*)(?:(,)([0-9]*))?\}")
#: Global flags at the start: i, m, s only (x would make `re` read the pattern again, verbose).
_GLOBAL_FLAGS = re.compile(r"\(\?([ims]+)\)")
#: Flags a caller may pass: others change how the pattern is read (verbose), or are rare.
_PASSABLE_FLAGS = _sre.SRE_FLAG_IGNORECASE | _sre.SRE_FLAG_MULTILINE | _sre.SRE_FLAG_DOTALL | _sre.SRE_FLAG_UNICODE
_MAX_DEPTH = 50  # groups nested deeper are left to `re`
_MAX_COUNT_DIGITS = 9  # a count of more digits may reach MAXREPEAT: left to `re`, which names the error


class _NotHere(Exception):
    """The pattern is not one this reader takes (or `re` rejects or warns about it): ask Python's parser."""


def parse(pattern: str, flags: int = 0):
    """`re._parser.parse(pattern, flags)`'s tree, or None when `pattern` is not of the shapes read here."""
    if type(pattern) is not str or flags & ~_PASSABLE_FLAGS:
        return None
    state = _sre_parse.State()
    state.flags = flags
    state.str = pattern
    try:
        tree, end = _alternatives(pattern, 0, state, 0)
    except _NotHere:
        return None
    if end != len(pattern):  # an unbalanced ")"
        return None
    state.flags = _sre_parse.fix_flags(pattern, state.flags)
    return tree


def _alternatives(pattern: str, at: int, state, depth: int):
    """`re._parser._parse_sub`: a|b|c from `at`, shared leading items moved out, single characters made a set."""
    items = []
    while True:
        item, at = _sequence(pattern, at, state, depth, first=depth == 0 and not items)
        items.append(item)
        if at < len(pattern) and pattern[at] == "|":
            at += 1
            continue
        break
    if len(items) == 1:
        return items[0], at
    subpattern = _sre_parse.SubPattern(state)
    while True:  # the items all alternatives start with
        prefix = None
        for item in items:
            if not item.data:
                break
            if prefix is None:
                prefix = item.data[0]
            elif item.data[0] != prefix:
                break
        else:
            for item in items:
                del item.data[0]
            subpattern.data.append(prefix)
            continue
        break
    chars = []
    for item in items:  # alternatives of one character each: a set
        if len(item.data) != 1:
            break
        op, av = item.data[0]
        if op is _LITERAL:
            chars.append((op, av))
        elif op is _IN and av[0][0] is not _NEGATE:
            chars.extend(av)
        else:
            break
    else:
        subpattern.data.append((_IN, _sre_parse._uniq(chars)))
        return subpattern, at
    subpattern.data.append((_BRANCH, (None, items)))
    return subpattern, at


def _sequence(pattern: str, at: int, state, depth: int, first: bool):
    """`re._parser._parse`: the items from `at` to the next | or ) at this depth."""
    subpattern = _sre_parse.SubPattern(state)
    data = subpattern.data
    end = len(pattern)
    while at < end:
        char = pattern[at]
        if char not in _sre_parse.SPECIAL_CHARS:
            run = _PLAIN.match(pattern, at)
            data += [(_LITERAL, ord(plain)) for plain in run.group()]
            at = run.end()
        elif char == "|" or char == ")":
            break
        elif char == "\\":
            escape = pattern[at:at + 2]
            at += 2
            code = _CATEGORIES.get(escape) or _ESCAPES.get(escape)
            if code is None:
                if len(escape) < 2 or escape[1] in _DIGITS_AND_LETTERS:  # numbers, \x.., \N{..}, bad escapes
                    raise _NotHere
                code = (_LITERAL, ord(escape[1]))
            data.append(code)
        elif char == "[":
            code, at = _set(pattern, at + 1)
            data.append(code)
        elif char in "*+?{":
            at = _repeat(pattern, at, data, state)
        elif char == ".":
            data.append((_ANY, None))
            at += 1
        elif char == "^":
            data.append((_AT, _sre.AT_BEGINNING))
            at += 1
        elif char == "$":
            data.append((_AT, _sre.AT_END))
            at += 1
        else:  # "("
            at = _group(pattern, at, state, depth, data, first)
    for number in range(len(data) - 1, -1, -1):  # non-capturing groups without flags unpacked, as `re` does
        op, av = data[number]
        if op is _SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            data[number:number + 1] = av[3].data
    return subpattern, at


def _repeat(pattern: str, at: int, data: list, state) -> int:
    """A quantifier at `at` applied to the last item of `data` (or a plain "{"); where it ends."""
    char = pattern[at]
    if char == "{":
        counted = _COUNTED.match(pattern, at)
        if counted is None or counted.end() == at + 2:  # "{" that starts no count, "{}": plain text
            data.append((_LITERAL, ord("{")))
            return at + 1
        low, comma, high = counted.groups()
        if len(low) > _MAX_COUNT_DIGITS or len(high or "") > _MAX_COUNT_DIGITS:
            raise _NotHere
        least = int(low) if low else 0
        most = (int(high) if high else _MAXREPEAT) if comma else least
        if most < least:
            raise _NotHere
        at = counted.end()
    else:
        least, most = {"*": (0, _MAXREPEAT), "+": (1, _MAXREPEAT), "?": (0, 1)}[char]
        at += 1
    if not data or data[-1][0] is _AT or data[-1][0] in _REPEATS:  # nothing to repeat, a repeat repeated
        raise _NotHere
    last = data[-1]
    if last[0] is _SUBPATTERN and last[1][0] is None and not last[1][1] and not last[1][2]:
        item = last[1][3]  # a non-capturing group's body, repeated
    else:
        item = _sre_parse.SubPattern(state, [last])
    mode = pattern[at:at + 1] if pattern[at:at + 1] in ("?", "+") else ""
    data[-1] = (_REPEAT_CODES[mode], (least, most, item))
    return at + len(mode)


def _group(pattern: str, at: int, state, depth: int, data: list, first: bool) -> int:
    """A group at `at` (capturing or not), or leading global flags; where it ends."""
    if pattern.startswith("(?", at):
        if pattern.startswith("(?:", at):
            group, at = None, at + 3
        else:
            flags = _GLOBAL_FLAGS.match(pattern, at)
            if flags is None or not first or data:  # another extension, or flags `re` rejects here
                raise _NotHere
            for letter in flags.group(1):
                state.flags |= _sre_parse.FLAGS[letter]
            return flags.end()
    else:
        try:
            group = state.opengroup()
        except _sre_parse.error:
            raise _NotHere from None
        at += 1
    if depth >= _MAX_DEPTH:
        raise _NotHere
    body, at = _alternatives(pattern, at, state, depth + 1)
    if pattern[at:at + 1] != ")":
        raise _NotHere
    if group is not None:
        state.closegroup(group, body)
    data.append((_SUBPATTERN, (group, 0, 0, body)))
    return at + 1


def _set(pattern: str, at: int):
    """A character set whose "[" is just before `at`: (its item, where it ends)."""
    if pattern[at:at + 1] == "[":  # `re` warns of a nested set
        raise _NotHere
    negate = pattern[at:at + 1] == "^"
    at += negate
    items: list = []
    while True:
        this, at = _set_char(pattern, at)
        if this == "]" and items:
            break
        if this[0] == "\\":
            code = _set_escape(this)
        else:
            if items and this in "-&~|" and pattern[at:at + 1] == this:  # `re` warns of a set operation
                raise _NotHere
            code = (_LITERAL, ord(this))
        if pattern[at:at + 1] == "-":
            that, at = _set_char(pattern, at + 1)
            if that == "]":
                items += [code[1][0] if code[0] is _IN else code, (_LITERAL, ord("-"))]
                break
            if that[0] == "\\":
                upper = _set_escape(that)
            elif that == "-":  # `re` warns of a set difference
                raise _NotHere
            else:
                upper = (_LITERAL, ord(that))
            if code[0] is not _LITERAL or upper[0] is not _LITERAL or upper[1] < code[1]:
                raise _NotHere
            items.append((_RANGE, (code[1], upper[1])))
        else:
            items.append(code[1][0] if code[0] is _IN else code)
    items = _sre_parse._uniq(items)
    if len(items) == 1 and items[0][0] is _LITERAL:
        return ((_sre.NOT_LITERAL, items[0][1]) if negate else items[0]), at
    if negate:
        items.insert(0, (_NEGATE, None))
    return (_IN, items), at


def _set_char(pattern: str, at: int) -> tuple[str, int]:
    """The character (or two-character escape) of a set at `at`, and where it ends."""
    if at >= len(pattern):  # unterminated
        raise _NotHere
    width = 2 if pattern[at] == "\\" else 1
    if at + width > len(pattern):
        raise _NotHere
    return pattern[at:at + width], at + width


def _set_escape(escape: str):
    """`re._parser._class_escape` of the escapes read here."""
    code = _ESCAPES.get(escape)
    if code:
        return code
    code = _CATEGORIES.get(escape)
    if code and code[0] is _IN:
        return code
    if escape[1] in _DIGITS_AND_LETTERS:  # octal and numeric escapes, bad escapes
        raise _NotHere
    return (_LITERAL, ord(escape[1]))

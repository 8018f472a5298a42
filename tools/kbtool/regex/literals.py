"""Required literals of a regex, read from Python's own parse tree (nothing here runs a regex).

* `required_literal_sets(pattern)`: sets of strings such that every text the regex matches contains
  one string of each set (folded by `fold`, as the texts looked in must be). Cross-record checks and
  `kbtool match` look regexes up by them instead of trying all.
* `literal_filter(pattern)`: the same knowledge with the alternatives kept apart (each alternative
  of `a.*b|c.*d` requires all its own literals), a finer test of whether a regex could match a text.
* `literal_text(pattern)` / `literal_runs(pattern)`: the regex as plain text when it is nothing but
  escaped characters, and every run of plain characters in it.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING, NamedTuple

from re import _constants as _sre
from re import _parser as _sre_parse

from kbtool.regex.quickparse import parse as quick_parse

if TYPE_CHECKING:
    from kbtool.cache import Cache

#: What `fold` does after `str.casefold`: `re` ignoring case reads the Turkish dotted İ as i (its simple lower
#: case) and the dotless ı as I and i, where case folding makes İ an i and a combining dot, and keeps ı.
_FOLDED_AS_RE_READS = str.maketrans({"\u0131": "i", "\u0307": None})


def fold(text: str) -> str:
    """`text` case-folded as the literal index compares it: `str.casefold`, the dotless ı read as i and the
    combining dot above dropped. Character by character (a string a text holds, the folded text holds
    folded), and any two characters that `re` takes for one ignoring case fold alike: so a text that a
    regex matches, folded, holds the regex's folded required strings. (ASCII text is lower-cased: the same, 13 times
    faster than case folding and translating a message of 94 characters.)"""
    if text.isascii():
        return text.lower()
    return text.casefold().translate(_FOLDED_AS_RE_READS)


#: Longest pattern that is analysed at all (the schema caps `regex` at 2,000 characters).
MAX_ANALYSED_LENGTH = 5000
#: Shortest literal worth indexing: shorter ones are in too many texts to narrow anything down.
MIN_LITERAL_LENGTH = 3
_MAX_EXACT = 16  # most alternative strings tracked for one part of a regex

REPEATS = {_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT}
GROUPS = {_sre.SUBPATTERN, _sre.ATOMIC_GROUP}
ZERO_WIDTH = {_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT}


def parse(pattern: str, flags: int = 0):
    """Python's parse tree of `pattern`, or None when it does not parse (or is too long)."""
    if not isinstance(pattern, str) or len(pattern) > MAX_ANALYSED_LENGTH:
        return None
    tree = quick_parse(pattern, flags)  # the common shapes, read faster; the same tree
    if tree is not None:
        return tree
    try:
        with warnings.catch_warnings():  # a FutureWarning marks a construct of another engine: not analysable
            warnings.simplefilter("error", FutureWarning)
            return _sre_parse.parse(pattern, flags)
    except Exception:  # re.error, RecursionError, OverflowError, ...: not analysable
        return None


def items_of(node) -> list:
    """The (op, argument) items of a SubPattern (or of a plain list): the tree's own list, never to be changed."""
    return node.data if type(node) is _sre_parse.SubPattern else node


def group_flags(flags: int, av) -> tuple[int, object]:
    """Flags in force inside a SUBPATTERN / ATOMIC_GROUP, and its body."""
    if isinstance(av, tuple):  # SUBPATTERN: (group, add_flags, del_flags, body); an atomic group's body is a list
        _, add, delete, body = av
        return (flags | add) & ~delete, body
    return flags, av  # ATOMIC_GROUP: the body itself


# --------------------------------------------------------------------------------------------
# Required literals


class _Literals(NamedTuple):
    exact: frozenset[str] | None  # every string this part can match, when there are few
    required: tuple[frozenset[str], ...] = ()  # each match contains one string of each set


_ANYTHING = _Literals(None)
_EMPTY = _Literals(frozenset({""}))


def _class_chars(av, flags: int) -> frozenset[str] | None:
    """The characters of a small character class, or None."""
    chars: set[str] = set()
    for op, arg in av:
        if op is _sre.LITERAL:
            chars.add(chr(arg))
        elif op is _sre.RANGE and arg[1] - arg[0] < 4:
            chars.update(chr(code) for code in range(arg[0], arg[1] + 1))
        else:
            return None
    return frozenset(chars) if len(chars) <= 4 else None


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective set: longest shortest member, then fewest members."""
    usable = [option for option in options if option and "" not in option]
    if not usable:
        return None
    return max(usable, key=lambda option: (min(len(text) for text in option), -len(option)))


#: What the parts of one parse tree require, by (id of the part, flags), and that folded (`_folded_of_node`), by
#: (id of the part, flags, "folded"), with the part (so that its id stays its own): the required sets, the branch sets
#: and the filter of one regex (`kbtool.regex.shapes.analysis_of_tree`) ask for the same parts again and again, and the
#: filter for those of every group again at each depth.
_Memo = dict


def _literals_of_node(node, flags: int, memo: _Memo | None) -> _Literals:
    """`_literals_of_sequence` of a part of the tree (a SubPattern), looked up in `memo` first."""
    if memo is None:
        return _literals_of_sequence(items_of(node), flags, None)
    key = (id(node), flags)
    found = memo.get(key)
    if found is None:
        found = memo[key] = (node, _literals_of_sequence(items_of(node), flags, memo))
    return found[1]


def _literals_of_sequence(items, flags: int, memo: _Memo | None = None) -> _Literals:
    current: set[str] | None = {""}
    required: list[frozenset[str]] = []
    exact = True

    def flush() -> None:
        if current and "" not in current:
            required.append(frozenset(current))

    run: list[str] = []  # plain characters not yet appended to `current`
    for item in items:
        op, av = item
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            tail, run = "".join(run), []
            current = {left + tail for left in current}
        part = _literals_of(item, flags, memo)
        if part.exact is not None and current is not None and len(current) * len(part.exact) <= _MAX_EXACT:
            current = {left + right for left in current for right in part.exact}
            continue
        exact = False
        flush()
        if part.exact is not None:
            current = set(part.exact)
        else:
            required.extend(part.required)
            current = {""}
    if run:
        tail = "".join(run)
        current = {left + tail for left in current}
    if exact:
        return _Literals(frozenset(current))
    flush()
    return _Literals(None, tuple(required))


def _literals_of(item, flags: int, memo: _Memo | None) -> _Literals:
    op, av = item
    if op is _sre.LITERAL:
        return _Literals(frozenset({chr(av)}))
    if op is _sre.IN:
        chars = _class_chars(av, flags)
        return _Literals(chars) if chars else _ANYTHING
    if op in ZERO_WIDTH:
        return _EMPTY
    if op in GROUPS:
        inner_flags, body = group_flags(flags, av)
        return _literals_of_node(body, inner_flags, memo)
    if op is _sre.BRANCH:
        branches = [_literals_of_node(branch, flags, memo) for branch in av[1]]
        if all(branch.exact is not None for branch in branches):
            union = frozenset().union(*(branch.exact for branch in branches))
            if len(union) <= _MAX_EXACT:
                return _Literals(union)
        chosen = []
        for branch in branches:
            best = _best(list(branch.required) + ([branch.exact] if branch.exact is not None else []))
            if best is None:
                return _ANYTHING
            chosen.append(best)
        return _Literals(None, (frozenset().union(*chosen),))
    if op in REPEATS:
        low, high, body = av
        if high == 0:
            return _EMPTY
        inner = _literals_of_node(body, flags, memo)
        if inner.exact is not None and high <= 3:
            options: set[str] = set()
            power = {""}
            for count in range(high + 1):
                if count >= low:
                    options |= power
                power = {left + right for left in power for right in inner.exact}
                if len(options) > _MAX_EXACT or len(power) > _MAX_EXACT:
                    break
            else:
                return _Literals(frozenset(options))
        if low == 0:
            return _ANYTHING
        sets = list(inner.required) + ([inner.exact] if inner.exact is not None else [])
        return _Literals(None, tuple(option for option in sets if "" not in option))
    return _ANYTHING  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, ...


@functools.lru_cache(maxsize=4096)
def required_literal_sets(pattern: str) -> tuple[frozenset[str], ...]:
    """Case-folded sets of strings; every text matched by `pattern` contains one string of each set.

    The most selective set comes first. Empty when nothing is known (or the regex does not parse).
    """
    return literal_sets_of_tree(parse(pattern))


def literal_sets_of_tree(tree, memo: _Memo | None = None) -> tuple[frozenset[str], ...]:
    """`required_literal_sets` of an already parsed pattern (`memo`: see `literal_analysis`)."""
    if tree is None:
        return ()
    try:
        return _folded_of_node(tree, tree.state.flags, memo)
    except RecursionError:
        return ()


def branch_literal_sets(pattern: str) -> list[tuple[frozenset[str], ...]]:
    """The required literal sets of each alternative of `pattern` when it is an alternation at the
    top (`a|b`, also inside one group such as `(?i)(a|b)`), else of the whole pattern. Every match
    is a match of one alternative, so each alternative must identify the error on its own."""
    return branch_sets_of_tree(parse(pattern))


def branch_sets_of_tree(tree, memo: _Memo | None = None) -> list[tuple[frozenset[str], ...]]:
    """`branch_literal_sets` of an already parsed pattern (`memo`: see `literal_analysis`)."""
    if tree is None:
        return [()]
    try:
        items, flags = items_of(tree), tree.state.flags
        while len(items) == 1 and items[0][0] in GROUPS:
            flags, body = group_flags(flags, items[0][1])
            items = items_of(body)
        if len(items) == 1 and items[0][0] is _sre.BRANCH:
            return [_folded_of_node(branch, flags, memo) for branch in items[0][1][1]]
    except RecursionError:
        return [()]
    return [literal_sets_of_tree(tree, memo)]


def _folded_of_node(node, flags: int, memo: _Memo | None) -> tuple[frozenset[str], ...]:
    """`_folded` of `_literals_of_node`, looked up in `memo` first (the required sets, the branch sets and the
    filter of one regex ask for those of the same parts)."""
    if memo is None:
        return _folded(_literals_of_node(node, flags, None))
    key = (id(node), flags, "folded")
    found = memo.get(key)
    if found is None:
        found = memo[key] = (node, _folded(_literals_of_node(node, flags, memo)))
    return found[1]


def _folded(result: _Literals) -> tuple[frozenset[str], ...]:
    """The usable sets of `result`, case-folded, the most selective first."""
    options = list(result.required) + ([result.exact] if result.exact is not None else [])
    folded = {frozenset(map(fold, option)) for option in options}
    usable = [option for option in folded if option and "" not in option]
    if len(usable) > 1:
        usable.sort(key=_selectivity)
    return tuple(usable)


def _selectivity(option: frozenset[str]) -> tuple:
    """Sorts the most selective set first: the longest shortest string, then the fewest strings (then by its strings,
    for the same order in every run)."""
    return -min(map(len, option)), len(option), sorted(option)


# A literal filter: a tuple of clauses, all of which hold for every text the regex matches. A clause
# is a frozenset of case-folded strings (the text contains one of them) or a tuple of filters (one of
# them holds: the alternatives of a branch). `literal_filter` keeps the alternatives that
# `required_literal_sets` merges into one set.
LiteralFilter = tuple
#: Depth of nested alternatives a filter keeps (deeper ones only give their required sets).
_MAX_FILTER_DEPTH = 6


def _starts(items, flags: int, depth: int = 0) -> frozenset[str]:
    """Strings one of which every match of the sequence `items` starts with ("" among them: nothing known)."""
    run = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        return _starts_with("".join(run), op, av, flags, depth)
    return frozenset({"".join(run)})


def _starts_with(prefix: str, op, av, flags: int, depth: int) -> frozenset[str]:
    """`_starts` of plain text `prefix` followed by the item (op, av), and whatever comes after it."""
    if depth >= _MAX_FILTER_DEPTH:
        return frozenset({prefix})
    if op in GROUPS:
        inner_flags, body = group_flags(flags, av)
        follow = _starts(items_of(body), inner_flags, depth + 1)
    elif op is _sre.BRANCH:
        follow = frozenset().union(*(_starts(items_of(branch), flags, depth + 1) for branch in av[1]))
    elif op in REPEATS and av[0] >= 1:
        follow = _starts(items_of(av[2]), flags, depth + 1)
    else:
        follow = frozenset({""})
    if len(follow) > _MAX_EXACT:
        return frozenset({prefix})
    return frozenset(prefix + text for text in follow)


def _filter_of_sequence(node, flags: int, depth: int, memo: _Memo | None) -> LiteralFilter:
    clauses: list = list(_folded_of_node(node, flags, memo))
    if depth >= _MAX_FILTER_DEPTH:
        return tuple(clauses)
    # A run of plain characters followed by a group or an alternation: every match holds the run
    # followed by one of the strings that part starts with ("Error: (?:foo|bar)" holds "error: foo"
    # or "error: bar"), which the required sets alone do not say.
    inner: list = []  # the clauses of the groups, repetitions and alternatives, after those of the runs
    run: list[str] = []
    for op, av in items_of(node):
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            prefix, run = "".join(run), []
            followed = _starts_with(prefix, op, av, flags, depth + 1)
            if any(len(text) > len(prefix) for text in followed):  # it says more than the run
                clauses.append(frozenset(fold(text) for text in followed))
        if op in GROUPS:
            inner_flags, body = group_flags(flags, av)
            inner.extend(_filter_of_sequence(body, inner_flags, depth + 1, memo))
        elif op in REPEATS and av[0] >= 1 and av[1] != 0:
            inner.extend(_filter_of_sequence(av[2], flags, depth + 1, memo))
        elif op is _sre.BRANCH:
            alternatives = tuple(_filter_of_sequence(branch, flags, depth + 1, memo) for branch in av[1])
            if all(alternatives):  # an alternative that requires nothing: the branch tells nothing
                inner.append(alternatives)
    unique: list = []
    for clause in clauses + inner:
        if clause not in unique:
            unique.append(clause)
    return tuple(unique)


@functools.lru_cache(maxsize=4096)
def literal_filter(pattern: str) -> LiteralFilter:
    """The literal filter of `pattern` (see `LiteralFilter`): empty when nothing is known."""
    return filter_of_tree(parse(pattern))


def filter_of_tree(tree, memo: _Memo | None = None) -> LiteralFilter:
    """`literal_filter` of an already parsed pattern (`memo`: see `literal_analysis`)."""
    if tree is None:
        return ()
    try:
        return _filter_of_sequence(tree, tree.state.flags, 0, memo)
    except RecursionError:
        return ()


def filter_holds(literal_filter: LiteralFilter, folded_text: str, told=None) -> bool:
    """Whether `folded_text` (folded: `fold`) passes the filter: else the regex cannot match it. With `told` (a
    test of a clause that is a set), the clauses it refuses are taken to hold."""
    for clause in literal_filter:
        if isinstance(clause, frozenset):
            if (told is None or told(clause)) and not any(literal in folded_text for literal in clause):
                return False
        elif not any(filter_holds(alternative, folded_text, told) for alternative in clause):
            return False
    return True


def may_match_ignoring_case(literal_filter: LiteralFilter, text: str) -> bool:
    """False when the regex of `literal_filter` cannot match `text` even ignoring case: `text` is ASCII and
    misses a clause whose strings are all ASCII (each of its characters then matches only its own two cases,
    so the lower-cased text holds one of the clause's strings if the regex matches). True when unsure."""
    return not text.isascii() or filter_holds(literal_filter, text.lower(), told=_all_ascii)


def _all_ascii(clause: frozenset[str]) -> bool:
    return bool(clause) and all(literal.isascii() for literal in clause)


def literal_filter_to_json(literal_filter: LiteralFilter) -> list:
    return [sorted(clause) if isinstance(clause, frozenset) else {"any": [literal_filter_to_json(alternative) for alternative in clause]}
            for clause in literal_filter]


def literal_filter_from_json(value: object, depth: int = 0) -> LiteralFilter:
    """A literal filter from its JSON form; ValueError when `value` is not one."""
    if not isinstance(value, list) or depth > _MAX_FILTER_DEPTH + 1:
        raise ValueError("not a literal filter")
    clauses = []
    for clause in value:
        if isinstance(clause, list) and all(isinstance(literal, str) for literal in clause):
            clauses.append(frozenset(clause))
        elif isinstance(clause, dict) and isinstance(clause.get("any"), list) and len(clause) == 1:
            clauses.append(tuple(literal_filter_from_json(alternative, depth + 1) for alternative in clause["any"]))
        else:
            raise ValueError("not a literal filter")
    return tuple(clauses)


def cached_literal_filters(patterns: list[str], cache: Cache) -> list[LiteralFilter]:
    """`literal_filter` of each pattern, through kbtool's cache."""
    return cache.through("regex-filter", [(pattern,) for pattern in patterns],
                         lambda missing: [literal_filter(patterns[n]) for n in missing],
                         valid=lambda value: isinstance(value, list), load=literal_filter_from_json, dump=literal_filter_to_json)


def literal_text(pattern: str) -> str | None:
    """The text `pattern` matches when it is nothing but plain (escaped) characters, else None.

    `^` and `$` at either end are allowed; an inline flag such as `(?i)` is too.
    """
    tree = parse(pattern)
    if tree is None:
        return None
    items = items_of(tree)
    while items and items[0][0] is _sre.AT:
        items = items[1:]
    while items and items[-1][0] is _sre.AT:
        items = items[:-1]
    if not items or any(op is not _sre.LITERAL for op, _ in items):
        return None
    return "".join(chr(av) for _, av in items)


def literal_runs(pattern: str) -> list[str]:
    """Every run of consecutive plain characters anywhere in `pattern` (what it hard-codes)."""
    tree = parse(pattern)
    if tree is None:
        return []
    runs: list[str] = []

    def walk(items) -> None:
        run: list[str] = []
        for op, av in items:
            if op is _sre.LITERAL:
                run.append(chr(av))
                continue
            if run:
                runs.append("".join(run))
                run = []
            if op in GROUPS:
                walk(items_of(group_flags(0, av)[1]))
            elif op is _sre.BRANCH:
                for branch in av[1]:
                    walk(items_of(branch))
            elif op in REPEATS:
                walk(items_of(av[2]))
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                walk(items_of(av[1]))
        if run:
            runs.append("".join(run))

    try:
        walk(items_of(tree))
    except RecursionError:
        return runs
    return runs


def has_operator(pattern: str) -> bool:
    """Whether `pattern` has an unescaped regex operator (beyond a leading `^`, a trailing `$` and
    a leading inline flag group such as `(?i)`)."""
    body = re.sub(r"^\(\?[aiLmsux]+\)", "", pattern)
    body = body[1:] if body.startswith("^") else body
    escaped = False
    for position, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in ".*+?{}[]()|^" or (char == "$" and position != len(body) - 1):
            return True
    return False


def cached_literal_sets(patterns: list[str], cache: Cache) -> list[tuple[frozenset[str], ...]]:
    """`required_literal_sets` of each pattern, through kbtool's cache."""
    return cache.through("regex-literals", [(pattern,) for pattern in patterns],
                         lambda missing: [required_literal_sets(patterns[n]) for n in missing],
                         valid=lambda value: isinstance(value, list), load=literal_sets_from_json, dump=literal_sets_to_json)


def literal_sets_to_json(sets: tuple[frozenset[str], ...]) -> list[list[str]]:
    """Literal sets as JSON (for kbtool's cache)."""
    return [sorted(literals) for literals in sets]


def literal_sets_from_json(value: list) -> tuple[frozenset[str], ...]:
    """Literal sets from their JSON form; ValueError when `value` is not one."""
    if type(value) is not list:
        raise ValueError("not a list of literal sets")
    sets = []
    for literals in value:  # a plain loop: the catalog decodes one of these for every record
        if type(literals) is not list:
            raise ValueError("not a list of literal sets")
        for literal in literals:
            if type(literal) is not str:
                raise ValueError("not a list of literal sets")
        sets.append(frozenset(literals))
    return tuple(sets)

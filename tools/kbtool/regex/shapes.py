"""Static analysis of record regexes on Python's own parse tree: nothing here ever runs a regex.

* `catastrophic_shape(pattern)`: whether Python's backtracking engine can take
  exponential or high-degree polynomial time on some input. The regex is turned
  into a position (Glushkov) automaton whose edges remember how many syntactic
  ways lead from one character position to the next; then

  - *exponential*: some loop of the automaton can read one text along two
    different paths (a strongly connected component of the automaton's product
    with itself that holds both a pair (q, q) and a pair (p, r) with p != r, or a
    doubled edge inside a loop). This is `(a+)+`, `(a|a)*`, `(\\w+\\s?)+`, `(.*a){25}`;
  - *polynomial*: two or more unbounded repetitions that can all read a run of
    one same character one after the other (`.*.*x`, `\\s*.*x`, `(.*a){10}`),
    followed by something that can fail. A trailing `.*.*` is harmless: the match
    succeeds as soon as it gets there.

  Repetitions bounded by 20 or less are unrolled; larger bounds count as unbounded.
  Lookarounds, anchors and backreferences are treated as empty.

`analyse_regex` gives the shape and the required literals (`kbtool.regex.literals`) from one parse.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from re import _constants as _sre

from kbtool.regex.literals import (GROUPS, REPEATS, ZERO_WIDTH, branch_sets_of_tree, filter_of_tree, group_flags, items_of,
                                   literal_sets_of_tree, parse)

#: Repetitions with an upper bound above this are treated as unbounded.
UNROLL_LIMIT = 20
#: Repetitions whose unrolled copies would hold more character positions than this are treated as
#: unbounded too (`(a{1,20}){1,20}` is as catastrophic as `(a+)+`).
UNROLL_BUDGET = 40
_MAX_POSITIONS = 3000  # automaton size above which the shape analysis gives up
_MAX_PRODUCT_COMPONENT = 80  # loop size above which the product construction is skipped
_MAX_PRODUCT_WORK = 250_000  # transitions of the product of one loop with itself, at most

_IGNORECASE = _sre.SRE_FLAG_IGNORECASE
_DOTALL = _sre.SRE_FLAG_DOTALL
_ASCII = _sre.SRE_FLAG_ASCII
_MAXREPEAT = _sre.MAXREPEAT

# --------------------------------------------------------------------------------------------
# Character classes as bit masks over a small universe of representative characters

_BASE_UNIVERSE = [chr(code) for code in range(128)] + list(
    "\x85\xa0\u2003\u2028\u3000"  # non-ASCII spaces and line breaks
    "éÉßſKıİΩωЖж中文あ"  # letters with case quirks, other scripts
    "٣²½"  # non-ASCII digit, superscript, fraction
    "—…€\u200b\U0001F600"  # punctuation, symbols, a zero-width space, an emoji
)
_BASE_INDEX = {char: bit for bit, char in enumerate(_BASE_UNIVERSE)}
_BASE_MASKS: dict[tuple, int] = {}  # masks over the base universe, shared by every pattern


class _Universe:
    """The characters used to compare classes: ASCII, samples of other kinds, and the pattern's own."""

    def __init__(self, extra: set[str]) -> None:
        self.extra = sorted(char for char in extra if char not in _BASE_INDEX)
        self.chars = _BASE_UNIVERSE + self.extra
        self.all = (1 << len(self.chars)) - 1
        self._index = dict(_BASE_INDEX)
        self._index.update((char, len(_BASE_UNIVERSE) + offset) for offset, char in enumerate(self.extra))
        self._cache: dict[tuple, int] = {}

    def mask(self, predicate_key: tuple, predicate) -> int:
        cached = self._cache.get(predicate_key)
        if cached is None:
            base = _BASE_MASKS.get(predicate_key)
            if base is None:
                base = 0
                for bit, char in enumerate(_BASE_UNIVERSE):
                    if predicate(char):
                        base |= 1 << bit
                _BASE_MASKS[predicate_key] = base
            cached = base
            for offset, char in enumerate(self.extra):
                if predicate(char):
                    cached |= 1 << (len(_BASE_UNIVERSE) + offset)
            self._cache[predicate_key] = cached
        return cached

    def literal(self, char: str, flags: int) -> int:
        if not flags & _IGNORECASE:
            bit = self._index.get(char)
            return 1 << bit if bit is not None else 0
        folded = char.casefold()
        return self.mask(("ci", char), lambda other: other == char or other.casefold() == folded
                         or other.lower() == char.lower() or other.upper() == char.upper())

    def readable(self, mask: int) -> str:
        """A readable character of `mask`, for messages."""
        fallback = ""
        for bit, char in enumerate(self.chars):
            if mask >> bit & 1:
                if char.isalnum():
                    return char
                if not fallback and char.isprintable():
                    fallback = char
        return fallback or "?"


def _category(name: str, ascii_only: bool):
    def inside(char: str) -> bool:
        if ascii_only and not char.isascii():
            return False
        if "DIGIT" in name:
            return char.isdecimal()
        if "SPACE" in name:
            return char.isspace()
        if "WORD" in name:
            return char.isalnum() or char == "_"
        if "LINEBREAK" in name:
            return char == "\n"
        return False

    if "NOT" in name:
        return lambda char: not inside(char)
    return inside


def _class_mask(universe: _Universe, av, flags: int) -> int:
    mask = 0
    negate = False
    ignore_case = bool(flags & _IGNORECASE)
    for op, arg in av:
        if op is _sre.NEGATE:
            negate = True
        elif op is _sre.LITERAL:
            mask |= universe.literal(chr(arg), flags)
        elif op is _sre.RANGE:
            low, high = arg
            if ignore_case:
                mask |= universe.mask(("range-ci", low, high), lambda char: any(
                    low <= ord(variant) <= high for variant in {char, char.lower(), char.upper()} if len(variant) == 1))
            else:
                mask |= universe.mask(("range", low, high), lambda char: low <= ord(char) <= high)
        elif op is _sre.CATEGORY:
            name = str(arg)
            ascii_only = bool(flags & _ASCII)
            mask |= universe.mask(("category", name, ascii_only), _category(name, ascii_only))
    return universe.all & ~mask if negate else mask


# --------------------------------------------------------------------------------------------
# The position automaton. Each edge counts the syntactic ways from one position to the next
# (at most 2 are told apart), because a backtracking matcher tries every one of them.


class _TooBig(Exception):
    pass


def _add(ways: dict[int, int], position: int, count: int) -> None:
    ways[position] = min(2, ways.get(position, 0) + count)


class _Fragment:
    __slots__ = ("empty", "first", "last", "asserts")

    def __init__(self, empty: int, first: dict[int, int] | None = None, last: dict[int, int] | None = None,
                 asserts: bool = False) -> None:
        self.empty = empty  # ways to match the empty string (0: not nullable; at most 2 are told apart)
        self.first = {} if first is None else first  # position -> ways to start there
        self.last = {} if last is None else last  # position -> ways to end there
        self.asserts = asserts


class _Automaton:
    def __init__(self, universe: _Universe, compress: bool = False) -> None:
        self.universe = universe
        self.compress = compress
        self.labels: list[int] = []
        self.edges: list[dict[int, int]] = []  # position -> {next position: ways}
        self.guarded: set[int] = set()  # positions after which an assertion must hold

    def position(self, label: int) -> _Fragment:
        if len(self.labels) >= _MAX_POSITIONS:
            raise _TooBig
        self.labels.append(label)
        self.edges.append({})
        index = len(self.labels) - 1
        return _Fragment(0, {index: 1}, {index: 1})

    def link(self, sources: dict[int, int], targets: dict[int, int], factor: int = 1) -> None:
        for source, source_ways in sources.items():
            edges = self.edges[source]
            for target, target_ways in targets.items():
                _add(edges, target, source_ways * target_ways * factor)

    def sequence(self, items, flags: int) -> _Fragment:
        result = _Fragment(1)
        run: list[int] = []  # with `compress`: masks of consecutive plain characters
        for item in items:
            if self.compress and item[0] is _sre.LITERAL:
                run.append(self.universe.literal(chr(item[1]), flags))
                continue
            if run:
                result = self.concat(result, self.word(run))
                run = []
            result = self.concat(result, self.build(item, flags))
        if run:
            result = self.concat(result, self.word(run))
        return result

    def word(self, masks: list[int]) -> _Fragment:
        """A run of plain characters as one position that only a run of one repeated character
        can read (the intersection of their classes). Sound for everything but the product
        construction, which needs one position per character."""
        label = masks[0]
        for mask in masks[1:]:
            label &= mask
        return self.position(label)

    def concat(self, left: _Fragment, right: _Fragment) -> _Fragment:
        self.link(left.last, right.first)
        if right.empty and right.asserts:
            self.guarded.update(left.last)
        first = dict(left.first)
        for position, ways in right.first.items():
            _add(first, position, ways * left.empty)
        last = dict(right.last)
        for position, ways in left.last.items():
            _add(last, position, ways * right.empty)
        return _Fragment(min(2, left.empty * right.empty), {p: w for p, w in first.items() if w},
                         {p: w for p, w in last.items() if w}, left.asserts or right.asserts)

    def build(self, item, flags: int) -> _Fragment:
        op, av = item
        universe = self.universe
        if op is _sre.LITERAL:
            return self.position(universe.literal(chr(av), flags))
        if op is _sre.NOT_LITERAL:
            return self.position(universe.all & ~universe.literal(chr(av), flags))
        if op is _sre.ANY:
            newline = universe.literal("\n", 0)
            return self.position(universe.all if flags & _DOTALL else universe.all & ~newline)
        if op is _sre.IN:
            return self.position(_class_mask(universe, av, flags))
        if op in ZERO_WIDTH:
            return _Fragment(1, asserts=True)
        if op in GROUPS:
            inner_flags, body = group_flags(flags, av)
            return self.sequence(items_of(body), inner_flags)
        if op is _sre.BRANCH:
            result = _Fragment(0)
            for branch in av[1]:
                part = self.sequence(items_of(branch), flags)
                result.empty = min(2, result.empty + part.empty)
                for position, ways in part.first.items():
                    _add(result.first, position, ways)
                for position, ways in part.last.items():
                    _add(result.last, position, ways)
                result.asserts = result.asserts or part.asserts
            return result
        if op in REPEATS:
            return self.repeat(av, flags)
        return _Fragment(1)  # GROUPREF, GROUPREF_EXISTS: treated as empty

    def repeat(self, av, flags: int) -> _Fragment:
        low, high, body = av
        items = items_of(body)
        if high == 0:
            return _Fragment(1)
        if _is_loop_repeat(high, items):
            part = self.sequence(items, flags)
            self.link(part.last, part.first)
            return _Fragment(1 if low == 0 else part.empty, part.first, part.last, part.asserts)
        result = _Fragment(1)
        for _ in range(low):
            result = self.concat(result, self.sequence(items, flags))
        if high > low:
            # The optional copies nest, x(x(x)?)?, as the engine counts: one way per number of copies.
            parts = [self.sequence(items, flags) for _ in range(high - low)]
            for before, after in zip(parts, parts[1:]):
                self.link(before.last, after.first)
            last: dict[int, int] = {}
            for part in parts:
                for position, ways in part.last.items():
                    _add(last, position, ways)
            tail = _Fragment(min(2, parts[0].empty + 1), dict(parts[0].first), last,
                             any(part.asserts for part in parts))
            result = self.concat(result, tail)
        return result


def _components(nodes, successors) -> list[list]:
    """Strongly connected components (Tarjan, iterative), in reverse topological order."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    result: list[list] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _is_loop(component: list, edges) -> bool:
    return len(component) > 1 or component[0] in edges(component[0])


def _exponential(automaton: _Automaton) -> str | None:
    """A character that some loop can read along two different paths, or None."""
    labels, edges = automaton.labels, automaton.edges
    for component in _components(range(len(labels)), lambda node: edges[node]):
        if not _is_loop(component, lambda node: edges[node]):
            continue
        members = set(component)
        for source in component:
            for target, ways in edges[source].items():
                if ways > 1 and target in members:
                    return automaton.universe.readable(labels[target])
        if len(component) > _MAX_PRODUCT_COMPONENT:
            continue
        inside = {node: [target for target in edges[node] if target in members] for node in component}
        if sum(len(targets) for targets in inside.values()) ** 2 > _MAX_PRODUCT_WORK:
            continue  # too costly to pair up: left to the time bound when the regex runs

        def pairs(pair, inside=inside):
            first, second = pair
            for next_first in inside[first]:
                for next_second in inside[second]:
                    if labels[next_first] & labels[next_second]:
                        yield (next_first, next_second)

        product_nodes = [(first, second) for first in component for second in component]
        for product_component in _components(product_nodes, pairs):
            if len(product_component) < 2:
                continue
            diagonal = any(first == second for first, second in product_component)
            crossed = [(first, second) for first, second in product_component if first != second]
            if diagonal and crossed:
                first, second = crossed[0]
                return automaton.universe.readable(labels[first] & labels[second])
    return None


_WIDE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _loop_components(automaton: _Automaton) -> list[list[int]]:
    edges = automaton.edges
    return [component for component in _components(range(len(edges)), lambda node: edges[node])
            if _is_loop(component, lambda node: edges[node])]


def _adjacent_wide(automaton: _Automaton, accept_free: set[int]) -> bool:
    """Two single-class repetitions in a row (`.*.*`, `.+\\S*`) that both match almost any character,
    with something after them that can fail."""
    labels, edges = automaton.labels, automaton.edges
    wide = 0
    for char in _WIDE:
        wide |= automaton.universe.literal(char, 0)
    for node, targets in enumerate(edges):
        if node not in targets or labels[node] & wide != wide:
            continue
        for target in targets:
            if (target != node and target in edges[target] and labels[target] & wide == wide
                    and target not in accept_free):
                return True
    return False


def _longest_loop_path(automaton: _Automaton) -> int:
    """The most loops on one path of the automaton, whatever the characters."""
    edges = automaton.edges
    components = _components(range(len(edges)), lambda node: edges[node])  # reverse topological order
    owner = {member: number for number, component in enumerate(components) for member in component}
    longest: list[int] = []
    for number, component in enumerate(components):
        after = max((longest[owner[target]] for member in component for target in edges[member]
                     if owner[target] != number), default=0)
        longest.append(after + (1 if _is_loop(component, lambda node: edges[node]) else 0))
    return max(longest, default=0)


def _run_chain(automaton: _Automaton, accept_free: set[int]) -> tuple[int, str]:
    """The most unbounded repetitions that can read one run of a single character one after
    the other (the last one where the match can still fail), and that character."""
    labels, edges = automaton.labels, automaton.edges
    loops = _loop_components(automaton)
    if len(loops) < 3 or _longest_loop_path(automaton) < 3:
        return 0, ""
    loop_labels = [labels[node] for component in loops for node in component]
    parts = [automaton.universe.all]  # characters that no loop label or literal tells apart
    for splitter in set(loop_labels):
        refined = []
        for part in parts:
            inside, outside = part & splitter, part & ~splitter
            refined.extend(piece for piece in (inside, outside) if piece)
        parts = refined
    literal_bits = 0
    for label in labels:
        if label and label & (label - 1) == 0:
            literal_bits |= label
    singles = []
    for part in parts:
        literals = part & literal_bits
        while literals:
            bit = literals & -literals
            singles.append(bit)
            literals ^= bit
    parts = [part & ~literal_bits for part in parts if part & ~literal_bits] + singles
    classes = [part for part in parts if sum(1 for label in loop_labels if label & part) >= 3]
    best, best_char = 0, ""
    minus_infinity = -10 ** 9
    for part in classes:
        chosen = {node for node, label in enumerate(labels) if label & part}

        def successors(node, chosen=chosen):
            return [target for target in edges[node] if target in chosen]

        components = _components(sorted(chosen), successors)  # reverse topological order
        owner = {member: number for number, component in enumerate(components) for member in component}
        chain: dict[int, int] = {}
        for number, component in enumerate(components):
            looping = _is_loop(component, successors)
            after = max((chain[owner[target]] for member in component for target in successors(member)
                         if owner[target] != number), default=minus_infinity)
            value = after + (1 if looping else 0) if after > 0 else minus_infinity
            if looping and any(member not in accept_free for member in component):
                value = max(value, 1)
            chain[number] = value
            if value > best:
                best, best_char = value, automaton.universe.readable(part)
    return best, best_char


def _unrolled_size(items) -> int:
    """Character positions of `items` once bounded repetitions are unrolled (capped)."""
    size = 0
    for op, av in items:
        if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN):
            size += 1
        elif op in REPEATS:
            inner_size = _unrolled_size(items_of(av[2]))
            size += inner_size * (1 if _loops_as_unbounded(av[1], inner_size) else av[1])
        elif op in GROUPS:
            size += _unrolled_size(items_of(group_flags(0, av)[1]))
        elif op is _sre.BRANCH:
            size += sum(_unrolled_size(items_of(branch)) for branch in av[1])
        if size > UNROLL_BUDGET:
            return UNROLL_BUDGET + 1
    return size


def _loops_as_unbounded(high: int, body_size: int) -> bool:
    return high == _MAXREPEAT or high > UNROLL_LIMIT or high * body_size > UNROLL_BUDGET


def _is_loop_repeat(high: int, body_items) -> bool:
    """Whether a repetition with upper bound `high` is analysed as unbounded."""
    return high == _MAXREPEAT or high > UNROLL_LIMIT or _loops_as_unbounded(high, _unrolled_size(body_items))


def _loop_census(items) -> tuple[int, bool]:
    """How many unbounded (or unrolled) repetitions the regex has, and whether any of them is
    more than one plain character class (nested, or over a group, alternation or option)."""
    loops = 0
    complex_loop = False
    stack = [(items, 1)]
    while stack:
        current, copies = stack.pop()
        for op, av in current:
            if op is _sre.LITERAL:  # most items: nothing to count
                continue
            if op in REPEATS:
                low, high, body = av
                inner = items_of(body)
                simple = len(inner) == 1 and inner[0][0] in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN)
                if _is_loop_repeat(high, inner):
                    loops += copies
                    complex_loop = complex_loop or not simple
                    stack.append((inner, copies))
                elif high > 0:
                    stack.append((inner, copies * high))
            elif op in GROUPS:
                stack.append((items_of(group_flags(0, av)[1]), copies))
            elif op is _sre.BRANCH:
                stack.extend((items_of(branch), copies) for branch in av[1])
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                stack.append((items_of(av[1]), copies))
            elif op is _sre.GROUPREF_EXISTS:
                stack.extend((items_of(branch), copies) for branch in av[1:] if branch is not None)
    return loops, complex_loop


def _loops_in_a_row(items) -> int:
    """At least the most unbounded repetitions that one match can go through one after the other with
    nothing between two of them that a run of one character cannot read: two plain characters in a row
    that differ (`.*link.*` holds "li", which no run of one character holds). Alternatives give the most
    of one of them, unrolled repetitions their copies' (lookarounds, and the branches of a conditional,
    count none, as in the automaton)."""
    return _row_summary(items)[3]


# What `_loops_in_a_row` knows of a part of a regex: (broken, before, after, most). A part is broken
# when every way through it holds two differing plain characters in a row; `before` and `after` are
# the most loops in a row from its start and up to its end (for a part that is not broken, both are
# the most loops along one way through it), `most` the most in a row anywhere in it. Every figure is
# at least the true one: an alternation of broken and unbroken parts counts as unbroken.
_EMPTY_ROW = (False, 0, 0, 0)
_ASCII_LOWER = tuple(chr(code).lower() for code in range(128))
_BREAK = (True, 0, 0, 0)


def _then(first: tuple, second: tuple) -> tuple:
    broken_first, before_first, after_first, most_first = first
    broken_second, before_second, after_second, most_second = second
    if not broken_first and not broken_second:
        total = before_first + before_second
        return (False, total, total, total)
    if not broken_first:
        return (True, before_first + before_second, after_second, max(most_second, before_first + before_second))
    if not broken_second:
        return (True, before_first, after_first + before_second, max(most_first, after_first + before_second))
    return (True, before_first, after_second, max(most_first, most_second, after_first + before_second))


def _copies(row: tuple, count: int) -> tuple:
    """`_then` of `count` copies of `row`: the loops of unbroken copies add up; of broken ones, only the
    end of one copy and the start of the next are in a row."""
    broken, before, after, most = row
    if count == 1:
        return row
    if not broken:
        return (False, before * count, after * count, most * count)
    return (True, before, after, max(most, after + before))


def _either(rows: list[tuple]) -> tuple:
    if all(row[0] for row in rows):
        return (True, max(row[1] for row in rows), max(row[2] for row in rows), max(row[3] for row in rows))
    most = max(row[3] for row in rows)
    return (False, most, most, most)


def _row_summary(items) -> tuple:
    summary = _EMPTY_ROW
    previous = None  # the plain ASCII character just before, lower-cased
    for op, av in items:
        if op is _sre.LITERAL:  # most items: a break where it differs from the one before
            char = _ASCII_LOWER[av] if av < 128 else None
            if char is not None and previous is not None and char != previous and not (summary[0] and not summary[2]):
                summary = _then(summary, _BREAK)  # (a break after a break changes nothing)
            previous = char
            continue
        previous = None
        if op in REPEATS:
            low, high, body = av
            inner = items_of(body)
            if _is_loop_repeat(high, inner):
                loops = 1 + _row_summary(inner)[3]
                part = (False, loops, loops, loops)
            elif high > 0:
                part = _copies(_row_summary(inner), high)
                if low == 0:
                    part = _either([_EMPTY_ROW, part])
            else:
                part = _EMPTY_ROW
        elif op in GROUPS:
            part = _row_summary(items_of(group_flags(0, av)[1]))
        elif op is _sre.BRANCH:
            part = _either([_row_summary(items_of(branch)) for branch in av[1]])
        else:
            part = _EMPTY_ROW
        if part is not _EMPTY_ROW:  # (which changes nothing)
            summary = _then(summary, part)
    return summary


def _pattern_chars(items, found: set[str]) -> None:
    stack = [items]
    while stack:
        for op, av in stack.pop():
            if op in (_sre.LITERAL, _sre.NOT_LITERAL):
                found.add(chr(av))
            elif op is _sre.IN:
                for class_op, arg in av:
                    if class_op is _sre.LITERAL:
                        found.add(chr(arg))
                    elif class_op is _sre.RANGE:
                        found.update((chr(arg[0]), chr(arg[1])))
            elif op in REPEATS:
                stack.append(items_of(av[2]))
            elif op in GROUPS:
                stack.append(items_of(group_flags(0, av)[1]))
            elif op is _sre.BRANCH:
                stack.extend(items_of(branch) for branch in av[1])
            elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
                stack.append(items_of(av[1]))
            elif op is _sre.GROUPREF_EXISTS:
                stack.extend(items_of(branch) for branch in av[1:] if branch is not None)


def _shown(char: str) -> str:
    return repr(char)


@functools.lru_cache(maxsize=4096)
def catastrophic_shape(pattern: str) -> str | None:
    """Why `pattern` can make Python's `re` backtrack catastrophically, or None.

    The answer is a sentence for a user (what shape, which input). None also when
    the pattern does not parse or is too large to analyse; callers that must be
    safe regardless match it under a time bound (see `BoundedMatcher`).
    """
    return _shape_of_tree(parse(pattern))


@dataclass(frozen=True, slots=True)
class RegexAnalysis:
    """Both static answers for one pattern, from one parse."""

    shape: str | None  # see catastrophic_shape
    literal_sets: tuple[frozenset[str], ...]  # see required_literal_sets
    branches: tuple[tuple[frozenset[str], ...], ...] = ((),)  # see branch_literal_sets
    literal_filter: tuple = ()  # see literal_filter


def shared_analysis(analysis: RegexAnalysis, held: dict) -> RegexAnalysis:
    """`analysis` with every string, set of strings and tuple of them that equals one in `held` (filled as
    it goes) replaced by that one. The regexes of a KB require many of the same literals ("error",
    "failed", ": "), and one regex's filter repeats its required sets: the analyses of the 2,522 imported
    records take a third of the memory shared (1.7 KB a regex instead of 5.7), which counts at 100,000."""
    return replace(analysis, literal_sets=_shared(analysis.literal_sets, held),
                               branches=_shared(analysis.branches, held), literal_filter=_shared(analysis.literal_filter, held))


def _shared(value, held: dict):
    known = held.get(value)
    if known is not None:  # an equal one is held: no need to share its items first
        return known
    if isinstance(value, frozenset):
        value = frozenset([_shared(item, held) for item in value])
    elif isinstance(value, tuple):
        value = tuple([_shared(item, held) for item in value])
    return held.setdefault(value, value)


def analyse_regex(pattern: str) -> RegexAnalysis:
    """`catastrophic_shape` and `required_literal_sets` of `pattern`, parsing it once (not cached)."""
    return analysis_of_tree(parse(pattern))


def analysis_of_tree(tree) -> RegexAnalysis:
    """`analyse_regex` of an already parsed pattern (`parse`); the tree is not changed."""
    memo: dict = {}  # the three literal answers share what the parts of the tree require
    return RegexAnalysis(_shape_of_tree(tree), literal_sets_of_tree(tree, memo), tuple(branch_sets_of_tree(tree, memo)),
                         filter_of_tree(tree, memo))


def _shape_of_tree(tree) -> str | None:
    if tree is None:
        return None
    items = items_of(tree)
    try:
        loops, complex_loop = _loop_census(items)
        if loops == 0 or (loops == 1 and not complex_loop):
            return None
        # Without a nested or compound loop, the automaton's only loops are the repetitions of one class,
        # and both polynomial shapes need two of them on one path that a run of one character can read
        # from one to the other: `a.*b|c.*d` has no such two, nor has `a.*link.*b`.
        if not complex_loop and _loops_in_a_row(items) < 2:
            return None
        extra: set[str] = set()
        _pattern_chars(items, extra)
        automaton = _Automaton(_Universe(extra), compress=not complex_loop)
        whole = automaton.sequence(items, tree.state.flags)
    except (_TooBig, RecursionError):
        return None
    if complex_loop:
        char = _exponential(automaton)
        if char is not None:
            return (f"nested or overlapping repetitions can match the same text in exponentially many ways "
                    f"(a long run of {_shown(char)} that ends in a character the regex does not expect "
                    f"takes Python's re practically forever)")
    accept_free = set(whole.last) - automaton.guarded
    if _adjacent_wide(automaton, accept_free):
        return ("two unbounded repetitions in a row can both match almost any text (like `.*.*`) and "
                "something after them can fail, so a long line makes Python's re backtrack in time "
                "growing like its length squared, for every place the search starts")
    degree, char = _run_chain(automaton, accept_free)
    if degree >= 3 and loops >= 3:
        return (f"{degree} unbounded repetitions one after another can each match a run of {_shown(char)}, "
                f"so a long such run makes Python's re backtrack in time growing like length^{degree}")
    return None

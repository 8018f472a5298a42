"""`kbtool.regex.quickparse` gives exactly the tree Python's parser gives, or None (then Python's parser is asked).

Held to `re._parser.parse` on the regexes of the records in this repository and in the tests' fixtures, on
hand-written edge cases, and on 30,000 patterns generated from pieces of regex syntax (valid and not): for each, the
same items, widths, group state and compiled code, and never a tree where Python's parser raises or warns."""

from __future__ import annotations

import json
import random
import re
import warnings
from pathlib import Path
from re import _compiler as sre_compile
from re import _parser as sre_parse

import pytest

from kbtool.regex import literals, quickparse

REPO = Path(__file__).resolve().parent.parent


def _python_tree(pattern: str, flags: int = 0):
    """Python's tree, or the exception it raises (warnings count as errors, as kbtool reads them)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return sre_parse.parse(pattern, flags)
    except Exception as error:  # noqa: BLE001 - any failure of Python's parser is what is compared
        return error


def _difference(ours, theirs, where: str = "tree") -> str | None:
    """Where two parse trees differ (None: they are the same)."""
    if isinstance(theirs, sre_parse.SubPattern):
        if not isinstance(ours, sre_parse.SubPattern):
            return f"{where}: {type(ours).__name__} instead of a SubPattern"
        if ours.state is not None and theirs.state is not None and type(ours.state) is not type(theirs.state):
            return f"{where}: state"
        if ours.width != theirs.width:
            return f"{where}: width {ours.width} instead of {theirs.width}"
        return _difference(ours.data, theirs.data, where + ".data")
    if type(ours) is not type(theirs):
        return f"{where}: {type(ours).__name__} instead of {type(theirs).__name__}"
    if isinstance(theirs, (list, tuple)):
        if len(ours) != len(theirs):
            return f"{where}: {len(ours)} items instead of {len(theirs)}: {ours!r} / {theirs!r}"
        for number, (mine, python) in enumerate(zip(ours, theirs)):
            found = _difference(mine, python, f"{where}[{number}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{where}: {ours!r} instead of {theirs!r}"


def _check(pattern: str, flags: int = 0) -> bool:
    """Asserts that the quick tree, when there is one, is Python's; whether there is one."""
    ours = quickparse.parse(pattern, flags)
    theirs = _python_tree(pattern, flags)
    if ours is None:
        return False
    assert not isinstance(theirs, Exception), f"{pattern!r}: a tree where Python's parser raises {theirs!r}"
    difference = _difference(ours, theirs)
    assert difference is None, f"{pattern!r}: {difference}"
    for field in ("flags", "groupdict", "groupwidths", "lookbehindgroups", "grouprefpos", "str"):
        assert getattr(ours.state, field) == getattr(theirs.state, field), f"{pattern!r}: state.{field}"
    assert sre_compile._code(ours, flags) == sre_compile._code(theirs, flags), f"{pattern!r}: compiled code"
    return True


def _record_regexes() -> list[str]:
    found = []
    for path in sorted([*REPO.glob("entries/*/*.json"), *REPO.glob("tests/fixtures/**/*.json")]):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("error"), dict):  # a deadends.dev canon (the fixtures)
            data = data["error"]
        if isinstance(data, dict) and isinstance(data.get("regex"), str):
            found.append(data["regex"])
            found.append("(?i)" + data["regex"])  # as `kbtool import deadends` writes it
    return found


def test_the_regexes_of_real_records_are_read_quickly_into_pythons_tree():
    regexes = _record_regexes()
    assert len(regexes) >= 100
    read = sum(_check(pattern) for pattern in regexes)
    assert read == len(regexes), f"only {read} of {len(regexes)} record regexes were read by the quick parser"


EDGE_CASES = [
    "", "a", "abc", "a|b", "a|b|c", "ab|ac", "abc|abd|abe", "a|", "|a", "(a|b)", "(?:a|b)", "(?:ab|ac)d",
    "x(?:a|b)*", "(?:a)*", "(a)*", "(?:ab)+?", "(?:ab)*+", "a{2}", "a{2,}", "a{,3}", "a{2,3}?", "a{,}", "a{}", "a{",
    "a{x}", "a{3,1}", "{2}", "{", "}", "]", "a]", "x{2", "*", "a**", "a*?", "a??", "a+*", "^*", "$+", "(?i)ab",
    "(?i)(?m)ab", "a(?i)b", "(?i)", "(?i:ab)", "(?x)a b", "(?P<n>a)", "(?=a)", "(?<=a)b", "\\1", "(a)\\1", "\\x41",
    "\\u0041", "\\N{EM DASH}", "\\0", "\\q", "\\", "a\\", "\\.", "\\-", "\\]", "\\\\", "\\n\\t\\r\\f\\v\\a", "\\b\\B\\A\\Z",
    "\\d\\D\\s\\S\\w\\W", "\\é", "[a]", "[^a]", "[ab]", "[^ab]", "[a-z]", "[z-a]", "[a-]", "[-a]", "[]a]", "[^]a]",
    "[]", "[", "[a", "[\\d.-]", "[^\\s]", "[\\b]", "[\\A]", "[\\x41]", "[a-\\d]", "[\\d-z]", "[[a]", "[a[]", "[a--b]",
    "[a&&b]", "[a||b]", "[a~~b]", "[a-c-e]", "[--a]", "[\\w\\s]", "[\\]]", "[a\\-z]", "a|[bc]", "a|[^bc]", "a|\\d",
    "(((a)))", "((a)|b)", "()", "(|)", "(?:)", "a)", "(a", "((a)", "a.*b", ".*", "^abc$", "a.b", "(?s).", "é+",
    "日本.*エラー", "a{4294967295}", "a{99999999999}", "(?i)(foo.*bar|baz\\d+|qux)", "Error: (?:foo|bar) in \\S+",
]


@pytest.mark.parametrize("pattern", EDGE_CASES)
def test_edge_cases_are_pythons_tree_or_left_to_python(pattern):
    _check(pattern)
    _check(pattern, re.IGNORECASE)


def test_flags_passed_by_the_caller_are_kept_or_left_to_python():
    assert _check("a.b", re.IGNORECASE | re.DOTALL | re.MULTILINE)
    assert quickparse.parse("a b", re.VERBOSE) is None
    assert quickparse.parse("a", re.ASCII) is None
    assert quickparse.parse(b"a") is None  # bytes patterns: Python's parser


_PIECES = [
    "a", "b", "A", "é", "日", " ", ":", "-", ",", "0", "1", "]", "}", "\\.", "\\d", "\\w", "\\s", "\\S", "\\b", "\\B",
    "\\A", "\\Z", "\\n", "\\\\", "\\x41", "\\1", "\\q", "\\-", "\\]", ".", "^", "$", "*", "+", "?", "*?", "+?", "*+",
    "{2}", "{1,3}", "{,2}", "{2,}", "{}", "{", "{3,1}", "(", ")", "(?:", "(?i)", "(?s)", "(?x)", "(?i:", "(?P<n>", "(?=",
    "|", "|", "[", "[^", "[a-z]", "[\\d.-]", "[^\\s]", "[]", "[a-]", "[--]", "[[", "[&&]", "\\",
]


def test_generated_patterns_are_pythons_tree_or_left_to_python():
    generator = random.Random(20261202)
    read = 0
    for _ in range(30_000):
        pattern = "".join(generator.choice(_PIECES) for _ in range(generator.randint(1, 12)))
        read += _check(pattern, generator.choice([0, 0, re.IGNORECASE]))
    assert read >= 3_000, f"only {read} of 30,000 generated patterns were read by the quick parser"


def test_literals_parse_gives_the_quick_tree_and_pythons_for_the_rest():
    quick = literals.parse("(?i)timeout.*waiting for state|context canceled")
    assert quick is not None and _difference(quick, sre_parse.parse("(?i)timeout.*waiting for state|context canceled")) is None
    named = literals.parse("(?P<code>E\\d+): (?P=code)")  # a named group and a reference: Python's parser reads it
    assert named is not None and named.state.groupdict == {"code": 1}
    assert literals.parse("a{3,1}") is None and literals.parse("[[:alpha:]]") is None

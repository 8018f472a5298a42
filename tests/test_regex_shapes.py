"""Static regex analysis (kbtool.regex.shapes, kbtool.regex.literals, kbtool.regex.broadness): shapes, required literals, broadness."""

from __future__ import annotations

import pytest

from kbtool.regex.broadness import too_broad_reasons
from kbtool.regex.index import indexable
from kbtool.regex.literals import literal_runs, literal_text, required_literal_sets
from kbtool.regex.matcher import BoundedMatcher
from kbtool.regex.shapes import catastrophic_shape

EXPONENTIAL = [
    r"(a+)+$", r"(a*)*$", r"^(\d+)*$", r"(\w+\s?)+$", r"(a|a)*$", r"(ab|ab)*$", r"(a|aa)+$", r"(ab|a.)*$",
    r"((ab)+)+$", r"(x+x+)+y", r"(?:a{1,3})+$", r"(\d+\.?)+$", r"(.*a){25}", r"Cannot quantize node (\w+\s?)+$",
    r"(a{1,20}){1,20}$", r"((a{1,20}){1,20}){1,20}", r"(?:[a-e]{1,20}){1,10}x", r"(?:x{0,3}){5,}y",
]
POLYNOMIAL = [r".*.*x", r"Error in .*.*: bad", r".+?.*;", r"(.*a){10}x", r"(.*a){3}x", r"a.*a.*a.*b"]
SAFE = [
    r"Quantization not supported for op.*No registered quantized kernel",
    r"(a+)", r"a+b+", r"\d+\.\d+", r"[^']*'.*", r"Error: .*.*", r"(ab)*c", r"(\d{1,3}\.){3}\d{1,3}",
    r'File "[^"]+", line \d+', r"(?i)cannot (?:convert|cast) .* to .*", r"x{2,5}y", r"[0-9a-f]{8}-[0-9a-f]{4}",
    r"CUDA out of memory\. Tried to allocate \d+(\.\d+)? [GM]iB", r"floor.*4.*china",
    r"ValueError: Quantization range \(min, max\) not supported for op '[^']{1,100}' with input type \w{1,30}",
    r"(a|b)*c", r"(?:foo|bar)+baz", r"(?:a{1,3}){1,3}$", r"(?:[a-z]{2,30}\.){1,10}x", r"a{0,65535}a{0,65535}",
    r"(?:\w{1,10} ){1,5}x", r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", r"japan.{0,15}evacuation (site|shelter)",
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_catastrophic_shape_finds_exponential_backtracking(pattern):
    assert "exponentially" in (catastrophic_shape(pattern) or "")


@pytest.mark.parametrize("pattern", POLYNOMIAL)
def test_catastrophic_shape_finds_polynomial_backtracking(pattern):
    assert "backtrack in time" in (catastrophic_shape(pattern) or "")


@pytest.mark.parametrize("pattern", SAFE)
def test_catastrophic_shape_accepts_safe_regexes(pattern):
    assert catastrophic_shape(pattern) is None


def test_catastrophic_shape_names_the_character_of_the_attack():
    assert "'a'" in catastrophic_shape(r"(a+)+$")


def test_catastrophic_shape_handles_deep_nesting():
    assert "exponentially" in catastrophic_shape("(?:" * 60 + "a{1,2}" + "){1,2}" * 60)
    assert "exponentially" in catastrophic_shape("(" * 90 + "a*" + ")*" * 90)


def test_catastrophic_shape_pairs_up_large_loops_of_bounded_repetitions():
    assert "exponentially" in catastrophic_shape("(?:[a-z]{1,20}|[0-9]{1,20}|[A-Z]{1,20}|_{1,20}){1,20}$")


def test_catastrophic_shape_ignores_patterns_that_do_not_compile():
    assert catastrophic_shape(r"(a+") is None


def test_required_literals_is_the_longest_text_every_match_contains():
    assert required_literal_sets(r"Quantization not supported for op.*No registered")[0] == frozenset({"quantization not supported for op"})


def test_required_literals_keeps_alternatives():
    assert required_literal_sets(r"(?i)cannot (?:convert|cast) .* to")[0] == frozenset({"cannot convert ", "cannot cast "})


def test_required_literals_are_too_short_to_index_or_none_without_a_literal():
    assert not indexable(required_literal_sets(r"\d+\.\d+")) and required_literal_sets(r"(foo)?\w+") == ()


def test_required_literal_sets_lists_every_required_part():
    assert required_literal_sets(r"Error: (.*) failed to load") == (frozenset({" failed to load"}), frozenset({"error: "}))


def test_literal_text_unescapes_a_plain_regex_and_rejects_patterns():
    assert literal_text(r"KeyError: 'x' \(op 3\)") == "KeyError: 'x' (op 3)"
    assert literal_text(r"KeyError: '\w+'") is None


def test_literal_runs_lists_hard_coded_text():
    assert literal_runs(r"at 0x7f3a.*in /home/bob/x") == ["at 0x7f3a", "in /home/bob/x"]


def test_too_broad_reasons_names_the_generic_text_and_the_empty_string():
    with BoundedMatcher() as matcher:
        reasons = too_broad_reasons(["ValueError", "(?:x)?", "ValueError: Cannot convert", "(a+)+$"], matcher)
    assert "'ValueError'" in reasons[0] and "empty string" in reasons[1] and reasons[2] is None
    assert "is 'a'" in reasons[3]  # all that `(a+)+$` requires is one letter


def test_a_generic_word_is_too_broad_and_an_errors_own_words_are_not():
    with BoundedMatcher() as matcher:
        traceback, out_of_memory = too_broad_reasons(["(?i)traceback", "CUDA out of memory"], matcher)
    assert traceback and not out_of_memory


def test_shared_analyses_are_equal_and_hold_each_literal_once():
    from kbtool.regex.shapes import analyse_regex, shared_analysis

    patterns = [r"CUDA out of memory\. Tried to allocate \d+ MiB", r"(?:CUDA|HIP) out of memory: (?:foo|bar) \d+",
                r"ModuleNotFoundError: No module named '(torch|tensorflow)'", r"No module named '\w+'", r"x", r"(a|b)c(d|e)f"]
    held: dict = {}
    shared = [shared_analysis(analyse_regex(pattern), held) for pattern in patterns]
    assert shared == [analyse_regex(pattern) for pattern in patterns]
    literals: dict[str, int] = {}
    for analysis in shared:
        for part in (analysis.literal_sets, analysis.branches, analysis.literal_filter):
            stack = [part]
            while stack:
                value = stack.pop()
                if isinstance(value, str):
                    assert literals.setdefault(value, id(value)) == id(value)  # every equal string is one object
                else:
                    stack.extend(value)
    assert "out of memory" in " ".join(literals) and len(literals) > 5
    assert shared[0].literal_sets[0] is shared[0].literal_filter[0]  # the filter's first clause is the required set


def _random_regex(rng, depth=0) -> str:
    """A small random regex: runs of letters, classes, dots, groups, alternatives, lookarounds and repetitions."""
    pieces = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.3 or depth >= 3:
            piece = rng.choice(["a", "ab", "aA", "kK", "li", "x", ".", r"\s", r"\w", "[a-c]", "[^b]", r"\d", " ", "é"])
        elif kind < 0.55:
            piece = "(?:" + "|".join(_random_regex(rng, depth + 1) for _ in range(rng.randint(1, 3))) + ")"
        elif kind < 0.65:
            piece = rng.choice(["(?=", "(?!", "(?<=a"]) + ("" if rng.random() < 0.5 else "b") + ")"
        else:
            piece = "(" + _random_regex(rng, depth + 1) + ")"
        if rng.random() < (0.5 if len(piece) <= 5 else 0.15):  # a class repeated, more often than a group
            piece += rng.choice(["*", "+", "?", "*?", "{2}", "{1,3}", "{0,2}", "{2,}", "{25}"])
        pieces.append(piece)
    return "".join(pieces)


def test_the_shortcut_for_regexes_without_two_loops_in_a_row_finds_every_shape_the_automaton_finds(monkeypatch):
    """A regex whose matches go through at most one repetition of a class, or through more only with two
    differing plain characters between each two (`.*link.*`), is judged without building its automaton: on
    random regexes, the shapes found are those of building it every time."""
    import random

    from kbtool.regex import shapes
    from kbtool.regex.literals import parse

    rng = random.Random(13)
    patterns = [_random_regex(rng) for _ in range(3000)]
    # and alternatives of words and repeated classes, as record regexes are (`(?i)(korea.*bank|bank.*korea)`)
    patterns += ["|".join(_random_regex(rng, depth=3) for _ in range(rng.randint(2, 5))) for _ in range(1500)]
    trees = [parse(pattern) for pattern in patterns]
    censuses = [shapes._loop_census(shapes.items_of(tree)) if tree is not None else (0, False) for tree in trees]
    cut_short = sum(1 for tree, (loops, complex_loop) in zip(trees, censuses)
                    if loops >= 2 and not complex_loop and shapes._loops_in_a_row(shapes.items_of(tree)) < 2)
    shortcut = [shapes._shape_of_tree(tree) for tree in trees]
    monkeypatch.setattr(shapes, "_loops_in_a_row", lambda items: 2)  # always build the automaton
    built = [shapes._shape_of_tree(tree) for tree in trees]
    assert [pattern for pattern, first, second in zip(patterns, shortcut, built) if first != second] == []
    assert cut_short > 200 and sum(shape is not None for shape in built) > 200  # both kinds are well represented


@pytest.mark.parametrize("pattern, shape", [
    (r"\w*aa\w*aa\w*!", True),  # a run of "a" goes through "aa"
    (r"(?i)\w*s\u017f\w*s\u017f\w*!", True),  # ignoring case, the long s is an s
    (r"\w*(?:ab|c)\w*(?:ab|c)\w*!", True),  # one alternative lets the run through
    (r"\w*(?:ab){0,2}\w*!", True),  # an optional part lets it through
    (r"\w*ab\w*ab\w*!", False), (r"(?i)(aapt2.*link.*failed|resource.*not found)", False),
])
def test_two_differing_characters_between_repetitions_keep_a_run_from_going_through_them(pattern, shape, monkeypatch):
    from kbtool.regex import shapes
    from kbtool.regex.literals import parse

    tree = parse(pattern)
    shortcut = shapes._shape_of_tree(tree)
    monkeypatch.setattr(shapes, "_loops_in_a_row", lambda items: 2)  # always build the automaton
    assert shortcut == shapes._shape_of_tree(tree) and (shortcut is not None) == shape


@pytest.mark.parametrize("pattern, literal", [("(?>abcd)+x", "abcdx"), ("(?>ab|cd)e", None), ("(?>wxyz)", "wxyz"),
                                              ("(?i:ABCD)x", "abcdx")])
def test_an_atomic_group_of_four_items_is_analysed_as_a_group(pattern, literal):
    """An atomic group's body is a list of items, a capturing group's a tuple of four: a body of four items is not the latter."""
    from kbtool.regex.shapes import analyse_regex

    analysis = analyse_regex(pattern)
    assert analysis.shape is None
    if literal is not None:
        assert any(literal in option or option in literal for options in analysis.literal_sets for option in options)

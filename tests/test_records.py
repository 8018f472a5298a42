"""The strict reader: everything `json` would accept silently or lose is reported, with its place."""

from __future__ import annotations

import json
import random

import pytest

from kbtool import records
from kbtool.records import (DUPLICATE_KEY, INVALID_JSON, MAX_FILE_BYTES, PackedGraph, RecordFile, escape_pointer_token,
                            graph_edges, graph_targets, line_column, make_pointer, pack_graph, read_record_file, value_offsets,
                            value_start)


def read(tmp_path, raw: bytes) -> RecordFile:
    path = tmp_path / "entries" / "a" / "b.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return read_record_file(path, tmp_path)


@pytest.mark.parametrize("raw, expected", [
    (b"", "empty"),
    (b"  \n\t ", "empty"),
    (b"[1, 2]", "an array"),
    (b'"text"', "a string"),
    (b"42", "a number"),
    (b'{"id": "a/b",', "not valid JSON"),
    (b'{"id": "a/b"} {"x": 1}', "after the end"),
    (b'\xef\xbb\xbf{"id": "a/b"}', "byte-order mark"),
    (b'{"id": "a\xff/b"}', "not valid UTF-8"),
    ('{"id": "a/b"}'.encode("utf-16"), "UTF-16"),
    (b'{"id": "a/b\x00"}', "NUL"),
    (b'{"confidence": NaN}', "NaN is not valid JSON"),
    (b'{"confidence": -Infinity}', "Infinity is not valid JSON"),
    (b'{"confidence": 1e400}', "too large"),
    (b"[" * 100 + b"]" * 100, "nested more than"),
    (b'{"signature": "half \\ud800 of a pair"}', "not valid Unicode text"),
    (b'{"signature": "upper case \\uD83D"}', "not valid Unicode text"),
    (b'{"signature": "the low half \\uDC00"}', "not valid Unicode text"),
    (b'{"x\\udfff": 1}', "not valid Unicode text"),
])
def test_defective_files_are_invalid_json(tmp_path, raw, expected):
    record = read(tmp_path, raw)
    assert record.data is None
    [problem] = record.problems
    assert problem.rule_name == INVALID_JSON
    assert expected in problem.message


@pytest.mark.parametrize("raw, text", [
    (b'{"signature": "a whole pair \\ud83d\\ude00"}', "a whole pair \U0001F600"),
    (b'{"signature": "an escaped backslash \\\\ud800"}', "an escaped backslash \\ud800"),
    (b'{"signature": "no escape at all \\\\ \\n"}', "no escape at all \\ \n"),
])
def test_escapes_that_make_no_lone_surrogate_are_read(tmp_path, raw, text):
    record = read(tmp_path, raw)
    assert record.problems == []
    assert record.data == {"signature": text}


def test_parse_error_has_line_and_column(tmp_path):
    record = read(tmp_path, b'{\n  "id": "a/b",\n  "x": tru\n}')
    [problem] = record.problems
    assert (problem.line, problem.column) == (3, 8)


def test_invalid_utf8_is_placed_on_its_line(tmp_path):
    record = read(tmp_path, b'{\n"a": 1,\n"b": "\xc3\x28"}')
    assert record.problems[0].line == 3


def test_duplicate_keys_are_reported_at_the_nested_pointer(tmp_path):
    record = read(tmp_path, b'{"id": "a/b",\n "dead_ends": [{"action": "x",\n   "action": "y"}]}')
    assert record.data is not None
    [problem] = record.problems
    assert problem.rule_name == DUPLICATE_KEY
    assert problem.pointer == "/dead_ends/0/action"
    assert problem.line == 3


def test_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    record = read_record_file(path, tmp_path)
    assert record.text is None and "refused unread" in record.problems[0].message


def test_symlink_is_reported_not_followed(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text('{"id": "a/b"}')
    link = tmp_path / "entries" / "link.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    record = read_record_file(link, tmp_path)
    assert record.data is None and "symbolic link" in record.problems[0].message


def test_directory_named_like_a_record_is_reported(tmp_path):
    folder = tmp_path / "x.json"
    folder.mkdir()
    assert "directory" in read_record_file(folder, tmp_path).problems[0].message


def test_locate_counts_characters_not_bytes(tmp_path):
    record = read(tmp_path, '{"signature_zh": "中文中文", "regex": "x"}'.encode())
    assert record.locate("/regex") == (1, 35)


def test_the_keys_of_every_record_are_one_string_each(tmp_path):
    """A KB of 100,000 records holds each key once, not once per file (the json module shares keys
    only within one document)."""
    first = read(tmp_path, b'{"signature": "a", "dead_ends": [{"action": "x"}]}')
    second = read(tmp_path, b'{"signature": "b", "dead_ends": [{"action": "y"}]}')
    assert [key for key in first.data] == [key for key in second.data] == ["signature", "dead_ends"]
    assert all(one is other for one, other in zip(first.data, second.data))
    assert next(iter(first.data["dead_ends"][0])) is next(iter(second.data["dead_ends"][0]))


def test_a_record_that_let_go_of_its_text_places_pointers_by_reading_its_file_again(tmp_path):
    text = '{\n  "signature_zh": "中文",\n  "dead_ends": [\n    {"action": "x"}\n  ],\n  "last_confirmed": "2026-01-01"\n}'
    record = read(tmp_path, text.encode())
    expected = {pointer: record.locate(pointer) for pointer in ("/dead_ends/0/action", "/last_confirmed", "/signature_zh")}
    record.forget_text(keep=["/last_confirmed"])
    assert record.text is None and record.placed == {"/last_confirmed": (6, 21)}
    (tmp_path / "entries" / "a" / "b.json").unlink()  # a kept pointer needs no file
    assert record.locate("/last_confirmed") == expected["/last_confirmed"]
    (tmp_path / "entries" / "a" / "b.json").write_text(text, encoding="utf-8")
    assert {pointer: record.locate(pointer) for pointer in expected} == expected
    (tmp_path / "entries" / "a" / "b.json").write_text(text.replace("中文", "English"), encoding="utf-8")
    record.forget_text(keep=[])
    assert record.locate("/dead_ends/0/action") == (1, 1)  # the file changed since: its text is no longer the record's


def test_locate_falls_back_to_the_parent_of_a_missing_value(tmp_path):
    record = read(tmp_path, b'{\n  "dead_ends": [\n    {"why_fails": "x"}\n  ]\n}')
    assert record.locate("/dead_ends/0/action") == (3, 5)


def test_a_record_places_every_offset_on_the_line_and_column_that_counting_gives(monkeypatch):
    """The line starts a record keeps to place many findings in a large text give what counting the newlines before
    an offset gives (a line is ended by a newline only, not by a carriage return or a Unicode line separator)."""
    monkeypatch.setattr(records, "_COUNTED_TEXT", 0)  # every text counts as large here
    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choice("ab\n\r\u2028é\n") for _ in range(rng.randint(0, 40)))
        record = RecordFile(path=None, relative_path="entries/a.json", text=text)
        assert [record._line_column(index) for index in range(len(text) + 1)] == \
            [line_column(text, index) for index in range(len(text) + 1)]


def test_pointer_tokens_are_escaped():
    assert make_pointer("a/b", "c~d", 0) == "/a~1b/c~0d/0"


def _random_document(rng, depth=0, repeat=False):
    """A random JSON value: objects (with keys that need escaping; keys that repeat when `repeat`), arrays,
    scalars (some holding what looks like a key)."""
    kind = rng.choice(["object", "array", "scalar", "scalar"] if depth < 4 else ["scalar"])
    if kind == "object":
        names, count = ["a", "b", "a/b", "c~d", "中", 'q"t', 'q"regex', "\\u0041", "", "regex", "regex"], rng.randint(0, 5)
        keys = rng.choices(names, k=count) if repeat else rng.sample(names[:-1], count)
        return ("object", [(key, _random_document(rng, depth + 1, repeat)) for key in keys])
    if kind == "array":
        return ("array", [_random_document(rng, depth + 1, repeat) for _ in range(rng.randint(0, 4))])
    return ("scalar", rng.choice(['1', '-2.5e3', 'true', 'null', '"x"', '"a,b]}"', '"\\"{"', '"中文"', '123456789012345678901234567890',
                                  '"regex"', '"\\"regex\\": 1"', '"\\\\"']))


def _layout(rng, node):
    """`node` as JSON text with random blanks between tokens."""
    def blank():
        return rng.choice(["", " ", "\n", "\n    ", "\t", "\r\n"])
    kind, value = node
    if kind == "scalar":
        return value
    if kind == "array":
        return "[" + blank() + ("," + blank()).join(_layout(rng, item) for item in value) + blank() + "]"
    def written(key):  # as json writes it, as it is, or every character escaped
        return rng.choice([json.dumps(key), json.dumps(key, ensure_ascii=False),
                           '"' + "".join(f"\\u{ord(char):04x}" for char in key) + '"'])
    return "{" + blank() + ("," + blank()).join(written(key) + blank() + ":" + blank() + _layout(rng, item)
                                             for key, item in value) + blank() + "}"


def _pointers(data, pointer=""):
    yield pointer
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _pointers(value, pointer + "/" + escape_pointer_token(key))
        yield pointer + "/absent"
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _pointers(value, f"{pointer}/{index}")
        yield f"{pointer}/{len(data)}"
        yield f"{pointer}/01"


def test_the_path_walker_places_every_pointer_where_the_full_token_scan_does():
    rng = random.Random(7)
    for _ in range(3000):
        text = _layout(rng, _random_document(rng))
        offsets = value_offsets(text)
        for pointer in _pointers(json.loads(text)):
            expected = pointer
            while expected not in offsets:
                expected = expected.rsplit("/", 1)[0]
            assert value_start(text, pointer) == offsets[expected], (text, pointer)


def test_a_top_level_key_is_found_directly_where_the_walk_finds_it():
    """With the parsed data at hand a top-level key written once is found by searching for it; the search must give
    the walk's offset whatever the keys (escaped, written more than once, inside values that look like keys)."""
    rng = random.Random(11)
    for _ in range(3000):
        text = _layout(rng, _random_document(rng, repeat=True))
        data = json.loads(text)
        for pointer in _pointers(data):
            assert value_start(text, pointer, root=data) == value_start(text, pointer), (text, pointer)


def test_the_path_walker_takes_the_last_of_duplicate_keys():
    text = '{"a": 1, "b": {"c": 2}, "a": [3, 4]}'
    assert value_start(text, "/a/1") == text.rindex("4")
    assert value_start(text, "/b/c/d") == text.index("2")


GRAPHS = [
    {"leads_to": [{"error_id": "a/b", "probability": 0.5, "condition": "x"}, {"probability": 1}, "not an edge",
                  {"error_id": 7}, {"error_id": "c/d"}],
     "preceded_by": "not a list", "frequently_confused_with": [{"error_id": "e/f", "distinguishing_feature": "y"}],
     "made_up_kind": [None, {"error_id": "g/h"}]},
    {"leads_to": []},
    {},
    "not a graph",
    None,
]


@pytest.mark.parametrize("graph", GRAPHS)
def test_the_graph_the_catalog_keeps_has_every_edge_in_its_place(graph):
    """What the catalog keeps of another record's graph yields the very edges of the whole graph: the same
    kinds, indexes and targets, so that a finding placed on one of them points where it would."""
    data = {"transition_graph": graph}
    kept = graph_targets(data)
    assert list(graph_edges({"transition_graph": kept})) == list(graph_edges(data))
    assert json.loads(json.dumps(kept)) == kept
    assert all(set(edge) == {"error_id"} for edges in kept.values() for edge in edges if edge is not None)


@pytest.mark.parametrize("graph, packs", [(graph, graph is not GRAPHS[0]) for graph in GRAPHS] + [
    ({"leads_to": [{"error_id": "a\tb"}]}, False), ({"leads_to": [{"error_id": "a\nb"}]}, False),
    ({"odd\tkind": [{"error_id": "a/b"}]}, False), ({"leads_to": [{"error_id": ""}, {"error_id": "c/d"}]}, True)])
def test_a_graph_packed_for_the_catalog_yields_the_edges_of_the_whole_graph(graph, packs):
    """The catalog keeps another record's graph packed into one string where that is exact, and as it is where not
    (a target that is not a string, a tab or line break in a name): either way the same edges come out of it. A
    record's own graph written as a string is no graph."""
    data = {"transition_graph": graph}
    packed = pack_graph(graph_targets(data))
    assert (packed is not None) == packs
    stored = PackedGraph(json.loads(json.dumps(packed))) if packs else graph_targets(data)
    assert list(graph_edges({"transition_graph": stored})) == list(graph_edges(data))
    assert not list(graph_edges({"transition_graph": str(stored)}))


def test_a_lint_holds_no_text_once_the_rules_of_each_file_have_run_and_still_places_every_finding(tmp_path):
    """The rules of each file run file by file, and each file's text is let go after them: a finding of a
    rule across records (here duplicate-id) reads its file again to be placed, and lets go of it after."""
    import datetime as dt

    from kbtool.kb import load_knowledge_base
    from kbtool.lint import check_knowledge_base
    from kbtool.settings import Settings

    from conftest import clean_record, curated_record, write_record

    first = write_record(tmp_path, clean_record(), "entries/tensorflow/a.json")
    second = write_record(tmp_path, clean_record(), "entries/tensorflow/b.json")
    second.write_text("\n\n" + second.read_text(encoding="utf-8"), encoding="utf-8")  # its id two lines further down
    other = curated_record("tensorflow/tflite-converter-unsupported-op")
    other.update(last_confirmed="2026-06-01", last_updated="2026-06-01")
    write_record(tmp_path, other)
    kb = load_knowledge_base(tmp_path)
    findings = check_knowledge_base(kb, Settings(root=tmp_path, today=dt.date(2026, 11, 23)))
    placed = sorted((finding.path, finding.line, finding.column) for finding in findings if finding.name == "duplicate-id")
    lines = {path.name: path.read_text(encoding="utf-8").split("\n") for path in (first, second)}
    expected = sorted((f"entries/tensorflow/{name}", number + 1, line.index('"id"') + 7)
                      for name, text in lines.items() for number, line in enumerate(text) if line.startswith('  "id"'))
    assert placed == expected and expected[0][1] + 2 == expected[1][1]
    assert [record.text for record in kb.files] == [None] * 3  # placing them read the two files again, then let go

"""`kbtool fmt`: one canonical form, every value kept, bad files left alone."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kbtool.canonical import canonical_text
from kbtool.cli import app
from kbtool.fmt import format_files
from kbtool.schema import PACKAGED_SCHEMA, load_record_schema

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
SEED = FIXTURES / "000_tflite_converter_unsupported_op.json"


def fmt(root: Path, *args: str):
    return CliRunner().invoke(app, ["fmt", "--root", str(root), *args])


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    (root / "entries" / "tensorflow").mkdir(parents=True)
    return root


def put(kb: Path, name: str, text: str) -> Path:
    path = kb / "entries" / "tensorflow" / name
    path.write_text(text, encoding="utf-8")
    return path


def scrambled(data: dict) -> str:
    """The record with its keys reversed, four-space indent and \\u escapes: valid JSON, not canonical."""
    return json.dumps(dict(reversed(list(data.items()))), indent=4, ensure_ascii=True)


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def test_fmt_rewrites_a_record_in_canonical_form(kb):
    path = put(kb, "a.json", scrambled(seed()))
    result = fmt(kb)
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == canonical_text(seed())


def test_canonical_form_has_schema_key_order_two_space_indent_real_chinese_and_one_newline(kb):
    path = put(kb, "a.json", scrambled(seed()))
    fmt(kb)
    text = path.read_text(encoding="utf-8")
    keys = list(json.loads(text))
    assert keys == [key for key in list(load_record_schema(PACKAGED_SCHEMA).key_order) if key in keys]
    assert text.startswith('{\n  "id": ') and "转换器错误" in text and "\\u" not in text
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_nested_objects_follow_the_schema_order(kb):
    data = seed()
    data["workarounds"] = [{"sources": [], "how": "b", "success_rate": 0.5, "action": "a"}]
    path = put(kb, "a.json", json.dumps(data))
    fmt(kb)
    assert list(json.loads(path.read_text(encoding="utf-8"))["workarounds"][0]) == ["action", "how", "success_rate", "sources"]


def test_unknown_keys_are_kept_after_the_known_ones_in_their_order(kb):
    data = {"zeta": 1, **seed(), "alpha": [1, 2]}
    path = put(kb, "a.json", json.dumps(data))
    fmt(kb)
    keys = list(json.loads(path.read_text(encoding="utf-8")))
    assert keys[-2:] == ["zeta", "alpha"]


def test_fmt_is_idempotent(kb):
    path = put(kb, "a.json", scrambled(seed()))
    fmt(kb)
    first = path.read_bytes()
    second = fmt(kb)
    assert path.read_bytes() == first and "0 of 1 file reformatted" in second.stdout


def test_check_lists_files_that_would_change_and_exits_1(kb):
    put(kb, "a.json", scrambled(seed()))
    result = fmt(kb, "--check")
    assert result.exit_code == 1
    assert "entries/tensorflow/a.json: not in canonical form" in result.stdout


def test_check_changes_nothing(kb):
    path = put(kb, "a.json", scrambled(seed()))
    before = path.read_bytes()
    fmt(kb, "--check")
    assert path.read_bytes() == before


def test_check_on_canonical_records_exits_0(kb):
    put(kb, "a.json", canonical_text(seed()))
    assert fmt(kb, "--check").exit_code == 0


def test_invalid_json_is_left_untouched_and_reported_with_its_line(kb):
    path = put(kb, "broken.json", '{\n  "id": "tensorflow/broken",\n  "signature": \n}\n')
    before = path.read_bytes()
    result = fmt(kb)
    assert result.exit_code == 1
    assert "entries/tensorflow/broken.json:4:1: not valid JSON" in result.stdout and "left untouched" in result.stdout
    assert path.read_bytes() == before


def test_a_file_with_duplicate_keys_is_not_rewritten(kb):
    text = canonical_text(seed()).replace('"tags": [],', '"tags": ["first"],\n  "tags": [],', 1)
    path = put(kb, "dup.json", text)
    result = fmt(kb)
    assert result.exit_code == 1 and "appears more than once" in result.stdout
    assert path.read_text(encoding="utf-8") == text


def test_other_files_are_still_formatted_when_one_is_invalid(kb):
    put(kb, "broken.json", "{")
    good = put(kb, "good.json", scrambled(seed()))
    fmt(kb)
    assert good.read_text(encoding="utf-8") == canonical_text(seed())


def test_a_symbolic_link_is_reported_and_not_written_through(kb, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(scrambled(seed()), encoding="utf-8")
    before = outside.read_bytes()
    (kb / "entries" / "tensorflow" / "link.json").symlink_to(outside)
    result = fmt(kb)
    assert result.exit_code == 1 and "symbolic link" in result.stdout
    assert outside.read_bytes() == before


def test_only_the_named_paths_are_formatted(kb):
    named = put(kb, "a.json", scrambled(seed()))
    other = put(kb, "b.json", scrambled(seed()))
    before = other.read_bytes()
    fmt(kb, str(named))
    assert named.read_text(encoding="utf-8") == canonical_text(seed()) and other.read_bytes() == before


def test_a_path_that_does_not_exist_is_a_usage_error(kb):
    result = fmt(kb, str(kb / "entries" / "nope.json"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_a_lone_surrogate_escape_is_kept(kb):
    path = put(kb, "a.json", '{"id": "tensorflow/a", "signature": "bad \\ud800 half"}')
    fmt(kb)
    assert json.loads(path.read_text(encoding="utf-8"))["signature"] == "bad \ud800 half"


def test_the_repositorys_own_entries_are_canonical():
    entries = REPO / "entries"
    not_canonical = [path.relative_to(REPO).as_posix() for path in sorted(entries.rglob("*.json"))
                     if path.read_text(encoding="utf-8") != canonical_text(json.loads(path.read_text(encoding="utf-8")))]
    assert not_canonical == [], "run 'kbtool fmt' in the repository root"


# --- property: fmt preserves every value -----------------------------------------------------------------

def same(left, right) -> bool:
    """Equality that tells 1, 1.0 and True apart, and -0.0 from 0.0."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return set(left) == set(right) and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right))
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return left == right


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15)
records = st.dictionaries(st.one_of(st.sampled_from(list(load_record_schema(PACKAGED_SCHEMA).key_order)), st.text(max_size=12)), json_values, max_size=12)
layouts = st.fixed_dictionaries({"indent": st.sampled_from([None, 0, 1, 2, 4, "\t"]), "ensure_ascii": st.booleans(),
                                 "sort_keys": st.booleans()})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, layouts)
def test_property_fmt_preserves_every_value_and_is_idempotent(record, layout):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "entries" / "d" / "r.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(record, **layout), encoding="utf-8")
        result = format_files(root, [path], check=False)
        assert result.skipped == []
        formatted = path.read_text(encoding="utf-8")
        assert same(json.loads(formatted), record)
        assert format_files(root, [path], check=False).changed == []
        assert path.read_text(encoding="utf-8") == formatted


def test_a_write_that_fails_midway_leaves_the_original_intact_and_is_reported(kb):
    """A file-size limit makes the temporary file's write fail (EFBIG) part way through."""
    import os
    import resource
    import subprocess
    import sys

    path = put(kb, "a.json", scrambled(seed()))
    before = path.read_bytes()

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    completed = subprocess.run([sys.executable, "-m", "kbtool", "fmt", "--root", str(kb)], capture_output=True,
                               text=True, preexec_fn=limit_file_size, timeout=120,
                               env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert completed.returncode == 1 and "not rewritten" in completed.stdout
    assert path.read_bytes() == before
    assert sorted(item.name for item in path.parent.iterdir()) == ["a.json"]  # no temporary file left behind

"""Hostile input, round three: values at the calendar's end, files in the way of folders, fields that
are not what they should be, a cache whose values were changed, and text that splits into lines in
more than one way; each through the real command line in a subprocess (`test_hostile_corpus.kbtool`).
No command ends in an internal error, loses a value, or gives another answer than without the cache."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from test_hostile_corpus import assert_survived, base_record, kbtool, make_valid_kb

RECORD = Path("entries") / "tensorflow" / "tflite-quantization-range.json"


def write(root: Path, record: dict, relative: Path = RECORD, indent: int = 2) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return make_valid_kb(tmp_path / "kb")


def test_a_date_at_the_calendars_end_is_reported_never_a_crash(kb: Path):
    record = base_record()
    record["last_confirmed"] = record["last_updated"] = "9999-12-31"
    write(kb, record)
    for command in (["list"], ["show", record["id"]], ["report", "--format", "json"], ["list", "--stale-soon"]):
        assert_survived(kbtool(*command, cwd=kb), 0)
    lint = kbtool("lint", "--format", "json", cwd=kb)
    assert_survived(lint, 1)
    assert "future-date" in {finding["name"] for finding in json.loads(lint.stdout)["findings"]}


def test_a_record_aging_at_the_calendars_end_has_no_stale_day_and_no_crash(kb: Path):
    record = base_record()
    record["first_seen"] = record["last_confirmed"] = record["last_updated"] = "9999-06-01"
    write(kb, record)
    report = kbtool("report", "--format", "json", "--today", "9999-12-31", cwd=kb)
    assert_survived(report, 0)
    [due] = [row for row in json.loads(report.stdout)["freshness"]["due"] if row["id"] == record["id"]]
    assert due["state"] == "aging" and due["stale_on"] is None
    show = kbtool("show", record["id"], "--today", "9999-12-31", cwd=kb)
    assert_survived(show, 0)
    assert "aging, confirmed 213 days ago\n" in show.stdout and "stale on" not in show.stdout


@pytest.mark.parametrize("where", ["option", "configuration"])
def test_a_stale_threshold_past_the_calendar_is_a_usage_error(kb: Path, where: str):
    if where == "configuration":
        (kb / "pyproject.toml").write_text("[tool.kbtool]\nstale-days = 2147483648\n", encoding="utf-8")
        run = kbtool("lint", cwd=kb)
    else:
        run = kbtool("lint", "--stale-days", "9999999", cwd=kb)
    assert_survived(run, 2)
    assert "from 0 to 36,500" in run.stderr


def test_new_entry_with_a_file_where_the_domain_folder_goes_is_refused(kb: Path):
    (kb / "entries" / "pyfile").write_text("hi\n", encoding="utf-8")
    run = kbtool("new-entry", "--signature", "GlorpError: the widget 5 broke", "--domain", "pyfile", cwd=kb)
    assert_survived(run, 1)
    assert "a file of that name (or above it) is in the way" in run.stderr
    assert (kb / "entries" / "pyfile").read_text(encoding="utf-8") == "hi\n"


def test_new_entry_refuses_a_domain_named_like_a_file(kb: Path):
    run = kbtool("new-entry", "--signature", "OddError: zebra gizmo broke", "--domain", "dom.json", cwd=kb)
    assert_survived(run, 2)
    assert "must not end with .json" in run.stderr and not (kb / "entries" / "dom.json").exists()


@pytest.mark.parametrize("sources", ["https://x.example", {"a": 1}, None])
def test_extract_add_sources_leaves_a_sources_that_is_no_list_as_it_is(kb: Path, sources):
    record = base_record()
    record["sources"] = sources
    path = write(kb, record)
    before = path.read_bytes()
    (kb / "articles" / "quant.md").write_text(
        "---\ntitle: Quant\ndate: 2025-02-02\nid: quant-art\n---\n```\nValueError: Quantization range (min, max) not "
        "supported for op 'ADD' with input type int8 and output type int16\n```\n", encoding="utf-8")
    run = kbtool("extract", "--add-sources", "articles/quant.md", cwd=kb)
    assert_survived(run, 1)
    assert "not a list; not updated, since that would lose it" in run.stderr
    assert path.read_bytes() == before


def test_changed_values_in_the_cache_do_not_change_what_lint_reports(kb: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    environment = {**os.environ, "KBTOOL_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "kbtool", "lint", "--format", "json", "--today", "2026-11-30"]

    def lint(*extra: str) -> list:
        completed = subprocess.run([*command, *extra], cwd=kb, capture_output=True, text=True, env=environment)
        assert completed.returncode in (0, 1), completed.stderr
        return json.loads(completed.stdout)["findings"]

    expected = lint("--no-cache")
    assert any(finding["name"] == "stale-entry" for finding in expected)
    assert lint() == expected and lint() == expected  # the second run recalls the findings of each file
    with sqlite3.connect(cache / "cache.sqlite3") as db:
        rows = db.execute("SELECT key, value FROM entries WHERE value LIKE '{\"findings\"%'").fetchall()
        assert rows
        for number, (key, value) in enumerate(rows):
            stored = json.loads(value)
            if number % 2:
                stored["dates"] = {name: [] for name in stored["dates"]}
            else:
                stored["placed"] = [[pointer, 2 ** 70, column] for pointer, _, column in stored["placed"]]
            db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(stored), key))
    assert lint() == expected


@pytest.mark.parametrize("regex", ["FooError: first line\\nBarError: second line", "FooError: first line\\s+BarError: second"])
def test_a_message_of_several_lines_is_found_in_a_long_log_above_a_record_of_one_of_its_lines(kb: Path, regex: str):
    record = base_record()
    record.update(id="tensorflow/two-lines", signature="FooError: first line\nBarError: second line", regex=regex, aliases=[])
    write(kb, record, Path("entries/tensorflow/two-lines.json"))
    record.update(id="tensorflow/foo-generic", signature="FooError: some line", regex=r"FooError: \w+ line")
    write(kb, record, Path("entries/tensorflow/foo-generic.json"))
    log = kb / "build.log"
    chatter = "".join(f"step {number}: compiling module {number}\r\n" for number in range(40))
    log.write_text(f"{chatter}  FooError: first line\r\nBarError: second line\r\n{chatter}", encoding="utf-8")
    run = kbtool("match", "--file", log, "--format", "json", cwd=kb)
    assert_survived(run, 0)
    matches = json.loads(run.stdout)["matches"]
    assert [match["entry_id"] for match in matches] == ["tensorflow/two-lines", "tensorflow/foo-generic"]
    assert matches[0]["line"] == 41 and matches[0]["matched"].startswith("FooError: first line\nBarError: second")


def test_a_record_field_named_path_does_not_replace_the_files_path_in_match(kb: Path):
    record = base_record()
    record.update(id="tensorflow/pathkey", signature="PathKeyError: x happened", regex=r"PathKeyError: \w+ happened",
                  aliases=[], path={"a": 1})
    write(kb, record, Path("entries/tensorflow/pathkey.json"))
    run = kbtool("match", "PathKeyError: y happened", "--format", "json", cwd=kb)
    assert_survived(run, 0)
    [found] = json.loads(run.stdout)["matches"]
    assert found["path"] == "entries/tensorflow/pathkey.json"


def test_batch_queries_are_counted_as_an_editor_counts_lines(kb: Path):
    queries = kb / "queries.txt"
    queries.write_text("hello world\nfoo\x0cbar\x85baz\u2028qux\nValueError: Quantization range (min, max) not supported for "
                       "op 'C' with input type a and output type b\n", encoding="utf-8")
    run = kbtool("match", "--batch", queries, cwd=kb)
    assert_survived(run, 0)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["query"] for line in lines] == [1, 2, 3] and lines[2]["matches"]


def test_fmt_diff_of_a_string_holding_line_and_direction_characters_is_a_patch_git_applies(kb: Path):
    record = base_record()
    record["root_cause"] = "Calibration data\u2028was missing\u202e, \x1c and \x85 too."
    write(kb, record, indent=4)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@kbtool.invalid"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run([*git, *step], cwd=kb, check=True)
    run = kbtool("fmt", "--diff", cwd=kb)
    assert_survived(run, 1)
    (kb / "fmt.patch").write_text(run.stdout, encoding="utf-8", newline="")
    subprocess.run([*git, "apply", "fmt.patch"], cwd=kb, check=True)
    (kb / "fmt.patch").unlink()
    assert_survived(kbtool("fmt", "--check", cwd=kb), 0)
    assert json.loads((kb / RECORD).read_text(encoding="utf-8"))["root_cause"] == record["root_cause"]


def test_sarif_uris_of_odd_file_names_are_percent_encoded(kb: Path):
    names = ["with space.json", "100%41.json", "a#b.json", "q?x.json"]
    for name in names:
        write(kb, {"id": "odd/x"}, Path("entries/odd") / name)
    run = kbtool("lint", "--format", "sarif", "entries/odd", cwd=kb)  # (its rule help quotes "Traceback")
    assert run.status == 1 and "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for result in json.loads(run.stdout)["runs"][0]["results"]}
    assert {"entries/odd/with%20space.json", "entries/odd/100%2541.json", "entries/odd/a%23b.json",
            "entries/odd/q%3Fx.json"} <= uris


def test_a_number_too_small_to_represent_is_reported_and_left_as_written(kb: Path):
    path = kb / RECORD
    path.write_text(path.read_text(encoding="utf-8").replace('"evidence_count": ', '"evidence_count": 1e-400, "x": '), encoding="utf-8")
    before = path.read_bytes()
    run = kbtool("fmt", cwd=kb)
    assert_survived(run, 1)
    assert "1e-400 is too small to represent" in run.stdout and path.read_bytes() == before


def test_report_html_into_the_records_folder_is_refused(kb: Path):
    record = kb / "entries" / "tensorflow" / "tflite-converter-unsupported-op.json"
    before = record.read_bytes()
    run = kbtool("report", "--html", record, cwd=kb)
    assert_survived(run, 2)
    assert "is inside entries/" in run.stderr and record.read_bytes() == before


def test_a_key_written_twice_in_an_articles_front_matter_is_refused_with_both_lines(kb: Path):
    (kb / "articles" / "twice.md").write_text("---\ntitle: a\ndate: 2025-01-01\ntitle: b\nid: twice\n---\nbody\n",
                                              encoding="utf-8")
    run = kbtool("extract", "articles/twice.md", "--dry-run", cwd=kb)
    assert_survived(run, 1)
    assert "articles/twice.md:4: skipped: the front matter has the key 'title' twice (lines 2 and 4)" in run.stderr

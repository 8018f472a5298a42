"""The mistakes a first-time contributor makes, each named with what to do: never a run that checks
nothing and passes, a file overwritten that was not kbtool's, or advice that does not work from where
the user stands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import curated_record, run_kbtool, write_record


@pytest.fixture
def kb_with_record(kb: Path) -> Path:
    write_record(kb, curated_record())
    return kb


# --- a --root that is no KB ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["lint"], ["fmt", "--check"], ["list"], ["report", "--format", "json"],
                                     ["match", "KeyError: 'x'"], ["new-entry", "--signature", "KeyError: 'abc'",
                                                                  "--domain", "python", "--dry-run"]])
def test_a_root_without_entries_is_refused_instead_of_passing_as_an_empty_kb(tmp_path: Path, command: list[str]):
    result = run_kbtool(*command, "--root", tmp_path)
    assert result.exit_code == 2 and "not a knowledge base: it has no 'entries/' folder" in result.stderr
    assert not (tmp_path / "entries").exists()


def test_the_entries_folder_given_as_root_names_the_folder_above(kb_with_record: Path):
    result = run_kbtool("lint", "--root", kb_with_record / "entries")
    assert result.exit_code == 2 and f"pass the folder above it, {kb_with_record}" in result.stderr


def test_lint_of_a_path_with_no_record_file_fails_and_a_markdown_file_is_no_record(kb_with_record: Path):
    (kb_with_record / "articles").mkdir()
    (kb_with_record / "README.md").write_text("# a KB\n", encoding="utf-8")
    empty = run_kbtool("lint", "--root", kb_with_record, kb_with_record / "articles")
    assert empty.exit_code == 2 and "no record files (*.json) there" in empty.stderr
    readme = run_kbtool("lint", "--root", kb_with_record, kb_with_record / "README.md")
    assert readme.exit_code == 2 and "not a record file: records are .json files" in readme.stderr


# --- baseline write over what is not a baseline ----------------------------------------------------------

def test_baseline_write_leaves_a_record_and_any_other_file_alone(kb_with_record: Path):
    record = kb_with_record / "entries" / "tensorflow" / "tflite-quantization-range.json"
    before = record.read_bytes()
    wrong = run_kbtool("lint", "--root", kb_with_record, "--baseline", record)
    assert wrong.exit_code == 2 and "not a kbtool baseline" in wrong.stderr and f"baseline write {record}" not in wrong.stderr
    refused = run_kbtool("baseline", "write", record, "--root", kb_with_record)
    assert refused.exit_code == 2 and "is inside entries/" in refused.stderr and record.read_bytes() == before
    other = kb_with_record / "package.json"
    other.write_text('{"name": "x"}\n', encoding="utf-8")
    refused = run_kbtool("baseline", "write", other, "--root", kb_with_record)
    assert refused.exit_code == 2 and "is not a kbtool baseline, so it is left as it is" in refused.stderr
    assert other.read_text(encoding="utf-8") == '{"name": "x"}\n'


def test_baseline_write_replaces_a_baseline_even_a_damaged_one(kb_with_record: Path):
    baseline = kb_with_record / ".kbtool-baseline.json"
    for _ in range(2):  # the second run replaces what the first wrote
        result = run_kbtool("baseline", "write", baseline, "--root", kb_with_record)
        assert result.exit_code == 0, result.stderr
        assert json.loads(baseline.read_text(encoding="utf-8"))["version"] == 1
    written = baseline.read_text(encoding="utf-8")
    for damaged in ('{"version": 1, "findings": [{"rule": "KB401"}]}', "<<<<<<< HEAD\n" + written + "=======\n" + written + ">>>>>>> x\n"):
        baseline.write_text(damaged, encoding="utf-8")
        assert run_kbtool("lint", "--root", kb_with_record, "--baseline", baseline).exit_code == 2
        result = run_kbtool("baseline", "write", baseline, "--root", kb_with_record)
        assert result.exit_code == 0 and baseline.read_text(encoding="utf-8") == written, result.stderr


def test_fmt_and_show_take_a_path_through_a_linked_folder(kb_with_record: Path, tmp_path: Path):
    link = tmp_path / "linked-kb"
    link.symlink_to(kb_with_record, target_is_directory=True)
    record = link / "entries" / "tensorflow" / "tflite-quantization-range.json"
    assert run_kbtool("fmt", "--check", "--root", kb_with_record, record).exit_code == 0
    shown = run_kbtool("show", "--root", kb_with_record, record)
    assert shown.exit_code == 0 and shown.stdout.startswith("tensorflow/tflite-quantization-range")
    other = kb_with_record / "notes.json"
    other.write_text("{}", encoding="utf-8")
    refused = run_kbtool("show", "--root", kb_with_record, other)
    assert refused.exit_code == 2 and "not a record file of the KB" in refused.stderr


# --- fmt rewrites records only ---------------------------------------------------------------------------

def test_fmt_refuses_a_json_file_outside_the_record_folders_and_searches_the_root_in_them_only(kb_with_record: Path):
    other = kb_with_record / "package.json"
    other.write_text('{"version": "1", "name": "x", "id": 3}', encoding="utf-8")
    refused = run_kbtool("fmt", "--root", kb_with_record, other)
    assert refused.exit_code == 2 and "fmt rewrites record files only" in refused.stderr
    assert other.read_text(encoding="utf-8") == '{"version": "1", "name": "x", "id": 3}'
    whole = run_kbtool("fmt", "--check", "--root", kb_with_record, kb_with_record)
    assert whole.exit_code == 0 and "package.json" not in whole.stdout + whole.stderr


# --- advice that works from a subfolder ------------------------------------------------------------------

def test_new_entry_next_steps_name_a_path_that_works_from_where_it_was_run(kb_with_record: Path, monkeypatch):
    (kb_with_record / "articles").mkdir()
    monkeypatch.chdir(kb_with_record / "articles")
    result = run_kbtool("new-entry", "--signature", "ValueError: the flux capacitor overheated badly", "--domain", "python")
    assert result.exit_code == 0, result.stderr
    written = kb_with_record / "entries" / "python" / "flux-capacitor-overheated-badly.json"
    assert written.is_file() and f"  2. kbtool lint {written}" in result.stdout
    assert run_kbtool("lint", str(written)).exit_code in (0, 1)  # the step runs (the record is not filled in yet)
    monkeypatch.chdir(kb_with_record)
    again = run_kbtool("new-entry", "--signature", "ValueError: the flux capacitor overheated again", "--domain", "python")
    assert "  2. kbtool lint entries/python/flux-capacitor-overheated-again.json" in again.stdout


def test_show_takes_the_record_path_from_anywhere_and_names_a_broken_record(kb_with_record: Path, monkeypatch):
    path = kb_with_record / "entries" / "tensorflow" / "tflite-quantization-range.json"
    monkeypatch.chdir(path.parent)
    for given in (path.name, str(path), "../tensorflow/" + path.name):
        result = run_kbtool("show", given)
        assert result.exit_code == 0 and result.stdout.startswith("tensorflow/tflite-quantization-range"), (given, result.stderr)
    (kb_with_record / "entries" / "python").mkdir()
    (kb_with_record / "entries" / "python" / "broken.json").write_text('{"id": "python/broken", "signature": "x",}', encoding="utf-8")
    broken = run_kbtool("show", "python/broken")
    assert broken.exit_code == 2 and "entries/python/broken.json: not a readable record (not valid JSON: a trailing comma" in broken.stderr
    listed = run_kbtool("list")
    assert listed.exit_code == 0 and "1 file(s) under entries/ could not be read as records and are not listed" in listed.stderr


# --- new-entry: what it will not write ------------------------------------------------------------------

@pytest.mark.parametrize("signature", ["error", "ValueError"])
def test_new_entry_refuses_a_signature_too_generic_for_a_record(kb_with_record: Path, signature: str):
    result = run_kbtool("new-entry", "--root", kb_with_record, "--signature", signature, "--domain", "python")
    assert result.exit_code == 1 and "too generic to make a record of" in result.stderr
    assert not (kb_with_record / "entries" / "python").exists()


def test_new_entry_refuses_piped_output_that_holds_no_error_unless_a_line_is_named(kb_with_record: Path):
    args = ("new-entry", "--root", str(kb_with_record), "--signature", "-", "--domain", "python", "--dry-run")
    refused = run_kbtool(*args, input="all good\nbuild finished\n")
    assert refused.exit_code == 2 and "no line of standard input reads as an error message" in refused.stderr
    taken = run_kbtool(*args, "--line", "2", input="all good\nbuild finished\n")
    assert taken.exit_code == 0 and "took line 2 of 2, as asked" in taken.stderr


def test_new_entry_with_the_message_as_an_argument_says_to_use_signature(kb_with_record: Path):
    result = run_kbtool("new-entry", "ValueError: x", "--domain", "python", "--root", kb_with_record)
    assert result.exit_code == 2
    assert "new-entry takes the message with --signature: kbtool new-entry --signature 'ValueError: x' --domain python" in result.stderr
    both = run_kbtool("new-entry", "--signature", "KeyError: 'abc' in widget loader", "--domain", "python", "extra",
                      "--root", kb_with_record)
    assert both.exit_code == 2 and "unexpected argument(s): extra" in both.stderr and "--signature extra" not in both.stderr


# --- JSON and schema mistakes named as such ------------------------------------------------------------

@pytest.mark.parametrize("text, said", [
    ('{"id": "python/x", "regex": "input \\w{1,30}"}', "a regex's \\w is written \\\\w in the file"),
    ("{'id': 'python/x'}", "written in double quotes"),
    ('{"id": "python/x", "resolvable": True}', "True is not JSON; write true"),
    ('{"id": "python/x", // a note\n "domain": "python"}', "JSON has no comments"),
    ('{"id" "python/x"}', "a colon is missing after this key"),
    ('{"id": "python/x", "domain": python}', "a word without quotes"),
])
def test_usual_json_slips_are_named_with_what_to_do(kb: Path, text: str, said: str):
    (kb / "entries" / "python").mkdir()
    (kb / "entries" / "python" / "x.json").write_text(text, encoding="utf-8")
    result = run_kbtool("lint", "--root", kb, "--format", "json")
    [finding] = [f for f in json.loads(result.stdout)["findings"] if f["name"] == "invalid-json"]
    assert said in finding["message"], finding["message"]


def test_a_date_in_another_form_is_one_finding_and_schema_findings_say_what_the_field_holds(kb_with_record: Path):
    record = curated_record()
    record.update(first_seen="2024-1-5", category="Runtime Error", confidence="0.8")
    write_record(kb_with_record, record)
    result = run_kbtool("lint", "--root", kb_with_record, "--select", "schema", "--format", "json")
    listed = json.loads(result.stdout)["findings"]
    findings = {f["pointer"]: f["message"] for f in listed}
    assert [f["pointer"] for f in listed].count("/first_seen") == 1 and "not a real calendar date" not in findings["/first_seen"]
    assert "Date (YYYY-MM-DD)" in findings["/first_seen"]
    assert "snake_case" in findings["/category"]
    assert "a number is written without quotes" in findings["/confidence"]


# --- options named as the user wrote them; combinations that cannot both hold ---------------------------

def test_errors_name_the_option_the_user_gave(kb_with_record: Path, tmp_path: Path):
    missing = run_kbtool("match", "--root", kb_with_record, "--batch", tmp_path / "nope.txt")
    assert missing.exit_code == 2 and "--batch " in missing.stderr and "--file" not in missing.stderr
    unknown = run_kbtool("list", "--root", kb_with_record, "--rule", "nope")
    assert unknown.exit_code == 2 and "--rule: unknown rule 'nope'" in unknown.stderr


def test_an_output_format_that_cannot_apply_is_refused(kb_with_record: Path, tmp_path: Path):
    queries = tmp_path / "q.txt"
    queries.write_text("KeyError: 'x'\n", encoding="utf-8")
    batch = run_kbtool("match", "--root", kb_with_record, "--batch", queries, "--format", "text")
    assert batch.exit_code == 2 and "--batch prints JSON lines" in batch.stderr
    assert run_kbtool("match", "--root", kb_with_record, "--batch", queries, "--format", "json").exit_code in (0, 1)
    page = run_kbtool("report", "--root", kb_with_record, "--html", tmp_path / "r.html", "--format", "json")
    assert page.exit_code == 2 and "drop --format json" in page.stderr and not (tmp_path / "r.html").exists()

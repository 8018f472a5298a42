"""`kbtool lint` as a user meets it: root discovery, options, output shapes and exit statuses."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys

from conftest import REPO_ROOT, TODAY, curated_record, run_kbtool, write_record

TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) (?P<code>KB\d{3}) (?P<name>[a-z-]+): .+$")


def stale_kb(kb):
    record = curated_record()
    write_record(kb, record)
    return kb


def test_text_output_is_one_line_per_finding_then_a_summary(kb):
    record = curated_record()
    record["signature_zh"] = "A line\nthat spans two"
    write_record(kb, record)
    result = run_kbtool("lint", "--root", kb, "--today", TODAY)
    lines = result.stdout.splitlines()
    assert all(TEXT_LINE.match(line) for line in lines[:-1]), lines
    assert lines[-1].startswith("1 error, 1 warning in 1 file")
    assert result.exit_code == 1


def test_warnings_pass_unless_strict(kb):
    stale_kb(kb)
    assert run_kbtool("lint", "--root", kb, "--today", TODAY).exit_code == 0
    assert run_kbtool("lint", "--root", kb, "--today", TODAY, "--strict").exit_code == 1


def test_root_is_found_upward_from_the_working_directory(kb, monkeypatch):
    stale_kb(kb)
    monkeypatch.chdir(kb / "entries" / "tensorflow")
    result = run_kbtool("lint", "--today", TODAY, "--format", "json")
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_no_kb_found_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_kbtool("lint")
    assert result.exit_code == 2
    assert "entries/" in result.stderr and "--root" in result.stderr


def test_today_comes_from_the_environment(kb):
    stale_kb(kb)
    result = run_kbtool("lint", "--root", kb, "--format", "json", env={"KBTOOL_TODAY": "2024-07-01"})
    assert json.loads(result.stdout)["findings"] == []
    result = run_kbtool("lint", "--root", kb, "--format", "json", env={"KBTOOL_TODAY": TODAY})
    assert [f["name"] for f in json.loads(result.stdout)["findings"]] == ["stale-entry"]


def test_flag_today_overrides_the_environment(kb):
    stale_kb(kb)
    result = run_kbtool("lint", "--root", kb, "--format", "json", "--today", TODAY, env={"KBTOOL_TODAY": "2024-07-01"})
    assert len(json.loads(result.stdout)["findings"]) == 1


def test_bad_today_is_a_usage_error(kb):
    result = run_kbtool("lint", "--root", kb, "--today", "2026-02-30")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_unknown_format_and_unknown_rule_are_usage_errors(kb):
    assert run_kbtool("lint", "--root", kb, "--format", "xml").exit_code == 2
    result = run_kbtool("lint", "--root", kb, "--select", "no-such-rule")
    assert result.exit_code == 2 and "no-such-rule" in result.stderr


def test_select_and_ignore_accept_names_and_codes(kb):
    record = curated_record()
    record["signature_zh"] = "English text here"
    write_record(kb, record)
    def names(*options):
        result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "json", *options)
        return sorted({f["name"] for f in json.loads(result.stdout)["findings"]})
    assert names() == ["stale-entry", "untranslated-zh"]
    assert names("--select", "untranslated-zh") == ["untranslated-zh"]
    assert names("--ignore", "KB301,stale-entry") == []


def test_paths_limit_the_report_but_the_whole_kb_is_loaded(kb):
    write_record(kb, curated_record())
    other = curated_record()
    other["id"] = "tensorflow/copy"
    write_record(kb, other)
    duplicate = dict(other, id="tensorflow/tflite-quantization-range")
    write_record(kb, duplicate, "entries/tensorflow/copy.json")
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "json", kb / "entries/tensorflow/copy.json")
    document = json.loads(result.stdout)
    assert {f["path"] for f in document["findings"]} == {"entries/tensorflow/copy.json"}
    assert "duplicate-id" in {f["name"] for f in document["findings"]}


def test_missing_path_is_a_usage_error(kb):
    result = run_kbtool("lint", "--root", kb, kb / "nope.json")
    assert result.exit_code == 2 and "nope.json" in result.stderr


def test_json_contract_fields(kb):
    stale_kb(kb)
    document = json.loads(run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "json").stdout)
    assert document["version"] == 1
    assert set(document["summary"]) >= {"files", "entries", "errors", "warnings"}
    [finding] = document["findings"]
    assert set(finding) >= {"path", "entry_id", "rule", "name", "severity", "pointer", "line", "column", "message"}
    assert finding["rule"].startswith("KB") and finding["pointer"] == "/last_confirmed"


def test_python_dash_m_kbtool_runs_and_help_teaches():
    result = subprocess.run([sys.executable, "-m", "kbtool", "lint", "--help"], capture_output=True, text=True,
                            cwd=REPO_ROOT, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0
    assert "Exit status" in result.stdout and "--stale-days" in result.stdout


def test_the_kbtool_process_writes_its_whole_report_and_keeps_its_cache_before_it_ends(tmp_path):
    """The console entry point ends the process without freeing what it made (`kbtool.teardown`): a report of
    several hundred kilobytes still arrives whole through a pipe and in a file, the exit status is the command's,
    and the cache the run filled is there for the next run, which reports the same."""
    root = tmp_path / "kb"
    for number in range(300):
        record = curated_record()
        record.update(id=f"tensorflow/copy-{number}", signature=f"{record['signature']} (copy {number})", regex=None)
        write_record(root, record)
    environment = {**{name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"},  # output buffered
                   "KBTOOL_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "kbtool", "lint", "--root", str(root), "--today", "2099-01-01", "--format", "json"]
    expected = run_kbtool(*command[3:], "--no-cache")
    assert expected.exit_code == 1 and len(expected.stdout) > 300_000
    first = subprocess.run(command, capture_output=True, text=True, env=environment)
    assert (first.returncode, first.stdout) == (1, expected.stdout), first.stderr
    with sqlite3.connect(tmp_path / "cache" / "cache.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > 300
    with open(tmp_path / "report.json", "w", encoding="utf-8") as report:
        second = subprocess.run(command, stdout=report, stderr=subprocess.PIPE, text=True, env=environment)
    assert second.returncode == 1 and (tmp_path / "report.json").read_text(encoding="utf-8") == expected.stdout
    usage = subprocess.run([*command, "--format", "xml"], capture_output=True, text=True, env=environment)
    assert usage.returncode == 2 and "--format xml" in usage.stderr and not usage.stdout
    for other in (["rules"], ["match", "--root", str(root), "--format", "json", curated_record()["signature"] + " (copy 7)"]):
        in_process = run_kbtool(*other)
        ended = subprocess.run([sys.executable, "-m", "kbtool", *other], capture_output=True, text=True, env=environment)
        assert (ended.returncode, ended.stdout) == (in_process.exit_code, in_process.stdout) and ended.stdout, other

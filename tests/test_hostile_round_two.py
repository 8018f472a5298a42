"""Hostile input, round two: the cases of `generate.ROUND_TWO`, and the schema, link, id and
argument cases, each through the real command line in a subprocess, with the time bound of
test_hostile_corpus (a hang fails the test instead of stalling it).

Every command must finish within 60 seconds, exit 0, 1 or 2 (never 3), print no raw control
character, keep every output format valid, and write nothing outside the KB.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from test_hostile_corpus import assert_survived, base_record, generate, kbtool, make_valid_kb

LIMIT_SECONDS = 60
RAW_CONTROL = [chr(code) for code in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)]] + ["\u202e"]


def finished_in_time(run, *statuses):
    if '"$schema": "https://docs.oasis-open.org/sarif' in run.stdout:  # the rule help quotes "Traceback (most recent call last):"
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr[-3000:]
        assert run.status in statuses, (run.status, run.stderr[-3000:])
    else:
        assert_survived(run, *statuses)
    assert run.seconds < LIMIT_SECONDS, run.seconds


def no_raw_control(text: str) -> None:
    found = sorted({hex(ord(char)) for char in text if char in RAW_CONTROL})
    assert not found, found


def findings(run) -> list[dict]:
    return json.loads(run.stdout)["findings"]


def round_two_kb(tmp_path: Path, name: str, *, valid: bool = False) -> Path:
    root = make_valid_kb(tmp_path / "kb") if valid else tmp_path / "kb"
    (root / "entries").mkdir(parents=True, exist_ok=True)
    generate.build_round_two(name, root, base_record())
    return root


# --- hangs ---------------------------------------------------------------------------------------------

def test_a_regex_the_cpu_timer_cannot_interrupt_is_stopped_by_the_wall_clock(tmp_path):
    root = round_two_kb(tmp_path, "astral-class")
    run = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finished_in_time(run, 1)
    redos = [finding for finding in findings(run) if finding["name"] == "regex-redos"]
    assert [finding["path"] for finding in redos] == ["entries/hostile/astral-class.json"], redos
    assert "was stopped" in redos[0]["message"]


def test_match_with_a_clean_looking_regex_and_an_ordinary_log_ends_in_time(tmp_path):
    root = round_two_kb(tmp_path, "astral-class")
    log = tmp_path / "build.log"
    log.write_text("".join(f"[{number:05d}] compiling module {number} ... ok\n" for number in range(4000)), encoding="utf-8")
    assert 130_000 < log.stat().st_size < 150_000
    run = kbtool("match", "--root", root, "--file", log, cwd=root)
    finished_in_time(run, 0, 1)
    assert run.stdout.strip()  # a report, whatever it says


def test_quadratic_searches_of_long_signatures_end_within_the_run_budget(tmp_path):
    root = round_two_kb(tmp_path, "quadratic")
    run = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finished_in_time(run, 1)
    stopped = {finding["path"] for finding in findings(run) if finding["name"] == "regex-redos"}
    assert stopped == {f"entries/hostile/quadratic-{number}.json" for number in range(8)}


# --- the schema is input too ---------------------------------------------------------------------------

def _schema(root: Path, **signature: object) -> Path:
    document = json.loads((Path(__file__).resolve().parent.parent / "schema" / "error-record.schema.json").read_text(encoding="utf-8"))
    document["properties"]["signature"] = signature or document["properties"]["signature"]
    path = root / "schema" / "error-record.schema.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_a_catastrophic_pattern_in_the_kbs_schema_cannot_make_lint_spin(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    _schema(root, type="string", pattern="^(a+)+$")
    record = base_record()
    record.update(id="tensorflow/forty-as", signature="a" * 40 + "!")
    (root / "entries" / "tensorflow" / "forty-as.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    run = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finished_in_time(run, 1)
    assert [finding for finding in findings(run) if finding["path"] == "entries/tensorflow/forty-as.json"
            and finding["name"] == "schema" and "^(a+)+$" in finding["message"]]


def test_a_schema_pattern_without_linear_time_matching_is_a_configuration_error(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    path = _schema(root, type="string", pattern="^(?=a)a+$")
    run = kbtool("lint", "--root", root, cwd=root)
    finished_in_time(run, 2)
    assert f"{path}: field /properties/signature/pattern:" in run.stderr and "linear time" in run.stderr


def test_a_schema_reference_to_a_file_outside_is_a_configuration_error_and_nothing_is_read(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    outside = tmp_path / "outside.json"
    outside.write_text('{"type": "integer"}', encoding="utf-8")
    path = _schema(root, **{"$ref": outside.as_uri()})
    run = kbtool("lint", "--root", root, cwd=root)
    finished_in_time(run, 2)
    assert f"{path}: field /properties/signature/$ref:" in run.stderr and outside.as_uri() in run.stderr


def test_a_schema_reference_to_the_network_is_refused_without_a_request(tmp_path):
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "integer"}')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = make_valid_kb(tmp_path / "kb")
        url = f"http://127.0.0.1:{server.server_port}/x.json"
        _schema(root, **{"$ref": url})
        run = kbtool("lint", "--root", root, cwd=root)
    finally:
        server.shutdown()
    finished_in_time(run, 2)
    assert url in run.stderr
    assert requests == []


# --- crashes: lone surrogates, deep trees ----------------------------------------------------------------

@pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
def test_lone_surrogates_get_a_finding_and_every_format_stays_valid(tmp_path, output_format):
    root = round_two_kb(tmp_path, "surrogates", valid=True)
    run = kbtool("lint", "--root", root, "--format", output_format, cwd=root)
    finished_in_time(run, 1)
    no_raw_control(run.output)
    if output_format in ("json", "sarif"):
        document = json.loads(run.stdout)
        if output_format == "json":
            by_path = {finding["path"]: finding for finding in document["findings"] if finding["path"].startswith("entries/hostile/")}
            for name in ("surrogate-id", "surrogate-root-cause"):
                assert "not valid unicode text" in by_path[f"entries/hostile/{name}.json"]["message"].lower()
            assert any(finding["path"].startswith("entries/tensorflow/") for finding in document["findings"])
        else:
            assert document["runs"][0]["results"]
    run.stdout.encode("utf-8")


def test_lone_surrogates_in_match_baseline_and_extract_do_not_crash(tmp_path):
    root = round_two_kb(tmp_path, "surrogates", valid=True)
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"version": 1, "findings": [{"path": "entries/x\\ud800.json", "rule": "KB101", "pointer": ""}]}',
                        encoding="utf-8")
    for arguments, statuses in ((("match", "--format", "json", "ValueError: the surrogate article"), (0, 1)),
                                (("lint", "--baseline", baseline, "--format", "json"), (1, 2)),
                                (("extract", "--dry-run", "--format", "json"), (0, 1))):
        run = kbtool(*arguments, "--root", root, cwd=root)
        finished_in_time(run, *statuses)
        if run.status != 2:
            json.loads(run.stdout)
        no_raw_control(run.output)


@pytest.fixture
def deep_kb(tmp_path):
    root = round_two_kb(tmp_path, "deep-folders")
    yield root
    generate.flatten_deep_folders(root)


def test_a_folder_tree_1000_levels_deep_is_reported_not_a_crash(deep_kb):
    root = deep_kb
    lint = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finished_in_time(lint, 1)
    assert [finding for finding in findings(lint) if "nested more than" in finding["message"]]
    fmt = kbtool("fmt", "--check", "--root", root, cwd=root)
    finished_in_time(fmt, 1)
    assert "nested more than" in fmt.output
    extract = kbtool("extract", "--dry-run", "--format", "json", "--root", root, cwd=root)
    finished_in_time(extract, 1)
    assert "nested more than" in extract.stderr


def test_new_entry_refuses_a_signature_that_is_not_utf8(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    command = [sys.executable, "-m", "kbtool", "new-entry", "--root", str(root), "--domain", "python",
               "--today", "2026-11-23", "--signature"]
    completed = subprocess.run([os.fsencode(part) for part in command] + [b"ValueError: bad \xff byte"],
                               capture_output=True, timeout=LIMIT_SECONDS, cwd=root)
    assert completed.returncode == 2, completed.stderr
    assert b"--signature: the value is not valid UTF-8 text (byte 0xff" in completed.stderr
    assert not (root / "entries" / "python").exists()


# --- spoofing ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("arguments", [("lint",), ("lint", "--format", "github"), ("fmt", "--check"),
                                       ("lint", "--format", "json"), ("lint", "--format", "sarif")])
def test_no_output_format_prints_a_raw_control_sequence_or_a_planted_workflow_command(tmp_path, arguments):
    root = round_two_kb(tmp_path, "spoofing")
    summary = tmp_path / "summary.md"
    environment_run = kbtool_with_summary(summary, *arguments, "--root", root, cwd=root)
    finished_in_time(environment_run, 1)
    no_raw_control(environment_run.output)
    assert not [line for line in environment_run.output.splitlines() if line.startswith("::error file=README.md")]
    if "json" in arguments or "sarif" in arguments:
        json.loads(environment_run.stdout)
    if "github" in arguments:
        text = summary.read_text(encoding="utf-8")
        no_raw_control(text)
        assert "](https://" not in text and "![" not in text and "https://evil" not in text


def kbtool_with_summary(summary: Path, *arguments, cwd: Path):
    previous = os.environ.get("GITHUB_STEP_SUMMARY")
    os.environ["GITHUB_STEP_SUMMARY"] = str(summary)
    try:
        return kbtool(*arguments, cwd=cwd)
    finally:
        if previous is None:
            del os.environ["GITHUB_STEP_SUMMARY"]
        else:
            os.environ["GITHUB_STEP_SUMMARY"] = previous


# --- floods ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_flood_of_defects_is_capped_per_rule_and_file_with_short_lines(tmp_path, output_format):
    root = round_two_kb(tmp_path, "flood")
    run = kbtool("lint", "--root", root, "--format", output_format, cwd=root)
    finished_in_time(run, 1)
    assert max(len(line) for line in run.stdout.splitlines()) < 5000
    if output_format == "json":
        listed = findings(run)
        assert len(listed) < 2000, len(listed)
        assert [finding for finding in listed if "more" in finding["message"] and "not listed" in finding["message"]]


# --- writes through links, ids with newlines -------------------------------------------------------------

def test_extract_refuses_to_write_candidates_through_a_link(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "candidates").symlink_to(outside, target_is_directory=True)
    (root / "articles" / "new.md").write_text('---\ntitle: "New"\ndate: "2025-01-30"\nid: "new"\n---\n'
                                              "```\nFrobnicateError: the frobnicator jammed at 7\n```\n", encoding="utf-8")
    run = kbtool("extract", "--root", root, "--format", "json", cwd=root)
    finished_in_time(run, 0, 1)
    assert list(outside.rglob("*")) == []
    assert "symbolic link" in run.output


def test_new_entry_refuses_to_write_through_a_linked_entries_folder(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "entries").symlink_to(outside, target_is_directory=True)
    run = kbtool("new-entry", "--root", root, "--signature", "FrobnicateError: the frobnicator jammed",
                 "--domain", "python", "--today", "2026-11-23", cwd=root)
    finished_in_time(run, 1, 2)
    assert list(outside.rglob("*.json")) == []
    assert "symbolic link" in run.output


def test_import_refuses_to_write_through_a_linked_out_folder_and_ids_with_newlines(tmp_path):
    canons = tmp_path / "canons"
    sample = Path(__file__).resolve().parent / "fixtures" / "deadends-sample" / "android" / "aapt2-resource-linking-failed" / "agp8-linux.json"
    (canons / "android").mkdir(parents=True)
    data = json.loads(sample.read_text(encoding="utf-8"))
    (canons / "android" / "agp8-linux.json").write_text(json.dumps(data), encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    link = tmp_path / "out-link"
    link.symlink_to(outside, target_is_directory=True)
    run = kbtool("import", "deadends", canons, "--out", link, cwd=tmp_path)
    finished_in_time(run, 1, 2)
    assert list(outside.rglob("*.json")) == []
    assert "symbolic link" in run.output
    data["id"] = "x\n/y"
    (canons / "android" / "agp8-linux.json").write_text(json.dumps(data), encoding="utf-8")
    run = kbtool("import", "deadends", canons, "--out", tmp_path / "out", cwd=tmp_path)
    finished_in_time(run, 0, 1)
    assert not [path for path in (tmp_path / "out").rglob("*") if "\n" in path.name]
    no_raw_control(run.output)


# --- races, stale temporary files, alias counting, folders named like records ------------------------------

def _started(*args: str | Path, cwd: Path) -> subprocess.Popen:
    """The real CLI in a subprocess that runs alongside the others started here."""
    environment = {**os.environ, "KBTOOL_TODAY": "2026-11-23", "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("KBTOOL_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "kbtool", *map(str, args)], cwd=cwd, env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")


def _finished(processes: list[subprocess.Popen]) -> list[tuple[int, str]]:
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=LIMIT_SECONDS)
        assert "Traceback" not in stdout + stderr, (stdout + stderr)[-3000:]
        results.append((process.returncode, stdout + stderr))
    return results


def _jammed_record() -> dict:
    record = base_record()
    record.update(id="tensorflow/frobnicator-jammed", signature="FrobnicateError: the frobnicator jammed at 1",
                  regex=r"FrobnicateError: the frobnicator jammed at \d+")
    record.get("transition_graph", {}).pop("frequently_confused_with", None)
    record["root_cause"] = "The frobnicator jams. " * 40_000  # a large record: reading and rewriting it take a while
    return record


@pytest.mark.parametrize("attempt", range(2))  # each attempt lost links without the lock
def test_concurrent_new_entry_force_runs_linking_back_to_one_record_keep_every_link(tmp_path, attempt):
    root = tmp_path / "kb"
    (root / "entries" / "tensorflow").mkdir(parents=True)
    target = root / "entries" / "tensorflow" / "frobnicator-jammed.json"
    target.write_text(json.dumps(_jammed_record(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    processes = [_started("new-entry", "--root", root, "--force", "--domain", "tensorflow", "--today", "2026-11-23",
                          "--slug", f"jammed-variant-{number}",
                          "--signature", f"FrobnicateError: the frobnicator jammed at {number + 100}", cwd=root)
                 for number in range(8)]
    for status, output in _finished(processes):
        assert status == 0, output
    edges = json.loads(target.read_text(encoding="utf-8"))["transition_graph"]["frequently_confused_with"]
    assert sorted(edge["error_id"] for edge in edges) == sorted(f"tensorflow/jammed-variant-{number}" for number in range(8))


def test_two_extract_runs_at_once_write_each_candidate_once(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    for number in range(60):
        (root / "articles" / f"race-{number}.md").write_text(
            f'---\ntitle: "Race {number}"\ndate: "2025-01-30"\nid: "race-{number}"\n---\n'
            f"```\nRace{number}Error: the widget number {number} fell over\n```\n", encoding="utf-8")
    results = _finished([_started("extract", "--root", root, "--format", "json", cwd=root) for _ in range(2)])
    for status, output in results:
        assert status in (0, 1), output
    written = sorted(path.relative_to(root / "candidates").as_posix() for path in (root / "candidates").rglob("*.json"))
    signatures = [json.loads((root / "candidates" / path).read_text(encoding="utf-8"))["signature"] for path in written]
    assert len(signatures) == len(set(signatures)), written
    assert len(written) >= 60, written


def test_a_stale_temporary_file_kbtool_left_is_removed_by_the_next_fmt(tmp_path):
    import time

    root = make_valid_kb(tmp_path / "kb")
    folder = root / "entries" / "tensorflow"
    record = next(path for path in sorted(folder.glob("*.json")))
    record.write_text(json.dumps(json.loads(record.read_text(encoding="utf-8"))), encoding="utf-8")  # not canonical
    stale = folder / f".kbtool-tmp-{record.name}.4242.0badc0de.tmp"  # what a writer killed before its rename leaves
    stale.write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    fresh = folder / f".kbtool-tmp-{record.name}.4243.0badc0df.tmp"  # perhaps another writer's, at work right now
    fresh.write_text("{}", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("not kbtool's", encoding="utf-8")
    link = folder / ".kbtool-tmp-link.json.1.2.tmp"
    link.symlink_to(outside)
    theirs = folder / ".notes.json.1.tmp"  # not named by kbtool
    theirs.write_text("someone's", encoding="utf-8")
    hour_ago = time.time() - 3600
    for path in (stale, theirs):
        os.utime(path, (hour_ago, hour_ago))
    os.utime(link, (hour_ago, hour_ago), follow_symlinks=False)
    run = kbtool("fmt", "--root", root, cwd=root)
    finished_in_time(run, 0)
    assert not stale.exists()
    assert fresh.exists() and link.is_symlink() and theirs.exists() and outside.read_text(encoding="utf-8") == "not kbtool's"
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith(".kbtool-tmp-")) == sorted([fresh.name, link.name])


def test_an_article_with_5000_plain_keys_is_extracted_and_a_yaml_bomb_is_still_refused(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    keys = "".join(f"k{number}: {number}\n" for number in range(5000))  # under the 64 KiB front matter limit
    assert len(keys) < 60_000
    (root / "articles" / "many-keys.md").write_text(
        f'---\ntitle: "Many keys"\ndate: "2025-01-30"\nid: "many-keys"\n{keys}---\n'
        "```\nManyKeysError: the key ring overflowed at 7\n```\n", encoding="utf-8")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + level)}: &{chr(98 + level)} [{', '.join(['*' + chr(97 + level)] * 10)}]\n" for level in range(5))
    (root / "articles" / "bomb.md").write_text(f'---\ntitle: "Bomb"\nid: "bomb"\n{laughs}---\ntext\n', encoding="utf-8")
    run = kbtool("extract", "--dry-run", "--root", root, "--format", "json", cwd=root)
    finished_in_time(run, 1)
    document = json.loads(run.stdout)
    extracted = [item for item in document["articles"] if item["path"] == "articles/many-keys.md"]
    assert extracted and [message["signature"] for message in extracted[0]["messages"]] == \
        ["ManyKeysError: the key ring overflowed at 7"]
    assert "articles/many-keys.md" not in run.stderr
    assert "articles/bomb.md" in run.stderr and "aliases expand to more than" in run.stderr


def test_changed_since_reports_a_new_folder_named_like_a_record(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    git_options = ["-c", "user.name=kbtool tests", "-c", "user.email=tests@kbtool.invalid", "-c", "commit.gpgsign=false",
                   "-c", "core.hooksPath=/dev/null"]
    for arguments in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *git_options, *arguments], cwd=root, check=True, capture_output=True)
    inner = root / "entries" / "tensorflow" / "looks-like-a-record.json" / "inner.json"
    inner.parent.mkdir()
    inner.write_text(json.dumps(base_record(), indent=2), encoding="utf-8")
    whole = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finished_in_time(whole, 1)
    folder = "entries/tensorflow/looks-like-a-record.json"
    assert [finding for finding in findings(whole) if finding["path"] == folder]
    changed = kbtool("lint", "--root", root, "--format", "json", "--changed-since", "HEAD", cwd=root)
    finished_in_time(changed, 1)
    assert [finding for finding in findings(changed) if finding["path"] == folder], findings(changed)
    github = kbtool("lint", "--root", root, "--format", "github", "--changed-since", "HEAD", cwd=root)
    finished_in_time(github, 1)
    assert f"file={folder}" in github.stdout

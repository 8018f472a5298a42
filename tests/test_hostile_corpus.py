"""Hostile and broken input, through the real command line of every reading command.

The corpus is tests/fixtures/hostile/ (small files checked in, large and special ones built by its
generate.py): broken JSON of every kind, a 50 MB file, nesting 100,000 levels deep, 1 MB signatures,
catastrophic and foreign regexes, links out of the KB and in loops, a directory named x.json, a FIFO,
an unreadable file, articles with a YAML bomb, a Python-object tag, an unclosed fence or binary bytes.

Each command runs once over the whole corpus with the repository's own (valid) records and articles
beside it, in a subprocess, so that a hang or a crash is real. Every run must end within
BOUND_SECONDS (generous: seconds are expected), exit with the documented status, show no traceback,
name each hostile file with what is wrong, and report the valid files exactly as when they are alone.

Permission bits do not stop root. When the tests run as root, every command of this module runs under
`setpriv` with the capabilities that let root ignore permission bits (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH) dropped, so the unreadable file really is unreadable; without setpriv that one
case is skipped. As an ordinary user (e.g. in CI) the commands run as they are.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
HOSTILE = REPO_ROOT / "tests" / "fixtures" / "hostile"
TODAY = "2026-11-23"
BOUND_SECONDS = 90
VALID_RECORDS = sorted((REPO_ROOT / "entries").rglob("*.json"))
VALID_ARTICLES = sorted((REPO_ROOT / "articles").glob("*.md"))
VALID_CANON = REPO_ROOT / "tests" / "fixtures" / "deadends-sample" / "android" / "aapt2-resource-linking-failed" / "agp8-linux.json"


def _load_generator():
    spec = importlib.util.spec_from_file_location("hostile_generate", HOSTILE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["hostile_generate"] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generator()

SETPRIV = shutil.which("setpriv")
_DROP = "-dac_override,-dac_read_search"
UNPRIVILEGED_PREFIX = ([SETPRIV, f"--inh-caps={_DROP}", f"--bounding-set={_DROP}"]
                       if os.geteuid() == 0 and SETPRIV else [])
PERMISSIONS_APPLY = os.geteuid() != 0 or bool(SETPRIV)


class Run:
    """One finished command: status, output, and how long it took."""

    def __init__(self, completed: subprocess.CompletedProcess, seconds: float) -> None:
        self.status = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.seconds = seconds

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def kbtool(*args: str | Path, cwd: Path) -> Run:
    """Run the real CLI in a subprocess with the time bound (a hang fails the test instead of stalling it)."""
    command = [*UNPRIVILEGED_PREFIX, sys.executable, "-m", "kbtool", *map(str, args)]
    environment = {**os.environ, "KBTOOL_TODAY": TODAY, "COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("KBTOOL_DEBUG", None)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, errors="replace",
                               timeout=BOUND_SECONDS, env=environment)
    return Run(completed, time.monotonic() - started)


def assert_survived(run: Run, *statuses: int) -> None:
    assert run.seconds < BOUND_SECONDS
    assert "Traceback" not in run.output, run.output[-3000:]
    assert "internal error" not in run.output, run.output[-3000:]
    assert not re.search(r"\b[A-Z]\w*Warning: ", run.output), run.output[-3000:]  # no Python warning leaks out
    assert run.status in statuses, (run.status, run.output[-3000:])


def base_record() -> dict:
    return json.loads((REPO_ROOT / "entries" / "tensorflow" / "tflite-quantization-range.json").read_text(encoding="utf-8"))


def make_valid_kb(root: Path) -> Path:
    """A KB with the repository's own records and articles: the files that must be reported as usual."""
    for path in VALID_RECORDS:
        target = root / path.relative_to(REPO_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for path in VALID_ARTICLES:
        shutil.copyfile(path, root / "articles" / path.name)
    return root


@pytest.fixture(scope="module")
def valid_kb(tmp_path_factory) -> Path:
    return make_valid_kb(tmp_path_factory.mktemp("valid") / "kb")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The valid KB plus the whole hostile corpus; the 50 MB files are deleted afterwards."""
    root = make_valid_kb(tmp_path_factory.mktemp("hostile") / "kb")
    cases = generate.build_corpus(root, base_record())
    yield root, cases
    for path in (root / "entries" / "hostile" / "fifty-megabytes.json", root / "logs" / "fifty-megabyte-log.log"):
        path.unlink(missing_ok=True)
    (root / "entries" / "hostile" / "unreadable.json").chmod(0o600)


RECORD_CASES = generate.record_cases() + [generate.Case("link-pair-b", "record", ("symbolic link",))]


def record_path(case) -> str:
    return f"entries/hostile/{case.name}" + ("" if case.name == "link-folder" else ".json")


def needs_permissions(case) -> None:
    if case.needs_unprivileged and not PERMISSIONS_APPLY:
        pytest.skip("running as root without setpriv: permission bits cannot make a file unreadable")


def saying(findings: list[dict], case) -> list[dict]:
    """The findings about `case`'s file from its rule whose message says what the case expects."""
    return [finding for finding in findings if finding["path"] == record_path(case) and finding["name"] == case.rule
            and all(fragment in finding["message"].lower() for fragment in case.expect)]


# --- lint ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lint_runs(corpus, valid_kb):
    root, _ = corpus
    return (kbtool("lint", "--root", root, "--format", "json", cwd=root),
            kbtool("lint", "--root", valid_kb, "--format", "json", cwd=valid_kb))


def test_lint_over_the_corpus_ends_in_time_with_status_1_and_no_traceback(lint_runs):
    hostile_run, _ = lint_runs
    assert_survived(hostile_run, 1)


@pytest.mark.parametrize("case", RECORD_CASES, ids=lambda case: case.name)
def test_lint_names_each_hostile_file_once_with_what_is_wrong(lint_runs, case):
    needs_permissions(case)
    findings = [finding for finding in json.loads(lint_runs[0].stdout)["findings"] if finding["path"] == record_path(case)]
    assert len(saying(findings, case)) == 1, findings
    if case.rule == "invalid-json":  # nothing else can be said about a file that does not parse
        assert len(findings) == 1, findings


def test_lint_reports_the_valid_records_exactly_as_alone(lint_runs):
    hostile_run, alone_run = lint_runs
    assert_survived(alone_run, 0, 1)
    beside_hostile = [finding for finding in json.loads(hostile_run.stdout)["findings"]
                      if not finding["path"].startswith("entries/hostile/")]
    assert beside_hostile == json.loads(alone_run.stdout)["findings"]


def test_lint_reads_nothing_through_a_link_out_of_the_kb(lint_runs):
    findings = json.loads(lint_runs[0].stdout)["findings"]
    assert not [finding for finding in findings if "secret" in json.dumps(finding) or "inside-the-link" in json.dumps(finding)]


@pytest.mark.parametrize("case", [case for case in RECORD_CASES if case.name not in ("link-pair-b",)],
                         ids=lambda case: case.name)
def test_lint_of_one_hostile_file_alone_exits_1_with_its_message(tmp_path, case):
    needs_permissions(case)
    root = make_valid_kb(tmp_path / "kb")
    generate.build_record_case(case.name, root, base_record())
    try:
        run = kbtool("lint", "--root", root, "--format", "json", cwd=root)
    finally:
        if case.needs_unprivileged:
            (root / "entries" / "hostile" / "unreadable.json").chmod(0o600)
        (root / "entries" / "hostile" / "fifty-megabytes.json").unlink(missing_ok=True)  # keep tmp small
    assert_survived(run, 1)
    assert len(saying(json.loads(run.stdout)["findings"], case)) == 1


# --- fmt --check and fmt ------------------------------------------------------------------------------

def _fmt_lines(run: Run, prefix: str) -> list[str]:
    return sorted(line for line in run.output.splitlines() if line.startswith(prefix))


def test_fmt_check_over_the_corpus_names_each_unparseable_file_and_changes_nothing(corpus):
    root, _ = corpus
    before = {path: path.read_bytes() for path in (root / "entries").rglob("*.json")
              if path.is_file() and not path.is_symlink() and path.stat().st_size < 10_000_000 and os.access(path, os.R_OK)}
    run = kbtool("fmt", "--check", "--root", root, cwd=root)
    assert_survived(run, 1)
    for case in RECORD_CASES:
        if case.rule != "invalid-json" or (case.needs_unprivileged and not PERMISSIONS_APPLY):
            continue
        lines = [line for line in run.output.splitlines() if line.startswith(record_path(case) + ":")]
        assert len(lines) == 1, (case.name, lines)
        assert all(fragment in lines[0].lower() for fragment in case.expect), lines
    assert {path: path.read_bytes() for path in before} == before


def test_fmt_check_reports_the_valid_records_exactly_as_alone(corpus, valid_kb):
    root, _ = corpus
    alone = kbtool("fmt", "--check", "--root", valid_kb, cwd=valid_kb)
    beside = kbtool("fmt", "--check", "--root", root, cwd=root)
    assert_survived(alone, 0, 1)
    assert _fmt_lines(beside, "entries/tensorflow/") == _fmt_lines(alone, "entries/tensorflow/")


def test_fmt_rewrites_only_what_parses_and_loses_no_value(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    generate.build_corpus(root, base_record(), large=False)
    outside = sorted((tmp_path / "kb-outside").rglob("*")) + sorted((tmp_path / "kb-outside-folder").rglob("*"))
    outside_before = {path: path.read_bytes() for path in outside if path.is_file()}
    readable = {path: path.read_bytes() for path in (root / "entries").rglob("*.json")
                if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK)}
    try:
        run = kbtool("fmt", "--root", root, cwd=root)
    finally:
        (root / "entries" / "hostile" / "unreadable.json").chmod(0o600)
    assert_survived(run, 1)
    for path, raw in readable.items():
        after = path.read_bytes()
        if after != raw:  # rewritten: it must have parsed, and every value must be kept
            assert json.loads(after) == json.loads(raw), path
    assert {path: path.read_bytes() for path in outside_before} == outside_before
    assert not [path for path in root.rglob("*.tmp")]


# --- match ---------------------------------------------------------------------------------------------

def _valid_signature() -> str:
    return base_record()["signature"]


def _matches_outside_hostile(run: Run) -> list[dict]:
    return [match for match in json.loads(run.stdout)["matches"] if not match["path"].startswith("entries/hostile/")]


def test_match_over_the_corpus_finds_the_valid_record_as_alone_and_names_skipped_files(corpus, valid_kb):
    root, _ = corpus
    beside = kbtool("match", "--root", root, "--format", "json", _valid_signature(), cwd=root)
    alone = kbtool("match", "--root", valid_kb, "--format", "json", _valid_signature(), cwd=valid_kb)
    assert_survived(beside, 0)
    assert_survived(alone, 0)
    assert _matches_outside_hostile(beside) == _matches_outside_hostile(alone) != []
    for case in RECORD_CASES:
        if case.rule == "invalid-json" and not (case.needs_unprivileged and not PERMISSIONS_APPLY):
            [line] = [line for line in beside.stderr.splitlines() if f"skipped {record_path(case)}:" in line]
            assert all(fragment in line.lower() for fragment in case.expect), line


def test_match_is_not_slowed_by_catastrophic_regexes_on_a_long_message(corpus):
    root, _ = corpus
    run = kbtool("match", "--root", root, "a" * 100_000 + "!", cwd=root)
    assert_survived(run, 0, 1)


@pytest.mark.parametrize("log", ["binary-log", "fifty-megabyte-log", "one-megabyte-line"])
def test_match_survives_hostile_log_files(corpus, log):
    root, _ = corpus
    run = kbtool("match", "--root", root, "--file", root / "logs" / f"{log}.log", cwd=root)
    assert_survived(run, 1, 2)
    if run.status == 2:  # refused: the message says what is wrong
        assert "longer than" in run.stderr
    else:
        assert "no record recognises this message" in run.stdout


# --- extract -------------------------------------------------------------------------------------------

def _articles_by_path(run: Run) -> dict[str, dict]:
    return {article["path"]: article for article in json.loads(run.stdout)["articles"]}


def test_extract_over_hostile_articles_ends_in_time_names_each_and_runs_no_code(corpus, valid_kb, tmp_path):
    root, cases = corpus
    marker = Path("/tmp/kbtool-pwned")
    marker.unlink(missing_ok=True)
    beside = kbtool("extract", "--root", root, "--dry-run", "--format", "json", cwd=root)
    assert_survived(beside, 1)
    assert not marker.exists()
    for case in [case for case in cases if case.kind == "article"]:
        name = case.name + ("" if case.name == "link-folder" else ".md")
        lines = [line for line in beside.stderr.splitlines() if line.startswith(f"articles/{name}:")]
        assert len(lines) == 1, (case.name, beside.stderr)
        assert all(fragment in lines[0].lower() for fragment in case.expect), lines


def test_extract_reports_the_valid_articles_exactly_as_alone(corpus, valid_kb):
    root, _ = corpus
    beside = kbtool("extract", "--root", root, "--dry-run", "--format", "json", cwd=root)
    alone = kbtool("extract", "--root", valid_kb, "--dry-run", "--format", "json", cwd=valid_kb)
    assert_survived(alone, 0, 1)
    valid = {f"articles/{path.name}" for path in VALID_ARTICLES}
    beside_valid = {path: article for path, article in _articles_by_path(beside).items() if path in valid}
    assert beside_valid == _articles_by_path(alone)


# --- import deadends -----------------------------------------------------------------------------------

def _canon_folder(corpus_root: Path, destination: Path) -> Path:
    """The hostile record files (links, FIFO and all) plus one real canon, as an import source."""
    shutil.copytree(corpus_root / "entries" / "hostile", destination, symlinks=True,
                    ignore=lambda folder, names: [name for name in names if name in ("fifo.json", "unreadable.json")])
    os.mkfifo(destination / "fifo.json")
    shutil.copyfile(VALID_CANON, destination / VALID_CANON.name)
    return destination


def test_import_over_hostile_canons_skips_each_with_its_reason_and_converts_the_valid_one(corpus, tmp_path):
    root, _ = corpus
    source = _canon_folder(root, tmp_path / "canons")
    alone_source = tmp_path / "alone"
    alone_source.mkdir()
    shutil.copyfile(VALID_CANON, alone_source / VALID_CANON.name)
    beside = kbtool("import", "deadends", source, "--out", tmp_path / "out", cwd=tmp_path)
    alone = kbtool("import", "deadends", alone_source, "--out", tmp_path / "out-alone", cwd=tmp_path)
    assert_survived(beside, 1)
    assert_survived(alone, 0)
    for case in RECORD_CASES:
        if case.rule != "invalid-json" or case.needs_unprivileged:
            continue
        name = case.name + ("" if case.name == "link-folder" else ".json")
        lines = [line for line in beside.output.splitlines() if f"{source.name}/{name}:" in line]
        assert lines and all(fragment in lines[0].lower() for fragment in case.expect), (case.name, lines)
    converted = sorted(path.relative_to(tmp_path / "out-alone") for path in (tmp_path / "out-alone").rglob("*.json"))
    assert converted
    for relative in converted:
        assert (tmp_path / "out" / relative).read_bytes() == (tmp_path / "out-alone" / relative).read_bytes()


# --- lint --baseline: the baseline file may come with the change being checked --------------------------

@pytest.mark.parametrize("name, expect", [
    ("fifo.json", "not a regular file"), ("link-loop.json", "symbolic link"), ("link-outside.json", "symbolic link"),
    ("deep-nesting.json", "not a kbtool baseline"), ("fifty-megabytes.json", "not a kbtool baseline"),
    ("bom.json", "not valid json"), ("truncated.json", "not valid json"), ("utf16.json", "cannot read"),
    ("nan.json", "not a kbtool baseline"), ("folder.json", "not a regular file"),
])
def test_lint_with_a_hostile_baseline_file_is_a_usage_error_naming_it(corpus, valid_kb, name, expect):
    root, _ = corpus
    baseline = root / "entries" / "hostile" / name
    run = kbtool("lint", "--root", valid_kb, "--baseline", baseline, cwd=valid_kb)
    assert_survived(run, 2)
    assert str(baseline) in run.stderr and expect in run.stderr.lower(), run.stderr


def test_lint_with_a_configuration_nested_100000_deep_is_a_usage_error(tmp_path):
    root = make_valid_kb(tmp_path / "kb")
    (root / "pyproject.toml").write_text("[tool.kbtool]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    run = kbtool("lint", "--root", root, cwd=root)
    assert_survived(run, 2)
    assert f"{root / 'pyproject.toml'}: cannot read the configuration: values are nested too deeply" in run.stderr

"""Shared test helpers: real KB folders in tmp_path and the real CLI."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbtool.canonical import canonical_text
from kbtool.cli import app

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_000 = FIXTURES / "seeds" / "000_tflite_converter_unsupported_op.json"
SEED_002 = FIXTURES / "seeds" / "002_tflite_quantization_range.json"
TODAY = "2026-11-23"


def curated_record(record_id: str = "tensorflow/tflite-quantization-range") -> dict:
    """A deep copy of one of the repo's own (lint-clean) records."""
    return copy.deepcopy(json.loads((REPO_ROOT / "entries" / f"{record_id}.json").read_text(encoding="utf-8")))


def write_record(root: Path, record: dict, relative_path: str | None = None) -> Path:
    """Write `record` canonically at entries/<id>.json (or `relative_path`) under `root`."""
    path = root / (relative_path or f"entries/{record['id']}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical_text(record), encoding="utf-8")
    return path


def run_kbtool(*args: str, input: str | None = None, env: dict | None = None):
    """Invoke the real CLI in-process; returns typer's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()
    return runner.invoke(app, [str(arg) for arg in args], input=input, env=env, catch_exceptions=False)


def write_article(root: Path, body: str, title: str = "An article") -> None:
    """One article `articles/a.md` (with front matter) in a KB at `root` (with an empty entries/)."""
    (root / "entries").mkdir(exist_ok=True)
    (root / "articles").mkdir(exist_ok=True)
    (root / "articles" / "a.md").write_text(
        f'---\ntitle: "{title}"\ndate: "2024-05-01"\nid: "a"\n---\n{body}', encoding="utf-8")


def extracted(root: Path, body: str, title: str = "An article", dry_run: bool = True) -> list[dict]:
    """The messages `kbtool extract --format json` reports for one article written to `root`."""
    write_article(root, body, title)
    result = run_kbtool("extract", "--root", root, "--today", TODAY, "--format", "json", *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.stdout + result.stderr
    return [message for item in json.loads(result.stdout)["articles"] for message in item["messages"]]


def extracted_signatures(root: Path, body: str, title: str = "An article") -> list[str]:
    """The signatures of the messages `kbtool extract --dry-run` reports for one article."""
    return [message["signature"] for message in extracted(root, body, title)]


def extracted_candidates(root: Path, body: str, title: str = "An article") -> list[dict]:
    """The candidate records `kbtool extract` writes for one article."""
    return [json.loads((root / message["candidate"]).read_text(encoding="utf-8"))
            for message in extracted(root, body, title, dry_run=False)]


def lint_json(root: Path, *args: str) -> dict:
    """`kbtool lint --format json` over `root`; the parsed document."""
    result = run_kbtool("lint", "--root", root, "--today", TODAY, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def findings_of(document: dict, name: str) -> list[dict]:
    return [finding for finding in document["findings"] if finding["name"] == name]


# --- a KB in tmp_path, linted by the real CLI: the shared helper of the rule tests ---------------------

BASE_RECORD_ID = "tensorflow/tflite-quantization-range"


def clean_record() -> dict:
    """The base record of rule tests: one of the repo's records, confirmed recently, so that it has no finding."""
    record = curated_record(BASE_RECORD_ID)
    record.update(first_seen="2024-01-10", last_confirmed="2026-06-01", last_updated="2026-06-01")
    return record


def changed(record: dict, change: dict) -> dict:
    """`record` with top-level fields replaced by `change` (a value of None removes the field)."""
    result = copy.deepcopy(record)
    for key, value in change.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=kbtool tests", "-c", "user.email=tests@kbtool.invalid", *args],
                   cwd=root, check=True, capture_output=True)


def lint_scene(root: Path, record: dict | None = None, *, raw: str | None = None, path: str | None = None,
               others: tuple[dict, ...] = (), today: str | None = None, base: dict | None = None, config: str = "",
               baseline: tuple[dict, ...] | None = None, args: tuple[str, ...] = ()) -> list[dict]:
    """Build a KB in `root` and return every finding of `kbtool lint --format json` over it.

    `record` (default: the clean base record) is written at `path` (default entries/<id>.json), or
    `raw` text there; `others` are more records; `config` goes under the KB's pyproject.toml. With
    `base`, the KB is a git repository whose one commit holds `base` in place of `record`, and lint
    runs with --changed-since HEAD; with `baseline`, lint runs with --baseline listing those entries.
    """
    (root / "entries").mkdir(parents=True, exist_ok=True)
    record = clean_record() if record is None and raw is None else record
    target = path or f"entries/{(record or clean_record())['id']}.json"
    for other in others:
        write_record(root, other)
    if config:
        (root / "pyproject.toml").write_text(config, encoding="utf-8")
    options = ["--today", today or TODAY]
    if base is not None:
        _git(root, "init", "-q")
        write_record(root, base, target)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "base")
        options += ["--changed-since", "HEAD"]
    if raw is not None:
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_text(raw, encoding="utf-8")
    else:
        write_record(root, record, target)
    if baseline is not None:
        (root / "baseline.json").write_text(json.dumps({"version": 1, "findings": list(baseline)}), encoding="utf-8")
        options += ["--baseline", str(root / "baseline.json")]
    result = run_kbtool("lint", "--root", root, "--format", "json", *options, *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)["findings"]


def lint_example(root: Path, example) -> list[dict]:
    """Every finding of lint over the scene a rule's `Example` describes."""
    base_record = clean_record()
    return lint_scene(root, changed(base_record, example.record) if example.raw is None else None,
                      raw=example.raw, path=example.path, others=tuple(changed(base_record, other) for other in example.others),
                      today=example.today, base=changed(base_record, example.base) if example.base is not None else None,
                      config=example.config, baseline=example.baseline)


def rule_findings(root: Path, rule_name: str, record: dict | None = None, **scene) -> list[dict]:
    """The findings of one rule over the scene of `lint_scene` (the shared helper of tests/rules/)."""
    return [finding for finding in lint_scene(root, record, **scene) if finding["name"] == rule_name]


@pytest.fixture(scope="session", autouse=True)
def kbtool_cache_dir(tmp_path_factory) -> Path:
    """The cache of this test session (shared by its tests, like a user's runs; never the user's own)."""
    directory = tmp_path_factory.mktemp("kbtool-cache")
    os.environ["KBTOOL_CACHE_DIR"] = str(directory)
    return directory


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty KB root (with entries/) in tmp_path."""
    (tmp_path / "entries").mkdir()
    return tmp_path

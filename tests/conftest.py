"""Shared test helpers: real KB folders in tmp_path and the real CLI."""

from __future__ import annotations

import copy
import json
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


def lint_json(root: Path, *args: str) -> dict:
    """`kbtool lint --format json` over `root`; the parsed document."""
    result = run_kbtool("lint", "--root", root, "--today", TODAY, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def findings_of(document: dict, name: str) -> list[dict]:
    return [finding for finding in document["findings"] if finding["name"] == name]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty KB root (with entries/) in tmp_path."""
    (tmp_path / "entries").mkdir()
    return tmp_path

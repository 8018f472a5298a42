"""kbtool as a pre-commit hook: the manifest other KB repositories use, and this repository's own configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import REPO_ROOT, curated_record, write_record
from test_changed_since import git

MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
SHARED_KEYS = ("id", "name", "entry", "files", "types", "require_serial")


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    # Beside the running interpreter first: the virtual environment need not be activated (on PATH).
    executable = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert executable, "pre-commit is not installed; install the test extra: python -m pip install -e '.[test]'"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "KBTOOL_TODAY": "2026-11-23",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run([executable, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_hook_manifest_is_valid_for_pre_commit(tmp_path):
    completed = pre_commit("validate-manifest", str(MANIFEST), cwd=REPO_ROOT, home=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_this_repositorys_configuration_is_valid_and_uses_the_published_hook(tmp_path):
    completed = pre_commit("validate-config", str(CONFIG), cwd=REPO_ROOT, home=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    published = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[0]
    local = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"][0]["hooks"][0]
    assert {key: local.get(key) for key in SHARED_KEYS} == {key: published.get(key) for key in SHARED_KEYS}


def hook_repository(tmp_path: Path) -> Path:
    """A KB repository with one committed clean record and this repository's hook configuration."""
    repo = tmp_path / "kb"
    (repo / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    shutil.copy(CONFIG, repo / ".pre-commit-config.yaml")
    record = curated_record()
    record["last_confirmed"] = record["last_updated"] = "2026-11-01"
    write_record(repo, record)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def test_the_hook_fails_on_a_staged_record_with_an_error_and_names_it(tmp_path):
    repo = hook_repository(tmp_path)
    broken = curated_record("tensorflow/tflite-converter-unsupported-op")
    broken["dead_ends"][0]["action"] = " "
    write_record(repo, broken)
    git(repo, "add", "entries")
    completed = pre_commit("run", cwd=repo, home=tmp_path / "home")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "entries/tensorflow/tflite-converter-unsupported-op.json" in completed.stdout
    assert "empty-dead-end-action" in completed.stdout


def test_the_hook_passes_when_the_staged_record_is_clean(tmp_path):
    repo = hook_repository(tmp_path)
    record = curated_record()
    record["last_confirmed"] = record["last_updated"] = "2026-11-20"
    write_record(repo, record)
    git(repo, "add", "entries")
    completed = pre_commit("run", cwd=repo, home=tmp_path / "home")
    assert completed.returncode == 0, completed.stdout + completed.stderr

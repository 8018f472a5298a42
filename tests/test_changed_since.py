"""`kbtool lint --changed-since REF` on real git repositories: exactly which findings are reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TODAY, curated_record, run_kbtool, write_record

GIT_IDENTITY = ["-c", "user.name=KB Tester", "-c", "user.email=tester@kb.invalid", "-c", "commit.gpgsign=false",
                "-c", "init.defaultBranch=main", "-c", "core.hooksPath=/dev/null"]


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def make_record(slug: str, number: int, **changes) -> dict:
    """A lint-clean record with its own signature, regex and error code."""
    record = curated_record()
    record.update({
        "id": f"tensorflow/{slug}",
        "signature": f"KBTestError: step {number} failed in stage {slug} with code 17",
        "regex": rf"KBTestError: step {number} failed in stage \S+ with code \d+",
        "error_code": f"KBT-{number}",
        "first_seen": "2024-01-10", "last_confirmed": "2026-11-01", "last_updated": "2026-11-01",
    })
    record.update(changes)
    return record


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def reported(repo: Path, *args: str, env: dict | None = None) -> set[tuple[str, str, str]]:
    """(path, rule name, pointer) of every finding `kbtool lint --format json ARGS` reports."""
    result = run_kbtool("lint", "--root", repo, "--today", TODAY, "--format", "json", *args, env=env)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return {(finding["path"], finding["name"], finding["pointer"]) for finding in json.loads(result.stdout)["findings"]}


def entries(slug: str) -> str:
    return f"entries/tensorflow/{slug}.json"


@pytest.fixture
def feature_repo(tmp_path: Path) -> Path:
    """main: seven clean records and one with an old defect; feature (checked out): one record modified, one renamed
    (its dates moved backwards), one deleted while another still points at it, one added; then a staged, an unstaged
    and an untracked change. main moves on after the branch point (it fixes the old defect)."""
    repo = tmp_path / "kb"
    (repo / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    for number, slug in enumerate(["keep", "modify", "old-name", "doomed", "staged", "unstaged"]):
        write_record(repo, make_record(slug, number))
    write_record(repo, make_record("pointer", 10, transition_graph={
        "leads_to": [{"error_id": "tensorflow/doomed", "probability": 0.5, "condition": ""}],
        "preceded_by": [], "frequently_confused_with": []}))
    write_record(repo, make_record("legacy", 11, root_cause_zh="Still written in English."))  # an old defect
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")

    modified = make_record("modify", 1)
    modified["root_cause"] = "The calibration data misses the extreme activations of the layer."  # zh left as it was
    write_record(repo, modified)
    renamed = make_record("old-name", 2, last_confirmed="2026-01-01", last_updated="2026-01-01")
    (repo / entries("old-name")).unlink()
    write_record(repo, renamed, entries("new-name"))  # id unchanged: the base version is found by id
    (repo / entries("doomed")).unlink()
    write_record(repo, make_record("added", 20, signature_zh="Not translated at all."))
    commit_all(repo, "feature work")
    git(repo, "checkout", "-q", "main")  # main moves on after the branch point
    write_record(repo, make_record("legacy", 11))
    commit_all(repo, "fix legacy on main")
    git(repo, "checkout", "-q", "feature")

    staged = make_record("staged", 4, last_updated="2026-11-20")
    staged["dead_ends"][0]["action"] = "   "
    write_record(repo, staged)
    git(repo, "add", entries("staged"))
    write_record(repo, make_record("unstaged", 5, regex=r"KBTestError: step 999 failed", last_updated="2026-11-20"))
    write_record(repo, make_record("untracked", 30, root_cause_zh="Nobody translated this sentence."))
    return repo


EXPECTED_FEATURE_FINDINGS = {
    (entries("modify"), "translation-drift", "/root_cause_zh"),
    (entries("modify"), "last-updated-not-bumped", "/last_updated"),
    (entries("new-name"), "id-path-mismatch", "/id"),
    (entries("new-name"), "confirmed-date-regressed", "/last_confirmed"),
    (entries("new-name"), "confirmed-date-regressed", "/last_updated"),
    (entries("pointer"), "dangling-reference", "/transition_graph/leads_to/0/error_id"),
    (entries("added"), "untranslated-zh", "/signature_zh"),
    (entries("staged"), "empty-dead-end-action", "/dead_ends/0/action"),
    (entries("unstaged"), "regex-mismatch", "/regex"),
    (entries("untracked"), "untranslated-zh", "/root_cause_zh"),
}


def test_changed_since_reports_exactly_the_changed_records_and_those_pointing_at_deleted_ones(feature_repo):
    assert reported(feature_repo, "--changed-since", "main") == EXPECTED_FEATURE_FINDINGS


def test_a_full_run_still_reports_the_unchanged_record_with_an_old_defect(feature_repo):
    everything = reported(feature_repo)
    assert (entries("legacy"), "untranslated-zh", "/root_cause_zh") in everything
    assert EXPECTED_FEATURE_FINDINGS - everything == {  # history rules need a base revision
        (entries("modify"), "translation-drift", "/root_cause_zh"),
        (entries("modify"), "last-updated-not-bumped", "/last_updated"),
        (entries("new-name"), "confirmed-date-regressed", "/last_confirmed"),
        (entries("new-name"), "confirmed-date-regressed", "/last_updated"),
    }


def test_changed_since_works_from_a_subfolder_kb_and_with_the_remote_tracking_branch(tmp_path, feature_repo):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", f"file://{feature_repo}", str(clone))
    write_record(clone, make_record("late", 40, root_cause_zh="Plain English."))  # untracked in the clone
    assert reported(clone, "--changed-since", "origin/main") == {
        (entries(slug), name, pointer) for slug, name, pointer in [
            ("modify", "translation-drift", "/root_cause_zh"), ("modify", "last-updated-not-bumped", "/last_updated"),
            ("new-name", "id-path-mismatch", "/id"), ("new-name", "confirmed-date-regressed", "/last_confirmed"),
            ("new-name", "confirmed-date-regressed", "/last_updated"),
            ("pointer", "dangling-reference", "/transition_graph/leads_to/0/error_id"),
            ("added", "untranslated-zh", "/signature_zh"), ("late", "untranslated-zh", "/root_cause_zh")]}


def test_changed_since_auto_uses_the_pull_request_base_branch(tmp_path, feature_repo):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", f"file://{feature_repo}", str(clone))
    found = reported(clone, "--changed-since", "auto", env={"GITHUB_BASE_REF": "main"})
    assert {path for path, _, _ in found} == {entries("modify"), entries("new-name"), entries("pointer"), entries("added")}


def test_changed_since_auto_outside_a_pull_request_is_a_usage_error(feature_repo):
    result = run_kbtool("lint", "--root", feature_repo, "--changed-since", "auto", env={"GITHUB_BASE_REF": None})
    assert result.exit_code == 2
    assert "GITHUB_BASE_REF" in result.stderr and "--changed-since origin/main" in result.stderr


def test_a_kb_in_a_subfolder_of_the_repository_maps_paths_to_the_kb_root(tmp_path):
    repo = tmp_path / "repo"
    kb = repo / "knowledge"
    (kb / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    write_record(kb, make_record("one", 1))
    write_record(kb, make_record("two", 2))
    (repo / "README.md").write_text("x\n")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write_record(kb, make_record("two", 2, signature_zh="English again.", last_updated="2026-11-20"))
    (repo / "README.md").write_text("y\n")  # not a record: ignored
    assert reported(kb, "--changed-since", "main") == {(entries("two"), "untranslated-zh", "/signature_zh")}


def test_no_change_reports_nothing(feature_repo):
    git(feature_repo, "checkout", "-q", "-f", "main")  # drop the uncommitted changes of the test repository
    git(feature_repo, "clean", "-q", "-f", "-d")
    result = run_kbtool("lint", "--root", feature_repo, "--today", TODAY, "--changed-since", "main")
    assert result.exit_code == 0
    assert result.stdout.strip() == "0 errors, 0 warnings in 0 files (0 records checked)"


def test_shallow_clone_without_the_base_branch_says_to_fetch_the_full_history(tmp_path, feature_repo):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{feature_repo}", str(shallow))
    result = run_kbtool("lint", "--root", shallow, "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert "fetch-depth: 0" in result.stderr and "shallow" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_shallow_clone_with_the_base_branch_but_no_merge_base_says_to_fetch_the_full_history(tmp_path, feature_repo):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature",
        f"file://{feature_repo}", str(shallow))
    assert git(shallow, "rev-parse", "--verify", "origin/main").strip()  # the base branch is there, its history is not
    result = run_kbtool("lint", "--root", shallow, "--changed-since", "origin/main")
    assert result.exit_code == 2
    assert "fetch-depth: 0" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_outside_a_git_repository_changed_since_is_a_usage_error(kb):
    write_record(kb, curated_record())
    result = run_kbtool("lint", "--root", kb, "--changed-since", "main", env={"GIT_CEILING_DIRECTORIES": str(kb.parent)})
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


def test_an_unknown_ref_is_a_usage_error_naming_it(feature_repo):
    result = run_kbtool("lint", "--root", feature_repo, "--changed-since", "no-such-branch")
    assert result.exit_code == 2
    assert "'no-such-branch'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repository away")
def test_a_repository_owned_by_another_user_gets_a_clear_message(tmp_path, feature_repo):
    foreign = tmp_path / "foreign"
    shutil.copytree(feature_repo, foreign, symlinks=True)
    subprocess.run(["chown", "-R", "65534:65534", str(foreign)], check=True)
    result = run_kbtool("lint", "--root", foreign, "--changed-since", "main",
                        env={"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    assert result.exit_code == 2
    assert "dubious ownership" in result.stderr and "safe.directory" in result.stderr

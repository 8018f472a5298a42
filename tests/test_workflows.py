"""The GitHub workflows: valid (actionlint), secure (zizmor, offline), and doing what the pull-request checks promise."""

from __future__ import annotations

import re
import shutil
import sys
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
PR_CHECKS = WORKFLOWS / "pr-checks.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """The tool beside this Python (its virtual environment), else on PATH."""
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert path, f"{name} is not installed; install the test extra: python -m pip install -e '.[test]'"
    return path


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    value = workflow.get("on", workflow.get(True))
    return {value: None} if isinstance(value, str) else dict.fromkeys(value) if isinstance(value, list) else value


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_there_are_workflows_to_check():
    assert PR_CHECKS in WORKFLOW_FILES


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_actionlint_finds_nothing_in_the_workflow(path):
    completed = subprocess.run([tool("actionlint"), "-no-color", str(path)], capture_output=True, text=True, cwd=REPO_ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_zizmor_finds_nothing_of_medium_severity_or_above():
    completed = subprocess.run([tool("zizmor"), "--offline", "--min-severity", "medium", "--no-progress", str(WORKFLOWS)],
                               capture_output=True, text=True, cwd=REPO_ROOT)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_workflows_never_run_on_pull_request_target(path):
    assert "pull_request_target" not in triggers(load(path))


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_full_commit_sha(path):
    uses = [step["uses"] for step in steps(load(path)) if "uses" in step]
    assert uses and all(PINNED.match(action) for action in uses), uses


def test_pr_checks_run_on_pull_requests_with_least_privilege():
    workflow = load(PR_CHECKS)
    assert set(triggers(workflow)) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert set(job.get("permissions", {}).items()) <= {("contents", "read"), ("security-events", "write")}


def test_pr_checks_fetch_full_history_and_run_changed_lint_full_lint_and_tests():
    workflow_steps = steps(load(PR_CHECKS))
    checkout = next(step for step in workflow_steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    commands = [step.get("run", "") for step in workflow_steps]
    assert "kbtool lint --changed-since auto --format github" in commands
    assert "kbtool lint" in commands
    # the full lint keeps the catalog that the lint of the changed records reads: it comes first
    assert commands.index("kbtool lint") < commands.index("kbtool lint --changed-since auto --format github")
    assert "bash .ci/run" in commands
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif@") for step in workflow_steps)

"""The README teaches what is true: every rule is in its table, and CI runs its test command."""

from __future__ import annotations

import re

from conftest import REPO_ROOT
from kbtool.docs import README_TABLE_END, README_TABLE_START, readme_rule_table
from kbtool.rules import RULES

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_rule_table_is_the_one_generated_from_the_registry():
    start, end = README.index(README_TABLE_START), README.index(README_TABLE_END) + len(README_TABLE_END)
    assert README[start:end] + "\n" == readme_rule_table(), "regenerate it: kbtool rules --readme-table"


def test_the_generated_table_lists_every_rule_with_its_default_severity():
    rows = set(re.findall(r"^\| (KB\d{3}) \| `([a-z-]+)` \| (error|warning|info) \|", readme_rule_table(), re.M))
    assert rows == {(rule.code, rule.name, rule.severity.value) for rule in RULES.values()}


def test_ci_runs_the_readme_test_command():
    quick_start = README[README.index("## Quick start"):README.index("## Adding a record")]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert commands == ["python -m pip install -e . && kbtool lint",
                        "python -m pip install -e '.[test]' && python -m pytest -q -n auto"]
    assert commands[1] in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")

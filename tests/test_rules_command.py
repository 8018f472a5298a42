"""`kbtool rules` and docs/rules.md: one registry documents every rule."""

from __future__ import annotations

import json

import pytest

from conftest import REPO_ROOT, run_kbtool
from kbtool.docs import REGENERATE_COMMAND, render_rules_markdown
from kbtool.rules import RULES

RULE_LIST = sorted(RULES.values(), key=lambda rule: rule.code)


def test_docs_rules_md_is_up_to_date():
    current = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_rules_markdown(), f"docs/rules.md is out of date; regenerate it: {REGENERATE_COMMAND}"


def test_docs_rules_md_starts_with_the_regeneration_command():
    head = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8").splitlines()[:10]
    assert any(REGENERATE_COMMAND in line for line in head)


def test_markdown_option_prints_the_generated_page():
    result = run_kbtool("rules", "--markdown")
    assert result.exit_code == 0
    assert result.stdout == render_rules_markdown()


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda rule: rule.name)
def test_every_rule_has_complete_metadata(rule):
    assert rule.code.startswith("KB") and rule.code[2:].isdigit() and len(rule.code) == 5
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.family and rule.summary.strip() and rule.explanation.strip()
    assert rule.fails.shown.strip() and rule.passes.shown.strip() and rule.fails.shown != rule.passes.shown


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda rule: rule.name)
def test_listing_and_docs_show_every_registered_rule(rule):
    assert f"{rule.code:<6} {rule.name} " in run_kbtool("rules").stdout
    assert f"### {rule.code} {rule.name}" in render_rules_markdown()


def test_listing_has_code_name_severity_and_summary():
    result = run_kbtool("rules")
    assert result.exit_code == 0
    [line] = [line for line in result.stdout.splitlines() if line.startswith("KB404 ")]
    assert line.split()[:3] == ["KB404", "stale-soon", "info"]
    assert "within 30 days" in line


def test_explaining_a_rule_by_name_shows_both_examples():
    result = run_kbtool("rules", "duplicate-text")
    assert result.exit_code == 0
    rule = next(rule for rule in RULES.values() if rule.name == "duplicate-text")
    assert result.stdout.startswith(f"{rule.code} duplicate-text\n")
    assert "Fails:\n" in result.stdout and "Passes:\n" in result.stdout
    assert rule.explanation.splitlines()[0] in result.stdout


def test_explaining_a_rule_by_code_is_case_insensitive():
    assert run_kbtool("rules", "kb401").stdout == run_kbtool("rules", "stale-entry").stdout


def test_unknown_rule_is_a_usage_error_with_a_suggestion():
    result = run_kbtool("rules", "stale-entri")
    assert result.exit_code == 2
    assert "no rule named 'stale-entri'" in result.stderr and "stale-entry" in result.stderr


def test_json_listing_carries_the_full_metadata():
    result = run_kbtool("rules", "--format", "json")
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert {entry["name"] for entry in document["rules"]} == {rule.name for rule in RULES.values()}
    assert all(entry["fails"] and entry["passes"] for entry in document["rules"])

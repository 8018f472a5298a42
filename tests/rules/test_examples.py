"""Every rule's documented examples run: `fails` raises exactly that rule, `passes` raises nothing."""

from __future__ import annotations

import pytest

from conftest import lint_example
from kbtool.rules import RULES

RULE_LIST = sorted(RULES.values(), key=lambda rule: rule.code)


def _names(findings: list[dict]) -> list[str]:
    return sorted({finding["name"] for finding in findings})


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda rule: rule.name)
def test_failing_example_raises_exactly_this_rule(tmp_path, rule):
    findings = lint_example(tmp_path, rule.fails)
    assert rule.name in _names(findings), findings
    assert _names(findings) == sorted({rule.name, *rule.fails.also}), findings


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda rule: rule.name)
def test_passing_example_raises_nothing(tmp_path, rule):
    assert lint_example(tmp_path, rule.passes) == []


@pytest.mark.parametrize("rule", RULE_LIST, ids=lambda rule: rule.name)
def test_every_rule_has_runnable_examples(rule):
    """An example that changes nothing would pass vacuously: each one sets a scene of its own."""
    for example in (rule.fails, rule.passes):
        assert example.shown and (example.record or example.raw is not None or example.others or example.base is not None
                                  or example.config or example.baseline is not None or example.today or example.path), example
    assert rule.fails != rule.passes

"""All rules. Importing this package registers every rule family in RULES."""

from kbtool.rules.base import RULES, Rule, find_rule, rule
from kbtool.rules import structure, regex, translation, freshness, content, graph, configuration  # noqa: F401  (registration)
from kbtool.rules import history, baseline  # noqa: F401  (registration: base-revision and baseline rules)

__all__ = ["RULES", "Rule", "find_rule", "rule"]

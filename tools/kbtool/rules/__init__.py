"""All rules, one module per family. Importing this package registers every rule in RULES."""

from kbtool.rules.base import RULES, Example, Rule, find_rule, rule
from kbtool.rules import structure, regex, translation, freshness, content, graph, accountability, history  # noqa: F401  (registration)

__all__ = ["RULES", "Example", "Rule", "find_rule", "rule"]

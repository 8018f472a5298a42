"""`kbtool rules`: the rule catalogue in the terminal, as JSON, or as the markdown of docs/rules.md."""

from __future__ import annotations

import difflib
import json
import sys
from typing import Optional

import typer

from kbtool.cli.common import check_format, format_option
from kbtool.errors import UsageError


def rules_command(
    name_or_code: Optional[str] = typer.Argument(None, metavar="NAME-OR-CODE", help="A rule's name (stale-entry) or code (KB401): print its full explanation with a failing and a passing example.", show_default=False),
    output_format: str = format_option("text (a table, or one rule in full) or json (the same metadata for tools)."),
    markdown: bool = typer.Option(False, "--markdown", help="Print docs/rules.md, generated from the rule metadata: kbtool rules --markdown > docs/rules.md"),
    readme_table: bool = typer.Option(False, "--readme-table", help="Print the README's rule table (with its marker lines), generated from the rule metadata."),
) -> None:
    """List every rule lint checks (code, name, default severity, summary), or explain one.

    Examples:  kbtool rules   |   kbtool rules stale-entry   |   kbtool rules KB401
    """
    from kbtool.docs import explain, readme_rule_table, render_rules_markdown, rule_as_dict, rule_table
    from kbtool.rules import RULES, find_rule

    check_format(output_format, ("text", "json"))
    if readme_table:
        sys.stdout.write(readme_rule_table())
        return
    if markdown:
        if name_or_code:
            raise UsageError("--markdown prints the whole catalogue; leave out the rule name")
        sys.stdout.write(render_rules_markdown())
        return
    rules = sorted(RULES.values(), key=lambda rule: rule.code)
    if name_or_code is None:
        if output_format == "json":
            sys.stdout.write(json.dumps({"version": 1, "rules": [rule_as_dict(rule) for rule in rules]}, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(rule_table(rules))
        return
    found = find_rule(name_or_code)
    if found is None:
        candidates = [rule.name for rule in rules] + [rule.code for rule in rules]
        close = difflib.get_close_matches(name_or_code.strip().lower(), [c.lower() for c in candidates], n=3, cutoff=0.6)
        suggestion = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no rule named '{name_or_code}'{suggestion} 'kbtool rules' lists them all")
    sys.stdout.write(json.dumps(rule_as_dict(found), ensure_ascii=False, indent=2) + "\n" if output_format == "json" else explain(found))

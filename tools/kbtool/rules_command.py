"""`kbtool rules`: the rule catalogue in the terminal, as JSON, or as the markdown of docs/rules.md."""

from __future__ import annotations

import difflib
import json
import sys
import textwrap
from typing import Optional

import typer

from kbtool.rules import RULES, Rule, find_rule
from kbtool.settings import UsageError


def _list_text(rules: list[Rule]) -> str:
    name_width = max(len(rule.name) for rule in rules)
    lines = [f"{'CODE':<6} {'NAME':<{name_width}} {'SEVERITY':<8} SUMMARY"]
    lines += [f"{rule.code:<6} {rule.name:<{name_width}} {rule.severity.value:<8} {' '.join(rule.summary.split())}"
              for rule in rules]
    lines.append(f"\n{len(rules)} rules. 'kbtool rules NAME-OR-CODE' explains one; severities shown are the defaults.")
    return "\n".join(lines) + "\n"


def _indented(text: str) -> str:
    return textwrap.indent(text, "    ")


def explain(rule: Rule) -> str:
    """The full text of one rule, as `kbtool rules NAME` prints it."""
    return (
        f"{rule.code} {rule.name}\n"
        f"Family: {rule.family}. Default severity: {rule.severity.value}.\n\n"
        f"{' '.join(rule.summary.split())}\n\n"
        f"{rule.explanation}\n\n"
        f"Fails:\n{_indented(rule.fails)}\n\n"
        f"Passes:\n{_indented(rule.passes)}\n\n"
        f"Tune it in pyproject.toml: ignore = [\"{rule.name}\"] under [tool.kbtool], "
        f"{rule.name} = \"error\"|\"warning\"|\"info\"|\"off\" under [tool.kbtool.severity], "
        f"or a [[tool.kbtool.suppress]] table for some records (docs/rules.md shows how).\n"
    )


def _as_dict(rule: Rule) -> dict:
    return {"code": rule.code, "name": rule.name, "family": rule.family, "severity": rule.severity.value,
            "summary": rule.summary, "explanation": rule.explanation, "fails": rule.fails, "passes": rule.passes}


def rules_command(
    name_or_code: Optional[str] = typer.Argument(None, metavar="NAME-OR-CODE", help="A rule's name (stale-entry) or code (KB401): print its full explanation with a failing and a passing example.", show_default=False),
    output_format: str = typer.Option("text", "--format", "-f", help="text (a table, or one rule in full) or json (the same metadata for tools)."),
    markdown: bool = typer.Option(False, "--markdown", help="Print docs/rules.md, generated from the rule metadata: kbtool rules --markdown > docs/rules.md"),
) -> None:
    """List every rule lint checks (code, name, default severity, summary), or explain one.

    Examples:  kbtool rules   |   kbtool rules stale-entry   |   kbtool rules KB401
    """
    if output_format not in ("text", "json"):
        raise UsageError(f"--format {output_format}: unknown format; choose text or json")
    if markdown:
        if name_or_code:
            raise UsageError("--markdown prints the whole catalogue; leave out the rule name")
        from kbtool.docs import render_rules_markdown

        sys.stdout.write(render_rules_markdown())
        return
    rules = sorted(RULES.values(), key=lambda rule: rule.code)
    if name_or_code is None:
        if output_format == "json":
            sys.stdout.write(json.dumps({"version": 1, "rules": [_as_dict(rule) for rule in rules]}, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(_list_text(rules))
        return
    found = find_rule(name_or_code)
    if found is None:
        candidates = [rule.name for rule in rules] + [rule.code for rule in rules]
        close = difflib.get_close_matches(name_or_code.strip().lower(), [c.lower() for c in candidates], n=3, cutoff=0.6)
        suggestion = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no rule named '{name_or_code}'{suggestion} 'kbtool rules' lists them all")
    if output_format == "json":
        sys.stdout.write(json.dumps(_as_dict(found), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(explain(found))

"""The rule catalogue, rendered from the rule registry (the metadata beside each rule's code): the
table and the explanations `kbtool rules` prints, and docs/rules.md.

Regenerate docs/rules.md with ``kbtool rules --markdown > docs/rules.md``; a test fails when it is out of date.
"""

from __future__ import annotations

import re
import textwrap

from kbtool.rules import RULES, Rule

REGENERATE_COMMAND = "kbtool rules --markdown > docs/rules.md"

CONFIGURATION_HELP = """\
Rules are tuned in the KB root's `pyproject.toml`; command-line flags override the file, and an
unknown key, rule name or severity there is a usage error (exit status 2) naming the key.

```toml
[tool.kbtool]
stale-days = 365                  # days after last_confirmed before a record is stale (--stale-days)
select = ["schema", "KB201"]      # run only these rules, by name or code (--select); default: all
ignore = ["stale-soon"]           # skip these rules (--ignore)

[tool.kbtool.severity]            # per-rule severity: "error", "warning", "info" or "off"
stale-entry = "error"
verdict-inconsistent = "off"      # a rule named with --select runs even when turned off here

[[tool.kbtool.suppress]]          # silence rules on some records, accountably
ids = ["tensorflow/tflite-*"]     # a record id or a glob of ids (one string or a list)
rules = ["stale-entry"]           # rule names or codes
reason = "re-verification scheduled with the TFLite 2.17 release"   # required
expires = 2027-01-31              # optional: from the next day on it stops silencing
```

A suppression that silences nothing is reported as `unused-suppression`, and one past its `expires`
date as `expired-suppression`; both findings point at the suppression's line in `pyproject.toml`.
`kbtool lint --statistics` counts findings per rule, to decide when a warning can become an error.
"""


def rule_table(rules: list[Rule]) -> str:
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
        f"Fails:\n{_indented(rule.fails.shown)}\n\n"
        f"Passes:\n{_indented(rule.passes.shown)}\n\n"
        f"Tune it in pyproject.toml: ignore = [\"{rule.name}\"] under [tool.kbtool], "
        f"{rule.name} = \"error\"|\"warning\"|\"info\"|\"off\" under [tool.kbtool.severity], "
        f"or a [[tool.kbtool.suppress]] table for some records (docs/rules.md shows how).\n"
    )


def rule_as_dict(rule: Rule) -> dict:
    return {"code": rule.code, "name": rule.name, "family": rule.family, "severity": rule.severity.value,
            "summary": rule.summary, "explanation": rule.explanation, "fails": rule.fails.shown, "passes": rule.passes.shown}


#: The README's rule table sits between these two lines; `kbtool rules --readme-table` prints it.
README_TABLE_START = "<!-- rule table: generated from the rule registry by `kbtool rules --readme-table`; do not edit -->"
README_TABLE_END = "<!-- end of rule table -->"


def readme_rule_table() -> str:
    """The README's table of every rule (code, name, default severity, summary), markers included."""
    rows = [f"| {rule.code} | `{rule.name}` | {rule.severity.value} | {' '.join(rule.summary.split())} |"
            for rule in sorted(RULES.values(), key=lambda rule: rule.code)]
    return "\n".join([README_TABLE_START, "| code | name | default | fires when |", "| --- | --- | --- | --- |",
                      *rows, README_TABLE_END]) + "\n"


def anchor(rule: Rule) -> str:
    """The GitHub anchor of the rule's heading `CODE name`."""
    return re.sub(r"[^a-z0-9 -]", "", f"{rule.code} {rule.name}".lower()).replace(" ", "-")


def _prose(text: str) -> str:
    """Markdown prose: `<` and `>` outside code spans are escaped so that `<id>` is not taken for HTML."""
    pieces = re.split(r"(`+[^`]*`+)", text)
    return "".join(piece if piece.startswith("`") else piece.replace("<", "&lt;").replace(">", "&gt;")
                   for piece in pieces)


def _cell(text: str) -> str:
    return _prose(" ".join(text.split())).replace("|", "\\|")


def _fenced(text: str, language: str = "text") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def families() -> list[tuple[str, list[Rule]]]:
    """Rules grouped by family, families in the order of their first code, rules by code."""
    grouped: dict[str, list[Rule]] = {}
    for rule in sorted(RULES.values(), key=lambda rule: rule.code):
        grouped.setdefault(rule.family, []).append(rule)
    return list(grouped.items())


def render_rules_markdown() -> str:
    """The whole of docs/rules.md."""
    rules = sorted(RULES.values(), key=lambda rule: rule.code)
    parts = [
        "# kbtool rules",
        "",
        f"<!-- Generated from the rule metadata in tools/kbtool/rules/: do not edit by hand. "
        f"Regenerate with: {REGENERATE_COMMAND} -->",
        "",
        "This page is generated from the metadata that sits beside each rule's code. After adding or "
        "changing a rule, regenerate it (a test fails while it is out of date):",
        "",
        "```sh",
        REGENERATE_COMMAND,
        "```",
        "",
        f"{len(rules)} rules. `kbtool rules` lists them in the terminal and `kbtool rules NAME-OR-CODE` "
        "prints one in full. Each finding reads `path:line:column: severity CODE name: message`.",
        "",
        "| code | name | family | severity | summary |",
        "| --- | --- | --- | --- | --- |",
    ]
    parts += [f"| {rule.code} | [`{rule.name}`](#{anchor(rule)}) | {rule.family} | {rule.severity.value} | "
              f"{_cell(rule.summary)} |" for rule in rules]
    parts += ["", "## Configuring rules", "", CONFIGURATION_HELP.rstrip()]
    for family, members in families():
        parts += ["", f"## {family.capitalize()}"]
        for rule in members:
            parts += [
                "",
                f"### {rule.code} {rule.name}",
                "",
                f"Default severity: **{rule.severity.value}**. {_prose(rule.summary)}",
                "",
                _prose(rule.explanation),
                "",
                "Fails:",
                "",
                _fenced(rule.fails.shown),
                "",
                "Passes:",
                "",
                _fenced(rule.passes.shown),
            ]
    return "\n".join(parts) + "\n"

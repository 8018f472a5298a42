"""`kbtool lint --statistics`: how many findings each rule produced, instead of the findings themselves.

Counting per rule shows which warnings are rare enough to become errors, and which rules a KB is
drowning in.
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from kbtool.display import json_text
from kbtool.findings import LintResult
from kbtool.reporters.text import summary_line



def rule_counts(result: LintResult) -> list[dict]:
    """One row per rule with findings: code, name, severity, count; most findings first, then by code."""
    counts = Counter(finding.code for finding in result.findings)
    first = {}
    for finding in result.findings:
        first.setdefault(finding.code, finding)
    return [{"rule": code, "name": first[code].name, "severity": first[code].severity.value, "count": count}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def report_statistics(result: LintResult, output_format: str, stream: TextIO) -> None:
    rows = rule_counts(result)
    if output_format == "json":
        document = {"version": 1, "statistics": rows,
                    "summary": {"files": result.files, "entries": result.entries,
                                "errors": result.errors, "warnings": result.warnings}}
        stream.write(json_text(document, indent=2))
        stream.write("\n")
        return
    if rows:
        count_width = max(5, len(str(rows[0]["count"])))
        name_width = max(len(row["name"]) for row in rows)
        stream.write(f"{'count':>{count_width}}  code   {'name':<{name_width}}  severity\n")
        for row in rows:
            stream.write(f"{row['count']:>{count_width}}  {row['rule']:<5}  {row['name']:<{name_width}}  {row['severity']}\n")
    stream.write(summary_line(result) + "\n")

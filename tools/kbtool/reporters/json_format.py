"""The JSON contract (version 1) other tools rely on."""

from __future__ import annotations

from typing import TextIO

from kbtool.display import json_text
from kbtool.findings import LintResult

FORMAT_VERSION = 1


def as_document(result: LintResult) -> dict:
    return {
        "version": FORMAT_VERSION,
        "findings": [
            {
                "path": finding.path,
                "entry_id": finding.entry_id,
                "rule": finding.code,
                "name": finding.name,
                "severity": finding.severity.value,
                "pointer": finding.pointer,
                "line": finding.line,
                "column": finding.column,
                "message": finding.full_message,
            }
            for finding in result.findings
        ],
        "summary": {"files": result.files, "entries": result.entries, "errors": result.errors, "warnings": result.warnings},
    }


def report(result: LintResult, stream: TextIO) -> None:
    stream.write(json_text(as_document(result), indent=2))
    stream.write("\n")

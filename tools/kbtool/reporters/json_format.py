"""The JSON contract (version 1) other tools rely on."""

from __future__ import annotations

from typing import TextIO

from kbtool.display import write_json
from kbtool.findings import LintResult

FORMAT_VERSION = 1


def as_document(result: LintResult) -> dict:
    """The report of `result`; its findings are a generator, made as `kbtool.display.write_json` writes them."""
    return {
        "version": FORMAT_VERSION,
        "findings": (
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
        ),
        "summary": {"files": result.files, "entries": result.entries, "errors": result.errors, "warnings": result.warnings},
    }


def report(result: LintResult, stream: TextIO) -> None:
    write_json(as_document(result), stream)
    stream.write("\n")

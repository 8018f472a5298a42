"""One line per finding, `path:line:column: severity code name: message`, then a summary."""

from __future__ import annotations

from typing import TextIO

from kbtool.findings import LintResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result: LintResult) -> str:
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    if result.infos:
        parts.append(_plural(result.infos, "info"))
    return f"{', '.join(parts)} in {_plural(result.files, 'file')} ({_plural(result.entries, 'record')} checked)"


def report(result: LintResult, stream: TextIO) -> None:
    for finding in result.findings:
        message = " ".join(finding.full_message.split())  # one line per finding, always
        stream.write(f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.value} "
                     f"{finding.code} {finding.name}: {message}\n")
    stream.write(summary_line(result) + "\n")

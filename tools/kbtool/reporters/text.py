"""One line per finding, `path:line:column: severity code name: message`, then a summary."""

from __future__ import annotations

from typing import TextIO

from kbtool.display import visible
from kbtool.findings import LintResult


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(result: LintResult) -> str:
    parts = [_plural(result.errors, "error"), _plural(result.warnings, "warning")]
    if result.infos:
        parts.append(_plural(result.infos, "info"))
    line = f"{', '.join(parts)} in {_plural(result.files, 'file')} ({_plural(result.entries, 'record')} checked)"
    if result.baselined:
        line += f"; {_plural(result.baselined, 'finding')} hidden by the baseline"
    return line


#: ANSI styles of the severities on a terminal: bold red errors, yellow warnings, cyan infos.
SEVERITY_STYLES = {"error": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m"}
RESET = "\x1b[0m"


def _severity(name: str, color: bool) -> str:
    return f"{SEVERITY_STYLES[name]}{name}{RESET}" if color else name


def report(result: LintResult, stream: TextIO, color: bool = False) -> None:
    """One line per finding and the summary; the severities coloured when `color` (a terminal)."""
    for finding in result.findings:
        message = visible(" ".join(finding.full_message.split()))  # one line per finding, always; no raw control
        stream.write(f"{visible(finding.path)}:{finding.line}:{finding.column}: {_severity(finding.severity.value, color)} "
                     f"{finding.code} {finding.name}: {message}\n")
    stream.write(summary_line(result) + "\n")

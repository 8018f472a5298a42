"""GitHub Actions workflow commands, so findings show as annotations on the pull request's diff.

Each finding becomes one line `::error file=…,line=…,col=…,title=…::message`
(`::warning` for warnings, `::notice` for infos), escaped as the Actions
runner expects: in the message `%`, CR and LF are percent-encoded; in the
properties `:` and `,` are too. GitHub shows at most 10 annotations of each
severity per step, so when `$GITHUB_STEP_SUMMARY` names a file, the full list
is also appended to it as a markdown table (the job's summary page).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

from kbtool.display import markdown_text, visible
from kbtool.findings import Finding, LintResult, Severity
from kbtool.reporters.text import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
#: GitHub displays this many annotations of each severity per step; the rest are dropped from the diff view.
ANNOTATIONS_SHOWN_PER_SEVERITY = 10
#: GitHub refuses step summaries above 1 MiB; stay well below it.
SUMMARY_BYTE_BUDGET = 900_000
STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (file, title)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repository_path(result: LintResult, path: str) -> str:
    """`path` (relative to the KB root) made relative to the checked-out repository, where GitHub expects it.

    In a workflow the repository is `$GITHUB_WORKSPACE`; when the KB root lies
    inside it (e.g. `--root kb/`), the root's own folder is prefixed.
    """
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace or result.root is None:
        return path
    absolute = Path(os.path.abspath(result.root / path))
    try:
        return absolute.relative_to(os.path.abspath(workspace)).as_posix()
    except ValueError:
        return path


def _field_note(finding: Finding) -> str:
    return f" (field {finding.pointer})" if finding.pointer else ""


def annotation(result: LintResult, finding: Finding) -> str:
    """One workflow command line for one finding."""
    properties = ",".join(
        f"{key}={escape_property(visible(value))}" for key, value in (
            ("file", repository_path(result, finding.path)),
            ("line", finding.line),
            ("col", finding.column),
            ("title", f"{finding.code} {finding.name}"),
        ))
    message = f"{finding.full_message}{_field_note(finding)}"
    return f"::{COMMANDS[finding.severity]} {properties}::{escape_data(visible(message, keep=chr(10) + chr(13)))}"


def _cell(text: str) -> str:
    """Text made safe for one markdown table cell: one line, no pipes, no raw HTML, no link or image."""
    return markdown_text(" ".join(text.split()))


def _beyond_annotation_limit(result: LintResult) -> list[Severity]:
    """The severities with more findings than GitHub shows as annotations."""
    return [severity for severity in COMMANDS
            if sum(1 for finding in result.findings if finding.severity is severity) > ANNOTATIONS_SHOWN_PER_SEVERITY]


def step_summary(result: LintResult) -> str:
    """The markdown table of every finding, for `$GITHUB_STEP_SUMMARY`."""
    lines = ["## kbtool lint", "", _cell(summary_line(result)), ""]
    hidden = _beyond_annotation_limit(result)
    if hidden:
        lines += [f"GitHub shows only the first {ANNOTATIONS_SHOWN_PER_SEVERITY} annotations of each severity on the "
                  f"diff ({', '.join(severity.value + 's' for severity in hidden)} exceed that): this table lists "
                  "every finding.", ""]
    if not result.findings:
        return "\n".join(lines) + "\n"
    lines += ["| Severity | Location | Rule | Field | Message |", "| --- | --- | --- | --- | --- |"]
    used = sum(len(line.encode("utf-8")) + 1 for line in lines)
    for index, finding in enumerate(result.findings):
        row = (f"| {finding.severity.value} | {_cell(repository_path(result, finding.path))}:{finding.line}:{finding.column} "
               f"| {finding.code} {finding.name} | {_cell(finding.pointer) or '(file)'} | {_cell(finding.full_message)} |")
        size = len(row.encode("utf-8")) + 1
        if used + size > SUMMARY_BYTE_BUDGET:
            lines += ["", f"{len(result.findings) - index} more findings do not fit in a step summary; "
                          "run `kbtool lint` locally to see them all."]
            break
        lines.append(row)
        used += size
    return "\n".join(lines) + "\n"


def report(result: LintResult, stream: TextIO) -> None:
    for finding in result.findings:
        stream.write(annotation(result, finding) + "\n")
    stream.write(summary_line(result) + "\n")
    summary_file = os.environ.get(STEP_SUMMARY_VARIABLE)
    if _beyond_annotation_limit(result):
        where = "the job summary lists them all" if summary_file else "the lines above list them all"
        stream.write(f"GitHub shows only the first {ANNOTATIONS_SHOWN_PER_SEVERITY} annotations of each severity "
                     f"on the diff; {where}.\n")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as summary:
                summary.write(step_summary(result))
        except OSError as error:
            stream.write(f"::warning title=kbtool::cannot append to {escape_data(STEP_SUMMARY_VARIABLE)} "
                         f"({escape_data(summary_file)}): {escape_data(error.strerror or str(error))}\n")

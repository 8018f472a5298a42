"""`kbtool match`: which records recognise an error message (or a whole log)?"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import check_format, format_option, root_option


def match_command(
    message: Optional[str] = typer.Argument(None, help="The error message to look up; '-' (or nothing, when piped) reads standard input.", show_default=False),
    file: Optional[Path] = typer.Option(None, "--file", help="Read the message or a whole log from this file.", show_default=False),
    root: Optional[Path] = root_option("The KB root. Default: the nearest folder upward that has entries/."),
    output_format: str = format_option("text or json."),
) -> None:
    """Show the records whose regex recognises an error message: root cause, what not to try, what works.

    Paste a message, pipe a log (`pytest 2>&1 | kbtool match`), or pass --file. Exit status: 0 when
    a record matches, 1 when none does, 2 on a usage error.
    """
    from kbtool.match import match_text, read_query_text, write_json_report, write_text_report
    from kbtool.settings import build_settings

    check_format(output_format, ("text", "json"))
    text = read_query_text(message, file)
    report = match_text(build_settings(root=root).root, text)
    (write_json_report if output_format == "json" else write_text_report)(report, sys.stdout)
    if report.timed_out:
        sys.stderr.write(f"kbtool: the regex of {', '.join(report.timed_out)} took too long and was skipped; "
                         "'kbtool lint' reports it as regex-redos\n")
    for reason in report.unreadable_reasons:
        sys.stderr.write(f"kbtool: skipped {reason}\n")
    if report.unreadable:
        sys.stderr.write(f"kbtool: {report.unreadable} record file(s) could not be read and were skipped; 'kbtool lint' says why\n")
    raise typer.Exit(0 if report.matches else 1)

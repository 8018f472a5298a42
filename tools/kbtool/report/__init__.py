"""`kbtool report`: the state of the whole KB at a glance, for maintainers deciding what to do next.

`figures` computes every number once (from the KB and one lint run); `text` renders it for a
terminal (rich tables) or a pipe (plain text); `html` renders the self-contained page of `--html`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from kbtool.display import json_text
from kbtool.errors import UsageError
from kbtool.report.figures import Report, build_report, report_document
from kbtool.report.html import render_html
from kbtool.report.text import write_plain, write_rich
from kbtool.writers import WriteRefused, atomic_write

__all__ = ["Report", "build_report", "report_document", "render_html", "write_report", "write_html"]


def write_report(report: Report, output_format: str, stream: TextIO, *, rich: bool = False, color: bool = False) -> None:
    """The report in `output_format` (text or json) on `stream`; text as rich tables when `rich`."""
    if output_format == "json":
        stream.write(json_text(report.document, indent=2) + "\n")
    elif rich:
        write_rich(report.document, stream, color)
    else:
        write_plain(report.document, stream)


def write_html(report: Report, root: Path, page: Path) -> None:
    """Write the HTML page to `page` (atomically; an existing page is replaced)."""
    if page.is_dir():
        raise UsageError(f"--html {page}: is a folder; name the file to write, e.g. {page / 'report.html'}")
    if not page.parent.is_dir():
        raise UsageError(f"--html {page}: the folder {page.parent} does not exist; create it first")
    try:
        atomic_write(page, render_html(report.document, root, page))
    except (WriteRefused, OSError) as error:
        raise UsageError(f"--html {page}: cannot write the page: {error}") from None

"""`kbtool report`: the state of the whole KB, as tables, JSON, or a self-contained HTML page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import (ProgressBar, check_format, color_option, format_option, given, root_option, today_option,
                               use_color)
from kbtool.errors import UsageError

FORMATS = ("text", "json")


def report_command(
    context: typer.Context,
    html: Optional[Path] = typer.Option(None, "--html", metavar="FILE", show_default=False,
                                        help="Write the report as one self-contained HTML page (charts and tables, "
                                             "no network) to FILE, replacing it, instead of printing it."),
    output_format: str = format_option("text (tables: rich on a terminal, plain when piped) or json (the same figures for tools)."),
    root: Optional[Path] = root_option(),
    today: Optional[str] = today_option("The date freshness is measured on."),
    stale_days: Optional[int] = typer.Option(None, "--stale-days", min=0, metavar="DAYS", show_default=False,
                                             help="Days after last_confirmed before a record is stale. Default: "
                                                  "stale-days in [tool.kbtool], else 365."),
    color: str = color_option(),
) -> None:
    """Show the state of the whole KB: records per domain and verification tier, freshness and what
    is due for re-verification, translation coverage, findings per rule, records without sources,
    the transition graph and regex health.

    The findings are those of 'kbtool lint' over the whole KB (the same counts as
    'kbtool lint --statistics'). Exit status: 0, or 2 on a usage error; findings do not fail it.

    Examples:

      kbtool report

      kbtool report --html report.html

      kbtool report --format json | jq .freshness.due
    """
    from kbtool.display import visible
    from kbtool.report import build_report, write_html, write_report
    from kbtool.report.text import plural
    from kbtool.settings import build_settings
    from kbtool.files import lies_in
    from kbtool.kb import ENTRIES_DIR

    check_format(output_format, FORMATS)
    if html is not None and given(context, "output_format"):
        raise UsageError(f"--html writes the report as a page; --format applies only without it: drop --format {output_format}")
    colored = use_color(color)
    settings = build_settings(root=root, today=today, stale_days=stale_days)
    if html is not None and lies_in(html, settings.root / ENTRIES_DIR):  # no page replaces a record
        raise UsageError(f"--html {html}: is inside entries/, where the records are; write the page elsewhere, "
                         "e.g. --html report.html")
    with ProgressBar("kbtool report") as bar:
        report = build_report(settings, progress=bar.update)
    if html is not None:
        write_html(report, settings.root, html)
        summary = report.document["summary"]
        sys.stdout.write(f"wrote {visible(html)}: {plural(report.document['records'], 'record')}, "
                         f"{plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}\n")
        return
    write_report(report, output_format, sys.stdout, rich=output_format == "text" and sys.stdout.isatty(), color=colored)
    sys.stdout.flush()

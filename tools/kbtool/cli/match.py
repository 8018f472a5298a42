"""`kbtool match`: which records recognise an error message (or a whole log)?"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.errors import UsageError
from kbtool.cli.common import check_format, format_option, given, no_cache_option, root_option


def match_command(
    context: typer.Context,
    message: Optional[str] = typer.Argument(None, help="The error message to look up; '-' (or nothing, when piped) reads standard input.", show_default=False),
    file: Optional[Path] = typer.Option(None, "--file", help="Read the message or a whole log from this file.", show_default=False),
    root: Optional[Path] = root_option("The KB root. Default: the nearest folder upward that has entries/."),
    output_format: str = format_option("text or json."),
    batch: Optional[Path] = typer.Option(None, "--batch", metavar="FILE", show_default=False,
                                         help="Match every query of FILE in one process (one query per line, or per "
                                              "blank-line-separated block with --paragraphs) and print one JSON line "
                                              "per query: its number, the milliseconds it took, its matches."),
    paragraphs: bool = typer.Option(False, "--paragraphs", help="With --batch: a query is a block of lines (a pasted "
                                                                 "log), and blank lines separate queries."),
    no_cache: bool = no_cache_option("the catalog of the KB and the literals each regex requires"),
) -> None:
    """Show the records whose regex recognises an error message: root cause, what not to try, what works.

    Paste a message, pipe a log (`pytest 2>&1 | kbtool match`), or pass --file. Exit status: 0 when
    a record matches, 1 when none does, 2 on a usage error.

    Examples:

      kbtool match "ModuleNotFoundError: No module named 'torch'"

      python train.py 2>&1 | kbtool match

      kbtool match --file build.log --format json
    """
    from kbtool.regex.matcher import BoundedMatcher

    check_format(output_format, ("text", "json"))
    if batch is not None:
        if message is not None or file is not None:
            raise UsageError("--batch reads its queries from FILE; leave out the message and --file")
        if output_format != "json" and given(context, "output_format"):
            raise UsageError(f"--batch prints JSON lines, one per query; drop --format {output_format}")
    elif paragraphs:
        raise UsageError("--paragraphs goes with --batch FILE")
    with BoundedMatcher() as matcher:
        matcher.start()  # takes the worker the console script started ahead (else starts one), ready by the first search
        from kbtool.cache import open_cache
        from kbtool.display import visible
        from kbtool.match import batch_queries, match_batch, match_text, read_query_text, write_json_report, write_text_report
        from kbtool.kb import find_root  # match reads no configuration (kbtool.settings): only where the KB is

        if batch is not None:
            queries = batch_queries(read_query_text(None, batch, "--batch"), paragraphs)
            with open_cache(enabled=not no_cache) as cache:
                match_batch(find_root(root), queries, sys.stdout, cache, matcher)
            return
        text = read_query_text(message, file)
        with open_cache(enabled=not no_cache) as cache:
            report = match_text(find_root(root), text, cache, matcher)
    (write_json_report if output_format == "json" else write_text_report)(report, sys.stdout)
    if report.timed_out:
        sys.stderr.write(f"kbtool: the regex of {visible(', '.join(report.timed_out))} took too long and was skipped; "
                         "'kbtool lint' reports it as regex-redos\n")
    for reason in report.unreadable_reasons:
        sys.stderr.write(f"kbtool: skipped {visible(reason)}\n")
    if report.unreadable:
        sys.stderr.write(f"kbtool: {report.unreadable} record file(s) could not be read and were skipped; 'kbtool lint' says why\n")
    raise typer.Exit(0 if report.matches else 1)

"""`kbtool import`: one subcommand per importer; the logic lives in `kbtool.importers`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from kbtool.display import visible
from kbtool.errors import UsageError


def _progress_wanted() -> bool:
    """A progress bar only for a person at a terminal: never in CI or when stderr is a file or pipe."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def deadends_command(
    source: Path = typer.Argument(..., metavar="SRC", help="The deadends data/canons folder (or one canon file). Only read, never changed."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="DIR", help="The KB root to import into; records go to DIR/entries/<domain>/<slug>--<env>.json. Default: the KB you are in (the nearest folder upward with entries/).", show_default=False),
    update: bool = typer.Option(False, "--update", help="Replace records that already exist, and list what changed in each. Without it, an existing record is left alone and reported."),
) -> None:
    """Convert deadends.dev canons into records of this KB, losing nothing.

    Fields with a home here are mapped (error.signature -> signature, verdict.resolvable -> resolvable, metadata.evidence_count -> evidence_count, ...); the id domain/slug/env becomes domain/slug--env, in graph references too; everything else is kept verbatim in the record's provenance field. docs/import-deadends.md gives the whole mapping.

    A canon that cannot be converted (invalid JSON, no id, no error.signature) is named with its path and skipped; the others are still imported. Then run 'kbtool lint --root DIR'.

    Exit status: 0 all converted, 1 some canon skipped or a record refused, 2 usage error.

    Examples:

      kbtool import deadends ../deadends/data/canons --out imported-kb

      kbtool import deadends ../deadends/data/canons --out imported-kb --update
    """
    from kbtool.importers.deadends import import_deadends

    if out is None:
        try:
            from kbtool.kb import find_root

            out = find_root(None)
        except UsageError:
            raise UsageError("no knowledge base here to import into (no entries/ folder in this folder or above); "
                             "pass --out DIR (it is created if missing)") from None
    report_progress = _progress_wanted()
    if report_progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress = Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        with progress:
            task = progress.add_task("import", total=None)
            report = import_deadends(source, out, update=update,
                                     advance=lambda: progress.advance(task),
                                     on_total=lambda total: progress.update(task, total=total))
    else:
        report = import_deadends(source, out, update=update)
    for message in report.messages:
        sys.stdout.write(f"{visible(message)}\n")
    sys.stdout.write(visible(report.summary()) + "\n")
    sys.stdout.flush()
    raise typer.Exit(1 if report.failed else 0)


def build_app(wrap: Callable[[Callable], Callable]) -> typer.Typer:
    """The `import` group; `wrap` is the CLI's error handler (applied to every subcommand)."""
    group = typer.Typer(name="import", help="Import records from another error knowledge base format.",
                        no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})
    group.command("deadends")(wrap(deadends_command))
    return group

"""`kbtool baseline write`: record today's findings so that lint gates only on new problems."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from kbtool.cli.common import root_option, today_option


def write_command(
    file: Path = typer.Argument(..., metavar="FILE", help="The baseline file to write, e.g. .kbtool-baseline.json (a baseline already there is replaced; any other file is left alone)."),
    root: Optional[Path] = root_option(),
    today: Optional[str] = today_option("The date to lint as of."),
    stale_days: Optional[int] = typer.Option(None, "--stale-days", min=0, help="As for kbtool lint.", show_default=False),
) -> None:
    """Lint the whole KB and write every finding to FILE, by rule, record id and JSON pointer (not line numbers).

    Then 'kbtool lint --baseline FILE' reports only findings that are not in FILE, and reports the
    entries of FILE that no longer occur (unused-baseline-entry) so that you write it again as problems
    get fixed: the file only shrinks. The KB's configuration in pyproject.toml (select, ignore,
    severities, suppressions) applies as for lint. Commit FILE with the KB.

    Examples:

      kbtool baseline write .kbtool-baseline.json

      kbtool lint --baseline .kbtool-baseline.json
    """
    from kbtool.baseline import check_baseline_target, write_baseline
    from kbtool.lint import lint
    from kbtool.settings import build_settings

    settings = build_settings(root=root, today=today, stale_days=stale_days)
    check_baseline_target(file, settings.root)
    count = write_baseline(file, lint(settings))
    sys.stdout.write(f"wrote {count} finding{'' if count == 1 else 's'} to {file}; "
                     f"'kbtool lint --baseline {file}' now reports only new problems\n")


def build_app(handles_errors: Callable[[Callable], Callable]) -> typer.Typer:
    """The `kbtool baseline` command group."""
    group = typer.Typer(help="Record today's findings so that lint gates only on new problems.", no_args_is_help=True)
    group.command("write")(handles_errors(write_command))
    return group

"""`kbtool lint`: check records and report every problem with its file, line, field and what to do."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import (EXIT_FINDINGS, EXIT_OK, ProgressBar, check_format, color_option, format_option, no_cache_option, root_option,
                               split_names, today_option, use_color)
from kbtool.errors import UsageError


def lint_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Record files or folders to report on. Default: every entries/**/*.json. Some rules look across records: of the other records, what they need is read (from the KB's catalog in the cache, which the first run makes).", show_default=False),
    root: Optional[Path] = root_option(),
    output_format: str = format_option("Output format: text (one line per finding), json (the version-1 contract for tools), github (annotations on the pull request's diff via GitHub Actions workflow commands, plus a table of every finding in $GITHUB_STEP_SUMMARY), sarif (SARIF 2.1.0 for code-scanning upload).", ("text", "json", "github", "sarif")),
    today: Optional[str] = today_option("The date to lint as of."),
    stale_days: Optional[int] = typer.Option(None, "--stale-days", min=0, help="Days after last_confirmed before a record is stale. Default: stale-days in [tool.kbtool], else 365.", show_default=False),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too, not only on errors."),
    select: Optional[list[str]] = typer.Option(None, "--select", help="Only these rules (names or codes; repeat or separate with commas).", show_default=False),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Skip these rules (names or codes; repeat or separate with commas).", show_default=False),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings each rule produced (most first) instead of the findings, to decide when a warning can become an error. Works with --format text or json; the exit status is the same."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF", help="Report only on record files changed since the merge base of REF and HEAD (commits, staged, unstaged and untracked changes; a renamed record under its new path), plus records whose graph points at a record the change removed. Of the other records only what rules across records need is read (from the cache when it is up to date). Turns on the history rules (KB7xx), which compare each changed record with its base version. 'auto' uses origin/$GITHUB_BASE_REF in a pull-request workflow. Needs the full history (actions/checkout with fetch-depth: 0).", show_default=False),
    color: str = color_option(),
    no_cache: bool = no_cache_option("per-record work: parse results, regex checks and analyses, regex-text answers, each file's findings"),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Leave out the findings listed in FILE (written by 'kbtool baseline write FILE'), so only new problems count; entries of FILE that no longer occur are reported as unused-baseline-entry.", show_default=False),
) -> None:
    """Check records and report every problem with its file, line, field and what to do.

    Exit status: 0 no error (warnings are allowed unless --strict), 1 findings that fail the run,
    2 a usage or configuration error, 3 an internal error (a bug in kbtool: please report it).
    'kbtool rules' lists what is checked.

    Each text line reads  path:line:column: severity CODE rule-name: what is wrong. what to do

    Examples:

      kbtool lint

      kbtool lint entries/tensorflow/ --strict

      kbtool lint --changed-since origin/main --format github

      kbtool lint --statistics
    """
    from kbtool.baseline import load_baseline
    from kbtool.cache import open_cache
    from kbtool.lint import lint
    from kbtool.reporters import REPORTERS
    from kbtool.settings import build_settings

    check_format(output_format, tuple(REPORTERS))
    if statistics and output_format not in ("text", "json"):
        raise UsageError(f"--statistics prints text or json, not {output_format}; drop --format {output_format}")
    settings = build_settings(root=root, today=today, stale_days=stale_days, strict=strict,
                              select=split_names(select), ignore=split_names(ignore))
    known_baseline = load_baseline(baseline, settings.root) if baseline is not None else None
    changes = None
    if changed_since is not None:
        from kbtool.git import start_changes_since
        changes = start_changes_since(settings.root, changed_since)  # git compares the files while lint reads the KB
    colored = use_color(color)
    with ProgressBar("kbtool lint") as bar, open_cache(enabled=not no_cache) as cache:
        result = lint(settings, paths or [], changes=changes, baseline=known_baseline, progress=bar.update, cache=cache)
    if statistics:
        from kbtool.reporters.statistics import report_statistics
        report_statistics(result, output_format, sys.stdout)
    elif output_format == "text":
        REPORTERS["text"](result, sys.stdout, color=colored)
    else:
        REPORTERS[output_format](result, sys.stdout)
    sys.stdout.flush()
    raise typer.Exit(EXIT_FINDINGS if result.failed(settings.strict) else EXIT_OK)

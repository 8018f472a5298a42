"""The `kbtool` command line. Each command turns options into settings, calls one function and reports."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Callable, Optional

import typer

from kbtool import __version__
from kbtool.settings import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="kbtool",
    help=(
        "Curate and validate a knowledge base (KB) of software error records.\n\n"
        "A KB is a folder with entries/<domain>/<slug>.json records. Start with 'kbtool lint' "
        "inside it; 'kbtool COMMAND --help' explains each command."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(message: str, status: int = EXIT_USAGE) -> None:
    """Print `kbtool: message` on stderr and exit with `status`."""
    sys.stderr.write(f"kbtool: {message}\n")
    raise typer.Exit(status)


def handles_errors(command: Callable) -> Callable:
    """Turn user errors into a one-line message and exit status 2; never show a traceback for them."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UsageError as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:  # e.g. `kbtool lint | head`
            sys.stderr.close()
            raise typer.Exit(EXIT_FINDINGS)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:  # a bug in kbtool, not in the input: say so plainly
            if os.environ.get("KBTOOL_DEBUG"):
                traceback.print_exc()
            fail(f"internal error: {type(error).__name__}: {error}. This is a bug in kbtool; "
                 "rerun with KBTOOL_DEBUG=1 for details and report it.", 3)

    return wrapper


def split_names(values: Optional[list[str]]) -> list[str]:
    """`--select a,b --select c` → ["a", "b", "c"]."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"kbtool {__version__}\n")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    """Curate and validate a knowledge base of software error records."""


ROOT_OPTION = typer.Option(None, "--root", help="The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/.", show_default=False)
TODAY_OPTION = typer.Option(None, "--today", metavar="YYYY-MM-DD", help="The date to lint as of. Default: $KBTOOL_TODAY, else the system date.", show_default=False)


@app.command("lint")
@handles_errors
def lint_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Record files or folders to report on. Default: every entries/**/*.json. The whole KB is always loaded, since some rules look across records.", show_default=False),
    root: Optional[Path] = ROOT_OPTION,
    output_format: str = typer.Option("text", "--format", "-f", help="Output format: text (one line per finding), json (the version-1 contract for tools), github (annotations on the pull request's diff via GitHub Actions workflow commands, plus a table of every finding in $GITHUB_STEP_SUMMARY), sarif (SARIF 2.1.0 for code-scanning upload)."),
    today: Optional[str] = TODAY_OPTION,
    stale_days: Optional[int] = typer.Option(None, "--stale-days", min=0, help="Days after last_confirmed before a record is stale. Default: stale-days in [tool.kbtool], else 365.", show_default=False),
    strict: bool = typer.Option(False, "--strict", help="Fail (exit 1) on warnings too, not only on errors."),
    select: Optional[list[str]] = typer.Option(None, "--select", help="Only these rules (names or codes; repeat or separate with commas).", show_default=False),
    ignore: Optional[list[str]] = typer.Option(None, "--ignore", help="Skip these rules (names or codes; repeat or separate with commas).", show_default=False),
    statistics: bool = typer.Option(False, "--statistics", help="Print how many findings each rule produced (most first) instead of the findings, to decide when a warning can become an error. Works with --format text or json; the exit status is the same."),
    changed_since: Optional[str] = typer.Option(None, "--changed-since", metavar="REF", help="Report only on record files changed since the merge base of REF and HEAD (commits, staged, unstaged and untracked changes; a renamed record under its new path), plus records whose graph points at a record the change removed. The whole KB is still loaded. Turns on the history rules (KB7xx), which compare each changed record with its base version. 'auto' uses origin/$GITHUB_BASE_REF in a pull-request workflow. Needs the full history (actions/checkout with fetch-depth: 0).", show_default=False),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="Leave out the findings listed in FILE (written by 'kbtool baseline write FILE'), so only new problems count; entries of FILE that no longer occur are reported as unused-baseline-entry.", show_default=False),
) -> None:
    """Check records and report every problem with its file, line, field and what to do.

    Exit status: 0 no error (warnings are allowed unless --strict), 1 findings that fail the run,
    2 a usage or configuration error. 'kbtool rules' lists what is checked.

    Each text line reads  path:line:column: severity CODE rule-name: what is wrong. what to do
    """
    from kbtool.config import build_settings
    from kbtool.lint import lint
    from kbtool.reporters import REPORTERS

    if output_format not in REPORTERS:
        raise UsageError(f"--format {output_format}: unknown format; choose one of {', '.join(REPORTERS)}")
    if statistics and output_format not in ("text", "json"):
        raise UsageError(f"--statistics prints text or json, not {output_format}; drop --format {output_format}")
    settings = build_settings(root=root, today=today, stale_days=stale_days, strict=strict,
                              select=split_names(select), ignore=split_names(ignore))
    known_baseline = None
    if baseline is not None:
        from kbtool.baseline import apply_baseline, load_baseline
        known_baseline = load_baseline(baseline, settings.root)
    changes = None
    if changed_since is not None:
        from kbtool.git import changes_since
        changes = changes_since(settings.root, changed_since)
    result = lint(settings, paths or [], changes=changes)
    if known_baseline is not None:
        result = apply_baseline(result, known_baseline, settings, whole_kb=not paths and changes is None)
    if statistics:
        from kbtool.statistics import report_statistics
        report_statistics(result, output_format, sys.stdout)
    else:
        REPORTERS[output_format](result, sys.stdout)
    sys.stdout.flush()
    raise typer.Exit(EXIT_FINDINGS if result.failed(settings.strict) else EXIT_OK)


# Commands defined in their own modules: one line each, `app.command(NAME)(handles_errors(function))`.
from kbtool.rules_command import rules_command  # noqa: E402
app.command("rules")(handles_errors(rules_command))
from kbtool.match import match_command  # noqa: E402
app.command("match")(handles_errors(match_command))
from kbtool.importers.commands import build_import_app  # noqa: E402
app.add_typer(build_import_app(handles_errors), name="import")
from kbtool.baseline import build_baseline_app  # noqa: E402
app.add_typer(build_baseline_app(handles_errors), name="baseline")
from kbtool.authoring import new_entry_command  # noqa: E402
app.command("new-entry")(handles_errors(new_entry_command))
from kbtool.authoring import fmt_command  # noqa: E402
app.command("fmt")(handles_errors(fmt_command))
from kbtool.extract.command import extract_command  # noqa: E402
app.command("extract")(handles_errors(extract_command))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

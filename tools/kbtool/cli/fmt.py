"""`kbtool fmt`: rewrite records in the one canonical form, keeping every value exactly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import EXIT_FINDINGS, EXIT_OK, root_option


def fmt_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, show_default=False,
        help="Record files or folders (searched for *.json). Default: every record under entries/."),
    check: bool = typer.Option(
        False, "--check",
        help="Change nothing; list the files that are not in canonical form and exit 1 if there are any (for CI)."),
    diff: bool = typer.Option(
        False, "--diff",
        help="Change nothing; print what fmt would change as a unified diff (a patch for 'git apply') and exit 1 if "
             "there is any change."),
    root: Optional[Path] = root_option(),
) -> None:
    """Rewrite records in the one canonical form, keeping every value exactly.

    Canonical form: keys in the schema's order (unknown keys kept, after the known ones), two-space
    indent, UTF-8 with Chinese written as itself (no \\u escapes), one trailing newline. Files are
    rewritten atomically; running fmt twice changes nothing the second time.

    A file that is not valid JSON, or has a key twice in one object, is reported with its line and
    left untouched (rewriting it would lose the duplicate's value): fix it by hand.

    Exit status: 0 done (with --check: everything canonical), 1 files left untouched (with --check:
    also files that would change), 2 a usage error.

    Examples:

      kbtool fmt

      kbtool fmt --check

      kbtool fmt --diff entries/tensorflow/
    """
    from kbtool.fmt import format_files, report, target_files
    from kbtool.settings import build_settings

    kb_root = build_settings(root=root).root
    result = format_files(kb_root, target_files(kb_root, paths or []), check=check, diff=diff)
    report(result, check, sys.stdout, diff=diff, summary_stream=sys.stderr if diff else None, terminal=sys.stdout.isatty())
    sys.stdout.flush()
    raise typer.Exit(EXIT_FINDINGS if result.failed or ((check or diff) and result.changed) else EXIT_OK)

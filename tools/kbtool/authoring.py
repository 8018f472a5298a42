"""The commands that write records: `kbtool new-entry` and `kbtool fmt`.

Thin: options in, one call to :mod:`kbtool.scaffold` or :mod:`kbtool.fmt`, a report out.
They are registered in cli.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.settings import UsageError, find_root, resolve_today

EXIT_OK, EXIT_REFUSED = 0, 1


def _ask(label: str, check) -> str:
    """Prompt until `check(value)` accepts the answer."""

    def process(value: str) -> str:
        try:
            return check(value.strip())
        except UsageError as error:
            raise typer.BadParameter(str(error)) from None

    return typer.prompt(label, value_proc=process, err=True)


def new_entry_command(
    signature: Optional[str] = typer.Option(
        None, "--signature", "-s", show_default=False,
        help="The literal error message, exactly as printed. '-' reads pasted output (a whole traceback is fine) "
             "from standard input and takes its final error line."),
    domain: Optional[str] = typer.Option(
        None, "--domain", "-d", show_default=False,
        help="The tool or library the error belongs to (e.g. pytorch, tensorflow, pip): the folder under entries/ "
             "and the first part of the id."),
    category: Optional[str] = typer.Option(
        None, "--category", show_default=False,
        help="Kind of error in snake_case (runtime_error, build_error, install_error, ...). Default: guessed from the message."),
    slug: Optional[str] = typer.Option(
        None, "--slug", show_default=False,
        help="File name (without .json) and second part of the id. Default: made from the message's stable words, "
             "unique within the domain."),
    root: Optional[Path] = typer.Option(
        None, "--root", show_default=False,
        help="The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/."),
    today: Optional[str] = typer.Option(
        None, "--today", metavar="YYYY-MM-DD", show_default=False,
        help="The date written to first_seen, last_confirmed and last_updated. Default: $KBTOOL_TODAY, else the system date."),
    force: bool = typer.Option(
        False, "--force",
        help="Write the record even though an existing record's regex already matches the signature (a deliberately "
             "separate variant), and link both records with frequently_confused_with."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the record instead of writing it; change nothing."),
    interactive: Optional[bool] = typer.Option(
        None, "--interactive/--no-interactive", show_default=False,
        help="Ask for a missing signature or domain. Default: ask only when standard input is a terminal."),
) -> None:
    """Start a new record from an error message: the hard part, its regex, is done for you.

    Writes entries/<domain>/<slug>.json with the literal signature, a regex that recognises the same
    error with other names, numbers, paths and sizes (and not other errors), today's dates, and every
    required field. Then prints what you still have to write (root cause, workarounds, dead ends,
    translations) and the next steps.

    Refused (exit 1) when the file exists, or when an existing record's regex already matches the
    signature (its id is printed; --force writes a linked variant). Exit 2: a usage error.

    Examples:

      kbtool new-entry --signature "ModuleNotFoundError: No module named 'torch'" --domain pytorch

      python train.py 2>&1 | kbtool new-entry --signature - --domain pytorch
    """
    from kbtool.regexes import BoundedMatcher
    from kbtool.scaffold import NewEntryRefused, check_segment, describe_plan, plan_new_entry, read_signature_from_stdin, write_plan

    if interactive is None:
        interactive = sys.stdin.isatty()
    kb_root = find_root(root)
    day = resolve_today(today)
    if signature == "-":
        signature, note = read_signature_from_stdin()
        if note:
            sys.stderr.write(f"kbtool: {note}\n")
        sys.stderr.write(f"kbtool: signature: {signature}\n")
        if domain is None:
            raise UsageError("--domain is required when the signature is read from standard input (--signature -)")
    if signature is None:
        if not interactive:
            raise UsageError("--signature is missing; pass --signature TEXT (the literal error message), or "
                             "--signature - to read it from standard input")
        signature = _ask("Error message (the literal line, as printed)", lambda value: value or _empty("the message"))
    if domain is None:
        if not interactive:
            raise UsageError("--domain is missing; pass --domain NAME (the tool or library, e.g. pytorch)")
        domain = _ask("Domain (tool or library, e.g. pytorch)", lambda value: check_segment(value, "domain", "domain"))
    with BoundedMatcher() as matcher:
        try:
            plan = plan_new_entry(root=kb_root, signature=signature, domain=domain, category=category, slug=slug,
                                  today=day, force=force, matcher=matcher)
            if dry_run:
                sys.stdout.write(plan.text)
                sys.stderr.write(describe_plan(plan, written=False, updated=[]))
                raise typer.Exit(EXIT_OK)
            updated = write_plan(plan, kb_root)
        except NewEntryRefused as refusal:
            sys.stderr.write(f"kbtool: refused: {refusal}\n")
            raise typer.Exit(EXIT_REFUSED)
    sys.stdout.write(describe_plan(plan, written=True, updated=updated))


def _empty(what: str) -> str:
    raise UsageError(f"{what} is empty")


def fmt_command(
    paths: Optional[list[Path]] = typer.Argument(
        None, show_default=False,
        help="Record files or folders (searched for *.json). Default: every record under entries/."),
    check: bool = typer.Option(
        False, "--check",
        help="Change nothing; list the files that are not in canonical form and exit 1 if there are any (for CI)."),
    root: Optional[Path] = typer.Option(
        None, "--root", show_default=False,
        help="The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/."),
) -> None:
    """Rewrite records in the one canonical form, keeping every value exactly.

    Canonical form: keys in the schema's order (unknown keys kept, after the known ones), two-space
    indent, UTF-8 with Chinese written as itself (no \\u escapes), one trailing newline. Files are
    rewritten atomically; running fmt twice changes nothing the second time.

    A file that is not valid JSON, or has a key twice in one object, is reported with its line and
    left untouched (rewriting it would lose the duplicate's value): fix it by hand.

    Exit status: 0 done (with --check: everything canonical), 1 files left untouched (with --check:
    also files that would change), 2 a usage error.
    """
    from kbtool.fmt import format_files, report, target_files

    kb_root = find_root(root)
    result = format_files(kb_root, target_files(kb_root, paths or []), check=check)
    report(result, check, sys.stdout)
    sys.stdout.flush()
    raise typer.Exit(EXIT_REFUSED if result.failed or (check and result.changed) else EXIT_OK)

"""`kbtool new-entry`: start a new record from an error message; its regex is written for you."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import EXIT_FINDINGS, EXIT_OK, check_format, format_option, root_option, today_option
from kbtool.display import visible
from kbtool.errors import UsageError

EXIT_REFUSED = EXIT_FINDINGS


def _ask(label: str, check) -> str:
    """Prompt until `check(value)` accepts the answer."""

    def process(value: str) -> str:
        try:
            return check(value.strip())
        except UsageError as error:
            raise typer.BadParameter(str(error)) from None

    return typer.prompt(label, value_proc=process, err=True)


def new_entry_command(
    context: typer.Context,
    signature: Optional[str] = typer.Option(
        None, "--signature", "-s", show_default=False,
        help="The literal error message, exactly as printed. '-' reads pasted output (a whole traceback is fine) "
             "from standard input and takes the line that names the root error (the innermost cause, not a "
             "summary, path, URL or tally); it says which line it took and why, and lists the other candidate "
             "lines with their numbers."),
    line: Optional[int] = typer.Option(
        None, "--line", min=1, show_default=False, metavar="N",
        help="With --signature -: take line N of standard input (numbered as in the candidate list) instead "
             "of the line chosen for you."),
    output_format: str = format_option(
        "text or json. json: standard output holds only the record, as one JSON object (with --dry-run, the "
        "record that would be written), for scripts; what is still to write and the next steps go to "
        "standard error."),
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
    root: Optional[Path] = root_option(),
    today: Optional[str] = today_option("The date written to first_seen, last_confirmed and last_updated."),
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

      kbtool new-entry --signature - --line 12 --domain npm < npm-output.log

      kbtool new-entry --signature "ValueError: bad value" --domain python --dry-run --format json
    """
    from kbtool.regex.matcher import BoundedMatcher
    from kbtool.scaffold import NewEntryRefused, check_segment, describe_plan, plan_new_entry, read_signature_from_stdin, write_plan
    from kbtool.settings import build_settings

    if context.args:  # words that are no option (the app lets them through: `kbtool match MESSAGE` takes one so)
        shown = " ".join(context.args)
        if signature is not None:
            raise UsageError(f"unexpected argument(s): {shown}; the message goes with --signature, the rest with their options")
        raise UsageError(f"new-entry takes the message with --signature: kbtool new-entry --signature {shlex.quote(shown)}"
                         + (f" --domain {shlex.quote(domain)}" if domain else " --domain DOMAIN"))
    if interactive is None:
        interactive = sys.stdin.isatty()
    settings = build_settings(root=root, today=today)
    kb_root, day = settings.root, settings.today
    output_format = check_format(output_format, ("text", "json"))
    if line is not None and signature != "-":
        raise UsageError("--line N picks a line of the log read from standard input; use it with --signature -")
    if signature == "-":
        choice = read_signature_from_stdin(line=line)
        signature = choice.line
        if choice.note:
            sys.stderr.write(f"kbtool: {visible(choice.note)}\n")
        sys.stderr.write(f"kbtool: signature: {visible(signature)}\n")
        if choice.candidates:
            sys.stderr.write("kbtool: other candidate lines (pick one with --signature - --line N):\n")
            for candidate in sorted(choice.candidates, key=lambda candidate: candidate.number):
                sys.stderr.write(f"  line {candidate.number}: {visible(candidate.line[:300])}\n")
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
    for option, value in (("--signature", signature), ("--domain", domain), ("--category", category), ("--slug", slug)):
        _refuse_undecodable(option, value)
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
            sys.stderr.write(f"kbtool: refused: {visible(refusal)}\n")
            raise typer.Exit(EXIT_REFUSED)
    if output_format == "json":
        # scripts: the record on standard output, and nothing else there
        sys.stdout.write(plan.text)
        sys.stderr.write(describe_plan(plan, written=True, updated=updated))
        return
    sys.stdout.write(describe_plan(plan, written=True, updated=updated))


def _empty(what: str) -> str:
    raise UsageError(f"{what} is empty")


def _refuse_undecodable(option: str, value: Optional[str]) -> None:
    """A value that is not valid UTF-8 reaches Python as lone surrogates (\\udcff): refuse it, never store it."""
    if value is None:
        return
    for position, char in enumerate(value):
        if "\ud800" <= char <= "\udfff":
            shown = f"byte 0x{ord(char) - 0xdc00:02x}" if "\udc80" <= char <= "\udcff" else f"\\u{ord(char):04x}"
            raise UsageError(f"{option}: the value is not valid UTF-8 text ({shown} at character {position + 1}); "
                             "pass the message as UTF-8 (e.g. convert the log with iconv -f LATIN1 -t UTF-8)")

"""The `kbtool` command line: the only place that imports typer.

Each command is a thin function in its own module: options → settings → one call into the library
→ a reporter → exit code. This module holds the app and registers the commands; `common` holds the
exit codes, the error handling and the options every command shares (`--root`, `--today`,
`--format`), declared once, so that command modules never import the package that imports them.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Callable

import typer

from kbtool import __version__, teardown
from kbtool.cli.common import handles_errors, use_conventional_help, use_light_coercion

use_conventional_help()
use_light_coercion()

#: The commands, by name: the module below `kbtool.cli` that holds each, and its function; and the groups of
#: subcommands, by name, each made by its module's `build_app(handles_errors)`. A process imports the module
#: of the command it runs alone (`build_app(only)`).
COMMANDS = {
    "lint": ("lint", "lint_command"), "rules": ("rules", "rules_command"), "match": ("match", "match_command"),
    "new-entry": ("new_entry", "new_entry_command"), "fmt": ("fmt", "fmt_command"),
    "extract": ("extract", "extract_command"), "report": ("report", "report_command"),
    "show": ("show", "show_command"), "list": ("show", "list_command"),
}
GROUPS = {"import": ("import_", "build_app"), "baseline": ("baseline", "build_app")}

#: Commands that take words that are no option, to say what to do with them (`new-entry MESSAGE`: use --signature).
TAKES_STRAY_WORDS = {"new-entry"}


def _defined(where: tuple[str, str]) -> Callable[..., Any]:
    """The command function, or group maker, `where` names (`COMMANDS`, `GROUPS`), its module imported now."""
    module, name = where
    return getattr(importlib.import_module(f"kbtool.cli.{module}"), name)


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"kbtool {__version__}\n")
        raise typer.Exit()


def main_options(
    version: bool = typer.Option(False, "--version", "-V", callback=version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    """Curate and validate a knowledge base of software error records."""


def build_app(only: str | None = None) -> typer.Typer:
    """The `kbtool` app; with `only`, with that command alone: a run of one command need not build the others
    (typer makes every command's parser when the app starts, a tenth of the start-up of `kbtool match`). What
    that command parses, prints and says of a wrong option is the same either way."""
    built = typer.Typer(
        name="kbtool",
        help=(
            "Curate and validate a knowledge base (KB) of software error records.\n\n"
            "A KB is a folder with entries/<domain>/<slug>.json records. Start with 'kbtool lint' "
            "inside it; 'kbtool COMMAND --help' explains each command."
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # help text is printed as written: "[tool.kbtool]" is not markup
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    built.callback()(main_options)
    for name, command in COMMANDS.items():
        if only in (None, name):
            built.command(name, context_settings={"allow_extra_args": True} if name in TAKES_STRAY_WORDS else None)(
                handles_errors(_defined(command)))
    for name, group in GROUPS.items():
        if only in (None, name):
            built.add_typer(_defined(group)(handles_errors), name=name)
    return built


def __getattr__(name: str) -> Any:
    """`app`: the whole app, built when first asked for (the console script builds the command it runs alone)."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_named(arguments: list[str]) -> str | None:
    """The command a command line runs, when its first word names one (not an option, nor a misspelling, nor
    shell completion asking): the app can then be built with that command alone."""
    if not arguments or arguments[0] not in COMMANDS.keys() | GROUPS.keys():
        return None
    if any(name.startswith("_KBTOOL_COMPLETE") or name == "_TYPER_COMPLETE_ARGS" for name in os.environ):
        return None
    return arguments[0]


def main() -> None:
    """Run the command line (the console script, `kbtool.console`, calls this)."""
    # Whatever a value holds, printing it never fails: a lone surrogate (from a JSON escape or a
    # file name that is not UTF-8) is written as its escape, never a UnicodeEncodeError. (Values
    # are made visible before they are printed, by kbtool.display; this is the backstop.)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    teardown.LEAVING = True
    try:
        build_app(_command_named(sys.argv[1:]))()
        status: object = 0
    except SystemExit as ending:
        status = ending.code
    # The output written, the process ends without freeing what it made (`kbtool.teardown`): the cache is
    # closed and the worker processes are stopped by then. Should the output fail to flush (a closed pipe),
    # Python ends the process as usual and reports it.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        raise SystemExit(status)
    if status is None or isinstance(status, int):
        os._exit(status or 0)
    raise SystemExit(status)

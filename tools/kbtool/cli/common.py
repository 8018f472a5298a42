"""What every command of the command line shares: exit codes, error handling, the common options."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Callable, Optional

import typer

from kbtool.errors import UsageError
from kbtool.display import visible

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

def fail(message: str, status: int = EXIT_USAGE) -> None:
    """Print `kbtool: message` on stderr and exit with `status`."""
    sys.stderr.write(f"kbtool: {visible(message)}\n")
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
                 "rerun with KBTOOL_DEBUG=1 for details and report it.", EXIT_INTERNAL)

    return wrapper


def given(context: typer.Context, parameter: str) -> bool:
    """Whether the command line set `parameter` (by its name in the command's function), not its default."""
    source = context.get_parameter_source(parameter)
    return source is not None and source.name == "COMMANDLINE"


def check_format(output_format: str, choices: tuple[str, ...]) -> str:
    if output_format not in choices:
        raise UsageError(f"--format {output_format}: unknown format; choose {' or '.join(choices) if len(choices) == 2 else 'one of ' + ', '.join(choices)}")
    return output_format


# --- the options every command shares ------------------------------------------------------------

ROOT_HELP = "The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/."


def root_option(help: str = ROOT_HELP):
    return typer.Option(None, "--root", help=help, show_default=False)


def today_option(purpose: str):
    """`--today`; `purpose` says what the date is used for in this command."""
    return typer.Option(None, "--today", metavar="YYYY-MM-DD", show_default=False,
                        help=f"{purpose} Default: $KBTOOL_TODAY, else the system date.")


def no_cache_option(kept: str):
    """`--no-cache`; `kept` says what this command keeps in the cache."""
    return typer.Option(False, "--no-cache", help=f"Do not read or write kbtool's cache ({kept}). The cache lives in the user's "
                        "cache directory ($KBTOOL_CACHE_DIR, or e.g. ~/.cache/kbtool), keyed by content and kbtool's version, "
                        "so it never changes a result; this option is for measuring and for doubt.")


def format_option(help: str, choices: tuple[str, ...] = ("text", "json")):
    """`--format`/`-f`, its choices shown in --help (`[text|json]`) and completed by the shell."""
    return typer.Option("text", "--format", "-f", help=help, metavar="[" + "|".join(choices) + "]",
                        autocompletion=lambda incomplete: [choice for choice in choices if choice.startswith(incomplete)])


def split_names(values: Optional[list[str]]) -> list[str]:
    """`--select a,b --select c` → ["a", "b", "c"]."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]


# --- help pages with conventional metavars ----------------------------------------------------------

def _conventional_type(self, ctx) -> Optional[str]:
    """The metavar of an option in `--help`, as Unix tools write it: none on a flag, `PATH`, `TEXT`,
    `INTEGER`, `[a|b]` for choices; typer 0.29 would print `<bool>`, `<list[Path]>`, `<int range>`."""
    if getattr(self, "param_type_name", "") == "argument":
        return None  # an argument is named by its NAME already
    if self.metavar is not None:
        return self.metavar or None
    if getattr(self, "is_flag", False):
        return None  # a flag takes no value
    descriptor = getattr(self, "type_descriptor", None)
    if descriptor is None:
        return None
    if descriptor.is_choice:
        return "[" + "|".join(str(choice) for choice in descriptor.choices or ()) + "]"
    if descriptor.is_path:
        return "PATH"
    annotation = descriptor.annotation
    element = annotation.__args__[0] if descriptor.is_list and getattr(annotation, "__args__", None) else annotation
    return {int: "INTEGER", float: "NUMBER", bool: None}.get(element, "TEXT")


def _argument_name(self) -> str:
    return self.display_name_raw.upper() + ("..." if self.nargs != 1 else "")


def _argument_usage(self) -> str:
    name = self.display_name_raw.upper()
    return (name if self.required else f"[{name}]") + ("..." if self.nargs != 1 else "")


def use_conventional_help() -> None:
    """Make typer's help pages conventional: metavars as above, arguments in capitals (`PATHS...`,
    `SRC`, not `paths...` and `{SRC}`), and no `[x>=0]` beside a range (the help text says it). The
    help text itself is printed as written (the app's rich_markup_mode is None), so text in
    brackets such as `[tool.kbtool]` is never taken for markup."""
    from typer import core

    for parameter_class in (core.TyperOption, core.TyperArgument):
        parameter_class.display_type_rich = _conventional_type
        parameter_class._get_number_range_help_str = lambda self: None
    core.TyperArgument._rich_display_name = _argument_name
    core.TyperArgument._usage_display_name = _argument_usage


class _CoerceWhenNeeded:
    """Stands for a parameter's runtime conversion until a value needs it (see `use_light_coercion`)."""

    def __init__(self, parameter, build) -> None:
        self.parameter = parameter
        self.build = build

    def coerce(self, value, param, ctx):
        if value is None:  # typer's own conversion gives these without looking at the type
            return () if param.multiple or param.nargs == -1 else None
        descriptor = self.parameter.type_descriptor
        plain = type(value) is str and descriptor.file_annotation is None and descriptor.parameter_info.parser is None
        if plain and descriptor.annotation is str:
            return value  # text for a text parameter: nothing to convert
        if plain and descriptor.annotation is Path:  # typer's own path checks, on the path made here
            from typer._param_types import coerce_cli_path

            return coerce_cli_path(Path(value), descriptor.parameter_info, path_type=Path, param=param, ctx=ctx)
        return self.build(self.parameter).coerce(value, param=param, ctx=ctx)


def use_light_coercion() -> None:
    """typer converts every parameter's value through a pydantic TypeAdapter built on first use; importing
    pydantic and building the adapters costs about 0.1 s per run, more than a `kbtool match` of one
    message needs for its own work. An option left out (None) and text for a text parameter need no
    conversion; a path is made here and checked by typer's own path checks; every other value goes
    through typer's conversion as before."""
    from typer import core

    build = core._TyperParameter.get_runtime_param
    if getattr(build, "kbtool_light", False):
        return

    def get_runtime_param(self):
        return _CoerceWhenNeeded(self, build) if self._runtime_param is None else self._runtime_param

    get_runtime_param.kbtool_light = True
    core._TyperParameter.get_runtime_param = get_runtime_param


# --- colour and progress: only for a person at a terminal ----------------------------------------

COLOR_CHOICES = ("auto", "always", "never")


def color_option():
    """`--color auto|always|never`."""
    return typer.Option("auto", "--color", metavar="[auto|always|never]",
                        help="Colour the output: auto (on a terminal, unless $NO_COLOR is set), always, never.")


def use_color(choice: str, stream=None) -> bool:
    """Whether to colour `stream` (stdout): --color always/never win; auto colours a terminal unless
    $NO_COLOR is set (https://no-color.org) or $TERM is dumb."""
    if choice not in COLOR_CHOICES:
        raise UsageError(f"--color {choice}: unknown choice; choose one of {', '.join(COLOR_CHOICES)}")
    if choice != "auto":
        return choice == "always"
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class ProgressBar:
    """A progress bar on stderr, drawn only when stderr is a terminal and the work lasts long enough
    to need one (it appears after `delay` seconds); a context manager whose `update(done, total)`
    is the `progress` callback of `kbtool.lint`."""

    def __init__(self, description: str, delay: float | None = None) -> None:
        # $KBTOOL_PROGRESS_DELAY (seconds) lets tests see the bar of a short run.
        if delay is None:
            try:
                delay = float(os.environ.get("KBTOOL_PROGRESS_DELAY", "1"))
            except ValueError:
                delay = 1.0
        self.description, self.delay = description, delay
        self.enabled = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
        self._progress = None
        self._task = None
        self._done = 0
        self._timer = None

    def __enter__(self) -> "ProgressBar":
        if self.enabled:
            import threading

            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("rules"), TimeElapsedColumn(),
                                      console=Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR"))),
                                      transient=True)
            self._task = self._progress.add_task(self.description, total=None)
            self._timer = threading.Timer(self.delay, self._progress.start)  # short runs never show a bar
            self._timer.daemon = True
            self._timer.start()
        return self

    def update(self, done: int, total: int) -> None:
        """`done` of `total` steps; the bar never goes back (a lint that ran the rules of each file as it
        read the files tells of the other rules from the start again)."""
        self._done = max(self._done, done)
        if self._progress is not None:
            self._progress.update(self._task, completed=self._done, total=total)

    def __exit__(self, *exc_info) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
        if self._progress is not None:
            self._progress.stop()

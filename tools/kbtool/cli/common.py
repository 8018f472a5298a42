"""What every command of the command line shares: exit codes, error handling, the common options."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from typing import Callable, Optional

import typer

from kbtool.errors import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

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
                 "rerun with KBTOOL_DEBUG=1 for details and report it.", EXIT_INTERNAL)

    return wrapper


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


def format_option(help: str):
    return typer.Option("text", "--format", "-f", help=help)


def split_names(values: Optional[list[str]]) -> list[str]:
    """`--select a,b --select c` → ["a", "b", "c"]."""
    return [name.strip() for value in values or [] for name in value.split(",") if name.strip()]

"""The `kbtool` console script (and `python -m kbtool`).

Importing the command line (typer, then the command's modules) is about half of what a short command costs
(a `kbtool match`). What such a command needs soonest is therefore started before that import, here, by the
command's name alone: `kbtool match` starts its regex worker (`kbtool.regex.matcher.start_ahead`).
Then `kbtool.cli.main` parses the command line and runs the command as it would without this.
"""

from __future__ import annotations

import sys

#: Words after which a command only prints its help (nothing to start ahead of it).
_HELP = {"-h", "--help"}


def main() -> None:
    """Console-script entry point."""
    arguments = sys.argv[1:]  # (none when the shell asks for completions: those come in the environment)
    if arguments[:1] == ["match"] and _HELP.isdisjoint(arguments):
        from kbtool.regex.matcher import start_ahead

        start_ahead()
    from kbtool.cli import main as run

    run()

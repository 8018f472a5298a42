"""The `kbtool` console script (and `python -m kbtool`).

Importing the command line (typer, then the command's modules) is about half of what a short command costs
(a `kbtool match`). What such a command needs soonest is therefore started before that import, here, by the
command's name alone: `kbtool match` starts its regex worker (`kbtool.regex.matcher.start_ahead`).
Then `kbtool.cli.main` parses the command line and runs the command as it would without this.
"""

from __future__ import annotations

import gc
import sys

#: Thresholds of Python's cycle collector for a kbtool process (Python's default: 700, 10, 10), set before
#: anything is imported. A run holds much long-lived data (every record of a KB, parsed, with its facts;
#: before that, the modules it imports) and makes few reference cycles; by default the collector traverses
#: all of that data again each time it has grown by a quarter, which was half the time of `lint
#: --changed-since` on a 100,000-record KB, and a tenth of the imports of `kbtool match`. Young objects
#: are still collected often; the oldest generation is in practice left alone.
COLLECTOR_THRESHOLDS = (10_000, 100, 1_000_000)

#: The commands whose regex worker is started before the command line is imported (`start_ahead`): every match and
#: nearly every lint runs records' regexes.
_SEARCHING = (["match"], ["lint"])
#: Words after which a command only prints its help (nothing to start ahead of it).
_HELP = {"-h", "--help"}


def main() -> None:
    """Console-script entry point."""
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    arguments = sys.argv[1:]  # (none when the shell asks for completions: those come in the environment)
    if arguments[:1] in _SEARCHING and _HELP.isdisjoint(arguments):
        from kbtool.regex.matcher import start_ahead

        start_ahead()
    from kbtool.cli import main as run

    run()

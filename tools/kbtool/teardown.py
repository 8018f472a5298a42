"""What a kbtool process leaves to the operating system when it ends.

Freeing the records of a 100,000-record KB one object at a time takes half a second at the end of a run
that needs nothing more of them. The command line (`kbtool.cli.main`, which the console script runs)
therefore ends the process with `os._exit` once its output is written and flushed (as mypy does), and
turns `LEAVING` on, so that the largest structures of a run (`keep`) are not freed on the way out
either; a program that imports kbtool (and the tests) leaves it off, and everything is freed as usual.
"""

from __future__ import annotations

from typing import Any

#: Whether the process ends with `os._exit` (set by the console entry point only).
LEAVING = False
_KEPT: list[Any] = []


def keep(*objects: Any) -> None:
    """Hold on to `objects` until the process ends, when it ends with `os._exit` (else do nothing)."""
    if LEAVING:
        _KEPT.extend(objects)

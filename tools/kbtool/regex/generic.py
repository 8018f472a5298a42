"""Texts that name no specific error, which no record's regex may match (`kbtool.regex.broadness`'s first
measure of a regex too broad): a module of its own, small enough for a regex worker to import when it searches
them beside a regex's own texts (`kbtool.regex.search.SearchJob.generic`)."""

from __future__ import annotations

import functools

from kbtool.regex.literals import fold

#: Texts that name no specific error. A record's regex that matches one of them (or the empty
#: string) would claim almost every error message. Shared with the message generaliser.
GENERIC_TEXTS: tuple[str, ...] = (
    "Error", "error", "ERROR", "Error:", "error:", "ERROR:", "Error: ", "error: ", "ERROR: ",
    "Errors", "errors", "an error occurred", "An error occurred", "Unknown error", "unknown error",
    "Internal error", "internal error", "Fatal error", "fatal error", "fatal: ", "FATAL", "Fatal",
    "Exception", "exception", "Exception: ", "Unhandled exception", "Uncaught exception",
    "Traceback (most recent call last):",
    '  File "<stdin>", line 1, in <module>',
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
    "Caused by: ", "Exception in thread \"main\" ",
    "failed", "Failed", "FAILED", "failure", "Failure", "failed: ", "Failed: ",
    "warning", "Warning", "WARNING", "warning: ", "Warning: ",
    "Command failed with exit code 1", "exit code 1", "exit status 1", "returned non-zero exit status 1",
    "Process finished with exit code 1", "Something went wrong", "not found", "Not found",
    "invalid", "Invalid", "cannot", "Cannot", "can't", "unable to", "Unable to",
    "null", "None", "undefined", "nan", "NaN",
    # Bare exception class names, Python first, then other common runtimes.
    "BaseException", "ArithmeticError", "AssertionError", "AttributeError", "BlockingIOError",
    "BrokenPipeError", "BufferError", "ConnectionError", "ConnectionRefusedError", "ConnectionResetError",
    "EOFError", "EnvironmentError", "FileExistsError", "FileNotFoundError", "FloatingPointError",
    "ImportError", "IndentationError", "IndexError", "InterruptedError", "IOError", "IsADirectoryError",
    "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError", "ModuleNotFoundError", "NameError",
    "NotADirectoryError", "NotImplementedError", "OSError", "OverflowError", "PermissionError",
    "RecursionError", "ReferenceError", "RuntimeError", "StopIteration", "SyntaxError", "SystemError",
    "TabError", "TimeoutError", "TypeError", "UnboundLocalError", "UnicodeDecodeError",
    "UnicodeEncodeError", "UnicodeError", "ValueError", "ZeroDivisionError", "Warning",
    "DeprecationWarning", "UserWarning", "FutureWarning", "RuntimeWarning",
    "NullPointerException", "IllegalArgumentException", "IllegalStateException", "RuntimeException",
    "ClassNotFoundException", "IOException", "OutOfMemoryError", "StackOverflowError",
    "SyntaxError: ", "TypeError: ", "ValueError: ", "RuntimeError: ", "KeyError: ", "ImportError: ",
    "OSError: ", "AttributeError: ", "AssertionError: ", "Exception: ", "IndexError: ",
    "panic: ", "segmentation fault", "Segmentation fault", "Killed", "Aborted", "core dumped",
    "npm ERR!", "error[E", "E   ", "Error 1", "make: *** [all] Error 1",
)

#: What a regex is searched in for this measure: the empty string, then each generic text.
SEARCHED: tuple[str, ...] = ("",) + GENERIC_TEXTS


@functools.lru_cache(maxsize=1)
def _folded_generic() -> str:
    return "\n".join(fold(text) for text in GENERIC_TEXTS)


def needs_generic_search(literal_sets: tuple[frozenset[str], ...]) -> bool:
    """Whether a regex with these required literal sets may match one of `SEARCHED`: a regex whose every match holds a
    string that no generic text holds matches none. (Looked for in the texts folded and joined: a string found across
    two of them only costs a search.)"""
    folded = _folded_generic()
    return not literal_sets or any(literal in folded for literal in literal_sets[0])


def first_hit(matches) -> int:
    """The position of the first text matched (`SearchResult.matches` of a search of `SEARCHED`), -1 when none was."""
    return next((position for position, matched in enumerate(matches) if matched), -1)


def first_generic_reason(hit: int | None) -> str | None:
    """Why a regex is too broad, from the position in `SEARCHED` of the first text it matches (-1 or None: none)."""
    if hit is None or hit < 0:
        return None
    if hit == 0:
        return "it matches the empty string, so it matches every message"
    return f"it matches the generic text {SEARCHED[hit]!r}, which names no specific error"

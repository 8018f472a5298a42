"""Regexes that name no specific error: a record's regex that matches a generic text claims almost every message."""

from __future__ import annotations

from typing import Sequence

from kbtool.regex.literals import required_literal_sets
from kbtool.regex.matcher import BoundedMatcher, SearchJob, SearchResult


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


def too_broad_reasons(patterns: Sequence[str], matcher: BoundedMatcher,
                      literal_sets: Sequence[tuple[frozenset[str], ...]] | None = None) -> list[str | None]:
    """For each pattern, why it is too broad, or None.

    A pattern is too broad when it matches the empty string or one of `GENERIC_TEXTS`:
    then it recognises messages that name no specific error. Patterns that do not
    compile or overrun the time bound get None (other checks report them). `literal_sets`
    (`required_literal_sets` of each pattern, when the caller has them) saves parsing again.
    """
    texts = ("",) + GENERIC_TEXTS
    folded_generic = [text.casefold() for text in GENERIC_TEXTS]
    # A regex whose every match contains a string found in no generic text needs no matching.
    to_match = []
    for index, pattern in enumerate(patterns):
        sets = literal_sets[index] if literal_sets is not None else required_literal_sets(pattern)
        if not sets or any(literal in generic for literal in sets[0] for generic in folded_generic):
            to_match.append(index)
    results: list[SearchResult | None] = [None] * len(patterns)
    for index, result in zip(to_match, matcher.run([SearchJob(patterns[index], texts) for index in to_match])):
        results[index] = result
    reasons: list[str | None] = []
    for result in results:
        reason = None
        if result is None:
            reasons.append(None)
            continue
        if result.error is None and not result.timed_out:
            if result.matches[0]:
                reason = "it matches the empty string, so it matches every message"
            else:
                generic = next((text for text, hit in zip(texts[1:], result.matches[1:]) if hit), None)
                if generic is not None:
                    reason = f"it matches the generic text {generic!r}, which names no specific error"
        reasons.append(reason)
    return reasons


def is_too_broad(pattern: str, matcher: BoundedMatcher | None = None) -> bool:
    """Whether `pattern` matches the empty string or a generic text (see `too_broad_reasons`)."""
    if matcher is not None:
        return too_broad_reasons([pattern], matcher)[0] is not None
    with BoundedMatcher() as own:
        return too_broad_reasons([pattern], own)[0] is not None

"""The line of a pasted log that names the error: what `new-entry --signature -` takes as the signature.

A maintainer writes a record for the root error, so the choice is the innermost cause, not a
summary line that wraps it, and never a path, a URL, a "for help visit" line or a test runner's tally.
"""

from __future__ import annotations

import re

_TRACEBACK_HEADER = re.compile(r"^\s*Traceback \(most recent call last\):\s*$")
_FRAME_LINE = re.compile(r"^\s+(?:File \"|at |\^|~|\.\.\.)")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning|Fault|Failure)(?:\s*\[[^\]]{0,100}\])?(?::|$)")
_ERRORISH_LINE = re.compile(
    r"(?:^|\s|\]|:)(?:[A-Za-z_][\w.]{0,200}(?:Error|Exception)\b|ERROR\b|FATAL\b|[Ff]atal error\b|error(?:\[\w{1,20}\])?:|"
    r"CUDA error\b|[Ff]ailed\b|Segmentation fault\b)")


_ONE_LINE_TRACEBACK = re.compile(r"Traceback \(most recent call last\):")
_FRAME_MARKER = re.compile(r'File "[^"\n]{0,500}", line \d{1,9}(?:, in [^\s]{1,200})?')
_EXCEPTION_START = re.compile(
    r"(?<![\w.])[A-Za-z_][\w.]{0,200}(?:Error|Exception|Exit|Interrupt|Warning|Fault|Failure)(?:\s*\[[^\]]{0,100}\])?:\s")


def _from_one_line_traceback(line: str) -> str | None:
    """The exception part of a traceback pasted onto one line, or None when `line` is not one."""
    if not _ONE_LINE_TRACEBACK.search(line):
        return None
    frames = list(_FRAME_MARKER.finditer(line))
    start = frames[-1].end() if frames else _ONE_LINE_TRACEBACK.search(line).end()
    found = _EXCEPTION_START.search(line, start)
    return line[found.start():].strip() if found else None


def final_error_line(text: str) -> tuple[str, str | None]:
    """The line of pasted output that names the error, and a note saying what was taken (None: all of one line).

    For a Python traceback this is the exception line after the last stack frame (the last one of
    chained tracebacks; also of a traceback pasted onto one line); otherwise the last line that
    looks like an error; otherwise the last line.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").splitlines()]
    filled = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not filled:
        return "", None
    if len(filled) == 1:
        line = filled[0][1].strip()
        exception = _from_one_line_traceback(line)
        if exception is not None and exception != line:
            return exception, "took the exception at the end of a traceback pasted onto one line"
        return line, None
    total = len(filled)
    headers = [index for index, (_, line) in enumerate(filled) if _TRACEBACK_HEADER.match(line)]
    if headers:
        after = filled[headers[-1] + 1:]
        for number, line in after:
            if not line[:1].isspace() and _EXCEPTION_LINE.match(line):
                return line.strip(), f"took the exception line of the last traceback (line {number} of {len(lines)})"
        for number, line in after:
            if not line[:1].isspace() and not _FRAME_LINE.match(line):
                return line.strip(), (f"took the first line after the stack frames of the last traceback "
                                      f"(line {number} of {len(lines)})")
    for number, line in reversed(filled):
        if _ERRORISH_LINE.search(line):
            exception = _from_one_line_traceback(line.strip())
            return (exception or line.strip()), (f"took the last line that reads as an error (line {number} of "
                                                 f"{len(lines)}, {total} non-empty)")
    number, line = filled[-1]
    return line.strip(), f"no line reads as an error; took the last line (line {number} of {len(lines)})"

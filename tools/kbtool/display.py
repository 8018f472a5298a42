"""Untrusted text made safe to print: the one helper every output goes through.

Values and file names come from strangers. Printed raw, an escape sequence (`ESC[2K`, an OSC-8
link `ESC]8;;https://…`) drives the reader's terminal, and a newline in a file name starts a new
line that a CI runner reads as a command (`::error file=…::…`). `visible` shows every such
character as text (`\\x1b`, `\\n`, `\\u202e`), for text and GitHub output and for every path a
command prints; `json_text` keeps JSON (and SARIF) valid UTF-8 whatever the strings hold (a lone
surrogate becomes the escape `\\ud800`, never an encoding error); `markdown_text` makes a value
inert in markdown (no link, no image, no HTML) for the GitHub step summary.
"""

from __future__ import annotations

import functools
import json
import os
import re
import types
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

#: C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates
#: (which reorder what a reader sees), and lone surrogates (not Unicode text).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: In JSON text these can only occur inside strings (JSON's own syntax is ASCII), where json.dumps
#: already escapes C0; the rest become \uXXXX escapes.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Markdown punctuation that can start a link, an image, emphasis, code, HTML or a table cell.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()!|~])")


def _shown(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object, keep: str = "") -> str:
    """`text` with every control character, bidi override and lone surrogate shown as an escape,
    except the characters in `keep` (the GitHub format keeps line breaks: it percent-encodes them)."""
    return _UNSAFE.sub(lambda match: match.group() if match.group() in keep else _shown(match), str(text))


def json_text(document: Any, **options: Any) -> str:
    """`json.dumps(document)` (non-ASCII kept), with no raw control character and valid UTF-8.

    With `indent=2` alone, documents of dicts with string keys, lists, strings, integers, booleans
    and None are written here, faster (a report of a million findings): `json.dumps` goes through its
    slow Python encoder whenever it indents. Other documents are left to `json.dumps`."""
    if options == {"indent": 2}:
        parts: list[str] = []
        try:
            _indented(document, "\n", parts)
            return _json_safe("".join(parts))
        except (_Unsupported, RecursionError):
            pass
    return _json_safe(json.dumps(document, ensure_ascii=False, **options))


def write_json(document: Any, stream: TextIO) -> None:
    """`json_text(document, indent=2)` written to `stream` a piece at a time, for documents of dicts
    with string keys, lists, strings, integers, booleans and None, where a list may also be given as a
    generator: a report of 400,000 findings is written without its whole text, or a dict of each
    finding, ever being held at once."""
    parts: list[str] = []

    def flush() -> None:
        if len(parts) > 4096:
            stream.write(_json_safe("".join(parts)))
            parts.clear()

    try:
        _indented(document, "\n", parts, flush)
    except _Unsupported as unsupported:
        raise TypeError(f"write_json cannot write {unsupported.args[0]!r}") from None
    stream.write(_json_safe("".join(parts)))


def _json_safe(text: str) -> str:
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def markdown_text(text: object) -> str:
    """`text` as inert markdown on one line: visible controls, no link, image, emphasis or HTML.

    Markdown punctuation is backslash-escaped, `<`, `>` and `&` become entities, and a zero-width
    space after `:` of `://` and after `www` stops GitHub from turning bare URLs into links.
    """
    text = visible(" ".join(str(text).split(" ")))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN.sub(r"\\\1", text)
    text = re.sub(r"(?i)(:)(//)", "\\1\u200b\\2", text)
    return re.sub(r"(?i)\b(www)(\\?\.)", "\\1\u200b\\2", text)


class _Unsupported(Exception):
    pass


_encode_string = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _indented(value: Any, newline: str, parts: list[str], flush: Callable[[], None] | None = None) -> None:
    """`value` as indented JSON text, appended to `parts` (`flush`, when given, is called after each
    item of a list, to write out what `parts` holds)."""
    kind = type(value)
    if kind is types.GeneratorType:  # a list given as a generator (write_json)
        first = next(value, _END)
        kind, value = list, (() if first is _END else _chained(first, value))
    elif kind is not dict and kind is not list:
        parts.append(_scalar(value))
        return
    if not value:
        parts.append("{}" if kind is dict else "[]")
        return
    inner = newline + "  "
    if kind is dict:
        try:  # a dict of scalars (a finding) in one join
            parts.append("{" + inner + ("," + inner).join([_key_text(key) + _scalar(item) for key, item in value.items()])
                         + newline + "}")
            return
        except _Container:
            pass
    parts.append("{" if kind is dict else "[")
    separator = inner
    for item in value.items() if kind is dict else value:
        parts.append(separator)
        separator = "," + inner
        if kind is dict:
            parts.append(_key_text(item[0]))
            item = item[1]
        _indented(item, inner, parts, flush)
        if flush is not None and kind is list:
            flush()
    parts.append(newline + ("}" if kind is dict else "]"))


_END = object()


def _chained(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


class _Container(Exception):
    pass


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _CONSTANTS[value]
    if kind is dict or kind is list or kind is types.GeneratorType:
        raise _Container
    raise _Unsupported(value)


@functools.lru_cache(maxsize=1024)
def _key_text(key: Any) -> str:
    if type(key) is not str:
        raise _Unsupported(key)
    return _encode_string(key) + ": "


def path_from_here(path: Path) -> str:
    """`path` as the user types it where kbtool was run (which need not be the KB's root): relative when it lies
    below the current folder, else absolute."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def lines_of(text: str) -> list[str]:
    """The lines of `text` as an editor numbers them: split at \\n, \\r\\n and \\r only (not at the form feeds,
    U+2028 and other breaks `str.splitlines` also splits at), without the empty line after a final newline."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines

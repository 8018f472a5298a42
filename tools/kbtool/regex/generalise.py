"""Turn a literal error message into a readable regex that recognises the same error next time.

The stable words of the message stay literal (escaped only where the regex
syntax needs it, so they read as text). The parts that change from run to run
become bounded wildcards, each a fixed, recognisable idiom:

- quoted name ``'Cumsum'``, ``"dense"``, `` `T` ``  →  ``'[^']{1,200}'`` (same quote)
- tensor shape ``[1, 224, 224, 3]``, ``(None, 32)``  →  ``\\[[^\\]]{0,200}\\]``, ``\\([^)]{0,200}\\)``
- memory size ``2.00 GiB``  →  ``\\d[\\d.,]{0,20} ?[KkMGTPE]i?B``; byte count ``65536 bytes``
- shared-library suffix ``libcudart.so.11.0``  →  ``libcudart\\.so[\\d.]{0,20}``
- hex address ``0x7f3a2c``  →  ``0x[0-9a-fA-F]{1,16}``; long hex ids and UUIDs
- file path ``/usr/lib/x.py``, ``src/main.c``  →  ``[^\\s:'"]{1,300}``; Windows paths, URLs alike
- number or version ``12``, ``2.7.0``  →  ``\\d[\\d.]{0,30}``
- version with a suffix ``2.1.0+cu118``, or any version after ``==``/``>=``  →  ``\\d[\\w.+-]{0,40}``
- dimensions ``64x512``  →  ``\\d[\\dx]{0,60}``
- author placeholder ``<some type>``, ``{OPNAME}``, ``[long path name]``  →  ``.{1,200}``; ``XXX``  →  ``\\S{1,100}``
- a run of whitespace other than one space (newline, tab)  →  ``\\s+``

Every quantifier is bounded except ``\\s+``, which is never nested; where
``\\s+`` next to wide wildcards could still chain into slow backtracking (as
`kbtool.regexes.catastrophic_shape` judges it), whitespace runs become
``\\s{1,20}``, and failing that the message stays literal. Each wildcard is
checked to match the text it replaces. The result always matches the message it
came from (it is searched, not anchored), also when the message goes on (closing
punctuation at its very end is left out); it never matches the empty string or a
text that names no specific error (`kbtool.regexes.GENERIC_TEXTS`): when too
little stable text would remain, the regex is the literal message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The schema caps `regex` at 2000 characters; longer results keep a prefix of the message.
MAX_REGEX_LENGTH = 2000
#: Only the beginning of a longer message is scanned: no more of it can fit in MAX_REGEX_LENGTH.
MAX_SCANNED_CHARS = 10_000
#: Fewer literal letters than this (outside wildcards) and the regex would match generic text.
MIN_LITERAL_LETTERS = 6

# Characters that have a meaning in a regex outside a character class.
_SPECIAL = set("\\.^$*+?{}[]()|")

# Python's own angle-bracket names (`File "<stdin>"`, `<module>`), not author placeholders.
_LITERAL_ANGLE_NAMES = {
    "unknown", "stdin", "module", "lambda", "string", "genexpr", "listcomp", "dictcomp", "setcomp",
    "frozen", "locals", "input", "console", "anonymous", "eval", "exec", "native", "null", "none",
    "empty", "builtin", "built-in", "frozen importlib._bootstrap",
}

WILDCARDS = {
    "quoted name": None,  # built from the quote characters, see _quoted_wildcard
    "tensor shape": None,  # built from the bracket, see _shape_wildcard
    "memory size": r"\d[\d.,]{0,20} ?[KkMGTPE]i?B",
    "memory size placeholder": r"[\w.,]{1,20} ?[KkMGTPE]i?B",
    "library version": r"[\d.]{0,20}",
    "byte count": r"\d[\d,]{0,25} bytes",
    "hex address": r"0x[0-9a-fA-F]{1,16}",
    "hex id": r"[0-9a-fA-F-]{8,64}",
    "file path": "[^\\s:'\"]{1,300}",
    "windows path": "[A-Za-z]:[^\\s:'\"]{1,300}",
    "URL": "https?://[^\\s'\"]{1,300}",
    "dimensions": r"\d[\dx]{0,60}",
    "number": r"\d[\d.]{0,30}",
    "version": r"\d[\w.+-]{0,40}",
    "placeholder": r".{1,200}",
    "placeholder word": r"\S{1,100}",
    "whitespace": r"\s+",
}

_QUOTES = {"'": "'", '"': '"', "`": "`", "\u2018": "\u2019", "\u201c": "\u201d"}

_SOURCE_EXTENSIONS = (
    "c|cc|cpp|cxx|cu|cuh|h|hh|hpp|hxx|m|mm|py|pyx|pxd|pyi|js|mjs|cjs|ts|tsx|jsx|go|rs|java|kt|kts|scala|"
    "rb|php|cs|swift|cmake|txt|json|yaml|yml|toml|cfg|ini|xml|gradle|so|dll|dylib|a|lib|whl|o|obj|sh|bat|"
    "ps1|ipynb|pb|tflite|onnx|pt|pth|h5|keras|ckpt|bin|log|md|html|css|proto|sql|mlir|td|pbtxt|lock|zip|tar|gz"
)

# One scanner: at each position the first alternative that matches wins (their order is the priority).
_SCANNER = re.compile(
    r"""
    (?P<url>https?://[^\s'"<>]{1,300})
  | (?P<size>(?<![\w.])(?:\d{1,12}(?:\.\d{1,8})?|X{2,8}|x{2,8})\ ?[KkMGTPE]i?B(?![\w]))
  | (?P<soversion>(?<=\.so)(?:\.\d{1,9}){1,4}(?![\w]))
  | (?P<bytes>(?<![\w.])\d{1,3}(?:,\d{3}){0,7}\ bytes\b|(?<![\w.])\d{1,25}\ bytes\b)
  | (?P<angle><[a-z][a-z_ -]{0,40}>)
  | (?P<brace>\{[A-Za-z_][A-Za-z0-9_]{0,40}\})
  | (?P<bracket_words>\[[a-z]{2,20}(?:\ [a-z]{1,20}){1,6}\])
  | (?P<quoted>(?<![\w])(?:'[^'\n]{1,200}'|"[^"\n]{1,200}"|`[^`\n]{1,200}`|\u2018[^\u2019\n]{1,200}\u2019|\u201c[^\u201d\n]{1,200}\u201d)(?![\w]))
  | (?P<shape>\[\s{0,3}(?:(?:-?\d{1,12}|None|\?)\s{0,3}(?:,\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}){0,15},?\s{0,3})?\]
              |\(\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}(?:,\s{0,3}(?:-?\d{1,12}|None|\?)\s{0,3}){0,15},?\s{0,3}\))
  | (?P<hex>(?<![\w])0[xX][0-9a-fA-F]{1,16}(?![\w]))
  | (?P<hexid>(?<![\w-])(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}
                          |(?=[0-9a-f]{0,63}[a-f])(?=[0-9a-f]{0,63}\d)[0-9a-f]{12,64})(?![\w-]))
  | (?P<winpath>(?<![\w])[A-Za-z]:[\\/][^\s:'"<>|]{1,300})
  | (?P<path>(?<![\w.:/\\])(?:~|\.{1,2})?/[\w.@+-]{1,100}(?:/[\w.@+-]{1,100}){0,30}/?
             |(?<![\w./\\-])[\w@+-][\w.@+-]{0,100}(?:/[\w.@+-]{1,100}){0,30}\.(?:""" + _SOURCE_EXTENSIONS + r""")(?![\w/])(?=[:\s,;)\]'"]|\.(?:\s|$)|$)
             )
  | (?P<version>(?<![\w.])v?\d{1,9}(?:\.\d{1,9}){1,5}(?:(?:\.?(?:rc|a|b|dev|post))\d{0,6}){0,2}(?:\+[\w.]{1,30})?(?![\w]))
  | (?P<dimensions>(?<![\w.])\d{1,9}(?:x\d{1,9}){1,6}(?![\w]))
  | (?P<number>(?<![\w])\d{1,20}(?:\.\d{1,10})?(?![\w]))
  | (?P<placeholder_word>(?<![\w])(?:X{3,8}|x{3,8})(?![\w]))
  | (?P<space>\s{2,}|[^\S ])
    """,
    re.VERBOSE,
)

_KIND_NAMES = {
    "url": "URL", "size": "memory size", "bytes": "byte count", "angle": "placeholder", "brace": "placeholder",
    "bracket_words": "placeholder", "quoted": "quoted name", "shape": "tensor shape", "hex": "hex address",
    "hexid": "hex id", "dimensions": "dimensions", "winpath": "windows path", "path": "file path", "version": "version", "number": "number",
    "placeholder_word": "placeholder word", "space": "whitespace", "soversion": "library version",
}


@dataclass(frozen=True)
class GeneralisedPart:
    """One run-specific part of the message and the wildcard that replaced it."""

    kind: str  # e.g. "quoted name", "memory size"
    text: str  # the literal text it replaced
    pattern: str  # the wildcard


@dataclass(frozen=True)
class Generalisation:
    """The regex built from a message, and what was generalised in it."""

    message: str
    pattern: str
    parts: tuple[GeneralisedPart, ...] = field(default_factory=tuple)
    truncated: bool = False  # the message was too long: the regex covers its beginning
    literal_fallback: bool = False  # too little stable text would remain, or it would match a generic text: literal
    self_check_failed: bool = False  # the generalised regex did not match its message (a bug): literal used


def escape_literal(text: str) -> str:
    """Escape `text` for a regex, readably: only regex syntax is escaped; spaces, `-`, `#` and `:` stay as they are."""
    out = []
    for char in text:
        if char in _SPECIAL:
            out.append("\\" + char)
        elif char == " " or char.isprintable():
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def _quoted_wildcard(token: str) -> str:
    opening, closing = token[0], _QUOTES[token[0]]
    return f"{escape_literal(opening)}[^{closing}]{{1,200}}{escape_literal(closing)}"


def _shape_wildcard(token: str) -> str:
    if token.startswith("["):
        return r"\[[^\]]{0,200}\]"
    return r"\([^)]{0,200}\)"


_SPECIFIERS = ("==", ">=", "<=", "~=", "!=", "@ ")


def _wildcard_for(kind: str, token: str, before: str = "") -> str | None:
    """The wildcard for one detected part (`before`: the two characters before it), or None to keep it literal."""
    if kind in ("version", "number") and before.endswith(_SPECIFIERS):
        return WILDCARDS["version"]  # a pinned requirement: any version, local suffixes included (2.1.0+cu118)
    if kind == "angle" and token[1:-1].strip() in _LITERAL_ANGLE_NAMES:
        return None
    if kind == "quoted":
        return _quoted_wildcard(token)
    if kind == "shape":
        return _shape_wildcard(token)
    if kind == "space":
        return WILDCARDS["whitespace"]
    if kind == "version" and re.fullmatch(r"v?[\d.]+", token):
        return ("v" if token.startswith("v") else "") + WILDCARDS["number"]
    if kind == "version":
        return ("v" if token.startswith("v") else "") + WILDCARDS["version"]
    if kind in ("angle", "brace", "bracket_words"):
        return WILDCARDS["placeholder"]
    if kind == "placeholder_word":
        return WILDCARDS["placeholder word"]
    if kind == "size" and token[:1] in "Xx":
        return WILDCARDS["memory size placeholder"]
    if kind == "size" and token.endswith("bytes"):
        return WILDCARDS["byte count"]
    return WILDCARDS[_KIND_NAMES[kind]]


def _pieces(message: str, bounded_whitespace: bool = False) -> list[tuple[str, GeneralisedPart | None]]:
    """The message as a list of (regex piece, part) where part is None for literal characters.

    With `bounded_whitespace`, a run of whitespace becomes ``\\s{1,20}`` instead of ``\\s+``.
    """
    pieces: list[tuple[str, GeneralisedPart | None]] = []
    position = 0
    for found in _SCANNER.finditer(message):
        kind = found.lastgroup
        token = found.group()
        wildcard = _wildcard_for(kind, token, message[max(0, found.start() - 2):found.start()])
        if wildcard is not None and kind != "space" and not re.fullmatch(wildcard, token):
            wildcard = None  # never replace a part by a wildcard that does not match it
        if wildcard is None:
            continue
        pieces.extend((escape_literal(char), None) for char in message[position:found.start()])
        if kind == "space":
            pieces.append((f"\\s{{1,{max(20, len(token))}}}" if bounded_whitespace else wildcard, None))
        else:
            pieces.append((wildcard, GeneralisedPart(_KIND_NAMES[kind], token, wildcard)))
        position = found.end()
    pieces.extend((escape_literal(char), None) for char in message[position:])
    return pieces


#: Closing punctuation at the very end of a message: a longer form of the message differs right there
#: (`... total capacity)` vs `... total capacity; 5.2 GiB already allocated)`), so it is left out.
_TRAILING_PUNCTUATION = {"\\.", "\\)", "\\]", "!", ";", ",", ":"}


def _drop_trailing_punctuation(pieces: list[tuple[str, GeneralisedPart | None]]) -> list[tuple[str, GeneralisedPart | None]]:
    end = len(pieces)
    while end > 1 and pieces[end - 1][1] is None and pieces[end - 1][0] in _TRAILING_PUNCTUATION:
        end -= 1
    return pieces[:end]


def _names_no_specific_error(pattern: str) -> bool:
    """Whether `pattern` (built here, bounded) matches the empty string or a text that names no specific error."""
    from kbtool.regex.broadness import GENERIC_TEXTS

    return any(re.search(pattern, text) for text in ("", *GENERIC_TEXTS))


def _literal_letters(pieces: list[tuple[str, GeneralisedPart | None]]) -> int:
    return sum(1 for piece, part in pieces if part is None and len(piece) == 1 and piece.isalpha())


def _join(pieces: list[tuple[str, GeneralisedPart | None]]) -> tuple[str, int]:
    """Concatenate pieces up to MAX_REGEX_LENGTH; the regex and how many pieces it holds."""
    out: list[str] = []
    length = 0
    for count, (piece, _part) in enumerate(pieces):
        if length + len(piece) > MAX_REGEX_LENGTH:
            return "".join(out), count
        out.append(piece)
        length += len(piece)
    return "".join(out), len(pieces)


def _literal_pieces(message: str) -> list[tuple[str, GeneralisedPart | None]]:
    pieces: list[tuple[str, GeneralisedPart | None]] = []
    for run in re.split(r"(\s+)", message):
        if not run:
            continue
        if run.isspace():
            pieces.append((" " if run == " " else WILDCARDS["whitespace"], None))
        else:
            pieces.extend((escape_literal(char), None) for char in run)
    return pieces


def _strip_trailing_space_piece(pattern: str) -> str:
    while pattern.endswith(WILDCARDS["whitespace"]):
        pattern = pattern[: -len(WILDCARDS["whitespace"])]
    return pattern.rstrip(" ") or pattern


def _generalised_pieces(message: str, bounded_whitespace: bool) -> list[tuple[str, GeneralisedPart | None]] | None:
    """The generalised pieces, or None when they would leave too little stable text or match a generic text."""
    pieces = _pieces(message, bounded_whitespace)
    if not any(part for _, part in pieces):
        return _drop_trailing_punctuation(pieces)
    if _literal_letters(pieces) < MIN_LITERAL_LETTERS:
        return None
    pieces = _drop_trailing_punctuation(pieces)
    if _names_no_specific_error(_join(pieces)[0]):
        return None
    return pieces


def _backtracks_badly(pattern: str) -> bool:
    from kbtool.regex.shapes import catastrophic_shape

    return catastrophic_shape(pattern) is not None


def generalise(message: str) -> Generalisation:
    """Build the regex for `message` and say what was generalised.

    Raises ValueError for a message with no visible character: there is nothing to recognise.
    """
    stripped = message.strip()
    if not stripped:
        raise ValueError("the message is empty: there is nothing to recognise")
    whole = stripped
    stripped = stripped[:MAX_SCANNED_CHARS]  # a prefix: a regex for it is searched, so it still matches `whole`
    fallback = False
    pieces = _generalised_pieces(stripped, bounded_whitespace=False)
    if pieces is not None and _backtracks_badly(_join(pieces)[0]):
        # `\s+` next to wide wildcards can chain into polynomial backtracking: bound the whitespace runs.
        pieces = _generalised_pieces(stripped, bounded_whitespace=True)
        if pieces is not None and _backtracks_badly(_join(pieces)[0]):
            pieces = None
    if pieces is None:
        fallback = True
        pieces = _literal_pieces(stripped)
    pattern, used = _join(pieces)
    truncated = used < len(pieces) or len(whole) > len(stripped)
    parts = tuple(part for _, part in pieces[:used] if part is not None)
    pattern = _strip_trailing_space_piece(pattern)
    check_failed = False
    if re.search(pattern, whole) is None:  # cannot happen by construction; never hand out a regex that misses
        check_failed = True
        literal = _literal_pieces(stripped)
        pattern, used = _join(literal)
        truncated = used < len(literal) or len(whole) > len(stripped)
        pattern = _strip_trailing_space_piece(pattern)
        parts = ()
    return Generalisation(message=whole, pattern=pattern, parts=parts, truncated=truncated,
                          literal_fallback=fallback, self_check_failed=check_failed)


def message_to_regex(message: str) -> str:
    """A readable regex recognising `message` and its variants with other names, numbers, paths and sizes.

    >>> message_to_regex("ConverterError: Quantization not supported for op 'Cumsum'.")
    "ConverterError: Quantization not supported for op '[^']{1,200}'\\\\."
    """
    return generalise(message).pattern

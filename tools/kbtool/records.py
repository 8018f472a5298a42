"""Strict reading of record files, and the JSON-pointer → line/column map.

A record file is read once, as bytes, with a size cap. Everything that the
standard library's `json` would silently accept or lose is reported instead:
a byte-order mark, invalid UTF-8, `NaN`/`Infinity`, numbers too large for a
float, duplicate keys, nesting too deep, trailing data, a top level that is
not an object. Each problem becomes a :class:`ParseProblem` with the line and
column where it was found; the lint engine turns them into findings.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import re
import sys
from array import array
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from kbtool.digests import blake2b
from kbtool.files import UnreadableFile, file_status, read_capped, status_key

#: Files larger than this are refused without being read into memory.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Objects and arrays nested deeper than this are refused (a record needs 4).
MAX_NESTING_DEPTH = 64
#: Duplicate keys reported one by one per file; beyond this one problem gives the count.
MAX_DUPLICATE_KEY_PROBLEMS = 200

INVALID_JSON = "invalid-json"
DUPLICATE_KEY = "duplicate-key"


class ParseProblem(NamedTuple):
    """Something wrong with the file itself, found while reading it."""

    rule_name: str  # INVALID_JSON or DUPLICATE_KEY
    message: str
    pointer: str = ""
    line: int = 1
    column: int = 1


@dataclass
class RecordFile:
    """One record file: where it is, its text, and its data if it parsed."""

    path: Path  # absolute
    relative_path: str  # relative to the KB root, with "/" separators
    text: str | None = None
    data: dict[str, Any] | None = None
    problems: list[ParseProblem] = field(default_factory=list)
    digest: str = ""  # a hash of the file's bytes ("" when unread)
    stat: tuple[int, int, int, int] = (-1, -1, -1, -1)  # size, modification and change times (ns), inode, before reading
    literal_sets: tuple[frozenset[str], ...] | None = None  # what the regex requires, when the catalog knows it
    placed: dict[str, tuple[int, int]] | None = field(default=None, repr=False)  # (line, column) by pointer, known without the text
    changed_on_disk: bool = field(default=False, repr=False)  # a pointer could not be placed: the file's bytes changed since it was read
    _line_starts: array | None = field(default=None, repr=False)
    _members: dict[int, dict | list] = field(default_factory=dict, repr=False)  # containers walked by locate

    @property
    def entry_id(self) -> str | None:
        """The record's `id`, when it is a string."""
        if self.data is not None and isinstance(self.data.get("id"), str):
            return self.data["id"]
        return None

    def locate(self, pointer: str) -> tuple[int, int]:
        """1-based (line, column) of the value that `pointer` names.

        Falls back to the nearest existing parent when the pointer names a
        value that is absent (e.g. a missing required key).
        """
        if self.placed is not None and pointer in self.placed:
            return self.placed[pointer]
        if self.text is None and self.data is not None and self.digest:
            self.text = self._text_as_hashed()
            self.changed_on_disk = self.changed_on_disk or self.text is None
        if self.text is None or self.data is None:
            return (1, 1)
        try:
            offset = value_start(self.text, pointer, self._members, self.data)
        except (ValueError, IndexError, RecursionError):  # a value the json module refuses (e.g. an integer of 5,000 digits)
            offsets = value_offsets(self.text)
            while pointer not in offsets and pointer:
                pointer = pointer.rsplit("/", 1)[0]
            offset = offsets.get(pointer, 0)
        return self._line_column(offset)

    def forget_text(self, keep: list[str]) -> None:
        """Let go of the text of a record whose bytes were hashed, and of what was worked out from it to
        place pointers, having placed the pointers in `keep` first: a pointer placed later reads the file
        again (`locate`)."""
        if self.text is None or self.data is None or not self.digest:
            return
        if keep:
            self.placed = {**(self.placed or {}), **{pointer: self.locate(pointer) for pointer in keep}}
        self.text, self._members, self._line_starts = None, {}, None

    def _text_as_hashed(self) -> str | None:
        """The file's text, read now, for a record taken from the catalog without it (None when the file's
        bytes are no longer those its digest was made of)."""
        try:
            raw = read_capped(self.path, MAX_FILE_BYTES, "record")
        except UnreadableFile:
            return None
        if content_digest(raw) != self.digest:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:  # a damaged catalog entry: the file was never a record
            return None

    def _line_column(self, index: int) -> tuple[int, int]:
        if len(self.text) <= _COUNTED_TEXT:
            return line_column(self.text, index)
        # Line starts are found once per file: a large file with thousands of findings must not rescan its text for
        # each. Kept as machine integers (8 bytes a line, not a Python int each).
        if self._line_starts is None:
            starts = array("q", accumulate(map(_PAST_THE_NEWLINE, map(len, self.text.split("\n"))), initial=0))
            starts.pop()  # past the end of the text
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1


_PAST_THE_NEWLINE = (1).__add__  # a line's length to where the next starts
#: Characters of a text in which a finding's line is found by counting line breaks (a record is a few thousand:
#: counting costs less than finding where every line starts, even for the most findings a file may list).
_COUNTED_TEXT = 16_384


class SharedRecord(RecordFile):
    """A record file as the catalog holds it (`kbtool.catalog`): what rules across records read, no text
    (a lint of the whole KB keeps its records so too once their rules of one file have run, with their
    date fields). Its absolute path is made when first asked for (reading the file to place a finding):
    one `lint --changed-since` makes 100,000 of these, and the paths would cost more than the rest of them."""

    def __init__(self, root: Path, relative_path: str, digest: str, data: dict[str, Any] | None,
                 literal_sets: tuple[frozenset[str], ...] | None, problems: list[ParseProblem]) -> None:
        self._root = root
        super().__init__(path=None, relative_path=relative_path, data=data, problems=problems, digest=digest,
                         literal_sets=literal_sets)

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = self._root / self.relative_path
        return self._path

    @path.setter
    def path(self, value: Path | None) -> None:
        self._path = value


def as_text(value: object) -> str:
    """`value` if it is a string, else "" (rules must survive records of the wrong shape)."""
    return value if isinstance(value, str) else ""


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


#: The edge lists of a record's `transition_graph`.
GRAPH_EDGE_KINDS = ("leads_to", "preceded_by", "frequently_confused_with")


class GraphEdge(NamedTuple):
    """One edge of a record's transition graph: `transition_graph[kind][index].error_id == target`."""

    kind: str
    index: int
    target: str

    @property
    def pointer(self) -> str:
        return make_pointer("transition_graph", self.kind, self.index, "error_id")


def graph_edges(data: dict[str, Any], kinds: tuple[str, ...] | None = None) -> Iterator[GraphEdge]:
    """Every edge of the record's transition graph whose `error_id` is a string (of `kinds`, or of any
    list in the graph); records of the wrong shape yield nothing."""
    graph = data.get("transition_graph")
    if type(graph) is PackedGraph:
        yield from graph.edges(kinds)
        return
    for kind, edges in as_dict(graph).items():
        if kinds is not None and kind not in kinds:
            continue
        for index, edge in enumerate(as_list(edges)):
            target = as_dict(edge).get("error_id")
            if isinstance(target, str):
                yield GraphEdge(kind, index, target)


def graph_targets(data: dict[str, Any]) -> dict[str, list]:
    """The record's transition graph as far as `graph_edges` reads it: each list's items as
    `{"error_id": target}` (None where the target is not a string), in place, so that every edge keeps
    its index; lists without an item are left out. What the catalog keeps of other records' graphs:
    their conditions and probabilities are read only by the rules of the record itself."""
    return {kind: [{"error_id": target} if isinstance(target := as_dict(edge).get("error_id"), str) else None
                   for edge in as_list(edges)]
            for kind, edges in as_dict(data.get("transition_graph")).items() if as_list(edges)}


class PackedGraph(str):
    """A record's `graph_targets` packed into one string (`pack_graph`), as `kbtool.kb.shared_fields` gives them
    for the rules across records: the catalog stores them so, and a lint of the whole KB keeps them so for the
    records whose own rules have run. Decoding them as JSON objects, a dict for every edge, was most of the cost
    of reading the catalog of 100,000 records, and held so they took some 50 MB of such a lint's memory. Only
    `shared_fields` makes one (and the catalog, of one it stored); `graph_edges` reads it (a record's own
    `transition_graph` that is a string is no graph at all)."""

    __slots__ = ()

    def edges(self, kinds: tuple[str, ...] | None = None) -> Iterator["GraphEdge"]:
        """The `graph_edges` of the `graph_targets` that `pack_graph` packed (of `kinds`, or of every list)."""
        for line in self.split("\n") if self else ():
            kind, *targets = line.split("\t")
            if kinds is None or kind in kinds:
                yield from (GraphEdge(kind, index, target) for index, target in enumerate(targets))


def pack_graph(graph: dict[str, list]) -> str | None:
    """`graph` (of `graph_targets`) as one string: a line per edge list, its kind and its targets apart by tabs;
    None when that would not be exact (a target that is not a string, or a tab or line break in a name)."""
    lines = []
    for kind, edges in graph.items():
        targets = [edge["error_id"] if type(edge) is dict else None for edge in edges]
        if not all(type(name) is str and "\t" not in name and "\n" not in name for name in (kind, *targets)):
            return None
        lines.append("\t".join((kind, *targets)))
    return "\n".join(lines)


def escape_pointer_token(token: str | int) -> str:
    """Escape one RFC 6901 reference token."""
    return str(token).replace("~", "~0").replace("/", "~1")


def make_pointer(*tokens: str | int) -> str:
    """Build an RFC 6901 pointer from path tokens: make_pointer("a", 0) == "/a/0"."""
    return "".join("/" + escape_pointer_token(token) for token in tokens)


_TOKEN = re.compile(r'("(?:[^"\\]|\\.)*")\s*:|"(?:[^"\\]|\\.)*"|[{}\[\]]|[^\s{}\[\]:,"]+')


def value_offsets(text: str) -> dict[str, int]:
    """Map every JSON pointer of a valid JSON document to the character offset where its value starts.

    One regex-driven pass over the tokens (a key and its colon are one token; commas are skipped).
    For duplicate keys the last occurrence wins, as in the parsed data.
    """
    offsets: dict[str, int] = {}
    stack: list[list] = []  # frames: [container pointer, is object, next array index, current key]
    for match in _TOKEN.finditer(text):
        key = match.group(1)
        if key is not None:
            key = json.loads(key) if "\\" in key else key[1:-1]
            stack[-1][3] = escape_pointer_token(key) if ("~" in key or "/" in key) else key
            continue
        first = text[match.start()]
        if first in "}]":
            stack.pop()
            continue
        if not stack:
            pointer = ""
        else:
            frame = stack[-1]
            if frame[1]:
                pointer = f"{frame[0]}/{frame[3]}"
            else:
                pointer = f"{frame[0]}/{frame[2]}"
                frame[2] += 1
        offsets[pointer] = match.start()
        if first in "{[":
            stack.append([pointer, first == "{", 0, None])
    return offsets


_BLANK = re.compile(r"[ \t\n\r]*")
_SKIPPER = json.JSONDecoder()


def value_start(text: str, pointer: str, members: dict[int, dict | list] | None = None, root: Any = None) -> int:
    """Character offset where the value that `pointer` names starts in `text`, a valid JSON document;
    for a pointer to a value that is absent (e.g. a missing required key), where its nearest existing
    parent starts. For duplicate keys the last occurrence wins, as in the parsed data.

    Only the path to the value is walked: the values beside it are stepped over by the json module's
    C scanner, so placing a finding costs the number of siblings on its path, not a scan of the file.
    `members` keeps the containers already walked (by offset), for the next pointer into the same text.
    `root`, the text's parsed data, lets a top-level key written once be found without a walk.
    """
    members = {} if members is None else members
    position = _BLANK.match(text).end()
    tokens = pointer.split("/")[1:]
    if tokens and isinstance(root, dict) and tokens[0] in root:
        found = _only_key(text, tokens[0])
        if found is not None:
            position, tokens = found, tokens[1:]
    for token in tokens:
        if position not in members:
            members[position] = _members(text, position)
        children = members[position]
        if isinstance(children, dict):
            found = children.get(token.replace("~1", "/").replace("~0", "~"))
        else:
            found = children[int(token)] if token.isdigit() and (token == "0" or token[0] != "0") and int(token) < len(children) else None
        if found is None:
            break
        position = found
    return position


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")


def _only_key(text: str, key: str) -> int | None:
    """Where the value of `key` starts when the text names that key once and only once, so that the
    key found is the top-level object's own (which holds it); None when it cannot be told so cheaply.

    A key of letters, digits and underscores is written `"key"` unless with \\u escapes: in a text without
    any, the top-level object's key is one of the places where `"key"` and a colon follow each other (the
    others: the same key in other objects or repeated, a key that ends so). When it is the only one, it is
    the top-level key.
    """
    if not _PLAIN_KEY.fullmatch(key) or _has_unicode_escape(text):
        return None
    needle, found, start = f'"{key}"', None, 0
    while (start := text.find(needle, start)) >= 0:
        after = _BLANK.match(text, start + len(needle)).end()
        if text[after:after + 1] == ":":
            if found is not None:
                return None
            found = _BLANK.match(text, after + 1).end()
        start += len(needle)
    return found


@functools.lru_cache(maxsize=1)
def _has_unicode_escape(text: str) -> bool:
    """Whether `text` holds a \\u escape (asked again for each finding placed in the same record: the last
    text's answer is remembered, at the cost of hashing it once)."""
    return "\\u" in text


def _members(text: str, position: int) -> dict[str, int] | list[int]:
    """Where each member of the object (key -> offset; the last of duplicate keys wins) or array (offsets)
    starting at `position` starts; an empty list for a scalar."""
    opening = text[position]
    if opening not in "{[":
        return []
    keys: dict[str, int] = {}
    items: list[int] = []
    position = _BLANK.match(text, position + 1).end()
    while text[position] not in "}]":
        if opening == "{":
            key, end = json.decoder.scanstring(text, position + 1)
            position = _BLANK.match(text, _BLANK.match(text, end).end() + 1).end()  # past the colon
            keys[key] = position
        else:
            items.append(position)
        _, end = _SKIPPER.raw_decode(text, position)
        position = _BLANK.match(text, end).end()
        if text[position] == ",":
            position = _BLANK.match(text, position + 1).end()
    return keys if opening == "{" else items


def line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    line_start = text.rfind("\n", 0, index) + 1
    return line, index - line_start + 1


class _DuplicateKeys:
    """`object_pairs_hook` that remembers duplicate keys instead of losing data. The keys are interned:
    every record has the same few dozen, and the json module shares them only within one file (the
    records of a 10,000-record KB take 71 MB instead of 97, and are parsed no slower)."""

    def __init__(self) -> None:
        self.duplicates: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = {sys.intern(key): value for key, value in pairs}
        if len(result) != len(pairs):  # rare: find which keys repeat
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.duplicates.append((key, result))
                seen.add(key)
        return result


class _UnrepresentableNumber(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _UnrepresentableNumber(f"the number {text[:40]} is too large to represent; use a finite number")
    if value == 0 and any(digit in "123456789" for digit in text.lower().split("e")[0]):
        raise _UnrepresentableNumber(f"the number {text[:40]} is too small to represent: it would be read as 0; "
                                     "write 0, or a number of at least 1e-300")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (use a number or null)")


_BRACKET_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _max_depth(text: str) -> tuple[int, int]:
    """Deepest nesting of brackets outside strings, and where it was reached."""
    depth = deepest = where = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
                if deepest > MAX_NESTING_DEPTH:
                    break
        elif char in "]}":
            depth -= 1
    return deepest, where


def _object_pointers(root: Any, targets: set[int]) -> dict[int, str]:
    """Pointers of the objects whose id() is in `targets`, found in one walk over `root`.

    One walk for all of them: a file with thousands of objects that each repeat a key must
    not cost one walk per duplicate.
    """
    found: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack and len(found) < len(targets):
        node, pointer = stack.pop()
        if isinstance(node, dict):
            if id(node) in targets:
                found[id(node)] = pointer
            stack.extend((value, pointer + "/" + escape_pointer_token(k)) for k, value in node.items()
                         if isinstance(value, (dict, list)))
        elif isinstance(node, list):
            stack.extend((value, f"{pointer}/{index}") for index, value in enumerate(node) if isinstance(value, (dict, list)))
    return found


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_lone_surrogate(root: Any) -> bool:
    """Whether a key or string anywhere in `root` holds a lone surrogate (from a `\\ud800` escape)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if _LONE_SURROGATE.search(node):
                return True
        elif isinstance(node, dict):
            if any(_LONE_SURROGATE.search(key) for key in node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def parse_record_text(record: RecordFile, raw: bytes) -> None:
    """Decode and parse `raw` into `record`, adding a problem for every defect."""

    def fail(message: str, line: int = 1, column: int = 1) -> None:
        record.problems.append(ParseProblem(INVALID_JSON, message, "", line, column))

    if raw.startswith(b"\xef\xbb\xbf"):
        fail("the file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")
        return
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail("the file is UTF-16; save it as UTF-8")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = raw[: error.start]
        line = prefix.count(b"\n") + 1
        column = error.start - (prefix.rfind(b"\n") + 1) + 1
        fail(f"the file is not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); save it as UTF-8", line, column)
        return
    record.text = text
    if not text.strip():
        fail("the file is empty; a record is one JSON object")
        return
    if "\x00" in text:
        fail("the file contains NUL characters; it is binary, not a JSON record", *line_column(text, text.index("\x00")))
        return
    depth, where = _max_depth(text) if text.count("[") + text.count("{") > MAX_NESTING_DEPTH else (0, 0)
    if depth > MAX_NESTING_DEPTH:
        fail(f"objects and arrays are nested more than {MAX_NESTING_DEPTH} levels deep", *line_column(text, where))
        return
    duplicates = _DuplicateKeys()
    try:
        data = json.loads(text, object_pairs_hook=duplicates, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        fail(*explain_json_error(text, error))
        return
    except _UnrepresentableNumber as error:
        fail(str(error))
        return
    except ValueError as error:  # NaN / Infinity from parse_constant, integers with too many digits
        fail(f"not valid JSON: {error}")
        return
    except RecursionError:
        fail("not valid JSON: nested too deeply")
        return
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(type(data), "a number")
        fail(f"the file holds {kind}, but a record is one JSON object {{...}}")
        return
    # Only an escape of a surrogate (\ud800 to \udfff) makes one: JSON decoded from UTF-8 holds none otherwise.
    if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(data):
        lone = next((match for match in _SURROGATE_ESCAPE.finditer(text) if len(match.group()) == 6), None)
        shown = lone.group() if lone else "\\ud800"
        fail(f"the record is not valid Unicode text: the escape {shown} is half of a surrogate pair and stands for no "
             "character; write the character itself, or a complete pair", *(line_column(text, lone.start()) if lone else (1, 1)))
        return
    record.data = data
    parents = _object_pointers(data, {id(parent) for _, parent in duplicates.duplicates}) if duplicates.duplicates else {}
    for key, parent in duplicates.duplicates[:MAX_DUPLICATE_KEY_PROBLEMS]:
        # A parent that a later duplicate replaced is no longer in the data: point at the whole file.
        pointer = parents[id(parent)] + "/" + escape_pointer_token(key) if id(parent) in parents else ""
        line, column = record.locate(pointer)
        record.problems.append(ParseProblem(
            DUPLICATE_KEY,
            f"key '{key}' appears more than once in the same object; JSON parsers keep only the last value, "
            "so the earlier one is silently lost: keep one",
            pointer, line, column))
    if len(duplicates.duplicates) > MAX_DUPLICATE_KEY_PROBLEMS:
        record.problems.append(ParseProblem(
            DUPLICATE_KEY,
            f"{len(duplicates.duplicates):,} keys repeat in their objects; only the first "
            f"{MAX_DUPLICATE_KEY_PROBLEMS} are listed: remove the duplicates and run kbtool lint again"))


def _innermost_open(text: str, end: int) -> str:
    """The innermost `{` or `[` still open at `end` (strings skipped), or "" when none is."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text[:end]:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def explain_json_error(text: str, error: json.JSONDecodeError) -> tuple[str, int, int]:
    """(message, line, column) for a JSON syntax error, naming the usual mistakes as such and saying
    what to do: a trailing comma, a string whose closing quote is missing, a missing comma."""
    position = error.pos
    if error.msg.startswith("Illegal trailing comma"):  # Python 3.13 names it, at the comma: look past it
        position = len(text[:position + 1]) + len(text[position + 1:]) - len(text[position + 1:].lstrip())
    before = text[:position].rstrip()
    if error.msg.startswith(("Expecting property name enclosed in double quotes", "Expecting value",
                             "Illegal trailing comma")) and before.endswith(",") \
            and text[position:position + 1] in ("}", "]") and _innermost_open(text, len(before)) == {"}": "{", "]": "["}[text[position]]:
        comma = len(before) - 1
        container = "object" if text[position] == "}" else "array"
        return (f"not valid JSON: a trailing comma after the last item of an {container}; JSON allows none: "
                "remove this comma", *line_column(text, comma))
    if error.msg.startswith(("Invalid control character", "Unterminated string")):
        line_start = text.rfind("\n", 0, position) + 1
        opening = text.rfind('"', line_start, position) if error.msg.startswith("Invalid") else position
        if text[position:position + 1] in ("\n", "\r", "") or error.msg.startswith("Unterminated"):
            start = opening if opening >= 0 else position
            return ("not valid JSON: a string is missing its closing quote: the string that starts here runs to the end "
                    'of the line; add the " that ends it (a quote inside a string is written \\")',
                    *line_column(text, start))
        return (f"not valid JSON: a control character (U+{ord(text[position]):04X}) inside a string; write it as an "
                "escape such as \\t or \\n", *line_column(text, position))
    if error.msg == "Expecting ',' delimiter":
        return ("not valid JSON: a comma is missing before this item; add a , after the previous value",
                error.lineno, error.colno)
    if error.msg == "Extra data":
        return ("not valid JSON: unexpected text after the end of the JSON object (one record per file)",
                error.lineno, error.colno)
    if error.msg.startswith("Invalid \\escape"):
        escaped = text[position + 1:position + 2]
        return (f"not valid JSON: \\{escaped} is not a JSON escape; a backslash in a JSON string is written twice, "
                f"so a regex's \\{escaped} is written \\\\{escaped} in the file", error.lineno, error.colno)
    if error.msg == "Expecting ':' delimiter":
        return 'not valid JSON: a colon is missing after this key; write "key": value', error.lineno, error.colno
    if error.msg.startswith(("Expecting value", "Expecting property name enclosed in double quotes")):
        found = _mistaken_token(text[position:position + 6])
        if found:
            return f"not valid JSON: {found}", error.lineno, error.colno
    return f"not valid JSON: {error.msg}", error.lineno, error.colno


def _mistaken_token(ahead: str) -> str | None:
    """What is wrong with the text where JSON expected a value or a key, when it is a usual slip (from Python
    or JavaScript habits); None otherwise."""
    if ahead.startswith("'"):
        return "JSON strings and keys are written in double quotes (\"...\"), not single quotes"
    if ahead.startswith(("//", "/*", "#")):
        return "JSON has no comments; remove it (a note for readers can go in a field of its own)"
    for word, written in (("True", "true"), ("False", "false"), ("None", "null"), ("undefined", "null")):
        if ahead.startswith(word):
            return f"{word} is not JSON; write {written}"
    if ahead[:1].isalpha():
        return "a word without quotes; JSON strings and keys are written in double quotes (\"...\")"
    return None


def read_record_file(path: Path, root: Path) -> RecordFile:
    """Read one record file strictly. Never raises for a bad file."""
    record, raw = read_record_bytes(path, root)
    if raw is not None:
        parse_record_text(record, raw)
    return record


def content_digest(raw: bytes) -> str:
    """The hash a record file's bytes are known by (`RecordFile.digest`)."""
    return blake2b(raw, digest_size=20).hexdigest()


def read_record_bytes(path: Path, root: Path) -> tuple[RecordFile, bytes | None]:
    """The record file at `path`, not parsed yet, and its bytes (None, with the problem noted, when
    they cannot be read)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    record = RecordFile(path=path, relative_path=relative)
    try:
        info = file_status(path)
        record.stat = status_key(info)
        raw = read_capped(path, MAX_FILE_BYTES, "record", info=info)
    except UnreadableFile as error:
        record.problems.append(ParseProblem(INVALID_JSON, str(error)))
        return record, None
    record.digest = content_digest(raw)
    return record, raw


def parse_known_clean(record: RecordFile, raw: bytes) -> None:
    """Parse `raw`, which the strict reader has already found free of problems (`parse_record_text`
    gave no problem for these very bytes): the standard parser then gives the same data, faster."""
    record.text = raw.decode("utf-8")
    record.data = json.loads(record.text)

"""Reading one Q&A article safely: YAML front matter and markdown blocks with their line numbers.

An article is a markdown file that starts with YAML front matter between two
`---` lines (`title`, `id`, `date`, optional `source_url`). The front matter
is read with PyYAML's safe loader (tags such as `!!python/object` are reported,
never constructed), after checking that aliases do not expand it beyond a
bound (a "billion laughs" document is refused before it is built). The body
is parsed by markdown-it-py (CommonMark) into blocks that keep their kind
(paragraph, heading, blockquote, fenced code with its info string, indented
code, HTML) and the 1-based line of their first line.

A file that is too large, binary, not UTF-8, or has missing or broken front
matter gives an :class:`ArticleProblem` instead of an article; nothing here
raises for bad input.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from kbtool.files import UnreadableFile, read_capped, walk_files

#: Articles larger than this are refused without being read into memory.
MAX_ARTICLE_BYTES = 1024 * 1024
#: Front matter larger than this is refused (real front matter is a few lines).
MAX_FRONT_MATTER_BYTES = 64 * 1024
#: Aliases may not expand the front matter beyond this many YAML nodes.
MAX_FRONT_MATTER_NODES = 10_000
#: Lines longer than this are cut before any heuristic looks at them.
MAX_LINE_CHARS = 8_000

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PRE_TAG = re.compile(r"<pre\b", re.IGNORECASE)
#: A `<pre>` that blank lines split into several HTML blocks is read on for at most this many lines.
MAX_PRE_LINES = 200
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|code|del|div|em|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|pre|"
    r"s|samp|small|span|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|details|summary|section|article)"
    r"\b[^>]{0,500}>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArticleProblem:
    """Why an article was skipped (or a note about one that was read)."""

    path: str
    line: int
    message: str


@dataclass(frozen=True)
class Block:
    """One markdown block: its kind, its text lines and the file line of the first one."""

    kind: str  # title, heading, paragraph, blockquote, list, fence, code, pre, html
    lines: tuple[str, ...]
    first_line: int  # 1-based line in the file
    info: str = ""  # the fence's info string (language), lower-case
    section: str = ""  # text of the nearest heading above

    @property
    def is_code(self) -> bool:
        return self.kind in ("fence", "code", "pre")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Article:
    """An article that was read: front matter fields and blocks."""

    path: Path
    relative_path: str
    id: str
    title: str
    date: dt.date | None
    source_url: str | None
    blocks: list[Block]
    title_line: int = 1
    notes: list[ArticleProblem] = field(default_factory=list)


class _FrontMatterError(Exception):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def _markdown() -> MarkdownIt:
    """CommonMark block parsing only: inline text is kept raw (the message finder reads it), which also
    spares the inline parser's slow paths on hostile input (thousands of `**` or `[`)."""
    parser = MarkdownIt("commonmark", {"maxNesting": 40}).use(front_matter_plugin)
    parser.core.ruler.disable(["inline", "text_join"], ignoreInvalid=True)
    return parser


_PARSER = _markdown()


_CELL_PRE = re.compile(r"<pre\b[^>]{0,200}>(.{0,20000}?)</pre>", re.IGNORECASE | re.DOTALL)
#: An author's placeholder set in italics inside a message: `libcudnn.<i>Version</i>` → `libcudnn.<Version>`.
_PLACEHOLDER_TAG = re.compile(r"<(?:i|em|var)>([A-Za-z][\w ]{0,40})</(?:i|em|var)>", re.IGNORECASE)


def _pre_cells(content: str) -> list[tuple[int, str]]:
    """(offset, inner text) of each `<pre>` of an HTML table (`<td>`); empty for any other HTML."""
    if "<td" not in content.lower() or not _PRE_TAG.search(content):
        return []
    return [(match.start(1), match.group(1)) for match in _CELL_PRE.finditer(content)]


def clean_html(text: str) -> str:
    """Remove HTML tags (not author placeholders like `<some type>`) and decode entities such as `&nbsp;`."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text.replace("\u00a0", " ")


def _nodes(node: yaml.Node) -> Iterator[yaml.Node]:
    """The nodes of the front matter as written: each once, however often an alias repeats it."""
    seen: set[int] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                pending.extend((key_node, value_node))


def _distinct_nodes(node: yaml.Node) -> int:
    """How many nodes the front matter holds as written."""
    return sum(1 for _ in _nodes(node))


def _expanded_size(node: yaml.Node, memo: dict[int, int], cap: int, depth: int = 0) -> int:
    """How many nodes `node` becomes once aliases are expanded (capped just above `cap`)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 100:
        raise _FrontMatterError("the front matter is nested more than 100 levels deep")
    total = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            total += _expanded_size(child, memo, cap, depth + 1)
            if total > cap:
                break
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            total += _expanded_size(key_node, memo, cap, depth + 1) + _expanded_size(value_node, memo, cap, depth + 1)
            if total > cap:
                break
    memo[key] = min(total, cap + 1)
    return memo[key]


def _alias_expansion(node: yaml.Node) -> int:
    """How many values alias expansion adds to the front matter (0 without aliases; capped just above
    MAX_FRONT_MATTER_NODES). Values written out, however many, do not count: only repetition does."""
    written = _distinct_nodes(node)
    cap = written + MAX_FRONT_MATTER_NODES
    return _expanded_size(node, {}, cap) - written


_DEEP_HINTS = re.compile(r"(?:[-?:]\s+){8}|^ {64}", re.MULTILINE)


def _may_be_deep(text: str) -> bool:
    """True when the front matter might nest deeper than a handful of levels."""
    return text.count("[") + text.count("{") > 32 or _DEEP_HINTS.search(text) is not None


def _refuse_repeated_keys(node: yaml.Node) -> None:
    """A key written twice in one mapping of the front matter: YAML keeps the last value and loses the other
    without a word (as a JSON record's `duplicate-key`), so the article is refused, naming both lines."""
    for mapping in (current for current in _nodes(node) if isinstance(current, yaml.MappingNode)):
        lines: dict[str, int] = {}
        for key, _ in mapping.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 2  # the front matter starts on the article's line 2
                if key.value in lines:
                    raise _FrontMatterError(f"the front matter has the key '{key.value}' twice (lines {lines[key.value]} "
                                            f"and {line}); YAML keeps only the last value: keep one", line)
                lines[key.value] = line


def parse_front_matter(text: str) -> dict:
    """The front matter as a dict, read safely; raises _FrontMatterError with a clear message."""
    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise _FrontMatterError(f"the front matter is larger than {MAX_FRONT_MATTER_BYTES:,} bytes")
    # libyaml (the fast C loader) can overflow the C stack on deeply nested input and kill the process;
    # PyYAML's pure-Python loader raises RecursionError instead. Real front matter is flat.
    loader = (yaml.SafeLoader if _may_be_deep(text) else _SAFE_LOADER)(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise _FrontMatterError("the front matter is nested too deeply") from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise _FrontMatterError(f"the front matter is not valid YAML: {problem}", line) from None
        if node is None:
            raise _FrontMatterError("the front matter is empty; it needs at least title and id")
        if _alias_expansion(node) > MAX_FRONT_MATTER_NODES:
            raise _FrontMatterError(
                f"the front matter's aliases expand to more than {MAX_FRONT_MATTER_NODES:,} values "
                "(a YAML bomb?); write the values out instead of repeating aliases")
        _refuse_repeated_keys(node)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            raise _FrontMatterError(
                f"the front matter uses a YAML tag that is not plain data ({error.problem}); "
                "only strings, numbers, dates, lists and mappings are allowed", line) from None
        except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError) as error:
            raise _FrontMatterError(f"the front matter cannot be read: {type(error).__name__}: {error}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _FrontMatterError("the front matter must be a mapping of keys (title, id, date) to values")
    return data


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10]) if len(value.strip()) >= 10 else None
        except ValueError:
            return None
    return None


def _block_lines(content: str) -> tuple[str, ...]:
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(line[:MAX_LINE_CHARS] for line in lines)


def _blocks(tokens: list, source_lines: list[str]) -> tuple[list[Block], list[tuple[int, str]]]:
    """Blocks in document order, and notes about the document (e.g. an unclosed fence)."""
    blocks: list[Block] = []
    notes: list[tuple[int, str]] = []
    section = ""
    containers: list[str] = []
    heading_level = None
    skip_until = 0  # source lines already read into a `<pre>` that ran over blank lines
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("inline", "fence", "code_block", "html_block") and token.map and token.map[0] < skip_until:
            continue  # (the tokens that open and close containers still pass, so they stay balanced)
        if kind in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            containers.append("blockquote" if kind == "blockquote_open" else "list")
        elif kind in ("blockquote_close", "bullet_list_close", "ordered_list_close"):
            if containers:
                containers.pop()
        elif kind == "heading_open":
            heading_level = token.tag
        elif kind == "heading_close":
            heading_level = None
        elif kind == "inline" and token.map:
            lines = _block_lines(clean_html(token.content))
            if heading_level is not None:
                section = " ".join(lines)
                blocks.append(Block("heading", lines, token.map[0] + 1, section=section))
            else:
                block_kind = "blockquote" if "blockquote" in containers else ("list" if containers else "paragraph")
                blocks.append(Block(block_kind, lines, token.map[0] + 1, section=section))
        elif kind == "fence" and token.map:
            last = source_lines[token.map[1] - 1].strip() if 0 <= token.map[1] - 1 < len(source_lines) else ""
            if token.map[1] - 1 == token.map[0] or not (last.startswith(token.markup) and not last.strip(token.markup[0])):
                notes.append((token.map[0] + 1, f"the code fence {token.markup} is never closed; "
                              "its text up to the end of the file is read as code"))
            info = token.info.strip().split()[0].lower() if token.info.strip() else ""
            blocks.append(Block("fence", _block_lines(token.content), token.map[0] + 2, info=info, section=section))
        elif kind == "code_block" and token.map:
            blocks.append(Block("code", _block_lines(token.content), token.map[0] + 1, section=section))
        elif kind == "html_block" and token.map:
            content = token.content
            opened = [match.start() for match in _PRE_TAG.finditer(content)]
            if opened and "</pre" not in content[opened[-1]:].lower():
                # A blank line inside a `<pre>` ends CommonMark's HTML block, not the `<pre>`: its text runs on to
                # `</pre>` (at most MAX_PRE_LINES lines further), which is read here and not as markdown.
                for end in range(token.map[1], min(len(source_lines), token.map[1] + MAX_PRE_LINES)):
                    if "</pre" in source_lines[end].lower():
                        content = "\n".join(source_lines[token.map[0]: end + 1]) + "\n"
                        skip_until = end + 1
                        break
            cells = _pre_cells(content)
            if cells:
                # A table whose cells hold `<pre>` messages (a page of error messages and their answers): each
                # `<pre>` is a block of its own, so one cell's message never runs into the next cell's text.
                for offset, pre in cells:
                    first = token.map[0] + 1 + content.count("\n", 0, offset)
                    blocks.append(Block("pre", _block_lines(clean_html(_PLACEHOLDER_TAG.sub(r"<\1>", pre))), first,
                                        info="cell", section=section))
            elif _PRE_TAG.search(content):
                blocks.append(Block("pre", _block_lines(clean_html(content)), token.map[0] + 1, section=section))
            else:
                blocks.append(Block("html", _block_lines(clean_html(content)), token.map[0] + 1, section=section))
    return blocks, notes


def _title_line(front_matter_text: str) -> int:
    for number, line in enumerate(front_matter_text.split("\n"), start=2):
        if line.startswith("title:"):
            return number
    return 1


def read_article(path: Path, root: Path) -> Article | ArticleProblem:
    """Read one article. Never raises for a bad file: returns an ArticleProblem saying what is wrong."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        relative = Path(path).as_posix()

    def problem(message: str, line: int = 1) -> ArticleProblem:
        return ArticleProblem(relative, line, message)

    try:
        raw = read_capped(path, MAX_ARTICLE_BYTES, "article", refused="skipped")
    except UnreadableFile as error:
        return problem(str(error))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        return problem("contains NUL bytes: it is a binary file, not a markdown article")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return problem(f"is not valid UTF-8 (byte 0x{raw[error.start]:02x}); save it as UTF-8", line)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("---"):
        return problem("has no front matter: an article starts with a '---' line, then title, id and date, then '---'")
    try:
        tokens = _PARSER.parse(text)
    except RecursionError:
        return problem("is nested too deeply to be parsed as markdown")
    except Exception as error:  # a parser bug on strange input must cost one article, not the run
        return problem(f"cannot be parsed as markdown ({type(error).__name__}: {error})")
    if not tokens or tokens[0].type != "front_matter":
        return problem("has no closed front matter: add a '---' line after the title, id and date")
    front_token = tokens[0]
    try:
        meta = parse_front_matter(front_token.content)
    except _FrontMatterError as error:
        return problem(str(error), error.line)
    missing = [key for key in ("title", "id") if not isinstance(meta.get(key), str) or not meta.get(key).strip()]
    if missing:
        names = " and ".join(missing)
        return problem(f"the front matter has no {names} (a non-empty string); add {names}", 2)
    date = None
    if meta.get("date") is not None:
        date = _as_date(meta.get("date"))
        if date is None:
            return problem(f"the front matter's date {str(meta.get('date'))[:40]!r} is not a date; write it as YYYY-MM-DD", 2)
    source_url = meta.get("source_url") if isinstance(meta.get("source_url"), str) else None
    blocks, notes = _blocks(tokens[1:], text.split("\n"))
    title = clean_html(" ".join(meta["title"].split()))[:MAX_LINE_CHARS]
    title_line = _title_line(front_token.content)
    blocks.insert(0, Block("title", (title,), title_line))
    return Article(
        path=Path(path), relative_path=relative, id=meta["id"].strip(), title=title, date=date,
        source_url=source_url, blocks=blocks, title_line=title_line,
        notes=[problem(message, line) for line, message in notes],
    )


def discover_articles(paths: list[Path]) -> list[Path]:
    """Every `*.md`/`*.markdown` file under `paths` (files given directly are kept), sorted, links not followed."""
    found: list[Path] = []
    for base in paths:
        if base.is_file() or base.is_symlink():
            found.append(base)
            continue
        # Links to folders, folders named like articles and folders nested too deeply are reported
        # by the reader, never entered.
        found.extend(walk_files(base, (".md", ".markdown"), hidden_files=False))
    return found

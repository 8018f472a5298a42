"""Finding the error messages in an article, wherever the author put them.

Deterministic heuristics, no model. A message has one of a few *shapes*:

* Python-style exceptions, also fully qualified: ``ValueError: …``,
  ``tensorflow.python.framework.errors_impl.InvalidArgumentError: …``;
* tool errors at the start of a line: pip's ``ERROR: …``, ``error: …``, ``fatal: …``;
* compiler diagnostics: ``file.h:20:10: fatal error: …``, ``<unknown>:0: error: …``;
* framework log lines of error severity: ``E tensorflow/…cc:45] …``, ``E/tag: …``,
  and warning lines (``W …cc:45] …``) only when they say that something failed;
* runtime messages without an exception prefix: ``… failed to prepare.``,
  ``[ONNXRuntimeError] : 2 : …``, ``CUDA error: …``.

Where a shape may start depends on the block. In code and console output a
message starts a line (or a comment: ``# ValueError: …``), so strings that the
article's own code prints or raises (``print(f"Caught ValueError: {e}")``) are
not messages; output that merely reproduces such a string is dropped too. In
prose a message is found in inline code, in quotes, in bold, in headings,
blockquotes and the title, or unquoted after the text that introduces it; it
ends at the end of its line, at a closing quote or backtick, or where Chinese,
Japanese or Korean prose resumes. A message that continues on indented lines
(or after a line ending in ``:``) is taken whole.

What is not a message: log lines that are not errors, success output, a
heading that names a problem without quoting it, a bare class name or status
code (``a TypeError``, ``CUDA_ERROR_INVALID_VALUE``), the statistical "mean
squared error". A message that the article presents as hypothetical ("may
vary", "potential error message", "something like") is kept with low
confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.extract.articles import Article, Block

HIGH, LOW = "high", "low"

#: Messages longer than this are cut (the schema caps `signature` at 4000 characters).
MAX_MESSAGE_CHARS = 2000
#: At most this many continuation lines are joined to a message.
MAX_CONTINUATION_LINES = 12

_QUALIFIER = r"(?:[A-Za-z_][A-Za-z0-9_]{0,60}\.){0,8}"
_EXCEPTION_NAME = r"[A-Z][A-Za-z0-9_]{0,60}?(?:Error|Exception|Exit|Interrupt|Fault|Failure)"
# `Name: body` — the body starts with something other than a space and is checked by _good_body.
_PYTHON = re.compile(rf"(?P<name>{_QUALIFIER}{_EXCEPTION_NAME}): (?=\S)")
_PYTHON_ANYWHERE = re.compile(rf"(?<![A-Za-z0-9_.\-/])(?P<name>{_QUALIFIER}{_EXCEPTION_NAME}): (?=\S)")
_RUNTIME = re.compile(
    rf"(?:(?:{_QUALIFIER}[A-Z][A-Za-z0-9_]{{0,60}}: )?\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : "
    r"|CUDA error: |cuDNN error: |CUBLAS error: |CUDA out of memory\. "
    r"|terminate called after throwing an instance of "
    r"|Didn't find op for builtin opcode "
    r"|(?:Got )?permission denied while trying to connect to the Docker daemon socket |docker: Error response from daemon: )"
)
_RUNTIME_ANYWHERE = re.compile(r"(?<![A-Za-z0-9_])" + _RUNTIME.pattern)
_FAILED_TO_PREPARE = re.compile(r"^(?P<message>\S.{2,300}? failed to (?:prepare|invoke)\.?)\s*$")
_TOOL = re.compile(r"(?:(?:ERROR|Error|error|FATAL|fatal|Exception|error\[E\d{4}\]): |npm ERR! )(?=\S)")
_COMPILER = re.compile(
    r"(?:(?:[A-Za-z]:)?[^\s:()]{1,300}|<unknown>|<stdin>|<source>):\d{1,7}(?::\d{1,7})?: (?:fatal error|error): (?=\S)"
    r"|(?:[A-Za-z]:)?[^\s:()]{1,300}\(\d{1,7}(?:,\d{1,7})?\): (?:fatal )?error [A-Z]{1,4}\d{1,6}: (?=\S)"
    r"|(?:collect2|ld|/usr/bin/ld|clang|gcc|g\+\+|cc1plus|nvcc)(?: fatal)?\s*: (?:fatal )?(?:error: |cannot find )(?=\S)"
    r"|nvcc fatal\s*: (?=\S)"
    r"|[^\s:]{1,300}:\([^)]{1,100}\): undefined reference to (?=\S)"
)
_LOG_TIMESTAMP = r"(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?:? )?"
_LOG = re.compile(
    _LOG_TIMESTAMP
    + r"(?:(?P<glog>[EFW])(?:\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+\s+|\s+)[\w./\\-]{1,300}:\d{1,6}\]\s+"
    r"|(?P<logcat>[EFW])/[\w.$-]{1,100}(?:\(\s*\d+\))?:\s+"
    r"|\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+\d+\s+\d+ (?P<threadtime>[EFW]) [^:]{1,100}: "
    r"|(?P<pylog>ERROR|CRITICAL):[\w.]{1,100}:)"
)
_PREFIXES = re.compile(
    r"^(?:Exception in thread \"[^\"]{0,100}\" |Caused by: |Uncaught |Unhandled exception: |"
    r"\[(?:ERROR|FATAL)\] |(?:\[\d+/\d+\] )|PS [^>]{0,200}> )"
)
_TRACEBACK_HEADER = "Traceback (most recent call last):"
_FRAME = re.compile(r'File "[^"]{1,500}", line \d+(?:, in [^\s]{1,200})?')
_FRAME_LINE = re.compile(r'^\s*(?:File "|at [\w$.<>]+\(|\^+\s*$|~+\^*\s*$|\d*\s*\|)')
_PROMPT = re.compile(r"^\s*(?:\$ |PS [^>]{0,200}> |# (?=pip |python|sudo |apt|conda |git |cd |export )|>>> |\.\.\. |In \[\d+\]:|C:\\[^>]{0,200}>)")
_COMMENT = re.compile(r"^\s*(?:#+|//+|--|;+|/\*+|\*+|REM\b|%+)\s?")
_TRAILING_COMMENT = re.compile(r"\s(?:#|//)\s+(?=\S)")
_FAILURE_WORDS = re.compile(
    r"\b(?:error|errors|fail|failed|failure|fails|cannot|can't|could not|couldn't|unable|not found|no such|"
    r"invalid|unsupported|not supported|denied|refused|abort|aborted|fatal|exception|mismatch|incompatible|"
    r"out of memory|missing|undefined|not implemented)\b",
    re.IGNORECASE,
)
_HEDGES = re.compile(
    r"may vary|might vary|potential(?:ly)? error|possible error|something like|something similar|similar to|"
    r"might look like|may look like|could look like|would look like|might see|may see|might get|may get|"
    r"could get|might be something|hypothetical|approximate|approximately|roughly|paraphras|"
    r"(?:error|message) (?:along the lines|of the form)|illustrative|for illustration",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff01-\uff5e\u3000-\u303f]")
_INLINE_CODE = re.compile(r"(`+)(?P<code>(?:(?!\1).){1,3000}?)\1", re.S)
_DOUBLE_QUOTED = re.compile(r"(?:\"(?P<a>[^\"\n]{3,2000})\"|\u201c(?P<b>[^\u201d\n]{3,2000})\u201d)")
_SINGLE_QUOTED = re.compile(r"(?:(?<=\s)|^)'(?P<c>[^\n]{3,2000}?)'(?=[\s?.!,;:)]|$)")
_BOLD = re.compile(r"(\*\*|__)(?P<bold>[^\n]{3,2000}?)\1")
_WORD = re.compile(r"[A-Za-z]{2,}")

_CODE_LANGUAGES = {
    "python", "py", "python3", "c", "cpp", "c++", "cc", "cuda", "cu", "java", "kotlin", "javascript", "js",
    "typescript", "ts", "go", "rust", "rs", "swift", "csharp", "cs", "ruby", "php", "scala", "r", "julia",
    "cmake", "dockerfile", "yaml", "json", "toml", "ini", "sql", "makefile",
}
_OWN_STRING = re.compile(r"(?P<q>[\"'])(?P<s>(?:\\.|(?!(?P=q)).){3,500}?)(?P=q)")
_OUTPUTS = re.compile(
    r"\b(?:print|printf|fprintf|sprintf|puts|echo|raise|throw|log|logger|logging|warn|warning|error|"
    r"exit|abort|die|panic|cerr|cout|console|sys\.exit|Exception|Error|assert|message|msg|LOG)\b"
)
_FORMAT_HOLE = re.compile(r"\{[^{}]{0,100}\}|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]{1,2}|\"\s*\+\s*[\w.()]+\s*\+\s*\"|\\n|\\t")


@dataclass(frozen=True)
class Occurrence:
    """One place an error message was found."""

    text: str
    line: int
    confidence: str
    where: str  # the kind of block (title, heading, paragraph, fence, ...)
    block_index: int


@dataclass(frozen=True)
class FoundMessage:
    """A distinct message of an article, with the line of its representative occurrence."""

    signature: str
    line: int
    confidence: str
    block_index: int
    lines: tuple[int, ...]  # every line it occurs on


def clean_signature(text: str) -> str:
    """Strip stray backticks, markdown emphasis, trailing spaces; collapse inner runs of spaces on each line."""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [" ".join(part.split()) if index == 0 else part.rstrip() for index, part in enumerate(text.split("\n"))]
    text = "\n".join(line for line in lines if line.strip())
    text = text.strip().strip("`").strip()
    if text.startswith(("**", "__")) and text.endswith(("**", "__")):
        text = text[2:-2].strip()
    text = text.rstrip("`*").rstrip()
    if text.endswith((",", ";")):
        text = text[:-1].rstrip()
    return text[:MAX_MESSAGE_CHARS]


def _good_body(body: str, named: bool = False) -> bool:
    """A message body names something: letters (after an exception name, any letter or digit), not a format hole."""
    body = body.strip()
    if not body or not re.search(r"[A-Za-z0-9\u3400-\u9fff]" if named else r"[A-Za-z\u3400-\u9fff]{2,}", body):
        return False
    if re.fullmatch(r"[{%]\S*[}sd]?|\{[^}]*\}|%s|\.\.\.|…", body):
        return False
    return True


def _match_shape(text: str, code_like: bool, allow_tool: bool) -> str | None:
    """The message, if `text` (already stripped of prompts and comment markers) starts with a shape."""
    text = text.strip()
    prefix = _PREFIXES.match(text)
    if prefix:
        text = text[prefix.end():]
    match = _PYTHON.match(text)
    if match:
        return text if _good_body(text[match.end():], named=True) else None
    match = _RUNTIME.match(text)
    if match:
        return text if _good_body(text[match.end():] or text) else None
    match = _LOG.match(text)
    if match:
        body = text[match.end():].strip()
        severity = match.group("glog") or match.group("logcat") or match.group("threadtime") or "E"
        if not _good_body(body):
            return None
        if severity == "W" and not _FAILURE_WORDS.search(body):
            return None
        inner = _match_shape(body, code_like, allow_tool)
        return inner or body
    match = _FAILED_TO_PREPARE.match(text)
    if match:
        return match.group("message")
    if allow_tool:
        match = _COMPILER.match(text)
        if match and _good_body(text[match.end():]):
            return text
        match = _TOOL.match(text)
        if match:
            body = text[match.end():]
            words = _WORD.findall(body)
            if len(words) >= 2 or re.search(r"[a-z]+-[a-z]+-[a-z]+", body):
                return text
    return None


def _continuation(lines: tuple[str, ...], start: int, first: str, comment: bool) -> tuple[str, int]:
    """The message starting with `first` on lines[start], extended over its continuation lines."""
    parts = [first]
    ends_with_colon = first.rstrip().endswith(":")
    index = start + 1
    while index < len(lines) and index - start <= MAX_CONTINUATION_LINES:
        line = lines[index]
        if comment:
            marker = _COMMENT.match(line)
            if not marker:
                break
            line = line[marker.end():]
            if not line.startswith((" ", "\t")) and not ends_with_colon:
                break
        if not line.strip():
            break
        if _PROMPT.match(line) or _FRAME_LINE.match(line) or _TRACEBACK_HEADER in line:
            break
        if _match_shape(line, True, True) and not line.startswith((" ", "\t")):
            break
        indented = line.startswith((" ", "\t"))
        if not (indented or ends_with_colon):
            break
        parts.append(line.rstrip())
        index += 1
    return "\n".join(parts), index - 1


def _after_last_frame(line: str) -> str | None:
    """The message at the end of a traceback that was pasted onto one line."""
    position = line.find(_TRACEBACK_HEADER)
    if position < 0:
        return None
    rest = line[position + len(_TRACEBACK_HEADER):]
    frames = list(_FRAME.finditer(rest))
    tail = rest[frames[-1].end():] if frames else rest
    match = _PYTHON_ANYWHERE.search(tail)
    if match and _good_body(tail[match.end():]):
        return tail[match.start():]
    return None


def _hedged(lines: tuple[str, ...], index: int, before: str) -> bool:
    """True when the message's line or the two lines before it present it as hypothetical."""
    window = list(lines[max(0, index - 2): index + 1])
    text = "\n".join(window)
    if index < 2:
        text = before + "\n" + text
    return bool(_HEDGES.search(text))


def _code_occurrences(block: Block, block_index: int, before: str) -> list[Occurrence]:
    found: list[Occurrence] = []
    lines = block.lines
    source_code = block.info in _CODE_LANGUAGES
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or _PROMPT.match(line):
            index += 1
            continue
        one_line = _after_last_frame(line) if _TRACEBACK_HEADER in line else None
        if one_line:
            found.append(Occurrence(one_line, block.first_line + index, LOW if _hedged(lines, index, before) else HIGH,
                                    block.kind, block_index))
            index += 1
            continue
        comment = _COMMENT.match(line)
        candidate_text, is_comment = line, False
        if comment and (source_code or line.lstrip().startswith(("#", "//"))) and not line.lstrip().startswith("#!"):
            candidate_text, is_comment = line[comment.end():], True
            # "Error message example: ValueError: …" — a label before the message.
            labelled = re.match(r"^[\w ()'-]{0,60}:\s+(?=\S)", candidate_text)
            if labelled and not _match_shape(candidate_text, True, True):
                candidate_text = candidate_text[labelled.end():]
        elif source_code and line.startswith((" ", "\t")) and not _match_shape(line, True, False):
            trailing = _TRAILING_COMMENT.search(line)
            if trailing:
                candidate_text, is_comment = line[trailing.end():], True
        message = _match_shape(candidate_text, True, True)
        if message is None and not is_comment:
            trailing = _TRAILING_COMMENT.search(line)
            if trailing and source_code:
                message = _match_shape(line[trailing.end():], True, True)
                is_comment = message is not None
        if message is None:
            index += 1
            continue
        full, last = _continuation(lines, index, message, is_comment)
        confidence = LOW if _hedged(lines, index, before) else HIGH
        found.append(Occurrence(full, block.first_line + index, confidence, block.kind, block_index))
        index = last + 1
    return found


def _prose_candidates(text: str, where: str) -> list[tuple[int, str]]:
    """(offset, message) for every message in a prose text (lines joined with newlines)."""
    results: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    allow_tool = where in ("paragraph", "list", "blockquote", "html")

    def add(offset: int, end: int, message: str | None) -> None:
        if message:
            results.append((offset, message))
            covered.append((offset, end))

    for match in _INLINE_CODE.finditer(text):
        code = " ".join(match.group("code").split())
        add(match.start(), match.end(), _match_shape(code, True, True))
    for pattern in (_DOUBLE_QUOTED, _SINGLE_QUOTED, _BOLD):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in covered):
                continue
            inner = next(value for name, value in match.groupdict().items() if value and name in ("a", "b", "c", "bold"))
            message = _match_shape(inner.replace("`", ""), False, False)
            add(match.start(), match.end(), message)
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        if _TRACEBACK_HEADER in line:
            message = _after_last_frame(line)
            if message and not any(start <= offset + line.find(message) < end for start, end in covered):
                add(offset + line.find(message), line_end, message)
        if allow_tool and not any(start <= offset < end for start, end in covered):
            stripped = line.lstrip("> ").replace("`", "")
            whole = _match_shape(stripped, False, True)
            if whole and not _PYTHON.match(stripped) and not _RUNTIME.match(stripped):
                add(offset, line_end, whole)
        for pattern in (_PYTHON_ANYWHERE, _RUNTIME_ANYWHERE):
            for match in pattern.finditer(line):
                start = offset + match.start()
                if any(begin <= start < end for begin, end in covered):
                    continue
                rest = line[match.start():]
                stop = _CJK.search(rest)
                if stop:
                    rest = rest[: stop.start()]
                rest = rest.split("`")[0]
                message = _match_shape(rest.rstrip(" (（,;"), False, False)
                add(start, line_end, message)
        offset = line_end + 1
    results.sort()
    return results


def _prose_occurrences(block: Block, block_index: int, before: str) -> list[Occurrence]:
    text = block.text
    found = []
    line_starts = [0]
    for line in block.lines:
        line_starts.append(line_starts[-1] + len(line) + 1)
    for offset, message in _prose_candidates(text, block.kind):
        index = max(i for i, start in enumerate(line_starts) if start <= offset)
        index = min(index, len(block.lines) - 1)
        sentence_start = max(text.rfind(". ", 0, offset), text.rfind("\n", 0, offset - 200 if offset > 200 else 0))
        context = text[max(0, sentence_start): offset + len(message)]
        hedged = bool(_HEDGES.search(context)) or _hedged(block.lines, index, before) and block.kind != "title"
        found.append(Occurrence(message, block.first_line + index, LOW if hedged else HIGH, block.kind, block_index))
    return found


def _own_strings(article: Article) -> list[list[str]]:
    """Fixed parts of string literals that the article's own code prints, raises or logs."""
    literals: list[list[str]] = []
    for block in article.blocks:
        if not block.is_code:
            continue
        for line in block.lines:
            if not _OUTPUTS.search(line) or _COMMENT.match(line):
                continue
            for match in _OWN_STRING.finditer(line):
                parts = [part for part in _FORMAT_HOLE.split(match.group("s"))]
                if sum(len(part) for part in parts) >= 8:
                    literals.append(parts)
    return literals


def _produced_by_own_code(message: str, literals: list[list[str]]) -> bool:
    """True when `message` is what one of the article's own string literals prints (holes filled in)."""
    candidates = [message]
    name = _PYTHON.match(message)
    if name:
        candidates.append(message[name.end():])
    for text in candidates:
        for parts in literals:
            if not text.startswith(parts[0]) or not text.endswith(parts[-1]):
                continue
            position = len(parts[0])
            ok = True
            for part in parts[1:-1]:
                found = text.find(part, position)
                if found < 0:
                    ok = False
                    break
                position = found + len(part)
            if ok and position <= len(text) - len(parts[-1]) + (len(parts) == 1) * len(parts[-1]):
                return True
    return False


def _key(message: str) -> str:
    text = " ".join(message.split())
    for marker in ("...", "…", "[...]"):
        if marker in text:
            text = text.split(marker, 1)[0].rstrip()
    for ending in ("...", "…", "."):
        if text.endswith(ending):
            text = text[: -len(ending)].rstrip()
    return text


def find_messages(article: Article) -> list[FoundMessage]:
    """The distinct error messages of `article`, in order of first appearance."""
    occurrences: list[Occurrence] = []
    before = ""
    for block_index, block in enumerate(article.blocks):
        if block.is_code:
            occurrences.extend(_code_occurrences(block, block_index, before))
        else:
            occurrences.extend(_prose_occurrences(block, block_index, before))
        before = "\n".join(block.lines[-2:])
    literals = _own_strings(article)
    kept: list[Occurrence] = []
    for occurrence in occurrences:
        text = clean_signature(occurrence.text)
        if not text or _produced_by_own_code(text, literals):
            continue
        kept.append(Occurrence(text, occurrence.line, occurrence.confidence, occurrence.where, occurrence.block_index))
    return _merge(kept)


def _merge(occurrences: list[Occurrence]) -> list[FoundMessage]:
    """One message per distinct text; a truncated copy (a prefix) joins the full one."""
    groups: list[list[Occurrence]] = []
    keys: list[str] = []
    for occurrence in occurrences:
        key = _key(occurrence.text)
        for index, existing in enumerate(keys):
            if key == existing or (len(key) >= 20 and (existing.startswith(key) or key.startswith(existing))):
                groups[index].append(occurrence)
                if len(key) > len(existing):
                    keys[index] = key
                break
        else:
            groups.append([occurrence])
            keys.append(key)
    messages = []
    for group in groups:
        longest = max(group, key=lambda occurrence: (len(occurrence.text), occurrence.where != "title"))
        representative = min((occurrence for occurrence in group if occurrence.text == longest.text),
                             key=lambda occurrence: occurrence.line)
        confidence = HIGH if any(occurrence.confidence == HIGH for occurrence in group) else LOW
        messages.append(FoundMessage(representative.text, representative.line, confidence,
                                     representative.block_index, tuple(sorted({o.line for o in group}))))
    messages.sort(key=lambda message: min(message.lines))
    return messages

"""The line of a pasted log that names the error: what `new-entry --signature -` takes as the signature.

A maintainer writes a record for the root error, so the choice is the innermost cause, not a
summary line that wraps it, and never a path, a URL, a "for help visit" line or a test runner's tally.

How: every line is first stripped of what tools and pasting put in front of the message (build
timestamps, BuildKit step numbers, `npm ERR!`, terraform's box, markdown backticks...). Then the
known shapes of the common tools' output are recognised (Python tracebacks and their chains, pytest
`E` lines, Java `Caused by:` chains, Gradle's failure tree, Go panics, compiler diagnostics, rustc
error codes, npm/pnpm/yarn blocks, jest and webpack headings, CMake errors, glog and NCCL lines) and
each line that reads as an error gets a rank: the root error of a known shape first, then lines
that read as errors, then summaries and wrappers ("could not compile", "failed to solve", make's
`*** Error 1`, pip's "Failed building wheel"), then warnings. The best-ranked line wins; between
equals the first one, because tools print the root error first and its consequences after it. The
other candidates are returned with their line numbers so that the user can pick one (`--line N`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.display import lines_of

# --- ranks: higher is better -----------------------------------------------------------------------
ROOT = 100  # the root error of a known shape (innermost cause, the compiler's diagnostic, ...)
SPECIFIC = 90  # an error of a known shape that is not known to be the innermost one
OUTER = 60  # an outer error of a chain whose inner cause is in the log
ERROR = 80  # a line that reads as an error
DETAIL = 50  # an error tool's detail line (the body of an npm ERR! block ...)
WRAPPER = 30  # a summary or wrapper of another error: it says that something failed, not what
TALLY = 10  # a test runner's or build tool's tally / exit-status line
WARNING = 5  # a warning: taken only when nothing reads as an error

MAX_CANDIDATES = 12


@dataclass(frozen=True)
class Candidate:
    """A line of the log that could be the signature."""

    number: int  # 1-based, counted over all lines of the pasted text (empty ones too)
    line: str  # the line as pasted, without surrounding spaces
    rank: int
    reason: str


@dataclass(frozen=True)
class LineChoice:
    """The line taken from a log, why, and the other candidates (best first)."""

    line: str
    number: int | None
    note: str | None
    candidates: tuple[Candidate, ...] = ()
    fallback: bool = False  # no line reads as an error: the last one was taken


# --- what tools and pasting put before the message ---------------------------------------------------
_PREFIXES = [
    re.compile(r"^(?:`{1,3}|\*\*|>\s)\s*"),  # markdown: inline code, bold, quote
    re.compile(r"^\[\s{0,10}\d{1,7}(?:\.\d{1,6})?s\]\s?"),  # build-service timestamps: "[    7s] "
    re.compile(r"^#\d{1,5}\s+\d{1,6}\.\d{1,4}\s"),  # BuildKit step output: "#12 7.813 "
    re.compile(r"^\d{1,6}\.\d{3}\s"),  # BuildKit's quoted step output in its error summary: "7.813 "
    re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?:?\s"),  # ISO timestamps
    re.compile(r"^\[\d{4}-\d\d-\d\d[^\]\n]{0,60}\]\s?"),  # bracketed timestamps
    re.compile(r"^\d\d:\d\d:\d\d(?:[.,]\d{1,9})?\s"),  # clock times
    re.compile(r"^##\[(?:error|warning)\]"),  # GitHub Actions annotations
    re.compile(r"^[│║┃]\s?"),  # terraform's and pip's boxes
    re.compile(r"^➤\s?YN\d{4}:\s?(?:│\s?)?"),  # yarn berry
    re.compile(r"^[\w.*-]{1,100}:\d{1,9}:\d{1,9} \[\d{1,4}\] "),  # NCCL: "host:pid:tid [device] "
]
_ANY_PREFIX = re.compile("|".join(f"(?:{prefix.pattern.lstrip('^')})" for prefix in _PREFIXES).join(("^(?:", ")")))
_NPM = re.compile(r"^(?:npm|gyp|pnpm) (?:ERR!|error|ERROR)(?:\s|$)")
_NPM_WARN = re.compile(r"^(?:npm|gyp|pnpm) (?:WARN|warn)(?:\s|$)")
_TRAILING_DECORATION = re.compile(r"(?:`{1,3}|\*\*)\s*$")


def _body(line: str) -> str:
    """`line` without the prefixes tools and pasting put before the message, and without surrounding spaces."""
    body = line.strip()
    for _ in range(8):
        found = _ANY_PREFIX.match(body)
        if not found or not found.end():
            break
        body = body[found.end():].strip()
    return _TRAILING_DECORATION.sub("", body).strip()


# --- lines that are not the error ---------------------------------------------------------------
_FRAME = re.compile(r"^(?:File \"|at [\w$<(.\[]|\^+$|~+$|\.\.\. ?\d* ?more|\d+ \||\|)")
_POINTER = re.compile(
    r"(?i)for help visit|^see (?:\S+ )?(?:for|https?://)|^for more information|a complete log of this run|"
    r"^(?:note|hint|help|info|tip|debug)\b[:\s]|^\(?https?://\S+\)?\.?$|"  # advice lines, a URL alone
    r"^(?:[A-Za-z]:)?[\\/~.][^\s]{0,500}$|^[\w@.-]{1,200}(?:/[\w@.-]{1,200}){1,50}/?$|"  # a path alone
    r"^re-?run |^to see the full stack trace|^\[help \d+\]|^-> \[help|^please (?:report|open|file)|"
    r"^if you think this is a bug|^this error originates from a subprocess|^╰─>|^\[end of output\]|"
    r"^(?:fix|try|run|consider|make sure|to fix|you can)\b.{0,200}(?:--force|--legacy-peer-deps|again|instead)")
_ADVICE = re.compile(r"(?:Fix|Try|Run|Consider|Please|Make sure|You (?:can|may|should)|To (?:fix|resolve))\b")
_LOCATION_ONLY = re.compile(r"^[\w./\\:-]{1,300}:\d{1,9}(?::\d{1,9})?$")  # "node:internal/modules/cjs/loader:1050"
_WARNING = re.compile(r"(?i)^(?:warning\b|warn\b|\[warn(?:ing)?\]|W: |deprecat)|^WARNING in ")

# --- lines that read as errors -------------------------------------------------------------------
_EXCEPTION = re.compile(
    r"^(?:Uncaught |Unhandled (?:exception|rejection):? |Exception in thread \"[^\"]{0,200}\" |"
    r"Exception in thread &quot;[^&]{0,200}&quot; )?"
    r"[A-Za-z_$][\w.$]{0,200}(?:Error|Exception|Exit|Interrupt|Fault|Failure)(?:\s{0,3}\[[^\]]{0,100}\])?(?::|$)")
_LEVEL_START = re.compile(
    r"^(?:\[(?:ERROR|FATAL|CRITICAL|SEVERE|error|fatal)\]|(?:ERROR|FATAL|CRITICAL|SEVERE|PANIC)\b|"
    r"(?:[Ee]rror|[Ff]atal|FATAL ERROR|[Ff]atal error)(?:\[\w{1,20}\])?:|error (?=[A-Z])|E: |"
    r"panic: |Segmentation fault|Bus error|Killed$|Aborted(?: \(core dumped\))?$|"
    r"ERR_PNPM_|CMake Error|NCCL (?:error|failure)\b|CUDA error\b|Module not found: )")
_LOGGER_LEVEL = re.compile(r"^(?:\S{1,60}\s){1,3}(?:ERROR|FATAL|CRITICAL|SEVERE)\b[:\s]")  # "app 1234 ERROR ..."
_COMPILER = re.compile(
    r"^(?:[A-Za-z]:)?[^\s:]{1,500}?(?::\d{1,9}(?::\d{1,9})?|\(\d{1,9},\d{1,9}\)|:\[\d{1,9},\d{1,9}\]):\s?"
    r"(?:(?:fatal )?error\b|error TS\d{1,6}\b|(?=\S))")
_GO_COMPILER = re.compile(r"^\S{1,500}\.go:\d{1,9}:\d{1,9}: ")
_LINKER = re.compile(r"^(?:\S{0,300}/)?(?:ld|ld\.\w{1,10}|lld|collect2|link)(?:\.exe)?: |undefined reference to ")
_RUSTC_CODE = re.compile(r"^\w{0,10}\[E\d{4}\]: ")  # "error[E0382]: " (also with its first letters lost in a paste)
_GLOG = re.compile(r"^([EFWI])(?:\d{4} [\d:.]{6,20}\s+\d{1,9})?\s+\S{1,500}:\d{1,9}\]\s")
_NCCL_WARN = re.compile(r"\[\d{1,4}\] (?:NCCL )?\S{1,300}:\d{1,9} (?:NCCL )?WARN |\bNCCL WARN ")
_BRACKETED_LEVEL = re.compile(r"^\[(ERROR|FATAL|SEVERE|CRITICAL|WARNING|WARN|INFO|DEBUG|TRACE)\]\s?", re.IGNORECASE)
_NCCL_INFO = re.compile(r"\bNCCL INFO\b")

# --- summaries, wrappers and tallies ----------------------------------------------------------------
_TALLY = re.compile(
    r"(?i)^=+ .{0,200}\b(?:failed|passed|errors?|skipped|xfailed)\b.{0,200} in [\d.]+m?s\b|"
    r"^!+ .{0,200}(?:interrupted|errors? during collection)|^\d+ (?:errors?|warnings?) (?:generated|found)|"
    r"^found \d+ errors?|^compiled with \d+ errors?|\bcompiled with \d+ errors?|^tests?:\s+\d+ failed|"
    r"^test suites?:\s+\d+ failed|^(?:---\s)?FAIL\b|^FAILED\b|^(?:BUILD )?FAILED\b|^BUILD FAILURE|"
    r"^exit status \d+|^Process finished with exit code|^Error: Process completed with exit code|"
    r"^make(?:\[\d+\])?: \*\*\*|^ninja: build stopped|^compilation terminated|^-- Configuring incomplete|"
    r"^Interrupted: ")
_WRAPPER = re.compile(
    r"(?i)\bcould not compile\b|\baborting due to (?:\d+ )?previous errors?|^error: build failed|build failed, waiting|"
    r"failed to solve|executor failed running|returned a non-zero code|did not complete successfully|"
    r"\bservice '[^']{1,100}' failed to build|^ERROR \[[^\]]{1,100}\] RUN\b|"
    r"failed building wheel|could not build wheels|failed to build (?:one or more wheels|\S+$)|"
    r"subprocess-exited-with-error|did not run successfully|command errored out with exit status|"
    r"error: command '[^']{1,300}' failed with exit|returned non-zero exit status|Error compiling objects|"
    r"ld returned \d+ exit status|linker command failed with exit code|Command failed with exit code|"
    r"^lifecycle script|^Failed at the \S+ \S+ script|\bcode ELIFECYCLE\b|"
    r"^Execution failed for task|^A failure occurred while executing|^FAILURE: Build failed|^What went wrong|"
    r"^Failed to execute goal|^COMPILATION ERROR|Could not resolve all (?:files|dependencies)|"
    r"unhandled (?:system|cuda) error|\binternal error\b - please report|^ResolutionImpossible|"
    r"^Test suite failed to run|^\S{1,300}:\d{1,9}: \w{0,100}(?:Error|Exception)$|^Error: exit status \d+|"
    r"Exited with code|exit code: \d+$|^ERROR: Job failed")

_HEADING = re.compile(r"^[_=!*-]{3,}\s.{0,300}\s[_=!*-]{3,}$")
_TRACEBACK_HEADER = re.compile(r"^Traceback \(most recent call last\):\s*$")
_CHAIN_MARKER = re.compile(r"^(?:During handling of the above exception, another exception occurred|"
                           r"The above exception was the direct cause of the following exception):?$")
_CAUSED_BY = re.compile(r"^Caused by: ")
_PYTEST_E = re.compile(r"^E {2,40}(\S.*)$")  # pytest indents after E; glog has one space
_JEST_HEADING = re.compile(r"^● ")
_WEBPACK_HEADER = re.compile(r"^ERROR in \S{1,300}$")
_CMAKE_HEADER = re.compile(r"^CMake Error at .{1,500}:$")
_GRADLE_WRONG = re.compile(r"^\* What went wrong:")
_GRADLE_ITEM = re.compile(r"^(\s*)> (\S.*)$")
_NPM_HEADER = re.compile(r"^(?:code|errno|syscall|path|dest|signal|command|cwd|code \S+)\b")

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


class _Log:
    """The lines of a pasted log, their bodies, and the ranks given to them."""

    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip() for line in lines_of(text)]
        self.bodies = [_body(line) for line in self.lines]
        self.npm = [bool(_NPM.match(body)) for body in self.bodies]
        self.bodies = [_NPM.sub("", body, count=1).strip() if npm else body for body, npm in zip(self.bodies, self.npm)]
        self.ranks: dict[int, tuple[int, str]] = {}  # index → (rank, reason)

    def give(self, index: int, rank: int, reason: str, *, force: bool = False) -> None:
        """Rank line `index`; a known shape (`force`) overrides the generic reading, otherwise the higher rank stays."""
        if not self.bodies[index]:
            return
        if force or index not in self.ranks or self.ranks[index][0] < rank:
            self.ranks[index] = (rank, reason)

    def next_filled(self, index: int, limit: int = 3) -> int | None:
        for following in range(index + 1, min(len(self.lines), index + 1 + limit)):
            if self.bodies[following]:
                return following
        return None


def _generic(log: _Log) -> None:
    """Every line that reads as an error, a summary, a tally or a warning, by its own text."""
    for index, body in enumerate(log.bodies):
        if not body or _NCCL_INFO.search(body):
            continue
        if _NCCL_WARN.search(body):
            # NCCL reports the failing system call in a WARN line; the INFO "-> N" lines propagate it
            log.give(index, ROOT, "NCCL's WARN line (it names the failing call)")
            continue
        glog = _GLOG.match(body)
        if glog:
            # glog (TensorFlow, XLA...): E and F are errors, W warnings, I information
            level = glog.group(1)
            if level in "EF":
                log.give(index, SPECIFIC, "a glog error line (E/F level)")
            elif level == "W":
                log.give(index, DETAIL - 5, "a glog warning line (W level)")
            continue
        if _FRAME.match(body) or _POINTER.search(body) or _LOCATION_ONLY.match(body):
            continue
        bracketed = _BRACKETED_LEVEL.match(body)
        if bracketed:
            # Maven and other "[LEVEL] message" logs: the level says what the rest is
            level, body = bracketed.group(1).upper(), body[bracketed.end():].strip()
            if level in ("INFO", "DEBUG", "TRACE") or not body or _POINTER.search(body):
                continue
            if level.startswith("WARN"):
                log.give(index, WARNING, "a warning")
                continue
            if not (_TALLY.search(body) or _WRAPPER.search(body) or _COMPILER.match(body)):
                log.give(index, ERROR, "the first line that reads as an error")
                continue
        if _COMPILER.match(body) and bracketed and not _WRAPPER.search(body):
            log.give(index, ROOT, "the compiler's first error diagnostic (file:line: message)")
        elif _TALLY.search(body):
            log.give(index, TALLY, "a tally or exit status")
        elif _HEADING.match(body):
            # test runners' section headings ("____ ERROR collecting x.py ____"): the error is below them
            log.give(index, WRAPPER, "a heading of the test runner's report")
        elif _WRAPPER.search(body):
            log.give(index, WRAPPER, "a summary that wraps another error")
        elif body.startswith("panic: "):
            log.give(index, ROOT, "the Go panic")
        elif body.startswith("ERR_PNPM_"):
            log.give(index, ROOT, "pnpm's ERR_PNPM line")
        elif _RUSTC_CODE.match(body):
            log.give(index, ROOT, "the rustc error with its code (error[E...]), not cargo's summary")
        elif _GO_COMPILER.match(body):
            log.give(index, ROOT, "the Go compiler's first diagnostic")
        elif _COMPILER.match(body) and re.search(r"(?i)\berror\b", body[:600]):
            log.give(index, ROOT, "the compiler's first error diagnostic (file:line: error)")
        elif _LINKER.search(body):
            log.give(index, ERROR + 5, "the linker's error")
        elif _EXCEPTION.match(body) or _LEVEL_START.match(body) or _LOGGER_LEVEL.match(body):
            if _WARNING.match(body):
                log.give(index, WARNING, "a warning")
            else:
                log.give(index, ERROR, "the first line that reads as an error")
        elif _WARNING.match(body) or (_NPM_WARN.match(log.lines[index].strip())):
            log.give(index, WARNING, "a warning")


def _python_tracebacks(log: _Log) -> None:
    """Python tracebacks: the exception line after the frames; in a chain, the innermost (first) one."""
    headers = [index for index, body in enumerate(log.bodies) if _TRACEBACK_HEADER.match(body)]
    if not headers:
        return
    exceptions = []  # (header index, exception index)
    for position, header in enumerate(headers):
        end = headers[position + 1] if position + 1 < len(headers) else len(log.lines)
        found = None
        for index in range(header + 1, end):
            line, body = log.lines[index], log.bodies[index]
            if body and not line[:1].isspace() and _EXCEPTION.match(body):
                found = index
                break
        if found is None:
            for index in range(header + 1, end):
                line, body = log.lines[index], log.bodies[index]
                if body and not line[:1].isspace() and not _FRAME.match(body):
                    found = index
                    break
        if found is not None:
            exceptions.append((header, found))
    chains: list[list[int]] = []
    previous = None
    for header, exception in exceptions:
        chained = previous is not None and any(_CHAIN_MARKER.match(log.bodies[index]) for index in range(previous, header))
        if chained:
            chains[-1].append(exception)
        else:
            chains.append([exception])
        previous = exception
    for number, chain in enumerate(chains):
        last = number == len(chains) - 1
        innermost = chain[0]
        if len(chain) > 1:
            reason = ("the innermost exception of a chained Python traceback (the root cause; the later ones "
                      "were raised while handling it)")
        else:
            reason = "the exception line of the last traceback" if last else "the exception line of an earlier traceback"
        rank = ROOT if last else SPECIFIC
        if _WRAPPER.search(log.bodies[innermost]):
            rank = WRAPPER  # e.g. CalledProcessError: the subprocess's own error, printed above, is the root
        log.give(innermost, rank, reason, force=True)
        for outer in chain[1:]:
            log.give(outer, OUTER if not _WRAPPER.search(log.bodies[outer]) else WRAPPER,
                     "an outer exception of a chained traceback", force=True)


def _pytest(log: _Log) -> None:
    """pytest: the `E` lines hold the raised exception; the first one that names an exception is the error."""
    first_exception = first_other = None
    for index, body in enumerate(log.bodies):
        found = _PYTEST_E.match(body)
        if not found:
            continue
        message = found.group(1).strip()
        if _EXCEPTION.match(message):
            if first_exception is None:
                first_exception = index
        elif first_other is None and not message.startswith(("+", "-", "?", "where", "and ")):
            first_other = index
    if first_exception is not None:
        log.give(first_exception, ROOT, "pytest's E line naming the raised exception", force=True)
    if first_other is not None:
        log.give(first_other, SPECIFIC if first_exception is None else DETAIL, "pytest's first E line", force=True)


def _java(log: _Log) -> None:
    """Java/Kotlin chains: the last `Caused by:` is the innermost cause; the outer exceptions wrap it."""
    causes = [index for index, body in enumerate(log.bodies) if _CAUSED_BY.match(body)]
    if not causes:
        return
    for index in causes[:-1]:
        log.give(index, OUTER, "an outer cause of a Java exception chain", force=True)
    log.give(causes[-1], ROOT, "the innermost 'Caused by:' of a Java exception chain", force=True)
    for index, body in enumerate(log.bodies[:causes[0]]):
        if body.startswith("Exception in thread") or (index in log.ranks and _EXCEPTION.match(body)
                                                      and log.ranks[index][0] == ERROR):
            log.give(index, OUTER, "the outer exception of a Java chain", force=True)


def _gradle(log: _Log) -> None:
    """Gradle's "What went wrong:" tree: the deepest `>` entry is the root cause."""
    for start, body in enumerate(log.bodies):
        if not _GRADLE_WRONG.match(body):
            continue
        deepest = None
        depth = -1
        for index in range(start + 1, min(len(log.lines), start + 60)):
            line = log.lines[index]
            if not line.strip() or line.strip().startswith("* "):
                break
            item = _GRADLE_ITEM.match(line)
            if item and len(item.group(1)) > depth:
                deepest, depth = index, len(item.group(1))
            else:
                log.give(index, WRAPPER, "Gradle's summary of the failing task", force=True)
        if deepest is not None:
            log.bodies[deepest] = _GRADLE_ITEM.match(log.lines[deepest]).group(2).strip()
            log.give(deepest, ROOT, "the deepest entry of Gradle's 'What went wrong' tree", force=True)


def _headed_bodies(log: _Log) -> None:
    """Headings whose message is on the next line: jest's `●`, webpack's `ERROR in <module>`, CMake's `CMake Error at`."""
    for index, body in enumerate(log.bodies):
        if _JEST_HEADING.match(body):
            kind = "jest's message under its ● heading"
        elif _WEBPACK_HEADER.match(body):
            kind = "webpack's message under its 'ERROR in' heading"
        elif _CMAKE_HEADER.match(body):
            kind = "the message of a 'CMake Error at' block"
        else:
            continue
        following = log.next_filled(index)
        if following is None or _FRAME.match(log.bodies[following]):
            continue
        log.give(index, WRAPPER, "a heading whose message follows it", force=True)
        log.give(following, ROOT, kind, force=True)


def _npm(log: _Log) -> None:
    """npm's `ERR!` block: the line after `code`/`errno`/`syscall` states the error; the rest is detail and pointers."""
    index = 0
    while index < len(log.lines):
        if not log.npm[index]:
            index += 1
            continue
        start = index
        while index < len(log.lines) and (log.npm[index] or not log.bodies[index]):
            index += 1
        block = [position for position in range(start, index) if log.npm[position] and log.bodies[position]]
        lifecycle = any(re.match(r"code (?:ELIFECYCLE|1)$|errno \d|Exit status|Failed at the|Lifecycle script",
                                 log.bodies[position]) for position in block)
        message_found = advice = False
        for position in range(start, index):
            body, line = log.bodies[position], log.lines[position]
            if not body:
                advice = False  # npm separates its paragraphs with an empty "npm ERR!" line
                continue
            advice = advice or bool(_ADVICE.match(body))
            if (advice or _NPM_HEADER.match(body) or _POINTER.search(body)
                    or re.sub(r"^\s*npm (?:ERR!|error)", "", line).startswith("   ")):
                if _NPM_HEADER.match(body) or advice:
                    log.ranks.pop(position, None)
                continue
            if lifecycle:
                # npm reporting that a script failed: the script's own error, printed above, is the root
                log.give(position, WRAPPER, "npm's report that a script failed", force=True)
            elif not message_found:
                log.give(position, ROOT, "the message of npm's ERR! block (after its code)", force=True)
                message_found = True
            elif position not in log.ranks or log.ranks[position][0] < DETAIL:
                log.give(position, DETAIL, "a detail of npm's ERR! block", force=True)


def choose_error_line(text: str) -> LineChoice:
    """The line of pasted output that names the root error, why it was taken, and the other candidates."""
    log = _Log(text)
    filled = [index for index, body in enumerate(log.lines) if body.strip()]
    if not filled:
        return LineChoice("", None, None)
    if len(filled) == 1:
        line = log.lines[filled[0]].strip()
        exception = _from_one_line_traceback(line)
        if exception is not None and exception != line:
            return LineChoice(exception, filled[0] + 1, "took the exception at the end of a traceback pasted onto one line")
        return LineChoice(line, filled[0] + 1, None)
    _generic(log)
    for shape in (_npm, _python_tracebacks, _pytest, _java, _gradle, _headed_bodies):
        shape(log)
    total = len(log.lines)
    ranked = sorted(log.ranks.items(), key=lambda item: (-item[1][0], item[0]))
    seen: set[str] = set()
    candidates = []
    for index, (rank, reason) in ranked:
        line = log.lines[index].strip()
        if line not in seen:  # a line repeated later in the log (the same command run again) is listed once
            seen.add(line)
            candidates.append(Candidate(index + 1, line, rank, reason))
    candidates = tuple(candidates)
    if not candidates:
        index = filled[-1]
        return LineChoice(log.lines[index].strip(), index + 1,
                          f"no line reads as an error; took the last line (line {index + 1} of {total})", fallback=True)
    best = candidates[0]
    line = best.line
    exception = _from_one_line_traceback(line)
    if exception:
        line = exception
    return LineChoice(line, best.number, f"took {best.reason} (line {best.number} of {total})",
                      candidates[1:MAX_CANDIDATES + 1])


def line_of(text: str, number: int) -> str:
    """Line `number` (1-based, counted as in the notes) of `text`, without surrounding spaces; '' when there is none."""
    lines = lines_of(text)
    return lines[number - 1].strip() if 1 <= number <= len(lines) else ""

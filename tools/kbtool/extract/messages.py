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
#: npm prints one error over this many `npm ERR!` lines at most (ERESOLVE's dependency tree).
MAX_NPM_LINES = 60

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
# Messages without an exception-style prefix that tools print at the start of a line, one kind each:
_BARE = re.compile(
    # the dynamic loader: `libcudnn.so.8: cannot open shared object file: …`, `… static TLS block`
    r"(?:[\w./{}~$+-]{1,200}\.(?:so|dll|dylib)(?:\.[\w.]{1,20})?: ?(?:cannot open shared object|cannot allocate memory in static TLS"
    r"|cannot load|undefined symbol)|error while loading shared libraries: |dlopen(?: error)?: (?=\S)"
    r"|cannot open shared object ?file|undefined symbol:? (?=\S)|undefined reference to (?=\S)"
    # shells: `-bash: x: command not found`, `zsh: command not found: conda`, `sh:1:python:not found`, PowerShell, cmd
    r"|-?(?:ba|z|k|tc|c|da|fi)?sh(?::\s?\d{1,6})?:\s?(?=[^\n]{0,200}?(?:command not found|not found|No such file|Permission denied))"
    r"|[\w.+-]{1,100}: command not found"
    r"|The term '[^'\n]{1,200}' is not recognized as the name of a cmdlet|The system cannot find the (?:path|file) specified"
    # a process killed by a signal
    r"|(?:Illegal instruction|Segmentation fault|Bus error|Floating point exception|Aborted)(?: \(core dumped\))?\s*$"
    # Go: `panic: …`, the runtime's `fatal error: …`; Rust: `thread 'main' panicked at src/main.rs:2:5:`
    r"|panic: (?=\S)|fatal error: (?=\S)|thread '[^'\n]{1,200}' (?:\(\d{1,12}\) )?panicked at "
    # a failed runtime check: glog's, Abseil's and Chromium's `Check failed: …` (also `DCHECK failed: …`), and the
    # `…Check FAIL` of C macros that wrap a CUDA or library call (Torch's `THCudaCheck FAIL`, `cudaCheck FAIL`)
    r"|(?:D?CHECK|Check) failed: (?=\S)|[A-Za-z]{0,30}Check FAIL (?=\S)"
    # Docker, Kubernetes, gRPC clients
    r"|(?:docker: )?Error response from daemon: |Error from server\b|Unable to connect to the server: |rpc error: code = "
    r"|Cannot connect to the Docker daemon\b"
    # CPython's fatal errors, an OSError printed without its class (`[Errno 1] Operation not permitted: …`); Node's
    # unhandled rejections
    r"|Fatal Python error: |\[Errno \d{1,5}\] (?=\S)|Uncaught \(in promise\) (?=\S)"
    r")"
)
#: A Go log line: the standard logger's date and time, then the message (kept whole).
_GO_LOG = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? (?=\S)")
#: `WARNING: …` of a tool (Docker, conda) or Python's logging (`WARNING:tensorflow:…`): a message only when it
#: says that something failed, like glog's W lines.
_WARNING = re.compile(r"(?:WARNING|Warning|WARN)(?::[\w.]{1,100})?: ?(?=\S)")
#: Lines that a log prefix leads: a source location and a severity (`pml_ucx.c:175 Error: …`,
#: `include/socket.h:403 NCCL WARN …`), a klog line without its severity (`server.go:610] …`), or the
#: MindSpore/Ascend style `[ERROR] MODULE(…) [file.cc:245] Function] …`. The message is what follows.
_LOCATED_LOG = re.compile(
    r"(?:[\w./-]{1,200}\.[a-z]{1,4}:\d{1,6} (?:[A-Z]{2,10} )?(?:Error|ERROR|WARN|WARNING)\b:? ?"
    # Chromium's logging (Chrome, Electron, CEF): `[pid:tid:MMDD/HHMMSS.mmm:FATAL:file.cc(212)] …`
    r"|\[\d{1,10}:\d{1,10}:\d{4}/\d{6}\.\d{3,6}:(?:ERROR|FATAL|WARNING):[\w./-]{1,200}\(\d{1,6}\)\] ?"
    # the time stamp: one `:`-led run and up to three space-led runs; a run cannot hold the space that leads the next,
    # so a line is split into runs one way only and matching stays linear in its length
    r"|\[(?:ERROR|CRITICAL|FATAL|WARNING)\](?: [A-Z_]{2,30}(?:\([^)\n]{0,100}\))?)?(?::[\d.-][\d:.-]{5,60})?(?: [\d.-][\d:.-]{5,60}){0,3}"
    r" \[[^\]\n]{1,300}:\d{1,6}\] ?"
    r"(?:[\w:~<>]{1,100}\] )?)(?=\S)"
)
#: A notice that a helper is missing and that installing it only adds detail or an optional feature ("`threadpoolctl` not
#: found … Install it by … Once installed, try again for more detailed build information", "… is optional"): advice,
#: not a failure. "ffmpeg not found on PATH. Please install it and run the command again." is a failure.
_HELPER_MISSING = re.compile(r"(?i)\bnot (?:found|installed)\b[^.!\n]{0,40}[.!]\s+(?:You can |Please |To enable it, )?install it\b")
_ONLY_OPTIONAL = re.compile(
    r"(?i)\boptional(?:ly)?\b|\bonce (?:it is |it's )?installed\b[^\n]{0,80}\b(?:more|detailed|additional|extra)\b"
    r"|\bfor (?:more |additional |extra )?detailed\b|\b(?:more|additional|extra) (?:detailed )?(?:build |system )?information\b")


def _advises_optional_helper(text: str) -> bool:
    """True when `text` (a message with its continuation lines) only advises installing an optional helper."""
    flat = " ".join(text.split())
    return bool(_HELPER_MISSING.search(flat) and _ONLY_OPTIONAL.search(flat))
_KLOG = re.compile(r"[\w-]{1,100}\.(?:go|cc|cpp|c|py):\d{1,6}\] (?=\S)")
#: `Intel MKL FATAL ERROR: …`, `SSL verification error: …`, `Cmake Error at …`: a few words naming the component, then
#: the severity.
_NAMED_ERROR = re.compile(r"[A-Za-z][\w.+-]{0,30}(?: [A-Za-z][\w.+-]{0,30}){0,3} (?:FATAL ERROR|ERROR|Error|error)(?::|\s+at\b) ?(?=\S)")
_FAILED_TO_PREPARE = re.compile(r"^(?P<message>\S.{2,300}? failed to (?:prepare|invoke)\.?)\s*$")
#: npm's error lines: `npm ERR! …` (npm 8 and before), `npm error …` (npm 9 and later).
_NPM_ERROR = re.compile(r"npm (?:ERR!|error) (?=\S)")
#: A tool's severity and its message; Postgres puts two spaces after it (`ERROR:  duplicate key value …`).
_TOOL = re.compile(r"(?:(?:ERROR|Error|error|FATAL|fatal|Exception|error\[E\d{4}\])(?:: {1,2}|：)|npm ERR! )(?=\S)")
#: A Warning event of `kubectl describe` (type, reason, age, source, message in columns two or more spaces apart):
#: `Warning  BackOff  10s (x20 over 4m)  kubelet  Back-off restarting failed container …`. The message is the last column.
_KUBE_EVENT = re.compile(
    r"Warning\s{2,}[A-Za-z]{2,60}\s{2,}(?:<unknown>|<invalid>|\d[\dsmhd]{0,12}(?: \(x\d{1,9} over \d[\dsmhd]{0,12}\))?)\s{2,}"
    r"[\w.,/@:-]{1,100}(?:, [\w.-]{1,100})?\s{2,}(?=\S)")
_COMPILER = re.compile(
    r"(?:(?:[A-Za-z]:)?[^\s:()]{1,300}|<unknown>|<stdin>|<source>):\d{1,7}(?::\d{1,7})?: (?:fatal error|error): (?=\S)"
    r"|(?:[A-Za-z]:)?[^\s:()]{1,300}\(\d{1,7}(?:,\d{1,7})?\): (?:fatal )?error [A-Z]{1,4}\d{1,6}: (?=\S)"
    r"|(?:collect2|ld|/usr/bin/ld|clang|gcc|g\+\+|cc1plus|nvcc)(?: fatal)?\s*: (?:fatal )?(?:error: |cannot find )(?=\S)"
    r"|nvcc fatal\s*: (?=\S)"
    r"|[^\s:]{1,300}:\([^)]{1,100}\): undefined reference to (?=\S)"
)
#: The go command and compiler report `file.go:line:col: …`; the standard logger's `main.go:14: …` (no column) is an
#: ordinary log line.
_GO_DIAGNOSTIC = re.compile(r"[\w./-]{1,300}\.go:\d{1,7}:\d{1,7}: (?=[a-z])")
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
    r"\[(?:ERROR|FATAL)\] |(?:\[\d+/\d+\] )|PS [^>]{0,200}> "
    # pytest prints a test's node id before what the test wrote: `test_x.py::test_big_message E0413 …`
    r"|[\w./-]{1,200}\.py::[\w\[\]:.-]{1,200} )"
)
_TRACEBACK_HEADER = "Traceback (most recent call last):"
_FRAME = re.compile(r'File "[^"]{1,500}", line \d+(?:, in [^\s]{1,200})?')
_FRAME_LINE = re.compile(r'^\s*(?:File "|at [\w$.<>/@]+[(:]|at [\w$.<>]+ \(|\^+\s*$|~+\^*\s*$|\d*\s*\|)')
#: Lines that follow a message without being part of it: rustc's `--> src/main.rs:4:20` and `= note:`, compiler
#: `note:`/`help:` lines, pip's `[end of output]`, a source line quoted under a diagnostic, Go's goroutine dump.
_AFTER_MESSAGE = re.compile(
    r"^\s*(?:-->|= (?:note|help)|(?:note|help|hint)(?:\[\w+\])?: |\[end of output\]|#include\b|compilation terminated"
    r"|goroutine \d+ \[|Current thread 0x|Thread 0x|Stack trace|stack backtrace|Traceback)"
)
_PROMPT = re.compile(r"^\s*(?:\$ |PS [^>]{0,200}> |# (?=pip |python|sudo |apt|conda |git |cd |export )|>>> |\.\.\. |In \[\d+\]:|C:\\[^>]{0,200}>)")
_COMMENT = re.compile(r"^\s*(?:#+|//+|--|;+|/\*+|\*+|REM\b|%+)\s?")
_TRAILING_COMMENT = re.compile(r"\s(?:#|//)\s+(?=\S)")
#: Words that open prose, not a message (`This error: …`, `The following error: …`).
_LEADING_WORDS = re.compile(r"(?i)(?:this|that|the|these|an?|following|same|such|its?|your|my|our|following|common|other|any)\b")
_FAILURE_WORDS = re.compile(
    r"\b(?:error|errors|fail|failed|failure|fails|cannot|can not|can[’']t|could not|couldn[’']t|unable|not found|no such|"
    r"invalid|unsupported|not supported|denied|refused|abort|aborted|fatal|exception|mismatch|incompatible|"
    r"out of memory|missing|undefined|not implemented|not recognized|insufficient|not permitted|panicked|data race|"
    r"unreachable|no route|timed out|illegal|core dumped|segmentation fault|not allowed|rejected|malformed|"
    r"too (?:big|large|open|many)|larger than|does not match|doesn't match|not installed|not enabled|crash(?:ed)?|"
    r"not configured|conflict|conflicting|unrecognized|unexpected|unknown|exceeds?|exceeded|wasn[’']t|isn[’']t|no more|"
    r"unavailable|not available|(?:does|do|did)(?:n't| not) support|not support)\b",
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
#: Words of the prose around a quoted span that present it as what a program printed (English, Chinese, Korean).
_INTRODUCER = re.compile(
    r"(?i:\b(?:errors?|messages?|warnings?|exceptions?|reports?|reported|displayed|shows?|shown|prints?|printed|says?|"
    r"throws?|thrown|raises?|raised|fails? with|failed with|get|gets|got|see|sees|receive[sd]?|encounter(?:s|ed)?|"
    r"occurs?|occurred|returns?|returned|prompts?|prompted|complains?)\b)"
    r"|报错|错误|出错|提示|出现|失败|异常|信息|에러|오류|메시지|발생"
)
#: The introducer right before the span: "error message `…`", "报错`…`", "error: …".
_INTRODUCED = re.compile(
    r"(?i:\b(?:error|message|warning|exception|errors)(?: message)?(?: like| such as)?|reports?|reported|says?|throws?)(?:\s*+[:：,，])?\s*+$"
    r"|(?:报错|错误|提示|出现问题|出错)(?:信息|如下)?(?:\s*+[:：,，])?\s*+$"
)
#: The words of an introducer that name an error rather than any output.
_ERROR_INTRODUCER = re.compile(r"(?i:error|warning|exception|throws?)|报错|错误|提示|出现问题|出错")
#: A span that is a command or code, not a message.
_COMMAND = re.compile(
    r"^(?:\$ |sudo |pip3? |conda |python3? |apt(?:-get)? |yum |brew |git |docker |kubectl |npm |yarn |cargo |go (?:get|run|build|mod) |"
    r"wsl(?:\.exe)? |cd |export |set |source |make |cmake |bazel |curl |wget |chmod |mkdir |rm |import |from \w+ import |def |class )"
)
#: A message opens like this when it stands alone as a heading or a bold line (a troubleshooting page lists
#: messages as headings): "Failed to resolve classpath:", "Cannot find a class …", "X failed with error 0x…".
_MESSAGE_OPENER = re.compile(r"^(?:Failed to|Fail to|Cannot|Can't|Could not|Couldn't|Unable to|No such|Invalid|Unsupported|Illegal|Missing)\b")
#: A Windows installer or API failure with its HRESULT: "WslRegisterDistribution failed with error 0x8007019e".
_HRESULT = re.compile(r"\bfailed with error (?:code )?0x[0-9A-Fa-f]{6,8}\b")
#: The sub-heading of a troubleshooting page that explains the message heading above it.
_REASON_HEADING = re.compile(r"^(?i:reasons?|causes?|symptoms?|why)\b|^(?:原因|现象|원인|증상)")
#: A heading that names a problem rather than quoting a message: a gerund, a question word, a plural of "error".
_PROBLEM_HEADING = re.compile(
    r"^(?:[A-Z][a-z]+ing\b|How\b|Why\b|What\b|When\b|Where\b|Which\b|Troubleshoot|Fix|Solv|Resolv|Common\b|Known\b|About\b)"
    r"|\b(?:errors|issues|problems)\b"
    # narrative: "The DEBUG CONSOLE throws ClassNotFoundException", "… extension fails to start"
    r"|\b(?:throws|fails|occurs|happens|appears|reports|when|after|while)\b"
)
#: A sentence that asks rather than reports: "Is …", "Does …", "Can I …".
_QUESTION_OPENER = re.compile(r"(?i)^(?:Q[:：]\s*)?(?:is|are|was|were|does|do|did|can|could|should|shall|will|would|may|"
                              r"might|must|has|have|how|why|what|when|where|which|who)\b")
_NOUN_ERROR = re.compile(r"\b(?:errors?|exceptions?)\b", re.IGNORECASE)
_BACKSLASH_ESCAPE = re.compile(r"\\([<>*_#\[\]`|])")

_CODE_LANGUAGES = {
    "python", "py", "python3", "c", "cpp", "c++", "cc", "cuda", "cu", "java", "kotlin", "javascript", "js",
    "typescript", "ts", "go", "rust", "rs", "swift", "csharp", "cs", "ruby", "php", "scala", "r", "julia",
    "cmake", "dockerfile", "yaml", "yml", "json", "toml", "ini", "sql", "makefile",
}
#: Data files: a line is a key and its value (`panic: recover`, `"error": false`), a message only in a value that holds
#: one under a key that says so (`message: …`, `"error": "…"`).
_DATA_LANGUAGES = {"yaml", "yml", "json", "toml", "ini"}
#: The key starts and ends with a non-space, so that the runs of spaces around it are split one way only (linear time).
_DATA_ENTRY = re.compile(r"^\s*+(?:- )?[\"']?(?P<key>[\w.-](?:[\w .-]{0,58}[\w.-])??)[\"']?\s*+[:=]\s*(?P<value>.*)$")
_MESSAGE_KEY = re.compile(r"(?i)^(?:message|msg|error|err|reason|detail|details|description|status ?message)$")
#: A string literal: quoted, or a template literal of JavaScript (`` `Attempt ${n} failed` ``).
_OWN_STRING = re.compile(r"(?P<q>[\"'`])(?P<s>(?:\\.|(?!(?P=q)).){3,500}?)(?P=q)")
#: In a data file (a CI workflow's `run:`, a compose file's `command:`), a value or a block-scalar line that runs a
#: command which prints: its literal is the article's own output.
_RUNS_OUTPUT = re.compile(r"(?:^|[\s;&|(\"'])(?:echo|printf|print|puts|logger|Write-(?:Host|Output|Error|Warning)|"
                          r"console\.\w{1,20}|raise|throw|exit)\b")
_OUTPUTS = re.compile(
    r"\b(?:print|printf|fprintf|sprintf|puts|echo|raise|throw|log|logger|logging|warn|warning|error|"
    r"exit|abort|die|panic|cerr|cout|console|sys\.exit|Exception|Error|assert|message|msg|LOG)\b"
)
#: The holes of a string literal that the program fills in: `{name}`, `%s`, `" + x + "`, escapes, and the shell's and
#: JavaScript's `$1`, `$*`, `${VAR}`, `$(command)`.
_FORMAT_HOLE = re.compile(r"\$?\{[^{}]{0,100}\}|\$\([^()]{0,100}\)|\$(?:\w{1,100}|[*@#?!$])|%[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]{1,2}|\"\s*\+\s*[\w.()]+\s*\+\s*\"|\\n|\\t")


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
    text = text.strip()
    if text.startswith("`"):
        text = text.strip("`").strip()
    if text.startswith(("**", "__")) and text.endswith(("**", "__")):
        text = text[2:-2].strip()
    text = text.rstrip("*").rstrip()
    # A stray closing backtick goes; one that closes a name quoted inside the message stays (rustc's "`v`", cargo's
    # "pass `--lib`").
    while text.endswith("`") and text.count("`") % 2 == 1:
        text = text[:-1].rstrip()
    text = _ANCHOR.sub("", text).rstrip()
    # MDN lists a message with the engines that print it: "TypeError: 'x' is not iterable (Firefox, Chrome)".
    text = _ENGINE_NOTE.sub("", text)
    # A message quoted inside parentheses of translated prose keeps the closing one: "(ValueError: …)".
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    if text.endswith((",", ";")):
        text = text[:-1].rstrip()
    return text[:MAX_MESSAGE_CHARS]


#: A heading anchor of the Hugging Face docs: `## CUDA error: … [[cuda-error]]`.
_ANCHOR = re.compile(r"\[\[[\w-]{1,300}\]\]$")
_ENGINE_NOTE = re.compile(r"(?<!\s)\s+\((?:(?:Firefox|Chrome|Safari|Edge|V8-based|Opera|Node(?:\.js)?|JavaScriptCore|SpiderMonkey)"
                          r"(?:\s*(?:,|&|and)\s*)?)+\)$")


def _good_body(body: str, named: bool = False) -> bool:
    """A message body names something: letters (after an exception name, any letter or digit), not a format hole."""
    body = body.strip()
    if not body or not re.search(r"[A-Za-z0-9\u3400-\u9fff]" if named else r"[A-Za-z\u3400-\u9fff]{2,}", body):
        return False
    if re.fullmatch(r"[{%]\S*[}sd]?|\{[^}]*\}|%s|\.\.\.|…", body):
        return False
    return True


#: A log prefix inside a log line's body is read again for the message it leads, up to this many prefixes deep; a
#: deeper body is taken as it is (no logger nests more than two or three, and each level costs a pass over the line).
MAX_LOG_NESTING = 8


def _match_shape(text: str, code_like: bool, allow_tool: bool, depth: int = 0) -> str | None:
    """The message, if `text` (already stripped of prompts and comment markers) starts with a shape."""
    text = text.strip()
    located = _located_log_message(text, code_like, allow_tool, depth) if depth < MAX_LOG_NESTING else None
    if located is not None:
        return located or None
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
        inner = _match_shape(body, code_like, allow_tool, depth + 1) if depth < MAX_LOG_NESTING else None
        return inner or body
    match = _FAILED_TO_PREPARE.match(text)
    if match:
        return match.group("message")
    match = _KUBE_EVENT.match(text)
    if match:
        body = text[match.end():].strip()
        return body if len(_WORD.findall(body)) >= 2 else None
    match = _BARE.match(text)
    if match:
        # Go panics with whatever value it was given: `panic: 4`.
        return text if (_good_body(text[match.end():] or text) or match.group(0).rstrip().endswith(")") or text == match.group(0).strip()
                        or match.group(0) == "panic: ") else None
    match = _KLOG.match(text) or _GO_LOG.match(text)
    if match:
        return text if _FAILURE_WORDS.search(text[match.end():]) and len(_WORD.findall(text[match.end():])) >= 2 else None
    match = _WARNING.match(text)
    if match:
        body = text[match.end():]
        if _advises_optional_helper(body):
            return None
        return text if _FAILURE_WORDS.search(body) and len(_WORD.findall(body)) >= 2 else None
    if allow_tool:
        match = _NAMED_ERROR.match(text)
        if match and len(_WORD.findall(text[match.end():])) >= 2 and not _LEADING_WORDS.match(text):
            return text
    if allow_tool:
        match = _COMPILER.match(text)
        if match and _good_body(text[match.end():]):
            return text
        # The go command and compiler: `example.go:3:8: no required module provides package …`.
        match = _GO_DIAGNOSTIC.match(text)
        if match and len(_WORD.findall(text[match.end():])) >= 3:
            return text
        npm = _NPM_ERROR.match(text)
        if npm and _WORD.search(text[npm.end():]):
            return text  # npm's first line is often short (`npm ERR! code E404`); the lines after it belong to it
        match = _TOOL.match(text) or re.match(r"ERROR in (?=\S)", text)
        if match:
            body = text[match.end():]
            words = _WORD.findall(body)
            # A Windows error is often only its HRESULT: `Error: 0x80040154`.
            if len(words) >= 2 or re.search(r"[a-z]+-[a-z]+-[a-z]+", body) or re.fullmatch(r"0x[0-9A-Fa-f]{3,8}", body.strip()):
                return text
        # A severity in brackets is the shape itself when the line states a failure in words (Maven's `[ERROR] Failed to
        # execute goal …`); its other lines (`[ERROR] -> [Help 1]`, `[ERROR] Re-run Maven using the -X switch …`) do not.
        if prefix and prefix.group(0) in ("[ERROR] ", "[FATAL] ") and text[:1].isalpha() and len(_WORD.findall(text)) >= 4 \
                and _FAILURE_WORDS.search(_NOUN_ERROR.sub("", text)):
            return text
    return None


#: A log line led by a bracketed source location without a severity, as C++ and Go loggers write it:
#: `[converter.cc:64] Converter] …` (with the function), `[main.go:12] …`; authors elide the line number as `**`.
_BARE_LOCATED_LOG = re.compile(
    r"\[[\w./-]{1,300}\.(?:cc|cpp|cxx|hpp|h|c|cu|py|go|java|rs|js|ts):(?:\d{1,6}|\*{1,6})\](?: [\w:~<>.]{1,100}\])? (?=\S)")


def _located_log_message(text: str, code_like: bool, allow_tool: bool, depth: int = 0) -> str | None:
    """The message of a line that a log prefix leads (the body after it), "" when the line is such a log line but
    says no failure, None when it is not one."""
    match = _LOCATED_LOG.match(text)
    if match:
        body = text[match.end():].strip()
        inner = _match_shape(body, code_like, allow_tool, depth + 1)
        if inner:
            return inner
        severe = "Error" in match.group(0) or "ERROR" in match.group(0) or "FATAL" in match.group(0) or "CRITICAL" in match.group(0)
        return body if _good_body(body) and (_FAILURE_WORDS.search(body) or severe) else ""
    match = _BARE_LOCATED_LOG.match(text)
    if match:
        body = text[match.end():].strip()
        inner = _match_shape(body, code_like, allow_tool, depth + 1)
        if inner:
            return inner
        # Without a severity only a failure stated in words counts; a header of a list (`UNSUPPORTED OP LIST:`) does not.
        if _good_body(body) and _FAILURE_WORDS.search(body) and not body.endswith(":") and len(_WORD.findall(body)) >= 3:
            return body
        return ""
    return None


#: A line where the author cut output: `...`, `…`, `[...]`, `...<lots of warnings and errors>`.
_ELISION = re.compile(r"^\s*+(?:\.\.\.|…|\[\.\.\.\])(?:\s*+<[^>\n]{0,60}>)?\s*+$")


def _cell_message(lines: tuple[str, ...]) -> str | None:
    """The message of a table cell's `<pre>`: its whole text, hard-wrapped lines and all (an elided start such as
    `...<lots of warnings>` left out)."""
    kept = [line.strip() for line in lines if line.strip()]
    while kept and re.match(r"^(?:\.\.\.|…)\s*(?:<[^>]{0,60}>)?$", kept[0]):
        kept.pop(0)
    if not kept or len(kept) > MAX_CONTINUATION_LINES:
        return None
    # Output that the author cut (`...<more stack trace output>`) or that shows a traceback holds messages among
    # other lines: they are found line by line.
    if any(_ELISION.match(line) or _FRAME_LINE.match(line) or _TRACEBACK_HEADER in line for line in kept):
        return None
    text = "\n".join(kept)
    if _match_shape(kept[0], True, True) or (len(_WORD.findall(text)) >= 3 and _loose_message(kept[0])):
        return text
    return None


def _output_line_message(line: str, top_indent: int) -> bool:
    """A line of console output that states a failure in words, at the top level of its block."""
    if len(line) - len(line.lstrip()) > top_indent or _PROMPT.match(line) or _NOT_A_MESSAGE_LINE.match(line):
        return False
    text = line.strip()
    if _SETTING.match(text):  # `notify on failed build = false`: a setting, not output
        return False
    if not text[:1].isalpha() or len(_WORD.findall(text)) < 4 or not _loose_message(text) or _advises_optional_helper(text):
        return False
    return bool(_FAILURE_WORDS.search(_NOUN_ERROR.sub("", text)))


#: A log line of info or debug severity (glog's `I0501 …`, `INFO: …`, `[DEBUG] …`, `debug1: …`), or an npm notice.
_INFO_LOG_LINE = re.compile(
    r"^\s*(?:[IDV]\d{4} |\[?(?:INFO|DEBUG|TRACE|NOTICE|info|debug)\]?\b|debug\d*:|npm (?:notice|info|http|verb|timing)\b)")
#: A line of a settings file: a name, `=`, one value.
_SETTING = re.compile(r"^[A-Za-z_](?:[\w .-]{0,59}[\w.-])??\s*+=\s*+\S{1,100}$")
#: Output lines that are not messages even when they contain a failure word: logs of info or debug severity,
#: test-runner summaries, npm notices, stack frames.
_NOT_A_MESSAGE_LINE = re.compile(
    _INFO_LOG_LINE.pattern + r"|^\s*(?:"
    r"test\b.* \.\.\. |test result:|failures:|---- |running \d+ tests?|at |File \"|\d+ (?:passed|failed)|=+ |-+ |"
    # a statement of source code shown in the output (a traceback's source line)
    r"(?:raise|throw|return|assert|print|if|for|while|def|class|import|from)\b[ (])"
)


#: The start of a log line (a timestamp, a glog or klog severity and date): a line of its own, never a wrapped one.
_LOG_START = re.compile(r"^\s*(?:\d{4}[-/]\d\d[-/]\d\d|\[?\d\d:\d\d:\d\d|[IWEF]\d{4} |\[(?:INFO|WARN|WARNING|ERROR|DEBUG)\])")


#: A status banner, a line of its own framed by the same marks on both sides: xcodebuild's `** ARCHIVE FAILED **`,
#: `=== BUILD FAILED ===`.
_BANNER = re.compile(r"^\s*([*=#~-])\1{1,9}\s+\S(?:.{0,200}\S)?\s+\1{2,10}\s*$")


def _wraps(previous: str, line: str) -> bool:
    """True when `line` continues a hard-wrapped `previous` line (a long line cut mid-sentence, or a lower-case start)."""
    if (not line.strip() or _BANNER.match(line) or _PROMPT.match(line) or _LOG.match(line.strip()) or _LOG_START.match(line) or _match_shape(line, True, True) or _AFTER_MESSAGE.match(line)
            or _NOT_A_MESSAGE_LINE.match(line) or " " not in line.strip() or re.match(r"\s*[\w.-]+: ", line)
            and not line.strip()[:1].islower()):
        return False
    if line.strip()[:1].islower() and not previous.rstrip().endswith((".", "!", "?")):
        return True
    if _CUT_MID_SENTENCE.search(previous.rstrip()):
        return True
    # A progress line ("Pulling fs layer …", "Downloading …") opens with a gerund; a terminal or an author wraps a line
    # at 80 columns or so, so a shorter line ended where the program ended it.
    if re.match(r"\s*[A-Z][a-z]+ing\b", line):
        return False
    return len(previous.rstrip()) >= 70 and not previous.rstrip().endswith((".", "!", "?", ":"))


#: A line that ends on a word no sentence ends with (`… please run`, `… from within a`) was hard-wrapped.
_CUT_MID_SENTENCE = re.compile(r"\s(?:or|and|a|an|the|to|of|from|with|in|for|by|run|is|are|be|that|than)$")


#: A first line that only names the place of the error; what happened is on the next lines (Rust's panic,
#: webpack's `ERROR in ./src/index.js 59:9`).
_PLACE_HEADER = re.compile(r"thread '[^']*' (?:\(\d+\) )?panicked at \S+:\s*$|ERROR in \S+(?: \d+:\d+(?:-\d+(?::\d+)?)?)?\s*$")


def _explains_above(lines: tuple[str, ...], index: int) -> bool:
    """True when lines[index], after a blank line, opens an indented list that explains the message above it: a sentence
    ending in ":" over lines indented deeper (pip's `The conflict is caused by:` and the requirements in conflict,
    conda's `Package python conflicts for:` and its chains, Maven's `The following artifacts could not be resolved:`)."""
    line = lines[index]
    if index + 1 >= len(lines) or not re.match(r"^\s*[A-Z][^:\n]{0,200}:\s*$", line) or len(_WORD.findall(line)) < 3:
        return False
    if _PROMPT.match(line) or _AFTER_MESSAGE.match(line) or _LOG_START.match(line) or _INFO_LOG_LINE.match(line) \
            or _TRACEBACK_HEADER in line or _match_shape(line, True, True):
        return False
    following = lines[index + 1]
    return bool(following.strip()) and len(following) - len(following.lstrip()) > len(line) - len(line.lstrip())
#: The line that ends a message with where to read more: `For more details, please refer to https://…`,
#: `For information on key differences with WSL 2 please visit https://aka.ms/wsl2`.
_REFERENCE_LINE = re.compile(r"^\s*For (?:more )?(?:details|information)\b.{0,200}\b(?:refer to|see|visit)\b.{0,20}https?://")


def _reference_line(lines: tuple[str, ...], start: int) -> int | None:
    """The index of a reference line that ends the message starting at lines[start] within its next three lines, with
    no blank line, prompt, frame, log line or message of its own before it."""
    for index in range(start + 1, min(len(lines), start + 4)):
        line = lines[index]
        if _REFERENCE_LINE.match(line):
            return index
        if (not line.strip() or _PROMPT.match(line) or _FRAME_LINE.match(line) or _AFTER_MESSAGE.match(line)
                or _LOG_START.match(line) or _LOG.match(line.strip()) or _INFO_LOG_LINE.match(line)
                or _match_shape(line, True, True)):
            return None
    return None


def _continuation(lines: tuple[str, ...], start: int, first: str, comment: bool,
                  wrapped: bool = False) -> tuple[str, int]:
    """The message starting with `first` on lines[start], extended over its continuation lines (and, in console
    output, over the lines a long message was hard-wrapped onto)."""
    parts = [first]
    ends_with_colon = first.rstrip().endswith(":")
    # A Rust panic names its place on the first line and says what happened on the next ones.
    panic = bool(_PLACE_HEADER.match(first.strip()))
    first_indent = len(lines[start]) - len(lines[start].lstrip())
    npm = _NPM_ERROR.match(first)
    index = start + 1
    reference = _reference_line(lines, start) if not comment else None
    if reference is not None:
        # MindSpore prints an error over a few lines that end with its reference line:
        # `TypeError: …` / `Type Join Failed: …` / `For more details, please refer to https://…`.
        return "\n".join([first] + [line.rstrip() for line in lines[start + 1: reference + 1]]), reference
    # An exception whose message starts on the next line and runs over indented paragraphs (`RuntimeError:` then
    # multiprocessing's "An attempt has been made to start a new process …").
    paragraphs = bool(re.fullmatch(rf"{_QUALIFIER}{_EXCEPTION_NAME}:", first.strip()))
    while index < len(lines) and index - start <= (MAX_NPM_LINES if npm else MAX_CONTINUATION_LINES * (2 if paragraphs else 1)):
        line = lines[index]
        if not line.strip() and index + 1 < len(lines):
            following = lines[index + 1]
            # A resolver error goes on after a blank line with its cause: `The conflict is caused by:` and the list.
            if not comment and not npm and _explains_above(lines, index + 1):
                parts += ["", following.rstrip()]
                index += 2
                continue
            if paragraphs and len(following) - len(following.lstrip()) > first_indent and following.strip():
                parts.append("")
                index += 1
                continue
        if _ELISION.match(line) and not paragraphs:  # where the author cut the output, the message ended
            break
        if npm:
            # npm prints one error over many `npm ERR!` lines (ERESOLVE's dependency tree): they are one message.
            if not re.match(r"npm (?:ERR!|error)(?:\s|$)", line):
                break
            parts.append(line.rstrip())
            index += 1
            continue
        if _AFTER_MESSAGE.match(line):
            break
        # A list of messages, one a line at the same indentation: each is its own message.
        indent = len(line) - len(line.lstrip())
        if indent <= first_indent and line.strip() and _match_shape(line, True, True):
            break
        if re.match(r"\s*\[signal ", line):  # Go: `[signal SIGSEGV: …]` under a panic belongs to it
            parts.append(line.rstrip())
            index += 1
            continue
        if panic and line.strip() and not line.startswith((" ", "\t")) and index - start <= 3 and not _FRAME_LINE.match(line):
            parts.append(line.rstrip())
            index += 1
            continue
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
        if panic and len(parts) > 1 and not line.startswith((" ", "\t")):
            break
        if panic and len(parts) > 1 and line.startswith((" ", "\t")) and not re.match(r"\s+\w+: ", line):
            break
        indented = line.startswith((" ", "\t")) and (comment or indent > first_indent)
        if not (indented or ends_with_colon or (wrapped and not comment and _wraps(lines[index - 1], line))):
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


_NOTED_ELISION = re.compile(r"^\s*+(?:(?:\.\.\.|…)\s*+(?:<[^>\n]{3,60}>|\[[^\]\n]{3,60}\]|\([^)\n]{3,60}\))"
                            r"|\[(?:\.\.\.|…)\s*+[^\]\n]{3,60}\]|<[^>\n]{0,20}(?:truncated|omitted|snip)[^>\n]{0,40}>)\s*+$", re.IGNORECASE)


def _after_noted_elision(lines: tuple[str, ...], index: int) -> bool:
    """The sentence right after the author cut output with a note saying what was cut (`...<lots of warnings and errors>`,
    `... [200 lines omitted]`, `[... output truncated ...]`): what was kept is the message ("You have not agreed to
    the Xcode license agreements, please run …")."""
    previous = next((line for line in reversed(lines[:index]) if line.strip()), "")
    if not _NOTED_ELISION.match(previous):
        return False
    text = lines[index].strip()
    return text[:1].isalpha() and len(_WORD.findall(text)) >= 4 and _loose_message(text) and not _NOT_A_MESSAGE_LINE.match(text)


def _message_on_next_lines(lines: tuple[str, ...], index: int) -> bool:
    """`RuntimeError:` alone on its line, its message on the indented lines below it."""
    if not re.fullmatch(rf"\s*{_QUALIFIER}{_EXCEPTION_NAME}:\s*", lines[index]) or index + 1 >= len(lines):
        return False
    following = lines[index + 1]
    indent = len(lines[index]) - len(lines[index].lstrip())
    return len(following) - len(following.lstrip()) > indent and len(_WORD.findall(following)) >= 3


#: The sentence before a block that presents the whole block as the message: "you may see the following error
#: message:", "If you see a message such as:", "the following warning occurs:", "If you're seeing this error:".
_INTRODUCES_BLOCK = re.compile(r"(?i)\b(?:error|message|warning)s?\b[^.:\n]{0,40}[:：]\s*$|(?:报错|错误|提示)(?:信息|如下)?\s*[:：]\s*$")
#: The sentence tells the reader to write the block ("To turn off this warning, add the following lines to …:"): the block
#: is configuration or code, not output.
_INTRODUCES_INPUT = re.compile(r"(?i)\b(?:add|append|put|paste|insert|write|set|use|create|edit|change|type|enter)\b[^.:\n]{0,40}"
                               r"\b(?:following|these|this|lines?|settings?|config\w*)\b")
#: At most this many lines make a block that is one message as a whole.
MAX_WHOLE_BLOCK_LINES = 8
#: Shell languages: an author pastes output into such a block too (ssh's boxed warning), but a script is code.
_SHELL_LANGUAGES = {"bash", "sh", "shell", "zsh", "ksh", "fish", "powershell", "ps1", "pwsh", "bat", "batch", "cmd"}
#: Shell syntax on a line: an expansion (`$1`, `${VAR}`, `$*`), `&&`/`||`, a redirection, a function definition, a
#: keyword or builtin that opens a statement, a statement ended by `;`.
_SHELL_SYNTAX = re.compile(
    r"\$(?:\{|\(|[\w*@#?!$-])|&&|\|\||(?:^|\s)\d?(?:>>?|&>|<)\s*[&\w/\-$]|\b\w[\w-]{0,60}\s*\(\)\s*\{"
    r"|^\s*(?:if|then|else|elif|fi|for|do|done|while|until|case|esac|function|local|export|set|trap|return|exit|echo|"
    r"printf|read|source|alias|unset|shift|eval|exec|command|Write-(?:Host|Output|Error|Warning))\b|;\s*(?:\}\s*)?$")


def _whole_block_message(block: Block, before: str) -> str | None:
    """A short block of output that the prose introduces as the message and that is one message as a whole: a
    message printed over several lines or paragraphs (NumPy's "IMPORTANT: PLEASE READ THIS …" and its explanation,
    ssh's boxed "WARNING: UNPROTECTED PRIVATE KEY FILE!" and the line under it, a hard-wrapped warning).

    Not when the block shows a command, a traceback, log lines or code, or lists several messages one a line."""
    introduction = before.strip().split("\n")[-1]
    if block.info in _CODE_LANGUAGES or block.info == "cell" or not _INTRODUCES_BLOCK.search(introduction) \
            or _INTRODUCES_INPUT.search(introduction):
        return None
    kept = [line for line in block.lines if line.strip()]
    if not 2 <= len(kept) <= MAX_WHOLE_BLOCK_LINES:
        return None
    # A block in a shell language is output only when no line of it is shell code (a function that prints a warning,
    # a command and what it runs on failure).
    if block.info.lower() in _SHELL_LANGUAGES and any(_SHELL_SYNTAX.search(line) for line in kept):
        return None
    for line in kept:
        if (_PROMPT.match(line) or _FRAME_LINE.match(line) or _TRACEBACK_HEADER in line or _LOG_START.match(line)
                or _LOG.match(line.strip()) or _INFO_LOG_LINE.match(line) or _STATEMENT.match(line.strip()) or _ELISION.match(line)
                or _AFTER_MESSAGE.match(line)):
            return None
    top_indent = min(len(line) - len(line.lstrip()) for line in kept)
    shaped = [line for line in kept if len(line) - len(line.lstrip()) == top_indent and _match_shape(line, True, True)]
    stated = [line for line in kept if _output_line_message(line, top_indent)]
    # One message reads as sentences (or a banner of `@@@…`); a shaped line below the first starts a message of its
    # own after other output (progress lines, status codes).
    if shaped[1:] or shaped and shaped[0] is not kept[0] or not (shaped or stated):
        return None
    if any(len(_WORD.findall(line)) < 3 and re.search(r"\w", line) for line in kept):
        return None
    # A progress line ("Reading package lists... Done", "Fetching package metadata") opens with a gerund and states no
    # failure: the block is a run of output, not one message.
    if any(re.match(r"\s*[A-Z][a-z]+ing\b", line) and not _output_line_message(line, top_indent) for line in kept):
        return None
    if shaped:
        # A message that opens the block goes on only over the lines it was wrapped onto and lines that state a failure
        # too; a line after it that does neither ("Server shutting down …", "Pulling fs layer …") is other output.
        for previous, line in zip(kept, kept[1:]):
            if not (line.strip()[:1].islower() or _CUT_MID_SENTENCE.search(previous.rstrip())
                    or len(line) - len(line.lstrip()) > top_indent or _output_line_message(line, top_indent)):
                return None
    return "\n".join(line[top_indent:].rstrip() for line in block.lines if line.strip())


def _code_occurrences(block: Block, block_index: int, before: str) -> list[Occurrence]:
    found: list[Occurrence] = []
    lines = block.lines
    whole = _whole_block_message(block, before)
    if whole:
        return [Occurrence(whole, block.first_line, LOW if _hedged(lines, 0, before) else HIGH, block.kind, block_index)]
    if block.info == "cell" and not any(_TRACEBACK_HEADER in line or _PROMPT.match(line) for line in lines):
        whole = _cell_message(lines)
        if whole:
            return [Occurrence(whole, block.first_line, LOW if _hedged(lines, 0, before) else HIGH, block.kind, block_index)]
    source_code = block.info in _CODE_LANGUAGES
    top_indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
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
        entry = _DATA_ENTRY.match(line) if block.info in _DATA_LANGUAGES and not is_comment else None
        if entry:
            if not _MESSAGE_KEY.match(entry.group("key").strip()):
                index += 1
                continue
            candidate_text = entry.group("value").strip().strip(",").strip("\"'")
        message = _match_shape(candidate_text, True, True)
        if entry and message is None:
            index += 1
            continue
        if message is None and not is_comment and _message_on_next_lines(lines, index):
            message = line.strip()
        if message is None and not source_code and _after_noted_elision(lines, index):
            message = line.strip()
        if message is None and not is_comment:
            trailing = _TRAILING_COMMENT.search(line)
            if trailing and source_code:
                message = _match_shape(line[trailing.end():], True, True)
                is_comment = message is not None
        if message is None and not source_code and not is_comment and _output_line_message(line, top_indent) \
                and not (block.info in _SHELL_LANGUAGES and _SHELL_SYNTAX.search(line)):
            # Console output: a line that states a failure is the message even without a prefix
            # (`libf77blas.so.3: …` is a shape; `The ordinal 241 could not be located …`, `Could not load host key: …`);
            # in a shell block, not a line of the script (`command -v x >/dev/null || warn "x is not installed"`).
            message = line.strip()
        if message is None:
            index += 1
            continue
        full, last = _continuation(lines, index, message, is_comment, wrapped=not source_code)
        if _advises_optional_helper(full):  # the advice may end on a line the message was wrapped onto
            index = last + 1
            continue
        confidence = LOW if _hedged(lines, index, before) else HIGH
        found.append(Occurrence(full, block.first_line + index, confidence, block.kind, block_index))
        index = last + 1
    return found


def _prose_candidates(text: str, where: str, explained_below: bool = False) -> list[tuple[int, str]]:
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
            message = _match_shape(inner.replace("`", ""), False, pattern is not _SINGLE_QUOTED)
            add(match.start(), match.end(), message)
    # A quoted or inline-code span that the sentence presents as the error ("the error `MD5 does not match`",
    # "报错`Python3 not found`", 'if you get the error *"Java runtime could not be located"*') is the message
    # even without an exception-style prefix.
    for pattern in (_INLINE_CODE, _DOUBLE_QUOTED, _CORNER_QUOTED):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in covered):
                continue
            inner = next(value for name, value in match.groupdict().items() if value and name in ("code", "a", "b", "d"))
            add(match.start(), match.end(), _introduced_span(inner, text, match.start(), match.end(), where))
    if where in ("heading", "title") or _WHOLE_BOLD.match(text):
        add(0, len(text), _heading_message(text, explained_below))
    # Unquoted after the introducer: "报错 dlopen: cannot load …, 如何解决", "you may see this error: The file …".
    for match in _UNQUOTED_AFTER.finditer(text):
        if any(start <= match.start("m") < end for start, end in covered):
            continue
        add(match.start("m"), match.end("m"), _unquoted_message(match.group("m")))
    offset = 0
    for line in text.split("\n"):
        line_end = offset + len(line)
        if _TRACEBACK_HEADER in line:
            message = _after_last_frame(line)
            if message and not any(start <= offset + line.find(message) < end for start, end in covered):
                add(offset + line.find(message), line_end, message)
        # A line that holds a span already taken (hard-wrapped prose: "stopped with `ERROR: …`") is not read again as
        # a whole: its words before the span are prose, not a component named before a severity.
        if allow_tool and not any(start < max(line_end, offset + 1) and offset < end for start, end in covered):
            stripped = re.sub(r"^(?:[-*+] |\d+\. )?(?:\*\*|__)(.*?)(?:\*\*|__)$", r"\1", line.lstrip("> ")).replace("`", "")
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


_CORNER_QUOTED = re.compile(r"(?:\u2018(?P<d>[^\u2019\n]{3,2000})\u2019)")
_WHOLE_BOLD = re.compile(r"^\s*(?:[-*+] |\d+\. )?(?:\*\*|__)(?P<bold>[^\n]{3,2000}?)(?:\*\*|__)\s*$")
_UNQUOTED_AFTER = re.compile(
    r"(?:(?:报错|错误|提示|出现|出错)(?:\s*+[:：,，])?\s*+|\b(?:error|message)\b[^.:\n`\"]{0,120}: "
    r"|\b(?:throws?|reports?|shows?|displays?|prints?|gets?|got|see)\s+(?=(?:Error|ERROR|error): ))"
    r"(?P<m>[A-Za-z'/\[{][^\u3000-\u303f\u3400-\u9fff\uac00-\ud7af\uff01-\uff5e\n]{5,600})"
)


def _loose_message(text: str) -> bool:
    """A sentence-like text that reads as a program's message: words, no command, no code."""
    text = text.strip()
    words = _WORD.findall(text)
    if len(words) < 2 or len(text) > 600 or _COMMAND.match(text):
        return False
    if re.search(r"[;{}]\s*$|^\w+\s*=|\w\(\)$|^(?:[\w.]+/)+[\w.]*$", text) or _STATEMENT.match(text):
        return False
    return True


#: A line of source code: a declaration or an assignment (`var ErrNotFound = errors.New("not found")`,
#: `err := fmt.Errorf(…)`, `let x = …`), or a call that passes a string (`log.Fatal("…")`).
_STATEMENT = re.compile(
    r"^(?:(?:var|let|const|val|auto|final|static|my|local)\s+)?[\w.\[\]]{1,100}(?:\s*,\s*[\w.]{1,100}){0,5}\s*(?::=|\+=|=(?!=))\s*\S"
    r"|^[\w.]{1,100}\((?:\"|')"
)


def _introduced_span(inner: str, text: str, start: int, end: int, where: str = "paragraph") -> str | None:
    """The message of a quoted span that its sentence presents as the error, else None."""
    inner = _BACKSLASH_ESCAPE.sub(r"\1", inner).replace("`", "").strip()
    if not inner:
        return None
    shaped = _match_shape(" ".join(inner.split()), True, True)
    inside = _PYTHON_ANYWHERE.search(inner)
    if not shaped and inside and inside.start() > 0:
        # A frame pasted before the exception in one span (`/x/rarfile.py, line820, …, SyntaxError: invalid syntax`).
        shaped = _match_shape(inner[inside.start():], True, True)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and line_start > 0:
        # Hard-wrapped prose: the span opens its line and the words that introduce it end the line before.
        line_start = text.rfind("\n", 0, line_start - 1) + 1
    before, after = text[max(line_start, start - 200): start], text[end: min(line_end, end + 60)]
    # A troubleshooting heading that opens with the quoted message: '"The referenced assembly could not be found."
    # when enabling the WSL optional feature'.
    opens_heading = where in ("heading", "title") and not re.sub(r"^(?:#+\s*)?[*_]*", "", before).strip()
    if not (_INTRODUCER.search(before) or _INTRODUCER.search(after) or opens_heading):
        return None
    if shaped:
        return shaped
    # A failed check prints its condition, often one token with a comparison: the error message
    # `FM_W+pad_left+pad_right-KW>=strideW`, `CHECK(a <= b)`.
    condition = bool(re.fullmatch(r"[\w.+\-*/()\[\] ]{1,100}(?:>=|<=|==|!=|<|>)[\w.+\-*/()\[\] ]{1,100}", inner))
    if condition and _INTRODUCED.search(before.replace("*", "")) and len(_WORD.findall(inner)) >= 2:
        return inner
    if not _loose_message(inner) or len(inner.split()) < 2:
        return None
    # `std::io::Error`, `Box<dyn Error>`: a type named "error" is not a message; a failure must be stated.
    if _FAILURE_WORDS.search(_NOUN_ERROR.sub("", inner)) and len(_WORD.findall(inner)) >= 3:
        return inner
    # '"Quota exceeded for the project" is reported', '… is thrown': the sentence uses a verb said only of errors
    # (a span that "is printed", "is shown" or "is returned" may be any output, and must state a failure above).
    if re.match(r"\s*(?:is|was|are|were|gets|got|will be|may be|can be) (?:reported|thrown|raised)\b", after) \
            and len(_WORD.findall(inner)) >= 3:
        return inner
    introduced = _INTRODUCED.search(before.replace("*", ""))
    if introduced:
        # "error: `AI CORE` and `AI CPU` can not find …": names listed in a sentence, not a quoted message.
        if re.match(r"\s*(?:and|or|,)\s*[`\"']", after) and not _FAILURE_WORDS.search(inner):
            return None
        # "You should see the message `deployment.apps/web rolled back`": a message may be any output; only an error,
        # an exception or a warning is one without a failure stated in it.
        if not _ERROR_INTRODUCER.search(introduced.group(0)):
            return None
        return inner
    return None


def _heading_message(text: str, explained_below: bool) -> str | None:
    """A heading (or a bold-only line) that is itself the message, as troubleshooting pages list them.

    A heading that names a problem ("Running Windows commands fails inside a distribution", "Cannot access WSL
    files from Windows") reads much like a message, so a heading without a prefix counts only when it is written
    as a message is printed (a full sentence ending in "." or ":", or an HRESULT), or when the page explains it
    under a "Reason"/"Cause" sub-heading, as troubleshooting pages that list messages do."""
    bold = _WHOLE_BOLD.match(text)
    text = bold.group("bold") if bold else text
    # "Error: 0x1bc when `wsl --set-default-version 2`": the message, then the command that gives it.
    # Searched on the text with its runs of spaces collapsed: a run of spaces is then one character, and the search
    # stays linear in the heading's length.
    flat = " ".join(text.split())
    circumstance = re.search(r" (?:when|while|after|during) (?:running |using |calling )?`", flat)
    text = flat if circumstance else text
    cut = _match_shape(text[: circumstance.start()].replace("`", ""), True, True) if circumstance else None
    if cut:
        return cut
    text = " ".join(text.replace("`", "").split())
    # A translated heading (the English message inside it is found by the prose scan), a question ("Q: What can I
    # do if …"), or a heading that quotes the message (the quote is the message) is not a message as a whole.
    quoted = re.search(r"[\"\u201c\u2018]([^\"\u201d\u2019]{0,300})[\"\u201d\u2019]", text)
    # A dialog's question is a message too when the page explains it under "Reason" and it states a failure ("Build
    # failed, do you want to continue?", "Cannot connect to the update server. Retry?"); a question the page asks
    # ("Is the cache shared …?", "Does … support …?") is not.
    question = "?" in text and not (explained_below and _FAILURE_WORDS.search(_NOUN_ERROR.sub("", text))
                                    and not _QUESTION_OPENER.match(text))
    if _CJK.search(text) or text.startswith(("Q:", "Q：")) or question or quoted and len(quoted.group(1).split()) >= 3:
        return None
    text = re.sub(r"\[\[[\w-]+\]\]$", "", text).strip()  # an anchor of the Hugging Face docs: `[[my-anchor]]`
    punctuated = text.endswith((".", ":"))
    if text.endswith(":"):
        text = text[:-1].rstrip()
    shaped = _match_shape(text, True, True)
    if shaped:
        return shaped
    if _PROBLEM_HEADING.search(text) or not _loose_message(text) or len(_WORD.findall(text)) < 3:
        return None
    if _HRESULT.search(text) or explained_below:
        return text
    if punctuated and _FAILURE_WORDS.search(_NOUN_ERROR.sub("", text)):
        return text
    return None


def _unquoted_message(text: str) -> str | None:
    """Unquoted text after an introducer, up to the end of its sentence or where CJK prose resumes."""
    text = text.replace("`", "").strip().rstrip(" ,，;")
    if _match_shape(text, True, True):
        return _match_shape(text, True, True)
    if len(_WORD.findall(text)) < 3 or not _loose_message(text):
        return None
    return text if _FAILURE_WORDS.search(_NOUN_ERROR.sub("", text)) else None


def _prose_occurrences(block: Block, block_index: int, before: str, explained_below: bool = False) -> list[Occurrence]:
    text = block.text
    found = []
    line_starts = [0]
    for line in block.lines:
        line_starts.append(line_starts[-1] + len(line) + 1)
    for offset, message in _prose_candidates(text, block.kind, explained_below):
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
        data = block.info in _DATA_LANGUAGES
        previous = ""
        for line in block.lines:
            # The source line a traceback quotes under its frame (`raise RuntimeError("Broken toolchain: …")`) is
            # the library's code, not the article's: the message under it is real output.
            under_frame = bool(_FRAME.search(previous))
            if line.strip():
                previous = line
            if not _OUTPUTS.search(line) or _COMMENT.match(line) or under_frame:
                continue
            code = line
            if data:
                # A data file prints nothing of its own (`message: '…'` is a value), except the commands it holds.
                entry = _DATA_ENTRY.match(line)
                code = entry.group("value") if entry else line
                if not _RUNS_OUTPUT.search(code):
                    continue
            for match in _OWN_STRING.finditer(code):
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


#: The severity word a message is sometimes quoted with and sometimes without ("Error: This update only applies …").
_SEVERITY_PREFIX = re.compile(r"^(?:Error|ERROR|error|Warning|WARNING|Exception)[:：]\s*")


def _key(message: str) -> str:
    text = _SEVERITY_PREFIX.sub("", " ".join(message.split()))
    for marker in ("...", "…", "[...]"):
        # An elided start (`[...\stream_executor\cuda_dnn.cc] Unable to load cuDNN DSO`) leaves too little before
        # the marker to name the error: the key stays whole.
        if marker in text and len(text.split(marker, 1)[0].strip()) >= 10:
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
            following = article.blocks[block_index + 1] if block_index + 1 < len(article.blocks) else None
            explained_below = (block.kind == "heading" and following is not None and following.kind == "heading"
                               and bool(_REASON_HEADING.match(following.text.strip())))
            occurrences.extend(_prose_occurrences(block, block_index, before, explained_below))
        before = "\n".join(block.lines[-2:])
    literals = _own_strings(article)
    kept: list[Occurrence] = []
    for occurrence in occurrences:
        text = clean_signature(occurrence.text)
        if not text or _produced_by_own_code(text, literals):
            continue
        if occurrence.where == "heading":
            text = _line_a_heading_names(text, article.blocks, occurrence.block_index) or text
        kept.append(Occurrence(text, occurrence.line, occurrence.confidence, occurrence.where, occurrence.block_index))
    return _without_family_title(_merge(kept), kept)


def _line_a_heading_names(text: str, blocks: list[Block], heading_index: int) -> str | None:
    """The output line under a heading that the heading names by a part of it: `### Multiprocessing error "driver
    shut down"` over a block that shows `[windows] driver shut down`, `"Broken pipe"` over `BrokenPipeError: [Errno 32]
    Broken pipe`. The block's line is the message; the heading's words are only its name."""
    if len(text) > 80 or "\n" in text:
        return None
    for block in blocks[heading_index + 1:]:
        if block.kind == "heading":
            return None
        if not block.is_code:
            continue
        for line in block.lines:
            stripped = clean_signature(line)
            if text in stripped and len(stripped) > len(text) and stripped.endswith(text) and not _PROMPT.match(line) \
                    and not _STATEMENT.match(stripped) and len(stripped) <= 300:
                return stripped
    return None


#: An author's placeholder in the title of a reference page for an error: `"x" is (not) "y"`, `declaration X`; a
#: parenthesised negation (`(not)`, `(un)`, `(no)`) writes two messages as one.
_TITLE_PLACEHOLDER = re.compile(r"[\"'`]x[\"']|[\"'`]?\b[XYN]\b[\"']?|\((?:not|un|no|non)\)|XYZ|XXX")


def _without_family_title(messages: list[FoundMessage], occurrences: list[Occurrence]) -> list[FoundMessage]:
    """Drop a title that names a family of errors rather than quoting one: a reference page titled
    `TypeError: "x" is (not) "y"` or `SyntaxError: JSON.parse: bad parsing` that lists the concrete messages
    (`TypeError: "x" is undefined`, `SyntaxError: JSON.parse: unterminated string`) and never prints the title's
    form. The title is a family name when it holds a placeholder or shares more than the exception name with them."""
    title_lines = {occurrence.line for occurrence in occurrences if occurrence.where == "title"}
    kept = []
    for message in messages:
        family = None
        if set(message.lines) <= title_lines:
            name = _PYTHON.match(message.signature)
            if name:
                prefix = message.signature[: message.signature.rfind(": ") + 2]
                siblings = [other for other in messages if other is not message and other.signature.startswith(name.group(0))]
                close = [other for other in siblings if other.signature.startswith(prefix)]
                placeholder = _TITLE_PLACEHOLDER.search(message.signature[name.end():])
                family = len(siblings) >= 2 and (placeholder or (len(close) >= 2 and len(prefix) > len(name.group(0))))
        if not family:
            kept.append(message)
    return kept


_PLACEHOLDER = re.compile(r"(?:XYZ|XXX|xxx|<[^>\s]{1,40}>|\{[^}\s]{1,40}\}|\.\.\.|…)")


_EXCEPTION_PREFIX = re.compile(rf"^{_QUALIFIER}{_EXCEPTION_NAME}: ")


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second):
        if a != b:
            break
        size += 1
    return size


def _same_error(key: str, existing: str, truncated: bool, heading: bool) -> bool:
    """Whether two occurrences are one message: equal keys; a copy cut short (in a title, a heading, or with
    `...`) that the other starts with; a heading that restates the quoted message with a placeholder
    ("… configuration class XYZ for this kind of AutoModel" over the literal message)."""
    if key == existing:
        return True
    shorter, longer = sorted((key, existing), key=len)
    # "Installation failed with error 0x80070003 or error 0x80370102": the author names two errors at once.
    if longer.startswith(shorter) and re.match(r" (?:or|and) ", longer[len(shorter):]):
        return False
    if longer.startswith(shorter) and (len(shorter) >= 20 or (heading or truncated) and len(shorter) >= 10):
        return True
    # A heading that names the first line of a message printed over several (`## Error: 0x1bc` over its output).
    if heading and longer.startswith(shorter + " ") and len(shorter) >= 5:
        return True
    # The same message quoted with and without its exception name (`TypeError: The params of …` and `The params of …`).
    unnamed = [_EXCEPTION_PREFIX.sub("", text, count=1) for text in (key, existing)]
    if unnamed[0] == unnamed[1] and len(unnamed[0]) >= 20:
        return True
    common = _common_prefix(key, existing)
    # A message written with an author's placeholder (`libcudnn.<Version>: …`) and its literal form are one error.
    if common >= 20 and any(re.match(r"<[A-Za-z][\w ]{0,40}>|\*{3,}", text[common:]) for text in (key, existing)):
        return True
    if not heading:
        return False
    return common >= 30 and any(_PLACEHOLDER.match(text[common:]) for text in (key, existing))


_CODE_KINDS = ("fence", "code", "pre")


def _merge(occurrences: list[Occurrence]) -> list[FoundMessage]:
    """One message per distinct text; a truncated copy (a prefix) joins the full one.

    A copy truncated with `...` that several messages start with joins none of them: it says too little to
    tell which one it is, and must not make the others duplicates of one another."""
    groups: list[list[Occurrence]] = []
    keys: list[str] = []
    pending: list[Occurrence] = []
    for occurrence in occurrences:
        key = _key(occurrence.text)
        truncated = any(marker in occurrence.text for marker in ("...", "…"))
        heading = occurrence.where in ("title", "heading")
        # Messages listed one a line in one block are distinct, even when one starts with another
        # ("… unterminated string" over "… unterminated string literal").
        matches = [index for index, existing in enumerate(keys)
                   if (key == existing or occurrence.where not in _CODE_KINDS
                       or all(o.block_index != occurrence.block_index for o in groups[index]))
                   and _same_error(key, existing, truncated, heading or all(o.where in ("title", "heading") for o in groups[index]))]
        if truncated and not heading and len(matches) != 1:
            pending.append(occurrence)
            continue
        if matches:
            index = matches[0]
            groups[index].append(occurrence)
            if len(key) > len(keys[index]) and not heading:
                keys[index] = key
        else:
            groups.append([occurrence])
            keys.append(key)
    for occurrence in pending:  # a truncated copy that came before the full message
        key = _key(occurrence.text)
        matches = [index for index, existing in enumerate(keys) if _same_error(key, existing, True, False)]
        if len(matches) == 1:
            groups[matches[0]].append(occurrence)
        elif not matches:
            groups.append([occurrence])
            keys.append(key)
    messages = []
    for group in groups:
        # The literal message of a code block or the prose wins over a heading's or the title's restatement.
        quoted = [occurrence for occurrence in group if occurrence.where not in ("title", "heading")] or group
        literal = [occurrence for occurrence in quoted if not re.search(r"<[A-Za-z][\w ]{0,40}>", occurrence.text)] or quoted
        longest = max(literal, key=lambda occurrence: (len(occurrence.text), occurrence.where != "title"))
        if all(occurrence.where not in _CODE_KINDS for occurrence in group):
            # Only prose: a heading that quotes the whole message wins over a shorter mention of it in the text
            # (`Out of Memory!!! total[…] … failed!` in the heading, "`Out of Memory`" in the answer).
            fuller = [occurrence for occurrence in group if occurrence.where == "heading" and len(occurrence.text) > len(longest.text)
                      and _key(occurrence.text).startswith(_key(longest.text)) and not _PLACEHOLDER.search(occurrence.text)]
            if fuller:
                literal = fuller
                longest = max(fuller, key=lambda occurrence: len(occurrence.text))
        representative = min((occurrence for occurrence in literal if occurrence.text == longest.text),
                             key=lambda occurrence: occurrence.line)
        confidence = HIGH if any(occurrence.confidence == HIGH for occurrence in group) else LOW
        messages.append(FoundMessage(representative.text, representative.line, confidence,
                                     representative.block_index, tuple(sorted({o.line for o in group}))))
    messages.sort(key=lambda message: min(message.lines))
    return messages

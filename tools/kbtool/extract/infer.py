"""What an article says around a message: its domain, the kind of error, the cause and the fixes.

Everything is taken from the article's own text; nothing is invented. When the
article says nothing about a fix, the lists stay empty and `kbtool lint` asks a
curator for them.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from kbtool.extract.articles import Article, Block

UNKNOWN_DOMAIN = "unknown"

# (domain, pattern, weight). Title and imports count three times.
_DOMAIN_HINTS: list[tuple[str, re.Pattern[str], int]] = [
    (domain, re.compile(pattern), weight)
    for domain, pattern, weight in [
        ("tensorflow", r"\btf\.\w|\btensorflow\b|\bTensorFlow\b|\bTFLite\w*|\btflite\b|\bkeras\b|\bKeras\b|TFLiteConverter", 1),
        ("pytorch", r"\btorch\b|\bPyTorch\b|\bpytorch\b|\btorchvision\b|\bnn\.Module\b|\bTorchScript\b", 1),
        ("onnxruntime", r"\bonnxruntime\b|\bONNX ?Runtime\b|\bInferenceSession\b|\bONNXRuntimeError\b", 2),
        ("onnx", r"\bonnx\b|\bONNX\b", 1),
        ("cuda", r"\bnvcc\b|\bcuda[A-Z]\w*|\b__global__\b|\bcuda_runtime\b|\.cu\b|\bCUDA (?:toolkit|C\+\+|kernel)", 1),
        ("jax", r"\bjax\b|\bJAX\b|\bjnp\.", 1),
        ("numpy", r"\bnumpy\b|\bnp\.\w", 1),
        ("pandas", r"\bpandas\b|\bpd\.\w|\bDataFrame\b", 1),
        ("scikit-learn", r"\bsklearn\b|\bscikit-learn\b", 2),
        ("transformers", r"\btransformers\b|\bHugging ?Face\b|\bAutoModel\w*|\bAutoTokenizer\b", 2),
        ("opencv", r"\bcv2\b|\bOpenCV\b|\bopencv\w*", 2),
        ("docker", r"\bdocker\b|\bDocker\b|\bDockerfile\b", 1),
        ("git", r"\bgit (?:push|pull|clone|commit|merge|rebase|checkout)\b", 1),
        ("nodejs", r"\bnpm\b|\bnode_modules\b|\bNode\.js\b|\brequire\(", 1),
        ("android", r"\bAndroid\b|\bgradle\b|\bGradle\b|\bLogcat\b|\badb\b", 1),
        ("pip", r"\bpip install\b|\bpip's\b|\bpip3? \w|\brequirements\.txt\b|\bwheel\b", 1),
        ("cpp", r"#include\b|\bg\+\+|\bgcc\b|\bclang\b|\bCMake\w*|\bstd::|\bC\+\+", 1),
        ("java", r"\bjava\.\w|\bJVM\b|\bMaven\b", 1),
        ("rust", r"\bcargo\b|\brustc\b|\bRust\b", 1),
        ("python", r"\bJupyter\b|\bnotebook\b|\bipykernel\b|\bvirtualenv\b|\bvenv\b|\binterpreter\b|\bCPython\b", 1),
    ]
]
# Lower-case words without which a domain's pattern cannot match: a cheap test before the regex runs.
_NEEDLES = {
    "tensorflow": ("tf.", "tensorflow", "tflite", "keras"), "pytorch": ("torch", "nn.module"),
    "onnxruntime": ("onnx",), "onnx": ("onnx",), "cuda": ("nvcc", "cuda", "__global__", ".cu"),
    "jax": ("jax", "jnp."), "numpy": ("numpy", "np."), "pandas": ("pandas", "pd.", "dataframe"),
    "scikit-learn": ("sklearn", "scikit-learn"), "transformers": ("transformers", "hugging", "automodel", "autotokenizer"),
    "opencv": ("cv2", "opencv"), "docker": ("docker",), "git": ("git ",),
    "nodejs": ("npm", "node_modules", "node.js", "require("), "android": ("android", "gradle", "logcat", "adb"),
    "pip": ("pip", "requirements.txt", "wheel"), "cpp": ("#include", "g++", "gcc", "clang", "cmake", "std::", "c++"),
    "java": ("java.", "jvm", "maven"), "rust": ("cargo", "rustc", "rust"),
    "python": ("jupyter", "notebook", "ipykernel", "virtualenv", "venv", "interpreter", "cpython"),
}
_IMPORT = re.compile(r"^[ \t]*(?:import|from|#include|using|require)\b.*$", re.MULTILINE)

# A message that names its own tool wins over the article's subject.
_MESSAGE_DOMAINS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\[ONNXRuntimeError\]|onnxruntime"), "onnxruntime"),
    (re.compile(r"^(?:tensorflow|tf|keras)\.|tensorflow/(?:core|lite|compiler|stream_executor|python)"), "tensorflow"),
    (re.compile(r"^torch\.|^torch\b|^RuntimeError: CUDA (?:error|out of memory)|torch\.cuda"), "pytorch"),
    (re.compile(r"^jax(?:lib)?\."), "jax"),
    (re.compile(r"^(?:ERROR: (?:Could not find a version|No matching distribution|Cannot install|Could not build wheels"
                r"|Failed building wheel|pip's dependency resolver|ResolutionImpossible|Could not install packages"
                r"|Invalid requirement|Double requirement)|error: (?:subprocess-exited-with-error|externally-managed-environment"
                r"|metadata-generation-failed|legacy-install-failure))"), "pip"),
    (re.compile(r"^nvcc\b"), "cuda"),
    (re.compile(r"^npm (?:ERR!|error) "), "nodejs"),
    (re.compile(r"^java\."), "java"),
]

_INSTALL = re.compile(r"^(?:ModuleNotFoundError|ImportError|ERROR: |error: (?:subprocess|externally|metadata|legacy)|npm (?:ERR!|error) )"
                      r"|No module named|Could not find a version|No matching distribution|dependency resolver|"
                      r"Could not load dynamic library|DLL load failed", re.IGNORECASE)
_BUILD = re.compile(r"^[^\s:]+:\d+(?::\d+)?: (?:fatal )?error|^<unknown>:\d+: error|\berror [A-Z]+\d+:|collect2|ld returned|"
                    r"nvcc fatal|ConverterError|[Cc]onver(?:t|sion)|[Qq]uantiz|compil|CMake|undefined reference")

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*(\"'])")
_DEAD_END = re.compile(
    r"\b(?:did(?:n't| not) (?:work|help|fix|solve|resolve|change)|does(?:n't| not) (?:work|help|fix|solve|resolve)|"
    r"do(?:n't| not) (?:work|help|fix|solve)|had no effect|has no effect|no effect|still (?:fails|failed|get|got|"
    r"occurs|occurred|happens|happened|throws|raised|raises|appears|appeared)|won't (?:help|fix|work)|"
    r"will not (?:help|fix|work)|to no avail|in vain|not (?:enough|sufficient) to (?:fix|solve|resolve)|"
    r"(?:tried|attempted|trying)\b.{0,200}\bbut\b)",
    re.IGNORECASE,
)
_FIX = re.compile(
    r"\b(?i:solution|solutions|fix(?:ed|es)? (?:it|this|the)|the fix|resolv(?:e|ed|es|ing)|workaround|solved|"
    r"to address this|to fix|correcting this|the remedy|the way around|what worked|this worked|that worked|"
    r"is needed|are needed|is required to|should be used|instead)\b"
    r"|^(?:Use|Set|Replace|Upgrade|Downgrade|Install|Pin|Add|Remove|Reduce|Increase|Convert|Ensure|Make sure|Try|Call|"
    r"Pass|Move|Rename|Switch|Enable|Disable|Update|Lower|Export|Rebuild|Reinstall|Run|Resize|Register|Drop|Delete|"
    r"Restart|Check|Create|Build|Compile|Link|Cast|Wrap|Avoid|Keep|Specify|Provide|Change|Define|Implement)\b",
)
_MARKUP = re.compile(r"\*\*")
#: A root cause is a sentence that explains why; the question's own sentences ("The column is right there…",
#: "My first reflex was…") and the next error message are not, and an empty root cause is better than a wrong one.
_CAUSE_BLOCKLIST = re.compile(
    r"^(?:I |I'm |I've |My |We |When I |After I |How |Why |What |Is |Can |Does |Do "
    # an instruction is a fix, not a cause; narration about the output ("As usual, this output tells us …") is neither
    r"|Please |You can |You may |You should |You need |If you |If you[’']re |If you[’']ve |Open |Deselect |Select |Click |Note\b|"
    r"Similarly\b|As (?:usual|before|expected|shown|mentioned|you can see)\b|That[’']s |(?:That|This) way\b|In production|"
    r"This (?:output|result|message) |E\.g\.|Otherwise\b|"
    # a pointer to more reading, or to the fix, is not a cause either
    r"For (?:a |an |more )?(?:[\w-]+ )?(?:example|details|information)\b|See |Verify |In (?:this|that|such a|either) case,? you\b|"
    r"\{\{|<)"
    r"|.*\b(?:you should|you can|you need to|you will have to|you have to) (?!see\b)")
#: A sentence the quoted message was cut out of ("If you get an error message ` `, …") is the lead-in to it.
_EMPTIED_QUOTE = re.compile(r"`\s+`|\"\s+\"|\*\s+\*|``\s*``")
_CAUSAL = re.compile(
    r"\b(?:because|caused by|cause[sd]?\b|due to|happens (?:when|if|because)|occurs (?:when|if|because)|means that|"
    r"this means|the reason|is that|since the|as the|results? from|comes? from|is not (?:compatible|supported|installed|set)|"
    r"does not (?:support|match|exist)|cannot|can't|requires?|expects?|only (?:supports?|accepts?|works))\b",
    re.IGNORECASE,
)
_CJK_TEXT = re.compile(r"[\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_QUOTED_MESSAGE = re.compile(r"(?<![A-Za-z0-9_.])(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception): \S")
_PURE_HEADING = re.compile(r"^\s*(?:\*\*|__)[^*_]{1,200}(?:\*\*|__)\s*$")


@dataclass
class Context:
    """What the article says around one message."""

    root_cause: str = ""
    workarounds: list[dict] = field(default_factory=list)
    dead_ends: list[dict] = field(default_factory=list)


#: Domains that sit under most libraries: they count half, so a library mentioned as much wins.
_GENERIC_DOMAINS = {"cpp"}
_FENCE_DOMAINS = {"cuda": "cuda", "cu": "cuda", "cpp": "cpp", "c++": "cpp", "c": "cpp", "js": "nodejs",
                  "javascript": "nodejs", "java": "java", "kotlin": "android", "rust": "rust", "dockerfile": "docker"}
_PYTHON_CODE = re.compile(r"^[ \t]*(?:import \w|from \w[\w.]* import|def \w+\(|print\()", re.MULTILINE)


def article_domain(article: Article, message_domains: list[str] = ()) -> str:
    """The tool or library the article is about: its title, imports, API names, code languages and messages."""
    scores: Counter[str] = Counter()
    python_code = False
    headings = "\n".join(block.text for block in article.blocks if block.kind in ("title", "heading"))
    body = "\n".join(block.text for block in article.blocks)[:300_000]
    imports = "\n".join(line for block in article.blocks if block.is_code for line in _IMPORT.findall(block.text))
    lowered = body.lower()
    for domain, pattern, strength in _DOMAIN_HINTS:
        if not any(needle in lowered for needle in _NEEDLES[domain]):
            continue
        count = len(pattern.findall(body)) + 2 * len(pattern.findall(headings))
        if count:
            scores[domain] += strength * min(count, 30)
        if imports and pattern.search(imports):
            scores[domain] += 3 * strength
    for block in article.blocks:
        if block.kind == "fence" and block.info in _FENCE_DOMAINS:
            scores[_FENCE_DOMAINS[block.info]] += 3
        if block.is_code and (block.info in ("python", "py", "python3") or _PYTHON_CODE.search(block.text)):
            python_code = True
    # A message that names its own tool (pip's resolver, ONNX Runtime) says what the article is about.
    for domain in message_domains:
        if domain != UNKNOWN_DOMAIN:
            scores[domain] += 10
    for generic in _GENERIC_DOMAINS:
        if generic in scores:
            scores[generic] //= 2
    if scores["onnxruntime"] and scores["onnx"]:
        scores["onnxruntime"] += scores.pop("onnx")
    scores = Counter({domain: score for domain, score in scores.items() if score > 0})
    if scores:
        best, score = max(scores.items(), key=lambda item: (item[1], item[0]))
        if score >= 2:
            return best
    return "python" if python_code else UNKNOWN_DOMAIN


def message_domain_hint(message: str) -> str:
    """The domain a message names by itself (e.g. pip's resolver errors), or UNKNOWN_DOMAIN."""
    for pattern, domain in _MESSAGE_DOMAINS:
        if pattern.search(message):
            return domain
    return UNKNOWN_DOMAIN


def message_domain(message: str, domain_of_article: str) -> str:
    for pattern, domain in _MESSAGE_DOMAINS:
        if pattern.search(message):
            return domain
    return domain_of_article


def category(message: str) -> str:
    if _INSTALL.search(message):
        return "install_error"
    if _BUILD.search(message):
        return "build_error"
    return "runtime_error"


def plain(text: str) -> str:
    """Prose without markdown emphasis and with single spaces."""
    return " ".join(_MARKUP.sub("", text).split())


#: The end of a paragraph that introduces the output (and message) of the block after it.
_LEADS_TO_OUTPUT = re.compile(r"(?i)\b(?:error|errors|message|output|warning)\b[^.\n]{0,60}"
                              r"\b(?:the following|similar to|like this|as follows|below)\b[^.\n]{0,30}[:：]$")


def _explanation_blocks(article: Article, block_index: int, past_code: list[Block] | None = None,
                        message_blocks: frozenset[int] = frozenset()) -> list[Block]:
    """The prose that explains the message: the paragraphs right after its block, else the one before.

    A code block between the message and the explanation (the asker's code, then the answer) does not end it: the
    prose after it is read too, up to the next heading, and listed in `past_code` (a fix may be stated there; a
    cause is taken only from the prose before the code). A block that holds another message (an index of
    `message_blocks`) does end it: the prose after that block explains that message."""
    blocks = article.blocks
    after: list[Block] = []
    crossed = False
    for position, block in enumerate(blocks[block_index + 1:], start=block_index + 1):
        if block.kind == "heading" or _PURE_HEADING.match(block.text):
            break
        if position in message_blocks and (after or block.is_code):
            break
        if block.kind in ("fence", "code", "pre"):
            crossed = crossed or bool(after)
            if past_code is None and after:
                break
            continue
        if block.kind in ("paragraph", "list", "blockquote", "html"):
            following = blocks[blocks.index(block) + 1] if block is not blocks[-1] else None
            if following is not None and following.is_code and (_LEADS_TO_OUTPUT.search(block.text.rstrip())
                                                                 or position + 1 in message_blocks):
                # "… the client reports an error similar to the following:", "From the container, connecting fails
                # with" introduce the next message
                break
            after.append(block)
            if (crossed or len(after) > 2) and past_code is not None:
                past_code.append(block)
            if len(after) == (4 if past_code is not None else 2):
                break
    own = blocks[block_index]
    if own.kind in ("paragraph", "list", "blockquote"):
        after.insert(0, own)
    if after:
        return after
    for block in reversed(blocks[:block_index]):
        if block.kind in ("paragraph", "list", "blockquote") and not _PURE_HEADING.match(block.text):
            return [block]
        if block.kind == "heading":
            break
    return []


def explain(article: Article, block_index: int, signature: str, source: str,
            message_blocks: frozenset[int] = frozenset()) -> Context:
    """Root cause, workarounds and dead ends stated next to the message (sentences quoted from the article).

    `message_blocks` are the indexes of the article's blocks that hold a message: the explanation of this one stops
    at the next of them."""
    context = Context()
    cause: list[str] = []
    # An article outside the KB root has no repository path to cite (lint's bad-url would reject it).
    sources = [source] if not source.startswith("/") else []
    past_code: list[Block] = []
    for block in _explanation_blocks(article, block_index, past_code, message_blocks - {block_index}):
        # Prose before the message is usually the question ("My first reflex was …"): a cause is taken from it
        # only when the sentence says why.
        before_message = any(other is block for other in article.blocks[:block_index])
        text = " ".join(" ".join(block.lines).split()).replace(" ".join(signature.split()), " ")
        sentences = [plain(sentence) for sentence in _SENTENCE_SPLIT.split(text)]
        head = signature.split("\n")[0][:40]
        # Keep English explanation: not the quoted message itself, no other quoted message, no lead-in
        # to a quote ("... for example:"), no Chinese/Japanese/Korean prose (root_cause is English).
        # An FAQ's "Q: … ?" is the question, not the explanation; its "A: " is only a label.
        sentences = [re.sub(r"^A[:：]\s*", "", sentence) for sentence in sentences
                     if not sentence.rstrip().endswith(("?", "？")) and not re.match(r"^Q[:：]", sentence)]
        sentences = [sentence for sentence in sentences
                     if sentence and head not in sentence and not _QUOTED_MESSAGE.search(sentence)
                     and not sentence.rstrip().endswith(":") and not _CJK_TEXT.search(sentence)]
        used_by_how = 0
        crossed_code = any(block is other for other in past_code)
        for position, sentence in enumerate(sentences):
            dead_end = _DEAD_END.search(sentence)
            # A sentence that reads like a failed attempt but tells of none ("changing it later has no effect") is
            # weighed as a fix or a cause like any other.
            tried = _dead_end(sentences, position, dead_end, sources) if dead_end else None
            if tried is not None:
                context.dead_ends.append(tried)
            elif _FIX.search(sentence):
                how = " ".join(sentences[position:position + 3])
                used_by_how = position + 3
                workaround = {"action": sentence[:4000], "how": how[:8000], "sources": sources}
                if how == sentence:  # the article gives no more detail than the action itself
                    del workaround["how"]
                context.workarounds.append(workaround)
            elif (len(cause) < 3 and len(sentence) > 20 and position >= used_by_how and not crossed_code
                  and (_CAUSAL.search(sentence) or not before_message)
                  and not _CAUSE_BLOCKLIST.match(sentence) and not _EMPTIED_QUOTE.search(sentence)
                  and len(re.findall(r"[A-Za-z]{2,}", re.sub(r"`[^`]*`", "", sentence))) >= 4):
                cause.append(sentence)
    context.root_cause = " ".join(cause)[:2000]
    return context


#: A sentence that only reports that the fix before it failed: "That did not help.", "It had no effect."
_FAILED_REPORT = re.compile(r"^(?:That|This|It|Neither|None of (?:these|this|them)|Unfortunately,? (?:that|this|it))\b", re.IGNORECASE)
#: The narration around a fix that was tried: "My first reflex was to call …", "I tried to …", "I also tried …".
_TRIED = re.compile(
    r"^(?:.{0,80}?\b(?:reflex|instinct|idea|attempt|guess|thought) was to |(?:I|We) (?:first |also |then )?(?:tried|attempted|have tried|had tried)"
    r"(?: to)? |(?:First|Then|Next),? (?:I|we) )(?P<action>.+?)\.?$", re.IGNORECASE)


def _dead_end(sentences: list[str], position: int, found: re.Match, sources: list[str]) -> dict | None:
    """A fix that did not work, as the article tells it: the fix that was tried (not the sentence that says it failed,
    "That did not help.", which names the fix in the sentence before), and why it fails (after "because", or the
    sentence after that says why; else the report itself)."""
    sentence = sentences[position]
    action, why = sentence, sentence
    told = False  # the action comes from the narration of what was tried
    if found.start() > 10 and not found.group(0).lower().startswith(("tried", "attempted", "trying")):
        action = sentence[: found.start()].rstrip(" ,")
    if _FAILED_REPORT.match(sentence) and found.start() <= 20 and position > 0:
        action, told = sentences[position - 1], True
    for joint in (" because ", " since ", " as it ", " as the "):
        if joint in sentence:
            head, why = sentence.split(joint, 1)
            why = why[0].upper() + why[1:]
            if action == sentence:
                action = head.rstrip(" ,") + "."
            break
    else:
        following = sentences[position + 1] if position + 1 < len(sentences) else ""
        # The sentence after the report says why, unless it is a fix, another attempt or the asker's narration.
        if (following and not _FIX.search(following) and not _DEAD_END.search(following) and not _TRIED.match(following)
                and not _CAUSE_BLOCKLIST.match(following)):
            why = following
    tried = _TRIED.match(action)
    if tried:
        action, told = tried.group("action"), True
    # A dead end is something done: "Setting X …", "Reinstalling …", "call torch.cuda.empty_cache()". "PyTorch doesn't
    # work on 32-bit system." or "Such a configuration doesn't work …" states a limitation (a cause), not a fix tried.
    if not (told or found.group(0).lower().startswith(("tried", "attempted", "trying")) or _ACTION.match(action)):
        return None
    return {"action": action[:4000], "why_fails": why[:8000], "sources": sources}


_ACTION = re.compile(
    r"^(?:[A-Z][a-z]+ing\b|To \w|(?:Simply |Just )?(?:Use|Set|Replace|Upgrade|Downgrade|Install|Pin|Add|Remove|Reduce|Increase|"
    r"Convert|Call|Pass|Move|Rename|Switch|Enable|Disable|Update|Lower|Export|Rebuild|Reinstall|Run|Restart|Delete|Change|"
    r"Clear|Append|Edit|Modify)\b)")


_STOP = set("""
a about above after again against all also an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having here how i if in into is it its
itself just me more most my no nor not now of off on once only or other our out over own same she should so some such
than that the their them then there these they this those through to too under until up very was we were what when
where which while who why will with would you your error errors fails failed failing failure problem issue issues
fix fixing how why what when model models use using used value type types get got when why code example examples
message messages one two new way ways work works working step steps common often also may might must need needs
""".split())
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9_+]{2,}")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ization", "isation", "ations", "ation", "izing", "ising", "ized", "ised", "izer", "iser", "ize", "ise",
                   "ing", "ers", "er", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def key_terms(text: str) -> set[str]:
    """Content words of `text`, lower-cased and lightly stemmed, without common words."""
    words = set(_TERM.findall(text.replace("_", " ").replace("-", " ")))
    return {stem(word) for word in words if word.lower() not in _STOP}


def article_terms(article: Article) -> set[str]:
    """Key terms of the title, headings and prose (code is left out: it repeats boilerplate)."""
    parts = [article.title] + [block.text for block in article.blocks if not block.is_code]
    return key_terms(" ".join(parts)[:200_000])

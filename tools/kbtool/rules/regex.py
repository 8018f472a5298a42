"""Regex: the record's regex compiles and recognises its own message."""

from __future__ import annotations

import re

from kbtool.findings import Problem, Severity
from kbtool.records import as_list, as_text
from kbtool.regex.facts import pattern_of
from kbtool.regex.literals import has_operator, literal_runs, literal_text
from kbtool.regex.parts import VARYING_PART, VOLATILE_PARTS, volatile_parts
from kbtool.rules.base import Example, rule

FAMILY = "regex"

#: A CamelCase exception name of two or more words (`KeyboardInterrupt`), not a lone `Error`.
_BARE_EXCEPTION_NAME = re.compile(r"(?:[A-Z][a-z0-9]+){2,}")

# The scenes of the examples: changes to a clean base record (the test suite's, a TFLite error).
_KERNEL_MESSAGE = "ConverterError: Quantization not supported for op 'Cumsum'. Op has no registered quantized kernel."
_ACTIVATION_MESSAGE = "ValueError: Unknown activation function: 'swishh'"
_CUDA_OOM = {"id": "pytorch/cuda-oom", "domain": "pytorch", "error_code": "CUOOM",
             "signature": "CUDA out of memory", "regex": "CUDA out of memory"}
_CUDA_OOM_ALLOCATE = {"id": "pytorch/cuda-oom-allocate", "domain": "pytorch", "error_code": "CUOOMA",
                      "signature": "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                      "regex": "CUDA out of memory\\. Tried to allocate [\\d.]+ [GM]iB"}


@rule(code="KB201", name="regex-invalid", family=FAMILY, asks_regex=True, severity=Severity.ERROR,
      summary="`regex` does not compile as a Python regular expression.",
      explanation="""
      The regex is what recognises a user's error message; one that does not compile recognises
      nothing. Regexes are Python `re` syntax. Remember that in JSON a backslash is written twice:
      `\\\\(` in the file is `\\(` in the regex.
      """,
      fails=Example('"regex": "Quantization range (min, max"', record={"regex": "Quantization range (min, max"}),
      passes=Example('"regex": "Quantization range \\\\(min, max\\\\)"', record={"regex": "Quantization range \\(min, max\\)"}))
def regex_invalid(record, context):
    check = context.regex.check(record)
    if check is not None and check.error:
        yield Problem("/regex", f"regex does not compile: {check.error}", "fix the syntax (Python `re`)")


@rule(code="KB202", name="regex-mismatch", family=FAMILY, asks_regex=True, severity=Severity.ERROR,
      summary="`regex` does not match the record's own `signature`.",
      explanation="""
      A regex that does not recognise the very message it was written for will not recognise the
      error for anyone else either. The regex is searched (not anchored) in the signature with
      Python `re`. When it would match ignoring case, the finding says so: add `(?i)` at the start
      or fix the capitalisation.
      """,
      fails=Example(f'"signature": "{_KERNEL_MESSAGE}", "regex": "Quantization not supported for op.*No registered quantized kernel"',
                    record={"signature": _KERNEL_MESSAGE, "regex": "Quantization not supported for op.*No registered quantized kernel"}),
      passes=Example(f'"signature": "{_KERNEL_MESSAGE}", "regex": "Quantization not supported for op .*[Nn]o registered quantized kernel"',
                     record={"signature": _KERNEL_MESSAGE, "regex": "Quantization not supported for op .*[Nn]o registered quantized kernel"}))
def regex_mismatch(record, context):
    check = context.regex.check(record)
    if check is None or check.error or check.signature_matches is not False:
        return
    if check.signature_matches_ignoring_case:
        yield Problem("/regex", "regex does not match the signature, but would match it ignoring case",
                      "fix the capitalisation in the regex, or start it with (?i)")
    else:
        yield Problem("/regex", "regex does not match the signature",
                      "test the regex against the signature and correct it (it is searched, not anchored)")


def _describe(record) -> str:
    return f"{record.entry_id or '(no id)'} ({record.relative_path})"


def _quoted(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


# --------------------------------------------------------------------------------------------
# Rules


@rule(code="KB203", name="alias-mismatch", family=FAMILY, asks_regex=True, severity=Severity.ERROR,
      summary="An item of `aliases` is not matched by `regex`.",
      explanation="""
      `aliases` lists other literal forms of the same message (another version's wording, another
      op name). The regex is what recognises the error, so it must match every alias, or a user
      with that form of the message will not find the record. Each alias that the regex does not
      match is reported at `/aliases/N`. Widen the regex to cover it, or correct the alias.
      """,
      fails=Example('"signature": "ValueError: Cannot convert a tensor of type int8 to float16", '
                    '"regex": "Cannot convert a tensor of type .* to float16", "aliases": ["Could not convert tensor of type int8 to float16"]',
                    record={"signature": "ValueError: Cannot convert a tensor of type int8 to float16",
                            "regex": "Cannot convert a tensor of type .* to float16",
                            "aliases": ["Could not convert tensor of type int8 to float16"]}),
      passes=Example('"signature": "ValueError: Cannot convert a tensor of type int8 to float16", '
                     '"regex": "C(?:annot|ould not) convert (?:a )?tensor of type .* to float16", '
                     '"aliases": ["Could not convert tensor of type int8 to float16"]',
                     record={"signature": "ValueError: Cannot convert a tensor of type int8 to float16",
                             "regex": "C(?:annot|ould not) convert (?:a )?tensor of type .* to float16",
                             "aliases": ["Could not convert tensor of type int8 to float16"]}))
def alias_mismatch(record, context):
    check = context.regex.check(record)
    if check is None or check.error or check.timed_out:
        return
    aliases = as_list(record.data.get("aliases"))
    for index, matched in enumerate(check.alias_matches):
        if matched is False and as_text(aliases[index] if index < len(aliases) else ""):
            yield Problem(f"/aliases/{index}", f"regex does not match alias {index}, {_quoted(aliases[index])}",
                          "widen the regex so that it matches this form of the message too, or correct the alias")


@rule(code="KB204", name="regex-too-broad", family=FAMILY, asks_regex=True, severity=Severity.ERROR,
      summary="`regex` claims messages of many errors: it matches a generic text, requires no word that names an error, "
              "or matches several different errors of a corpus of real messages.",
      explanation="""
      A regex is searched in the user's error output; one that claims many errors buries the right
      record. Three measures, each explained in the finding:

      * it matches the empty string or a generic text that names no specific error: `Error`,
        `Traceback (most recent call last):`, a bare exception class name such as `ValueError`
        (`GENERIC_TEXTS` in `kbtool/regex/generic.py`);
      * what it requires, the literal text every match must contain (for an alternation, each
        alternative on its own), is only exception or log-level names, punctuation and common words:
        `ValueError: \\w+`, `KeyError: '[^']{1,200}'`, `Error: .+`. A number of five digits or more
        counts as specific;
      * what it matches: searched in a reference corpus of 6,000 real, distinct error messages from
        many ecosystems, shipped with kbtool (`kbtool/regex/reference/`, sources and licences in its
        SOURCES.md), it matches messages of three different errors (different exception types, or
        the same type with other fixed wording; messages worded like the record's own signature and
        aliases do not count): `not supported`, `(?i)Could NOT find \\w+`.

      The finding names messages the regex swallows. Include the words of the message that
      identify this error. A record whose signature is itself a bare exception name that prints no
      message (`KeyboardInterrupt`, `MemoryError`, `StopIteration`) is about that exception as a
      whole: a regex matching just that name is then right, and not reported.
      """,
      fails=Example('"signature": "ValueError: Cannot convert a tensor of type int8 to a tensor of type float16", "regex": "ValueError"',
                    record={"signature": "ValueError: Cannot convert a tensor of type int8 to a tensor of type float16",
                            "regex": "ValueError"}),
      passes=Example('"signature": "ValueError: Cannot convert a tensor of type int8 to a tensor of type float16", '
                     '"regex": "ValueError: Cannot convert a tensor of type .* to a tensor of type float16"',
                     record={"signature": "ValueError: Cannot convert a tensor of type int8 to a tensor of type float16",
                             "regex": "ValueError: Cannot convert a tensor of type .* to a tensor of type float16"}))
def regex_too_broad(record, context):
    if not context.regex.compiles(record):
        return
    reason = context.regex.broad_reason(record)
    signature = as_text(record.data.get("signature")).strip()
    if reason and _BARE_EXCEPTION_NAME.fullmatch(signature) and repr(signature) in reason:
        return  # the message is nothing but that name: there are no more specific words to match
    if reason:
        yield Problem("/regex", f"regex is too broad: {reason}",
                      "include the words of the message that identify this particular error")


@rule(code="KB205", name="regex-redos", family=FAMILY, asks_regex=True, severity=Severity.ERROR, looks_across=True,
      summary="`regex` can backtrack catastrophically, or searching a signature with it overran the time bound.",
      explanation="""
      Python's `re` backtracks: some regexes take exponential time (nested or overlapping
      repetitions such as `(a+)+$`, `(\\\\w+\\\\s?)+$`, `(a|a)*$`, `(.*a){25}`) or high-degree
      polynomial time (`.*.*` followed by something that can fail) on inputs that do not match,
      and a user's error output is such an input. Each regex is analysed on its parse tree
      without running it (exponential shapes always; polynomial ones when something after them
      can fail, so a trailing `.*.*` is harmless). Besides, every search that kbtool makes with a
      record's regex (its own signature and aliases, and other records' messages) runs in a
      separate process under a time bound (1 second of CPU time per batch of messages, 0.1 s for
      a regex already found catastrophic); one that overruns is reported here, and lint goes on.
      Remove the inner or the outer repetition, make alternatives exclude each other, or use a
      class that cannot match what follows (`[^']*'` instead of `.*'`).
      """,
      fails=Example('"signature": "ValueError: Cannot quantize node conv2d 1", "regex": "Cannot quantize node (\\\\w+\\\\s?)+$"',
                    record={"signature": "ValueError: Cannot quantize node conv2d 1", "regex": "Cannot quantize node (\\w+\\s?)+$"}),
      passes=Example('"signature": "ValueError: Cannot quantize node conv2d 1", "regex": "Cannot quantize node [\\\\w ]+$"',
                     record={"signature": "ValueError: Cannot quantize node conv2d 1", "regex": "Cannot quantize node [\\w ]+$"}))
def regex_redos(record, context):
    check = context.regex.check(record)
    if check is None or check.error:
        return
    shape = context.regex.analysis(record).shape
    seconds = context.regex.seconds_per_job
    if shape:
        yield Problem("/regex", f"regex can backtrack catastrophically: {shape}",
                      "remove the nested or overlapping repetition, or use a character class that excludes what follows")
    elif check.timed_out and check.cut_short:
        yield Problem("/regex", "searching the record's own signature and aliases with this regex was cut short: "
                                "this run's time budget for slow regexes was used up (the other regex-redos findings "
                                "name the regexes that used it)",
                      "fix the slow regexes reported, then lint again; if this one is slow too, simplify it")
    elif check.timed_out:
        yield Problem("/regex", f"searching the record's own signature and aliases with this regex took longer "
                                f"than {seconds:g} s and was stopped",
                      "simplify the regex: avoid repetitions that can match the same text in several ways")
    else:
        texts = context.regex.cross_match().timeouts.get(record.relative_path)
        if texts:
            owners = sorted({_describe(text.record) for text in texts})
            shown = ", ".join(owners[:3]) + (f" and {len(owners) - 3} more" if len(owners) > 3 else "")
            yield Problem("/regex", f"searching other records' messages with this regex took longer than "
                                    f"{seconds:g} s and was stopped (the messages of {shown})",
                          "simplify the regex: avoid repetitions that can match the same text in several ways")


def _some(names: list[str], shown: int = 3) -> str:
    """The first few names, then how many more."""
    text = "; ".join(names[:shown])
    return text + (f"; and {len(names) - shown} more records" if len(names) > shown else "")


@rule(code="KB206", name="regex-collision", family=FAMILY, asks_regex=True, severity=Severity.WARNING, scope="kb",
      summary="One record's regex matches another record's signature or alias, and neither lists the other as confusable.",
      explanation="""
      When record A's regex matches record B's message, a user who has B's error is shown A as
      well (or instead). Either A's regex is too wide — make it more specific — or the two errors
      really are hard to tell apart, and then each record should say so: list the other under
      `transition_graph.frequently_confused_with`, which silences this warning. Both records are
      reported: A at `/regex`, B at the message that is matched. The check scales to large KBs:
      it searches only the messages that contain the literal text every match of A must contain
      (regexes with no such text are searched against every message, up to a fixed budget, and
      those beyond it are reported as not checked).
      """,
      fails=Example('A: "signature": "CUDA out of memory", "regex": "CUDA out of memory"; '
                    'B: "signature": "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"',
                    record=_CUDA_OOM, others=(_CUDA_OOM_ALLOCATE,)),
      passes=Example('the same, with B listed under A\'s "transition_graph": {"frequently_confused_with": [{"error_id": "pytorch/cuda-oom-allocate"}]}',
                     record=dict(_CUDA_OOM, transition_graph={
                         "leads_to": [], "preceded_by": [], "frequently_confused_with": [{"error_id": "pytorch/cuda-oom-allocate"}]}),
                     others=(_CUDA_OOM_ALLOCATE,)))
def regex_collision(kb, context):
    found = context.regex.cross_match()
    # One finding per regex and one per matched message, each naming a few of the others:
    # a KB where many records match each other gets a readable report, not one line per pair.
    by_regex: dict[str, dict[str, object]] = {}
    by_text: dict[tuple[str, str], dict[str, object]] = {}
    for collision in found.collisions:
        by_regex.setdefault(collision.regex_record.relative_path, {}).setdefault(collision.text.record.relative_path, collision)
        by_text.setdefault((collision.text.record.relative_path, collision.text.pointer), {}).setdefault(
            collision.regex_record.relative_path, collision)
    for collisions in by_regex.values():
        first = next(iter(collisions.values()))
        names = [f"the {collision.text.field} of {_describe(collision.text.record)}" for collision in collisions.values()]
        yield Problem(
            "/regex", f"regex also matches {_some(names)}, so users with those errors would be shown this record",
            "make the regex more specific, or list the other record under transition_graph.frequently_confused_with", record=first.regex_record)
    for collisions in by_text.values():
        first = next(iter(collisions.values()))
        owners = [_describe(collision.regex_record) for collision in collisions.values()]
        yield Problem(
            first.text.pointer,
            f"this {first.text.field} is also matched by the regex of {_some(owners)}",
            "make that regex more specific, or list each record under the other's "
            "transition_graph.frequently_confused_with", record=first.text.record)
    for path, reason in found.unchecked.items():
        record = kb.by_path.get(path)
        if record is not None:
            yield Problem("/regex", f"regex was not checked for collisions: {reason}",
                                  "add a literal part of the message to the regex", record=record)


@rule(code="KB207", name="regex-literal-only", family=FAMILY, asks_regex=True, severity=Severity.INFO,
      summary="`regex` is the signature escaped character for character.",
      explanation="""
      A regex that is just the signature with its special characters escaped recognises only
      this one occurrence: the same error with another op name, tensor shape, file path or
      number is missed. The rule fires only when the signature has such parts (quoted names,
      numbers with a decimal point or of four or more digits, shapes, absolute paths outside
      system folders, hex addresses); a constant message may well be matched literally. A quoted
      builtin type name (`'str'`, `'list'`) does not count: in `unhashable type: 'list'` it is the
      error itself, not a part that varies. Replace the parts that vary
      with patterns (`'[^']+'` for a quoted name, `\\\\d+` for a number, `.*` sparingly) and keep
      the words that identify the error.
      """,
      fails=Example(f'"signature": "{_ACTIVATION_MESSAGE}", "regex": "ValueError: Unknown activation function: \'swishh\'"',
                    record={"signature": _ACTIVATION_MESSAGE, "regex": "ValueError: Unknown activation function: 'swishh'"}),
      passes=Example(f'"signature": "{_ACTIVATION_MESSAGE}", "regex": "ValueError: Unknown activation function: \'[^\']+\'"',
                     record={"signature": _ACTIVATION_MESSAGE, "regex": "ValueError: Unknown activation function: '[^']+'"}))
def regex_literal_only(record, context):
    check = context.regex.check(record)
    if check is None or check.error:
        return
    signature = as_text(record.data.get("signature"))
    pattern = pattern_of(record)
    if not signature or has_operator(pattern):  # a cheap test first: most regexes have one
        return
    text = literal_text(pattern)
    if text is None or text.strip() != signature.strip():
        return
    varying = VARYING_PART.search(signature)
    if varying is not None:
        yield Problem("/regex", f"regex is the signature escaped character for character, including "
                                f"{_quoted(varying.group(0), 40)}, so it misses the same error with another name, "
                                "shape, path or number",
                      "replace the parts of the message that vary with patterns, keep the words that identify the error")


@rule(code="KB208", name="volatile-signature", family=FAMILY, asks_regex=True, severity=Severity.INFO,
      summary="The signature has run-specific parts (addresses, home paths, PIDs, timestamps) that the regex hard-codes.",
      explanation="""
      Memory addresses (`0x7f3a2c1d9e80`), absolute home paths (`/home/alice/...`), temporary
      paths, process ids and timestamps change from one run to the next. Keeping them in the
      signature is fine (it is one real occurrence), but a regex that hard-codes them matches
      only that run. Replace each with a pattern, e.g. `0x[0-9a-f]+`, `[^']*`, `\\\\d+`.
      """,
      fails=Example('"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so", "regex": "Segfault at 0x7f3a2c1d9e80 in \\\\w+\\\\.so"',
                    record={"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so", "regex": "Segfault at 0x7f3a2c1d9e80 in \\w+\\.so"}),
      passes=Example('"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so", "regex": "Segfault at 0x[0-9a-f]+ in \\\\w+\\\\.so"',
                     record={"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so", "regex": "Segfault at 0x[0-9a-f]+ in \\w+\\.so"}))
def volatile_signature(record, context):
    check = context.regex.check(record)
    if check is None or check.error:
        return
    parts = volatile_parts(as_text(record.data.get("signature")))
    if not parts:
        return
    pattern = pattern_of(record)
    loose = pattern.replace("\\", "")  # the plain text the regex could hard-code, give or take escapes
    parts = [(what, text) for what, text in parts if text in loose]
    runs = literal_runs(pattern) if parts else []
    for what, text in parts:
        if any(text in run for run in runs):
            replacement = next(pattern for name, _, pattern in VOLATILE_PARTS if name == what)
            yield Problem("/regex", f"regex hard-codes {what} from the signature, {_quoted(text)}, which changes "
                                    "from run to run", f"replace it with a pattern such as {replacement}")

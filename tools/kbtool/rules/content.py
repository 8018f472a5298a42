"""Content: the advice a record gives is actually written down."""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import urlsplit

from kbtool.findings import Problem, Severity
from kbtool.records import as_dict, as_list, as_text, make_pointer
from kbtool.rules.base import Example, rule

FAMILY = "content"


def _example(**fields) -> Example:
    """An example that replaces these top-level fields of the base record, shown as JSON."""
    shown = ", ".join(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items())
    return Example(shown, record=fields)


#: A real source, so that the examples' one workaround backs the record's confidence (see verdict-inconsistent).
_SOURCES = ["https://www.tensorflow.org/lite"]


@rule(code="KB501", name="empty-dead-end-action", family=FAMILY, severity=Severity.ERROR,
      summary="A dead end's `action` is empty: the record says why a fix fails without saying which fix.",
      explanation="""
      A dead end warns users off a fix that does not work. Without its `action` the warning is
      useless: `why_fails` explains a failure of nothing. Write the fix that was tried, as an
      instruction (for example `Upgrade TensorFlow to the latest version`); the `why_fails`
      text usually tells what it was.
      """,
      fails=_example(dead_ends=[{"action": "", "why_fails": "More steps of the same data do not widen the calibrated range."}]),
      passes=_example(dead_ends=[{"action": "Increase the number of calibration steps",
                                  "why_fails": "More steps of the same data do not widen the calibrated range."}]))
def empty_dead_end_action(record, context):
    for index, dead_end in enumerate(as_list(record.data.get("dead_ends"))):
        dead_end = as_dict(dead_end)
        if "action" in dead_end and not as_text(dead_end.get("action")).strip():
            yield Problem(make_pointer("dead_ends", index, "action"), f"dead end {index} has an empty action",
                          "write the fix that was tried (its why_fails text tells what it was)")


def _blank(value: object) -> bool:
    """A string with nothing but whitespace (absent values and wrong types are the schema's business)."""
    return isinstance(value, str) and not value.strip()


def normalised(text: str) -> str:
    """Text reduced for comparison: case, whitespace, and surrounding punctuation do not count."""
    return " ".join(text.casefold().split()).strip(" .;:!,")


def _items(data: dict, key: str) -> list[tuple[int, dict]]:
    return [(index, item) for index, item in enumerate(as_list(data.get(key))) if isinstance(item, dict)]


@rule(code="KB502", name="empty-field", family=FAMILY, severity=Severity.ERROR,
      summary="A dead end's `why_fails`, a workaround's `action` or `how`, or `root_cause` is blank.",
      explanation="""
      These fields carry the explanation a user came for; one present but empty (or whitespace only)
      is a record that looks complete and is not. Fill it in, or for the optional `how`, remove it.
      A field that is absent altogether is reported by the `schema` rule when it is required, and an
      empty dead-end `action` by `empty-dead-end-action`, so neither is repeated here.
      """,
      fails=_example(workarounds=[{"action": "Calibrate with a representative dataset", "how": "   ", "sources": _SOURCES}],
                     workarounds_zh=["使用代表性数据集进行校准。"]),
      passes=_example(workarounds=[{"action": "Calibrate with a representative dataset",
                                    "how": "converter.representative_dataset = representative_data_gen", "sources": _SOURCES}],
                      workarounds_zh=["使用代表性数据集进行校准。"]))
def empty_field(record, context):
    data = record.data
    if _blank(data.get("root_cause")):
        yield Problem("/root_cause", "root_cause is empty", "explain why the error happens")
    for index, dead_end in _items(data, "dead_ends"):
        if _blank(dead_end.get("why_fails")):
            yield Problem(make_pointer("dead_ends", index, "why_fails"), f"dead end {index} has an empty why_fails",
                          "say why this fix does not work")
    for index, workaround in _items(data, "workarounds"):
        if _blank(workaround.get("action")):
            yield Problem(make_pointer("workarounds", index, "action"), f"workaround {index} has an empty action",
                          "write the fix, as one instruction")
        if _blank(workaround.get("how")):
            yield Problem(make_pointer("workarounds", index, "how"), f"workaround {index} has an empty how",
                          "write how to apply the fix (commands, code), or remove the empty how")


@rule(code="KB503", name="contradictory-advice", family=FAMILY, severity=Severity.ERROR,
      summary="The same action is both a dead end and a workaround of one record.",
      explanation="""
      A record cannot tell users that a fix does not work and that it does. The actions are compared
      ignoring case, spacing and surrounding punctuation. Usually one of the two is wrong, or each
      holds only under a condition: then say so in the action texts (and their `condition`) so that
      they differ, for example `Downgrade to TensorFlow 2.10` as a workaround and
      `Downgrade TensorFlow without pinning keras` as a dead end. The finding is at the dead end.
      """,
      fails=_example(dead_ends=[{"action": "Upgrade TensorFlow", "why_fails": "The range comes from the calibration data."}],
                     workarounds=[{"action": "upgrade tensorflow.", "sources": _SOURCES}],
                     workarounds_zh=["升级 TensorFlow。"]),
      passes=_example(dead_ends=[{"action": "Upgrade TensorFlow", "why_fails": "The range comes from the calibration data."}],
                      workarounds=[{"action": "Upgrade TensorFlow and recalibrate", "sources": _SOURCES}],
                      workarounds_zh=["升级 TensorFlow 并重新校准。"]))
def contradictory_advice(record, context):
    workaround_index: dict[str, int] = {}
    for index, workaround in _items(record.data, "workarounds"):
        key = normalised(as_text(workaround.get("action")))
        if key:
            workaround_index.setdefault(key, index)
    for index, dead_end in _items(record.data, "dead_ends"):
        key = normalised(as_text(dead_end.get("action")))
        if key and key in workaround_index:
            other = workaround_index[key]
            yield Problem(make_pointer("dead_ends", index, "action"),
                          f"dead end {index} gives the same action as workaround {other}: the record says it both fails and works",
                          "remove the wrong one, or state in each action (and its condition) when it fails and when it works")


@rule(code="KB504", name="duplicate-text", family=FAMILY, severity=Severity.WARNING,
      summary="A workaround's `action` and `how` are the same text, or two dead ends or two workarounds are the same.",
      explanation="""
      `action` is the fix in one sentence; `how` says how to apply it (commands, code, settings).
      A `how` that repeats the `action` adds nothing and hides the fact that the details are missing.
      Two dead ends, or two workarounds, with the same action are one piece of advice written twice:
      merge them (keep the better explanation, sources and rates). Texts are compared ignoring case,
      spacing and surrounding punctuation; blank texts are left to `empty-field`.
      """,
      fails=_example(workarounds=[{"action": "Use selective quantization.", "how": "Use selective quantization.",
                                   "sources": _SOURCES}],
                     workarounds_zh=["使用选择性量化。"]),
      passes=_example(workarounds=[{"action": "Use selective quantization.",
                                    "how": "Set converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8].",
                                    "sources": _SOURCES}],
                      workarounds_zh=["使用选择性量化。"]))
def duplicate_text(record, context):
    data = record.data
    for index, workaround in _items(data, "workarounds"):
        action = normalised(as_text(workaround.get("action")))
        if action and action == normalised(as_text(workaround.get("how"))):
            yield Problem(make_pointer("workarounds", index, "how"),
                          f"workaround {index}'s how repeats its action word for word",
                          "write how to apply the fix (commands, code, settings), or remove how")
    for key, label in (("dead_ends", "dead end"), ("workarounds", "workaround")):
        first_seen: dict[str, int] = {}
        for index, item in _items(data, key):
            action = normalised(as_text(item.get("action")))
            if not action:
                continue
            if action in first_seen:
                yield Problem(make_pointer(key, index, "action"),
                              f"{label} {index} has the same action as {label} {first_seen[action]}",
                              f"merge the two {label}s into one")
            else:
                first_seen[action] = index


@rule(code="KB507", name="missing-advice", family=FAMILY, severity=Severity.WARNING,
      summary="`dead_ends` is empty, or `workarounds` is while `resolvable` is not \"false\".",
      explanation="""
      A record is read for its advice: which fixes fail and why, and which work. One with no dead end
      does not warn anyone off a fix, and one with no workaround does not say what works, unless the
      error cannot be resolved (`resolvable` is "false"). `kbtool new-entry` writes both lists empty,
      for you to fill in, and a candidate of `kbtool extract` holds what its article gives (often no
      dead end): this warning says what is still to write. Blank items are `empty-field`'s.
      """,
      fails=_example(dead_ends=[]),
      passes=_example(dead_ends=[{"action": "Increase the number of calibration steps",
                                  "why_fails": "More steps of the same data do not widen the calibrated range."}]))
def missing_advice(record, context):
    data = record.data
    if data.get("dead_ends") == []:
        yield Problem("/dead_ends", "dead_ends is empty: the record does not say which fixes fail",
                      "add the fixes people try that do not work, each with action and why_fails")
    if data.get("workarounds") == [] and data.get("resolvable") != "false":
        yield Problem("/workarounds", "workarounds is empty: the record does not say what works",
                      'add the fixes that work, each with action and how (or set resolvable to "false" if none does)')


def _number(value: object) -> float | None:
    """A JSON number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


#: `resolvable: "true"` needs at least this fix_success_rate; `"false"` must stay below FALSE_BELOW.
TRUE_AT_LEAST = 0.7
FALSE_BELOW = 0.2
#: `confidence` above this needs evidence: MIN_EVIDENCE occurrences or a source on some dead end or workaround.
UNBACKED_CONFIDENCE = 0.3
MIN_EVIDENCE = 3


@rule(code="KB505", name="verdict-inconsistent", family=FAMILY, severity=Severity.WARNING,
      summary="`resolvable` contradicts `fix_success_rate`, or `confidence` is high without evidence.",
      explanation=f"""
      The verdict fields must tell one story. `resolvable: "true"` with a `fix_success_rate` below
      {TRUE_AT_LEAST} promises a fix that fails too often (say `"partial"`); `resolvable: "false"` with a
      `fix_success_rate` of {FALSE_BELOW} or more denies fixes that work (say `"partial"`, or lower the rate).
      And a `confidence` above {UNBACKED_CONFIDENCE} needs something behind it: an `evidence_count` of at least
      {MIN_EVIDENCE}, or a source on at least one dead end or workaround. Add the sources you have, or
      lower the confidence. Fields that are absent are not guessed at.
      """,
      fails=_example(resolvable="true", fix_success_rate=0.4),
      passes=_example(resolvable="partial", fix_success_rate=0.4))
def verdict_inconsistent(record, context):
    data = record.data
    resolvable = data.get("resolvable")
    rate = _number(data.get("fix_success_rate"))
    if rate is not None:
        if resolvable == "true" and rate < TRUE_AT_LEAST:
            yield Problem("/resolvable", f'resolvable is "true" but fix_success_rate is only {rate:g} (below {TRUE_AT_LEAST})',
                          'set resolvable to "partial", or correct fix_success_rate')
        elif resolvable == "false" and rate >= FALSE_BELOW:
            yield Problem("/resolvable", f'resolvable is "false" but fix_success_rate is {rate:g} (fixes work that often)',
                          'set resolvable to "partial", or correct fix_success_rate')
    confidence = _number(data.get("confidence"))
    evidence = _number(data.get("evidence_count"))
    if confidence is None or evidence is None or confidence <= UNBACKED_CONFIDENCE or evidence >= MIN_EVIDENCE:
        return
    has_source = any(
        any(isinstance(source, str) and source.strip() for source in as_list(item.get("sources")))
        for key in ("dead_ends", "workarounds") for _, item in _items(data, key))
    if not has_source:
        yield Problem("/confidence",
                      f"confidence is {confidence:g} but evidence_count is {int(evidence)} and no dead end or workaround has a source",
                      f"add the sources that back the record, or lower confidence to {UNBACKED_CONFIDENCE} or less")


PLACEHOLDER_HOSTS = ("example.com", "example.org", "example.net", "example.invalid", "localhost")
#: Placeholder text: an upper-case TODO/TBD/FIXME, a run of x's, an ellipsis standing for a path part, <url>, {link}.
PLACEHOLDER_WORDS = re.compile(r"\b(?:TODO|TBD|FIXME)\b|(?<!\w)[xX]{3,}(?!\w)|(?:^|/)\.\.\.(?:/|$)|…|<[^>]*>|\{[^}]*\}")
#: What every match of PLACEHOLDER_WORDS holds: a link without any (nearly all) is not searched for them (the search
#: starts from the few characters these begin with, where PLACEHOLDER_WORDS is tried at every character).
_PLACEHOLDER_MARK = re.compile(r"TODO|TBD|FIXME|[xX]{3}|\.\.\.|…|<|\{")
PLACEHOLDER_VALUES = {"todo", "tbd", "fixme", "n/a", "na", "none", "null", "url", "link", "placeholder", "-", "?"}
_WHITESPACE = re.compile(r"\s")  # what str.isspace() calls a space (the same Unicode table)
#: A repository-relative path of an article (sources may name one), with an optional `:line` or `#fragment`.
ARTICLE_PATH = re.compile(r"(?![./])(?!.*(?:^|/)\.\.(?:/|$))[\w.-]+(?:/[\w.-]+)*\.(?:md|markdown)(?::\d+|#[\w.-]*)?")


def url_problem(value: str, allow_article_path: bool) -> str | None:
    """Why `value` is not a usable source/documentation link, or None when it is."""
    if len(value) <= _REMEMBERED_URL_LENGTH:
        return _remembered_url_problem(value, allow_article_path)
    return _url_problem(value, allow_article_path)


#: The links of a KB repeat (one documentation page, one article, for many records): the answers for those
#: up to this long are remembered.
_REMEMBERED_URL_LENGTH = 400


def _url_problem(value: str, allow_article_path: bool) -> str | None:
    text = value.strip()
    if not text:
        return "is empty"
    if text.casefold() in PLACEHOLDER_VALUES:
        return f"is a placeholder ({text!r})"
    placeholder = PLACEHOLDER_WORDS.search(text) if _PLACEHOLDER_MARK.search(text) else None
    if placeholder:
        return f"is a placeholder ({placeholder.group(0)!r})"
    if allow_article_path and ARTICLE_PATH.fullmatch(text):
        return None
    if text != value or _WHITESPACE.search(text):
        return "contains spaces"
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "has no http:// or https:// scheme" if not parts.scheme else f"uses the {parts.scheme}: scheme, not http(s)"
    if not host:
        return "has no host name"
    if any(host == placeholder_host or host.endswith("." + placeholder_host) for placeholder_host in PLACEHOLDER_HOSTS):
        return f"points at the placeholder host {host}"
    if "." not in host and not host.startswith("["):
        return f"has the host name '{host}', which is not a public address"
    return None


_remembered_url_problem = functools.lru_cache(maxsize=16_384)(_url_problem)


@rule(code="KB506", name="bad-url", family=FAMILY, severity=Severity.ERROR,
      summary="`official_doc_url`, a `sources` item or a source's `url` is not an absolute http(s) URL, or is a placeholder.",
      explanation="""
      Links are how a reader checks a record. `official_doc_url` must be an absolute `http://` or
      `https://` URL with a real host (use `null` when there is none). A `sources` item of a dead end
      or workaround must be such a URL too, or the repository-relative path of an article
      (`articles/001-quantize.md`, optionally followed by `:LINE` or `#fragment`), and the `url` of an
      item of the record's top-level `sources` (the articles it was mined from) must be a URL. Placeholders are
      errors: `example.com` (and `.org`, `.net`), `localhost`, `TODO`, `TBD`, `FIXME`, `xxx`, `...`,
      `<url>`, `{link}`. So are spaces, a missing scheme (`www.tensorflow.org/lite`) and other
      schemes (`ftp:`, `file:`).
      """,
      fails=_example(official_doc_url="https://example.com/TODO"),
      passes=_example(official_doc_url="https://ai.google.dev/edge/litert/models/post_training_quantization"))
def bad_url(record, context):
    data = record.data
    official = data.get("official_doc_url")
    if isinstance(official, str):
        problem = url_problem(official, allow_article_path=False)
        if problem:
            yield Problem("/official_doc_url", f"official_doc_url {official[:200]!r} {problem}",
                          "give the absolute https:// URL of the documentation page, or null when there is none")
    for index, article in _items(data, "sources"):
        url = article.get("url")
        if isinstance(url, str):
            problem = url_problem(url, allow_article_path=False)
            if problem:
                yield Problem(make_pointer("sources", index, "url"), f"source {index}'s url {url[:200]!r} {problem}",
                              "give the article's absolute https:// URL, or null when it has none")
    for key, label in (("dead_ends", "dead end"), ("workarounds", "workaround")):
        for index, item in _items(data, key):
            for source_index, source in enumerate(as_list(item.get("sources"))):
                if not isinstance(source, str):
                    continue
                problem = url_problem(source, allow_article_path=True)
                if problem:
                    yield Problem(make_pointer(key, index, "sources", source_index),
                                  f"{label} {index}'s source {source[:200]!r} {problem}",
                                  "give an absolute https:// URL, or the repository path of an article (articles/NAME.md)")

"""Translation: every `*_zh` field really is Chinese."""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.languages import detect_language
from kbtool.records import make_pointer
from kbtool.rules.base import rule

FAMILY = "translation"

_LANGUAGE_NAMES = {"en": "English", "ja": "Japanese", "ko": "Korean", "fr": "French", "de": "German", "es": "Spanish"}


def zh_texts(data: dict):
    """(pointer, text) for every non-empty string of every `*_zh` field, list items included."""
    for key, value in data.items():
        if not key.endswith("_zh"):
            continue
        if isinstance(value, str) and value.strip():
            yield make_pointer(key), value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str) and item.strip():
                    yield make_pointer(key, index), item


@rule(code="KB301", name="untranslated-zh", family=FAMILY, severity=Severity.ERROR,
      summary="A `*_zh` field (or an item of a `*_zh` list) is not written in Chinese.",
      explanation="""
      `*_zh` fields carry the Chinese translation. A common defect is a copy of the English
      text left in place. The language is decided after removing code spans, identifiers
      (`tf.lite.OpsSet.TFLITE_BUILTINS_INT8`, `snake_case`, `CONSTANTS`), URLs, paths and numbers,
      so Chinese prose full of code is recognised; simplified and traditional Chinese both count.
      Text with Japanese kana or Korean Hangul is not Chinese. Detection is deterministic.
      Empty fields are the business of `missing-translation`.
      """,
      fails='"workarounds_zh": ["Ensure the calibration dataset includes diverse inputs."]',
      passes='"workarounds_zh": ["使用 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]` 进行选择性量化。"]')
def untranslated_zh(record, context):
    for pointer, text in zh_texts(record.data):
        verdict = detect_language(text)
        if verdict.is_chinese or verdict.language == "":
            continue
        field = pointer[1:].replace("/", "[", 1) + "]" if pointer.count("/") > 1 else pointer[1:]
        language = _LANGUAGE_NAMES.get(verdict.language, verdict.language)
        yield Problem(pointer, f"{field} is not Chinese: it reads as {language} ({verdict.reason})",
                      "translate it into Chinese; code identifiers may stay as they are")

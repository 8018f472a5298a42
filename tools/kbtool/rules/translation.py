"""Translation: every `*_zh` field really is Chinese."""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.languages import detect_language
from kbtool.records import make_pointer
from kbtool.rules.base import Example, rule

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
      fails=Example('"workarounds_zh": ["Ensure the calibration dataset includes diverse inputs.", "改用逐通道量化。"]',
                    record={"workarounds_zh": ["Ensure the calibration dataset includes diverse inputs.", "改用逐通道量化。"]}),
      passes=Example('"workarounds_zh": ["使用 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]` '
                     '进行选择性量化。", "改用逐通道量化。"]',
                     record={"workarounds_zh": ["使用 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]` "
                                                "进行选择性量化。", "改用逐通道量化。"]}))
def untranslated_zh(record, context):
    for pointer, text in zh_texts(record.data):
        verdict = detect_language(text)
        if verdict.is_chinese or verdict.language == "":
            continue
        field = pointer[1:].replace("/", "[", 1) + "]" if pointer.count("/") > 1 else pointer[1:]
        language = _LANGUAGE_NAMES.get(verdict.language, verdict.language)
        yield Problem(pointer, f"{field} is not Chinese: it reads as {language} ({verdict.reason})",
                      "translate it into Chinese; code identifiers may stay as they are")


def _has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


@rule(code="KB302", name="missing-translation", family=FAMILY, severity=Severity.WARNING,
      summary="An English field has text but its `*_zh` counterpart is missing or empty, or `workarounds_zh` "
              "has a different number of items than `workarounds`.",
      explanation="""
      Every English text that a user reads has a Chinese counterpart: `signature` → `signature_zh`,
      `root_cause` → `root_cause_zh`, and `workarounds` → `workarounds_zh`, one string per workaround
      in the same order (the pairs come from the schema: every `X_zh` property whose `X` exists).
      A counterpart that is absent or blank, a blank item of `workarounds_zh`, or a `workarounds_zh`
      list whose length differs from `workarounds` leaves Chinese readers with part of the advice.
      When the counterpart is absent the finding points at the English field; otherwise at the
      Chinese one. Whether present text really is Chinese is the business of `untranslated-zh`.
      Freshly extracted candidates have no translations yet, hence a warning, not an error.
      """,
      fails=Example('"workarounds": [{"action": "Calibrate with a representative dataset ...", ...}, '
                    '{"action": "Switch to per-channel or full-integer quantization.", ...}], '
                    '"workarounds_zh": ["使用有代表性的数据集进行校准。"]',
                    record={"workarounds_zh": ["使用有代表性的数据集进行校准。"]}),
      passes=Example('"workarounds": [{"action": "Calibrate with a representative dataset ...", ...}, '
                     '{"action": "Switch to per-channel or full-integer quantization.", ...}], '
                     '"workarounds_zh": ["使用有代表性的数据集进行校准。", "改用逐通道量化或全整数量化。"]',
                     record={"workarounds_zh": ["使用有代表性的数据集进行校准。", "改用逐通道量化或全整数量化。"]}))
def missing_translation(record, context):
    data = record.data
    for english_key, zh_key in context.schema.translated_pairs:
        english = data.get(english_key)
        translated = data.get(zh_key)
        if isinstance(english, list):
            if not english:
                if isinstance(translated, list) and translated:
                    yield Problem(make_pointer(zh_key), f"{zh_key} has {len(translated)} items but {english_key} is empty",
                                  f"remove the translations that no longer have an English {english_key} item")
                continue
            if zh_key not in data:
                yield Problem(make_pointer(english_key), f"{english_key} has {len(english)} items but {zh_key} is missing",
                              f"add {zh_key}: one Chinese string per item of {english_key}, in the same order")
                continue
            if not isinstance(translated, list):
                continue  # a wrong type is a schema finding
            if len(translated) != len(english):
                yield Problem(make_pointer(zh_key),
                              f"{zh_key} has {len(translated)} item{'s' if len(translated) != 1 else ''} but "
                              f"{english_key} has {len(english)}",
                              f"give {zh_key} exactly one Chinese string per item of {english_key}, in the same order")
            for index, item in enumerate(translated):
                if isinstance(item, str) and not item.strip():
                    yield Problem(make_pointer(zh_key, index), f"{zh_key}[{index}] is empty",
                                  f"translate {english_key}[{index}] into Chinese")
            continue
        if not _has_text(english):
            continue
        if zh_key not in data or translated is None:
            yield Problem(make_pointer(english_key), f"{english_key} has no Chinese translation: {zh_key} is missing",
                          f"add {zh_key} with the Chinese translation of {english_key}")
        elif isinstance(translated, str) and not translated.strip():
            yield Problem(make_pointer(zh_key), f"{zh_key} is empty while {english_key} has text",
                          f"translate {english_key} into Chinese")

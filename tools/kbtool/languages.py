"""Deciding whether a text is Chinese, robust to code identifiers inside it.

langdetect alone is wrong for this job: short Chinese comes back as Korean or
Vietnamese, and Chinese full of code identifiers is read as English. So code
is stripped first (backtick spans, URLs, dotted names, paths, calls,
snake_case, CONSTANT_CASE, flags, numbers); then scripts decide what they can
(kana → Japanese, Hangul → Korean, Han characters → Chinese) and only text with
no CJK at all is labelled by langdetect, seeded and restricted to a few
languages so that the answer is deterministic.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

# Patterns that scan a run of word characters start only where the run starts (a lookbehind, and a
# kept digit prefix where the original could start after digits): a match from inside the run would
# be the same match, and trying every position made a long run of letters cost quadratic time.
_CODE_PATTERNS = [
    re.compile(r"```.*?```", re.S),  # fenced code
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\b(?:https?|ftp|file)://[!-~]+", re.A),  # URLs (ASCII only: Chinese text has no spaces)
    re.compile(r"(?<![\w.~-])[\w.~-]*(?:[\\/][\w.~-]+)+[\\/]?", re.A),  # paths, a/b
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*", re.A),  # command-line flags
    re.compile(r"(?<!\w)(?P<keep>\d*)[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\([^()]*\))?", re.A),  # dotted names and calls
    re.compile(r"(?<!\w)(?P<keep>\d*)[A-Za-z_]\w*\([^()]*\)", re.A),  # calls
    re.compile(r"(?<!\w)\w*_\w*", re.A),  # snake_case and CONSTANT_CASE with underscores
    re.compile(r"\b[A-Z][A-Z0-9]+\b", re.A),  # CONSTANTS, acronyms
    re.compile(r"\b[a-z]+[A-Z]\w*\b", re.A),  # camelCase
    re.compile(r"[0-9.,:;%+\-*/=<>()\[\]{}'\"#@$&|^~!?]+"),  # numbers and operators
]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


@dataclass(frozen=True)
class LanguageVerdict:
    """The language a text was found to be in, and why."""

    language: str  # "zh", "ja", "ko", "en", another langdetect code, or "" when undecidable
    reason: str

    @property
    def is_chinese(self) -> bool:
        return self.language == "zh"


def strip_code(text: str) -> str:
    """Remove code spans, identifiers, URLs, paths, flags and numbers from prose."""
    for pattern in _CODE_PATTERNS:
        text = pattern.sub(r"\g<keep> " if "keep" in pattern.groupindex else " ", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=1)
def _detector_factory():
    """A langdetect factory with only the profiles we need, seeded for determinism."""
    import langdetect
    from langdetect.detector_factory import DetectorFactory

    profiles = Path(langdetect.__file__).parent / "profiles"
    factory = DetectorFactory()
    factory.seed = 0
    factory.load_json_profile([(profiles / name).read_text(encoding="utf-8") for name in ("en", "zh-cn", "zh-tw", "fr", "de", "es")])
    return factory


def _langdetect(text: str) -> str:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _detector_factory().create()
    detector.append(text)
    try:
        language = detector.detect()
    except LangDetectException:
        return ""
    return "zh" if language.startswith("zh") else language


def detect_language(text: str) -> LanguageVerdict:
    """Which language `text` is written in, after removing code from it."""
    prose = strip_code(text)
    han = len(_HAN.findall(prose))
    if _KANA.search(prose):
        return LanguageVerdict("ja", "it contains Japanese kana")
    if _HANGUL.search(prose):
        return LanguageVerdict("ko", "it contains Korean Hangul")
    latin_words = len(_LATIN_WORD.findall(prose))
    if han >= 2 and han * 2 >= latin_words:
        return LanguageVerdict("zh", "it is written in Chinese characters")
    if han == 0 and latin_words == 0:
        return LanguageVerdict("", "no prose is left once code and numbers are removed")
    language = _langdetect(prose)
    if han and language == "zh":
        return LanguageVerdict("zh", "mixed text that reads as Chinese")
    if han:
        return LanguageVerdict(language or "en", f"only {han} Chinese character(s) among {latin_words} words of other text")
    return LanguageVerdict(language or "en", "it contains no Chinese characters")

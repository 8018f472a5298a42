"""Chinese detection: robust to code identifiers, deterministic, no false alarms on real samples."""

from __future__ import annotations

import json

import pytest

from conftest import REPO_ROOT, SEED_000
from kbtool.languages import detect_language, strip_code

CHINESE = [
    "转换器错误：操作 'Cumsum' 不支持量化。该操作没有注册的量化内核。",
    "使用选择性量化：仅对支持的操作应用量化，通过设置 `converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]`。",
    "将 tf.lite.OpsSet.TFLITE_BUILTINS_INT8 加入 supported_ops",  # mostly code
    "重写模型以避免不受支持的操作。",
    "轉換器錯誤：操作不支援量化。",  # traditional Chinese
    "升级 TensorFlow 到 2.12 版本",
    "内存不足",  # short
    "设置 CUDA_VISIBLE_DEVICES=0 并重新运行 python train.py --batch-size 16",
]
NOT_CHINESE = [
    "Ensure the calibration dataset includes diverse inputs that trigger both minimum and maximum activation values.",
    "Switch to per-channel quantization or use tf.lite.TFLiteConverter with optimizations=[tf.lite.Optimize.DEFAULT].",
    "量子化がサポートされていません",  # Japanese (kana)
    "양자화가 지원되지 않습니다",  # Korean
    "Use the 量化 option in the converter settings for better results on every device.",  # English with a Chinese word
]


@pytest.mark.parametrize("text", CHINESE)
def test_chinese_is_recognised(text):
    assert detect_language(text).is_chinese, detect_language(text)


@pytest.mark.parametrize("text", NOT_CHINESE)
def test_other_languages_are_not_chinese(text):
    assert not detect_language(text).is_chinese, detect_language(text)


def test_every_zh_text_of_the_real_records_is_chinese():
    texts = []
    for path in [SEED_000, *sorted((REPO_ROOT / "entries").rglob("*.json"))]:
        record = json.loads(path.read_text(encoding="utf-8"))
        texts += [record.get("signature_zh", ""), record.get("root_cause_zh", "")] + record.get("workarounds_zh", [])
    assert len(texts) >= 10
    assert [text for text in texts if text and not detect_language(text).is_chinese] == []


def test_detection_is_deterministic():
    text = "Rewrite the model to avoid the unsupported op"
    answers = {detect_language(text).language for _ in range(20)}
    assert answers == {"en"}


def test_strip_code_removes_identifiers_urls_and_numbers():
    stripped = strip_code("见 https://x.org/a 与 `code()` tf.lite.Foo 和 MY_CONST 1.5 --flag")
    assert stripped.split() == ["见", "与", "和"]


def test_code_only_text_is_undecided():
    assert detect_language("`converter.convert()`").language == ""

"""Quality gate of message detection and domain inference on the labelled articles (tests/extract_eval/)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "extract_eval"))

import evaluate  # noqa: E402

SCORES = evaluate.evaluate()


def test_evaluation_set_has_at_least_25_articles_some_without_messages():
    labels = evaluate.yaml.safe_load(evaluate.LABELS.read_text(encoding="utf-8"))
    assert len(labels) >= 25
    assert sum(1 for label in labels.values() if not label["messages"]) >= 3
    assert sorted(path.name for path in evaluate.ARTICLES.glob("*.md")) == sorted(labels)


def test_message_detection_precision_is_at_least_0_90():
    assert SCORES.precision >= 0.90, SCORES.mistakes


def test_message_detection_recall_is_at_least_0_85():
    assert SCORES.recall >= 0.85, SCORES.mistakes


def test_domain_inference_precision_is_at_least_0_90():
    assert SCORES.article_domain_precision >= 0.90, SCORES.mistakes
    assert SCORES.message_domain_precision >= 0.90, SCORES.mistakes


def test_domain_inference_recall_is_at_least_0_85():
    assert SCORES.article_domain_recall >= 0.85, SCORES.mistakes
    assert SCORES.message_domain_recall >= 0.85, SCORES.mistakes

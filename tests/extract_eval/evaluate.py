"""Precision and recall of `kbtool extract` on the labelled articles of this folder.

    python tests/extract_eval/evaluate.py [-v]

Message detection: a found message counts as correct when it equals a labelled one (each line
compared without its surrounding spaces). Domain inference is scored twice: per article (the
article's subject) and per correctly found message (the candidate's domain); an "unknown" domain
is no prediction (it lowers recall, not precision). Confidence agreement is printed as well.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kbtool.extract.articles import Article, read_article
from kbtool.extract.infer import UNKNOWN_DOMAIN, article_domain, message_domain, message_domain_hint
from kbtool.extract.messages import find_messages

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
LABELS = HERE / "labels.yaml"


def normalise(message: str) -> str:
    return "\n".join(line.strip() for line in message.strip().split("\n"))


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


@dataclass
class Scores:
    found: int = 0
    expected: int = 0
    correct: int = 0
    confidence_agree: int = 0
    article_domains_predicted: int = 0
    article_domains_correct: int = 0
    articles: int = 0
    message_domains_predicted: int = 0
    message_domains_correct: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return ratio(self.correct, self.found)

    @property
    def recall(self) -> float:
        return ratio(self.correct, self.expected)

    @property
    def article_domain_precision(self) -> float:
        return ratio(self.article_domains_correct, self.article_domains_predicted)

    @property
    def article_domain_recall(self) -> float:
        return ratio(self.article_domains_correct, self.articles)

    @property
    def message_domain_precision(self) -> float:
        return ratio(self.message_domains_correct, self.message_domains_predicted)

    @property
    def message_domain_recall(self) -> float:
        return ratio(self.message_domains_correct, self.correct)


def evaluate() -> Scores:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    scores = Scores()
    for name, label in sorted(labels.items()):
        article = read_article(ARTICLES / name, HERE)
        if not isinstance(article, Article):
            scores.mistakes.append(f"{name}: skipped: {article.message}")
            scores.expected += len(label["messages"])
            scores.articles += 1
            continue
        messages = find_messages(article)
        domain = article_domain(article, [message_domain_hint(message.signature) for message in messages])
        scores.articles += 1
        if domain != UNKNOWN_DOMAIN:
            scores.article_domains_predicted += 1
            scores.article_domains_correct += domain == label["domain"]
        if domain != label["domain"]:
            scores.mistakes.append(f"{name}: article domain {domain!r}, expected {label['domain']!r}")
        expected = {normalise(item["signature"]): item for item in label["messages"]}
        found = {normalise(message.signature): message for message in messages}
        scores.expected += len(expected)
        scores.found += len(found)
        for key, message in found.items():
            if key not in expected:
                scores.mistakes.append(f"{name}:{message.line}: found but not expected: {message.signature!r}")
                continue
            scores.correct += 1
            item = expected[key]
            if message.confidence == item["confidence"]:
                scores.confidence_agree += 1
            else:
                scores.mistakes.append(f"{name}:{message.line}: confidence {message.confidence}, expected {item['confidence']}")
            predicted = message_domain(message.signature, domain)
            if predicted != UNKNOWN_DOMAIN:
                scores.message_domains_predicted += 1
                scores.message_domains_correct += predicted == item["domain"]
            if predicted != item["domain"]:
                scores.mistakes.append(f"{name}:{message.line}: message domain {predicted!r}, expected {item['domain']!r}")
        for key in expected.keys() - found.keys():
            scores.mistakes.append(f"{name}: expected but not found: {expected[key]['signature']!r}")
    return scores


def main(argv: list[str]) -> int:
    scores = evaluate()
    print(f"articles: {scores.articles}; messages expected: {scores.expected}, found: {scores.found}, correct: {scores.correct}")
    print(f"message detection: precision {scores.precision:.3f}, recall {scores.recall:.3f}")
    print(f"confidence agrees on {scores.confidence_agree} of {scores.correct} correctly found messages")
    print(f"article domain:    precision {scores.article_domain_precision:.3f}, recall {scores.article_domain_recall:.3f}")
    print(f"message domain:    precision {scores.message_domain_precision:.3f}, recall {scores.message_domain_recall:.3f}")
    if "-v" in argv:
        for mistake in scores.mistakes:
            print("  " + mistake)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The extraction of a set of articles: read each safely, find its messages, decide new or known."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kbtool.extract.articles import ArticleProblem, read_article
from kbtool.extract.candidates import Extraction, RecordIndex
from kbtool.extract.messages import find_messages
from kbtool.regex.matcher import BoundedMatcher

#: Articles whose known-message check runs in one batch of regex jobs.
BATCH_ARTICLES = 500


def extract_articles(kb_root: Path, files: list[Path],
                     advance: Callable[[], None] = lambda: None) -> tuple[Extraction, list[tuple[ArticleProblem, bool]]]:
    """(the extraction, the problems met as (problem, whether the article was skipped)); `advance` is
    called after each article (for a progress bar)."""
    problems: list[tuple[ArticleProblem, bool]] = []
    with BoundedMatcher() as matcher:
        extraction = Extraction(RecordIndex.load(kb_root, matcher))
        batch = []
        for path in files:
            article = read_article(path, kb_root)
            if isinstance(article, ArticleProblem):
                problems.append((article, True))
            else:
                problems.extend((note, False) for note in article.notes)
                try:
                    found = find_messages(article)
                except Exception as error:  # a bug must cost one article, not a run over thousands
                    problems.append((ArticleProblem(
                        article.relative_path, 1, f"could not be searched ({type(error).__name__}: {error}); "
                        "this is a bug in kbtool: please report it with this article"), True))
                    advance()
                    continue
                batch.append((article, found))
                if len(batch) >= BATCH_ARTICLES:
                    extraction.add_batch(batch)
                    batch = []
            advance()
        extraction.add_batch(batch)
    return extraction, problems

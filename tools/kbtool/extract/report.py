"""What `kbtool extract` prints: a table and one line per message for people, the version-1 JSON contract for tools."""

from __future__ import annotations

import sys
import textwrap

from kbtool.display import json_text, visible
from kbtool.extract.articles import ArticleProblem
from kbtool.extract.candidates import Extraction

JSON_VERSION = 1


def article_entries(extraction: Extraction):
    """The `articles` items of the JSON contract, one at a time."""
    for result in extraction.results:
        yield {"path": result.path, "id": result.id, "title": result.title,
               "messages": [{
                   "signature": message.signature,
                   "line": message.line,
                   "confidence": message.confidence,
                   "status": message.status,
                   "entry_id": message.entry_id,
                   "candidate": message.candidate.path if message.candidate is not None else None,
               } for message in result.messages],
               "related_entries": result.related_entries}


def count_summary(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]]) -> dict:
    statuses = [message.status for result in extraction.results for message in result.messages]
    return {"articles": len(extraction.results), "messages": len(statuses), "new": statuses.count("new"),
            "known": statuses.count("known"), "skipped": sum(1 for _, skipped in problems if skipped)}


def write_json(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]], stream) -> None:
    """The version-1 document, written article by article so a large run never holds it all as text."""
    stream.write(f'{{\n  "version": {JSON_VERSION},\n  "articles": [')
    for number, entry in enumerate(article_entries(extraction)):
        stream.write(("," if number else "") + "\n" + textwrap.indent(json_text(entry, indent=2), "    "))
    stream.write("\n  ],\n  \"problems\": ")
    listed = [{"path": problem.path, "line": problem.line, "message": problem.message, "skipped": skipped}
              for problem, skipped in problems]
    stream.write(textwrap.indent(json_text(listed, indent=2), "  ").lstrip())
    stream.write(",\n  \"summary\": " + json_text(count_summary(extraction, problems)) + "\n}\n")


def print_text(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]], dry_run: bool,
               adding_sources: bool = False) -> None:
    """The text report; `adding_sources`: --add-sources ran (and said on stderr what it added), so a known message
    is not followed by the advice to add the article to its record's sources."""
    from rich.console import Console
    from rich.table import Table

    terminal = sys.stdout.isatty()
    console = Console(file=sys.stdout, width=None if terminal else 200, highlight=False, soft_wrap=not terminal)
    table = Table(title="Messages found in articles", show_lines=False)
    for column in ("article", "messages", "new", "known", "confidence"):
        table.add_column(column, justify="right" if column in ("messages", "new", "known") else "left")
    quiet = []
    for article in article_entries(extraction):
        found = article["messages"]
        if not found:
            quiet.append(article)
            continue
        new = sum(1 for message in found if message["status"] == "new")
        known_ids = sorted({message["entry_id"] for message in found if message["status"] == "known"})
        high = sum(1 for message in found if message["confidence"] == "high")
        low = len(found) - high
        confidence = ", ".join(part for part in (f"{high} high" if high else "", f"{low} low" if low else "") if part)
        table.add_row(visible(article["path"]), str(len(found)), str(new),
                      visible(f"{len(known_ids)} ({', '.join(known_ids)})") if known_ids else "0",
                      confidence)
    if table.row_count:
        console.print(table)
    for article in article_entries(extraction):
        for message in article["messages"]:
            first_line = visible(message["signature"].split("\n")[0])
            where = f"{visible(article['path'])}:{message['line']}"
            if message["status"] == "known":
                advice = "" if adding_sources else f" — add {visible(article['path'])} to its sources (--add-sources does)"
                console.print(f"{where}: known: {visible(message['entry_id'])}{advice}: {first_line}", markup=False)
            else:
                target = visible(message["candidate"]) if message["candidate"] else ("(dry run: not written)" if dry_run else "(not written)")
                console.print(f"{where}: new ({message['confidence']} confidence) → {target}: {first_line}", markup=False)
    for article in quiet:
        related = visible(", ".join(article["related_entries"])) or "none found"
        console.print(f"{visible(article['path'])}: no error message quoted; related records (attach it as a source): {related}",
                      markup=False)
    for candidate in extraction.candidates.values():
        if candidate.problem:
            console.print(f"kbtool: candidate not written: {visible(candidate.problem)}", markup=False)
    summary = count_summary(extraction, problems)
    console.print(f"{_count(summary['articles'], 'article')}, {_count(summary['messages'], 'message')}: {summary['new']} new, "
                  f"{summary['known']} known; {summary['skipped']} skipped", markup=False)


def _count(number: int, word: str) -> str:
    """`1 article`, `2 articles`."""
    return f"{number} {word}{'' if number == 1 else 's'}"

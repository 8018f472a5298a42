"""`kbtool extract`: read articles, find their error messages, propose candidate records."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Optional

import typer

from kbtool.extract.articles import ArticleProblem, discover_articles, read_article
from kbtool.extract.candidates import Extraction, RecordIndex, write_candidates
from kbtool.extract.messages import find_messages
from kbtool.regexes import BoundedMatcher
from kbtool.settings import UsageError, find_root, resolve_today

#: Articles whose known-message check runs in one batch of regex jobs.
BATCH_ARTICLES = 500
JSON_VERSION = 1


def _article_entries(extraction: Extraction):
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


def _summary(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]]) -> dict:
    statuses = [message.status for result in extraction.results for message in result.messages]
    return {"articles": len(extraction.results), "messages": len(statuses), "new": statuses.count("new"),
            "known": statuses.count("known"), "skipped": sum(1 for _, skipped in problems if skipped)}


def _write_json(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]], stream) -> None:
    """The version-1 document, written article by article so a large run never holds it all as text."""
    stream.write(f'{{\n  "version": {JSON_VERSION},\n  "articles": [')
    for number, entry in enumerate(_article_entries(extraction)):
        stream.write(("," if number else "") + "\n" + textwrap.indent(json.dumps(entry, ensure_ascii=False, indent=2), "    "))
    stream.write("\n  ],\n  \"problems\": ")
    listed = [{"path": problem.path, "line": problem.line, "message": problem.message, "skipped": skipped}
              for problem, skipped in problems]
    stream.write(textwrap.indent(json.dumps(listed, ensure_ascii=False, indent=2), "  ").lstrip())
    stream.write(",\n  \"summary\": " + json.dumps(_summary(extraction, problems)) + "\n}\n")


def _print_text(extraction: Extraction, problems: list[tuple[ArticleProblem, bool]], dry_run: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    terminal = sys.stdout.isatty()
    console = Console(file=sys.stdout, width=None if terminal else 200, highlight=False, soft_wrap=not terminal)
    table = Table(title="Messages found in articles", show_lines=False)
    for column in ("article", "messages", "new", "known", "confidence"):
        table.add_column(column, justify="right" if column in ("messages", "new", "known") else "left")
    quiet = []
    for article in _article_entries(extraction):
        found = article["messages"]
        if not found:
            quiet.append(article)
            continue
        new = sum(1 for message in found if message["status"] == "new")
        known_ids = sorted({message["entry_id"] for message in found if message["status"] == "known"})
        high = sum(1 for message in found if message["confidence"] == "high")
        low = len(found) - high
        confidence = ", ".join(part for part in (f"{high} high" if high else "", f"{low} low" if low else "") if part)
        table.add_row(article["path"], str(len(found)), str(new), f"{len(known_ids)} ({', '.join(known_ids)})" if known_ids else "0",
                      confidence)
    if table.row_count:
        console.print(table)
    for article in _article_entries(extraction):
        for message in article["messages"]:
            first_line = message["signature"].split("\n")[0]
            where = f"{article['path']}:{message['line']}"
            if message["status"] == "known":
                console.print(f"{where}: known: {message['entry_id']} — add {article['path']} to its sources: {first_line}",
                              markup=False)
            else:
                target = message["candidate"] or ("(dry run: not written)" if dry_run else "(not written)")
                console.print(f"{where}: new ({message['confidence']} confidence) → {target}: {first_line}", markup=False)
    for article in quiet:
        related = ", ".join(article["related_entries"]) or "none found"
        console.print(f"{article['path']}: no error message quoted; related records (attach it as a source): {related}",
                      markup=False)
    for candidate in extraction.candidates.values():
        if candidate.problem:
            console.print(f"kbtool: candidate not written: {candidate.problem}", markup=False)
    summary = _summary(extraction, problems)
    console.print(f"{summary['articles']} articles, {summary['messages']} messages: {summary['new']} new, "
                  f"{summary['known']} known; {summary['skipped']} skipped", markup=False)


def extract_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Article files (*.md) or folders to read. Default: articles/ of the KB root.", show_default=False),
    root: Optional[Path] = typer.Option(None, "--root", help="The KB root (the folder holding entries/). Default: the nearest folder upward from here that has entries/.", show_default=False),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for candidate records, written as <out>/<domain>/<slug>.json. Default: candidates/ of the KB root.", show_default=False),
    output_format: str = typer.Option("text", "--format", "-f", help="text (a table for people) or json (the version-1 contract for tools)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Find and report, but write no file."),
    today: Optional[str] = typer.Option(None, "--today", metavar="YYYY-MM-DD", help="Date written as last_updated. Default: $KBTOOL_TODAY, else the system date.", show_default=False),
) -> None:
    """Propose candidate records from Q&A articles (markdown with title, id and date front matter).

    Finds the error messages each article quotes — in code blocks, tracebacks, comments, console
    output, headings, quotes and prose — and for each distinct one either reports the existing record
    whose regex already matches it ("known: ID", with the article as a source to add) or writes a
    candidate record with the message, a generalised regex, the domain, the article's own explanation
    and fixes, and the article as its source. Messages the article hedges ("may vary") are marked
    low-confidence. Articles with no quoted message are listed with the records they discuss.

    Existing files are never overwritten, so a re-run with unchanged input changes nothing.
    Review candidates, then move them to entries/ ('kbtool lint candidates/' checks them first).

    Exit status: 0 done, 1 some articles were skipped (broken or hostile input, each reported with
    its file and line) or a candidate could not be written, 2 usage error.
    """
    if output_format not in ("text", "json"):
        raise UsageError(f"--format {output_format}: unknown format; choose text or json")
    kb_root = find_root(root)
    today_date = resolve_today(today)
    inputs = [Path(path) for path in paths] if paths else [kb_root / "articles"]
    for path in inputs:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder; give article files or folders (default: articles/ of the KB root)")
    out_dir = Path(os.path.abspath(out if out is not None else kb_root / "candidates"))
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a folder for the candidate records")
    files = discover_articles(inputs)
    problems: list[tuple[ArticleProblem, bool]] = []
    show_progress = sys.stderr.isatty() and len(files) > 50  # the bar goes to stderr, never into the output
    with BoundedMatcher() as matcher:
        extraction = Extraction(RecordIndex.load(kb_root, matcher))
        batch = []
        progress = None
        if show_progress:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            progress = Progress("extracting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            progress.start()
            task = progress.add_task("articles", total=len(files))
        try:
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
                        continue
                    batch.append((article, found))
                    if len(batch) >= BATCH_ARTICLES:
                        extraction.add_batch(batch)
                        batch = []
                if progress is not None:
                    progress.advance(task)
            extraction.add_batch(batch)
        finally:
            if progress is not None:
                progress.stop()
    write_candidates(extraction.candidates.values(), out_dir, kb_root, today_date, dry_run)
    for problem, skipped in problems:
        verdict = "skipped" if skipped else "note"
        sys.stderr.write(f"{problem.path}:{problem.line}: {verdict}: {problem.message}\n")
    if output_format == "json":
        _write_json(extraction, problems, sys.stdout)
    else:
        _print_text(extraction, problems, dry_run)
    sys.stdout.flush()
    failed = any(skipped for _, skipped in problems) or any(candidate.problem for candidate in extraction.candidates.values())
    raise typer.Exit(1 if failed else 0)

"""`kbtool extract`: read articles, find their error messages, propose candidate records."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import check_format, format_option, root_option, today_option
from kbtool.display import visible
from kbtool.errors import UsageError


def extract_command(
    paths: Optional[list[Path]] = typer.Argument(None, help="Article files (*.md) or folders to read. Default: articles/ of the KB root.", show_default=False),
    root: Optional[Path] = root_option(),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Folder for candidate records, written as <out>/<domain>/<slug>.json. Default: candidates/ of the KB root.", show_default=False),
    output_format: str = format_option("text (a table for people) or json (the version-1 contract for tools)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Find and report, but write no file."),
    add_sources: bool = typer.Option(False, "--add-sources", help="Add each article to the sources of the known records it quotes (atomic write, last_updated bumped, nothing else changed). Without it they are only reported."),
    today: Optional[str] = today_option("Date written as last_updated."),
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

    Examples:

      kbtool extract

      kbtool extract articles/2026/ --dry-run

      kbtool extract --format json > candidates.json
    """
    from kbtool.extract.articles import discover_articles
    from kbtool.extract.candidates import write_candidates
    from kbtool.extract.pipeline import extract_articles
    from kbtool.extract.report import print_text, write_json
    from kbtool.settings import build_settings

    check_format(output_format, ("text", "json"))
    settings = build_settings(root=root, today=today)
    kb_root, today_date = settings.root, settings.today
    inputs = [Path(path) for path in paths] if paths else [kb_root / "articles"]
    for path in inputs:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder; give article files or folders (default: articles/ of the KB root)")
    out_dir = Path(os.path.abspath(out if out is not None else kb_root / "candidates"))
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir}: is a file; give a folder for the candidate records")
    files = discover_articles(inputs)
    if sys.stderr.isatty() and len(files) > 50:  # the bar goes to stderr, never into the output
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress("extracting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("articles", total=len(files))
            extraction, problems = extract_articles(kb_root, files, lambda: progress.advance(task))
    else:
        extraction, problems = extract_articles(kb_root, files)
    write_candidates(extraction.candidates.values(), out_dir, kb_root, today_date, dry_run)
    sources_added = []
    if add_sources:
        from kbtool.extract.sources import add_sources as add_article_sources

        sources_added = add_article_sources(extraction, kb_root, today_date, dry_run)
        for added in sources_added:  # on stderr, so the JSON contract on stdout stays as it is
            verdict = f"not written: {visible(added.problem)}" if added.problem else (
                "would add" if dry_run else "added") + " " + ", ".join(visible(path) for path in added.articles)
            sys.stderr.write(f"{visible(added.path)}: sources: {verdict}\n")
    for problem, skipped in problems:
        verdict = "skipped" if skipped else "note"
        sys.stderr.write(f"{visible(problem.path)}:{problem.line}: {verdict}: {visible(problem.message)}\n")
    if output_format == "json":
        write_json(extraction, problems, sys.stdout)
        for candidate in extraction.candidates.values():
            if candidate.problem:  # the text report lists these itself
                sys.stderr.write(f"kbtool: candidate not written: {visible(candidate.problem)}\n")
    else:
        print_text(extraction, problems, dry_run, adding_sources=add_sources)
    sys.stdout.flush()
    failed = (any(skipped for _, skipped in problems) or any(candidate.problem for candidate in extraction.candidates.values())
              or any(added.problem for added in sources_added))
    raise typer.Exit(1 if failed else 0)

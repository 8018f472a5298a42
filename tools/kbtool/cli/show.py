"""`kbtool show ID` and `kbtool list`: one record as a person reads it; the records, one line each."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kbtool.cli.common import EXIT_OK, check_format, format_option, root_option, today_option


def show_command(
    entry_id: str = typer.Argument(..., metavar="ID", help="The record's id (domain/slug), or the path of its file (from the KB root or from here)."),
    output_format: str = format_option("text (for people) or json (for tools)."),
    root: Optional[Path] = root_option(),
    today: Optional[str] = today_option("The date freshness is measured on."),
) -> None:
    """Print one record as a person reads it: signature, root cause, what not to try and why, what
    works and how, sources, dates and freshness.

    Exit status: 0, or 2 when no record has the id (close ids are suggested).

    Examples:

      kbtool show tensorflow/tflite-quantization-range

      kbtool show tensorflow/tflite-quantization-range --format json
    """
    from kbtool.browse import find_record, record_view, write_json, write_record_text
    from kbtool.kb import load_knowledge_base
    from kbtool.settings import build_settings

    check_format(output_format, ("text", "json"))
    settings = build_settings(root=root, today=today)
    view = record_view(find_record(load_knowledge_base(settings.root), entry_id), settings)
    (write_json if output_format == "json" else write_record_text)(view, sys.stdout)
    raise typer.Exit(EXIT_OK)


def list_command(
    domain: Optional[str] = typer.Option(None, "--domain", metavar="DOMAIN", show_default=False, help="Only records of this domain."),
    category: Optional[str] = typer.Option(None, "--category", metavar="CATEGORY", show_default=False, help="Only records of this category."),
    stale: bool = typer.Option(False, "--stale", help="Only records past the stale threshold (what stale-entry reports)."),
    stale_soon: bool = typer.Option(False, "--stale-soon", help="Only records that go stale within 30 days (what stale-soon reports)."),
    missing_translation: bool = typer.Option(False, "--missing-translation", help="Only records with an English field whose *_zh translation is missing or not Chinese."),
    rule: Optional[str] = typer.Option(None, "--rule", metavar="NAME-OR-CODE", show_default=False, help="Only records with findings of this rule (runs lint with that rule)."),
    output_format: str = format_option("text (one line per record) or json (for tools)."),
    root: Optional[Path] = root_option(),
    today: Optional[str] = today_option("The date freshness is measured on."),
) -> None:
    """List records, one line each (id, last confirmed, freshness, signature), filtered.

    Filters combine: every one given must hold. Exit status: 0, or 2 on a usage error.

    Examples:

      kbtool list --domain tensorflow

      kbtool list --stale-soon

      kbtool list --missing-translation --format json

      kbtool list --rule regex-too-broad
    """
    from kbtool.browse import ListFilter, list_rows, write_json, write_list_text
    from kbtool.kb import load_knowledge_base
    from kbtool.settings import build_settings, resolve_rule_codes

    check_format(output_format, ("text", "json"))
    if rule:
        resolve_rule_codes([rule], "--rule")  # an unknown rule is named as the user wrote it
    settings = build_settings(root=root, today=today, select=[rule] if rule else None)
    kb = load_knowledge_base(settings.root)
    with_findings = None
    if rule:
        from kbtool.lint import check_knowledge_base

        with_findings = frozenset(finding.path for finding in check_knowledge_base(kb, settings))
    rows = list_rows(kb, settings, ListFilter(domain=domain, category=category, stale=stale, stale_soon=stale_soon,
                                              missing_translation=missing_translation, with_findings_of=with_findings))
    (write_json if output_format == "json" else write_list_text)(rows, sys.stdout)
    unreadable = len(kb.files) - len(kb.records)
    if unreadable:
        sys.stderr.write(f"kbtool: {unreadable} file(s) under entries/ could not be read as records and are not listed; "
                         "'kbtool lint' says why\n")
    raise typer.Exit(EXIT_OK)

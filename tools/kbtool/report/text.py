"""`kbtool report` for people in a terminal: rich tables, or plain text when piped.

Both read the document of `kbtool.report.figures.report_document`; every value from a record goes
through `kbtool.display.visible` (plain) or is printed as rich `Text` (never parsed as markup).
"""

from __future__ import annotations

from typing import Any, TextIO

from kbtool.display import visible

#: Lists (records due, without sources, dangling edges) show this many rows in a terminal.
ROWS_SHOWN = 20


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """`1 record`, `2 records` (or `plural_word`)."""
    return f"{count:,} {word if count == 1 else (plural_word or word + 's')}"


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def sections(document: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(title, column headings, rows, note under the table) for each part of the report."""
    freshness = document["freshness"]
    states = freshness["states"]
    due = freshness["due"]
    parts = [
        ("Records per domain and translation coverage", ["domain", "records", "translated", "coverage"],
         [[row["domain"], f"{row['records']:,}", f"{row['translation']['translated']}/{row['translation']['fields']}",
           percent(row["translation"]["share"])] for row in document["domains"]],
         f"{plural(document['records'], 'record')} in {plural(len(document['domains']), 'domain')}; coverage: "
         "English fields with text whose *_zh counterpart is present and Chinese"),
        ("Records per verification tier", ["tier", "records"],
         [[row["tier"], f"{row['records']:,}"] for row in document["verification_tiers"]], ""),
        ("Freshness of last_confirmed", ["state", "records"],
         [[state, f"{count:,}"] for state, count in states.items()],
         f"stale: older than {document['stale_days']} days on {document['today']}; aging: older than half of that"),
        ("Due for re-verification, oldest first", ["record", "last confirmed", "age (days)", "state"],
         [[row["id"] or row["path"], row["last_confirmed"], f"{row['age_days']:,}", row["state"]] for row in due[:ROWS_SHOWN]],
         _more(len(due), "record")),
        ("Findings per rule", ["count", "code", "rule", "severity"],
         [[f"{row['count']:,}", row["rule"], row["name"], row["severity"]] for row in document["findings"]["by_rule"]],
         ", ".join(plural(count, severity) for severity, count in document["findings"]["by_severity"].items())),
        ("Regex health", ["problem", "records"],
         [[name.replace("_", " "), f"{len(paths):,}"] for name, paths in document["regex"].items()],
         "too broad: regex-too-broad; colliding: regex-collision; slow: regex-redos"),
        ("Transition graph", ["records", "edges", "dangling edges"],
         [[f"{document['graph']['records']:,}", f"{document['graph']['edges']:,}", f"{len(document['graph']['dangling']):,}"]],
         ""),
    ]
    if document["graph"]["dangling"]:
        dangling = document["graph"]["dangling"]
        parts.append(("Dangling edges", ["record", "edge", "names no record"],
                      [[row["id"], row["kind"], row["target"]] for row in dangling[:ROWS_SHOWN]], _more(len(dangling), "edge")))
    missing = document["without_sources"]
    parts.append(("Records without sources", ["record", "file"],
                  [[row["id"], row["path"]] for row in missing[:ROWS_SHOWN]],
                  _more(len(missing), "record") if missing else "every record names a source"))
    return parts


def _more(total: int, word: str) -> str:
    return f"{plural(total - ROWS_SHOWN, word)} more (kbtool report --format json lists them all)" if total > ROWS_SHOWN else ""


def _summary(document: dict[str, Any]) -> str:
    summary = document["summary"]
    return (f"kbtool report of {plural(document['records'], 'record')} on {document['today']}: "
            f"{plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}")


def write_plain(document: dict[str, Any], stream: TextIO) -> None:
    """Aligned plain-text tables, one section after another."""
    stream.write(_summary(document) + "\n")
    for title, headings, rows, note in sections(document):
        stream.write(f"\n{title}\n")
        cells = [[visible(cell) for cell in row] for row in rows]
        widths = [max([len(heading)] + [len(row[index]) for row in cells]) for index, heading in enumerate(headings)]
        for row in [headings, *cells]:
            stream.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() + "\n")
        if not rows:
            stream.write("(none)\n")
        if note:
            stream.write(f"{visible(note)}\n")


def write_rich(document: dict[str, Any], stream: TextIO, color: bool) -> None:
    """The same sections as rich tables (for a terminal)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=stream, force_terminal=True, no_color=not color, highlight=False, emoji=False)
    console.print(Text(_summary(document), style="bold"))
    severity_styles = {"error": "red", "warning": "yellow", "info": "cyan"}
    for title, headings, rows, note in sections(document):
        table = Table(title=Text(title, style="bold"), title_justify="left", caption=Text(visible(note)) if note else None,
                      caption_justify="left")
        for heading in headings:
            numeric = heading in ("records", "count", "age (days)", "edges", "dangling edges", "coverage")
            table.add_column(Text(heading), justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(Text(visible(cell), style=severity_styles.get(cell, "")) for cell in row))
        console.print()
        console.print(table)

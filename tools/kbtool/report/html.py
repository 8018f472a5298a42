"""`kbtool report --html FILE`: one self-contained page to look at the state of the whole KB.

No network: the styles are inline, the charts are inline SVG drawn here from the figures, and a
Content-Security-Policy forbids the page to load anything (`default-src 'none'`). Each chart is
followed by a table of its data (for screen readers, and for copying), every record in a table links
to its file (relative to the page), the layout reflows down to a phone's width, and colours keep a
contrast of at least 4.5:1 against the white background. Every value is HTML-escaped.
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

from kbtool.display import visible
from kbtool.report.text import percent, plural

#: Tables of records show at most this many rows; the rest are counted under the table.
TABLE_ROWS_SHOWN = 50

#: Fill colours, each with a contrast of at least 4.5:1 on white (and on the bars' labels).
COLOURS = {"bar": "#1d5b99", "error": "#b3261e", "warning": "#8a5300", "info": "#0b6477",
           "fresh": "#2e7031", "aging": "#8a5300", "stale": "#b3261e", "undated": "#5f6368"}

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
       background: #fff; margin: 0 auto; padding: 1rem; max-width: 70rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; }
p.lead { margin: 0 0 1rem; color: #3c3c3c; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(7.5rem, 1fr)); gap: .6rem; margin: 1rem 0; }
.card { border: 1px solid #d0d7de; border-radius: .4rem; padding: .5rem .7rem; }
.card b { display: block; font-size: 1.5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1rem 2rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { width: 100%; height: auto; display: block; }
svg text { fill: #1b1b1b; font: 12px system-ui, sans-serif; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
a { color: #0b57d0; }
.note { color: #3c3c3c; font-size: .9rem; }
details summary { cursor: pointer; color: #0b57d0; }
@media (max-width: 40rem) { body { padding: .6rem; font-size: 15px; } th, td { padding: .2rem .3rem; } }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  a { color: #000; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  details > *:not(summary) { display: block; }
  .table-wrap { overflow: visible; }
}
"""


def _e(value: Any) -> str:
    return html.escape(visible(value), quote=True)


def record_link(root: Path, page: Path, relative_path: str) -> str:
    """The href from the page to a record file: relative when the page can reach it, else a file: URI."""
    target = Path(os.path.abspath(root / relative_path))
    try:
        relative = os.path.relpath(target, os.path.abspath(page.parent))
    except ValueError:  # another drive
        return target.as_uri()
    return quote(Path(relative).as_posix())


def horizontal_bars(chart_id: str, rows: list[tuple[str, float, str, str]], maximum: float) -> str:
    """An SVG bar chart, one horizontal bar per row (label, value, shown value, colour)."""
    label_width, bar_width, row_height = 190, 300, 22
    height = row_height * len(rows) + 8
    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {label_width + bar_width + 70} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title"><title id="{chart_id}-title">{_e(chart_id)}</title>']
    for index, (label, value, shown, colour) in enumerate(rows):
        y = 4 + index * row_height
        width = 0 if maximum <= 0 else max(1.0 if value else 0.0, bar_width * value / maximum)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{_e(short)}</text>'
            f'<rect class="track" x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row_height - 6}" fill="#eef1f4"/>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{width:.1f}" height="{row_height - 6}" '
            f'fill="{colour}" data-label="{_e(label)}" data-value="{value:g}"><title>{_e(label)}: {_e(shown)}</title></rect>'
            f'<text x="{label_width + width + 5:.1f}" y="{y + 15}">{_e(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_label(label: str, first: bool) -> tuple[str, str]:
    """("Feb", "2026") for "2026-02": the year only under January and the first bar."""
    if len(label) == 7 and label[4] == "-" and label[:4].isdigit() and label[5:].isdigit():
        month = int(label[5:])
        return MONTH_NAMES[month - 1], label[:4] if first or month == 1 else ""
    return label, ""


def vertical_bars(chart_id: str, rows: list[tuple[str, float, str]]) -> str:
    """An SVG column chart of months, one vertical bar per row (label, value, shown value); the
    labels are thinned to fit and the value is written above each bar when there is room."""
    plot_height, top, bottom, left, plot_width = 180, 18, 40, 44, 600
    count = max(1, len(rows))
    slot = min(80.0, plot_width / count)
    width = left + slot * count + 10
    maximum = max([value for _, value, _ in rows] + [1])
    step = max(1, math.ceil(count / 12))  # at most about 12 labels under the axis
    parts = [f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width:.0f} {top + plot_height + bottom}" role="img" '
             f'aria-labelledby="{chart_id}-title"><title id="{chart_id}-title">{_e(chart_id)}</title>',
             f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10:.0f}" y2="{top + plot_height}" stroke="#5f6368"/>',
             f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{maximum:,.0f}</text>',
             f'<text x="{left - 4}" y="{top + plot_height}" text-anchor="end">0</text>']
    for index, (label, value, shown) in enumerate(rows):
        height = plot_height * value / maximum
        x = left + index * slot
        parts.append(f'<rect class="bar" x="{x + slot * 0.12:.1f}" y="{top + plot_height - height:.1f}" '
                     f'width="{slot * 0.76:.1f}" height="{height:.1f}" fill="{COLOURS["bar"]}" data-label="{_e(label)}" '
                     f'data-value="{value:g}"><title>{_e(label)}: {_e(shown)}</title></rect>')
        if slot >= 36:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_height - height - 4:.1f}" '
                         f'text-anchor="middle">{_e(shown)}</text>')
        if index % step == 0:
            month, year = _month_label(label, index == 0)
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_height + 15}" text-anchor="middle">{_e(month)}</text>')
            if year:
                parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_height + 30}" text-anchor="middle">{_e(year)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def table(table_id: str, caption: str, headings: list[str], rows: Iterable[list[str]], numeric: set[int] = frozenset(),
          note: str = "") -> str:
    """A data table; cells are already HTML (escaped by the caller)."""
    head = "".join(f'<th scope="col"{" class=n" if index in numeric else ""}>{_e(text)}</th>'
                   for index, text in enumerate(headings))
    body = "".join("<tr>" + "".join(f'<td{" class=n" if index in numeric else ""}>{cell}</td>'
                                    for index, cell in enumerate(row)) + "</tr>" for row in rows)
    note_html = f'<p class="note">{_e(note)}</p>' if note else ""
    return (f'<div class="table-wrap"><table id="{table_id}"><caption>{_e(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note_html}")


def _more(total: int, word: str) -> str:
    if total <= TABLE_ROWS_SHOWN:
        return ""
    return (f"The first {TABLE_ROWS_SHOWN:,} of {plural(total, word)}; "
            "'kbtool report --format json' lists them all.")


def render_html(document: dict[str, Any], root: Path, page: Path) -> str:
    """The whole page for `document`, with links to record files relative to `page`."""

    def link(row: dict[str, Any]) -> str:
        return f'<a href="{_e(record_link(root, page, row["path"]))}">{_e(row["id"] or row["path"])}</a>'

    summary = document["summary"]
    states = document["freshness"]["states"]
    by_month = document["freshness"]["by_month"]
    domains = document["domains"]
    rules = document["findings"]["by_rule"]
    due = document["freshness"]["due"]
    graph = document["graph"]
    missing = document["without_sources"]
    cards = [("records", document["records"]), ("domains", len(domains)), ("errors", summary["errors"]),
             ("warnings", summary["warnings"]), ("stale", states["stale"]), ("aging", states["aging"]),
             ("without sources", len(missing)), ("dangling edges", len(graph["dangling"]))]
    body = [
        "<h1>Knowledge base report</h1>",
        f'<p class="lead">{_e(plural(document["records"], "record"))} on {_e(document["today"])}; records go stale '
        f'{_e(document["stale_days"])} days after <code>last_confirmed</code>. Generated by <code>kbtool report</code>.</p>',
        '<div class="cards">' + "".join(f'<div class="card"><b>{value:,}</b>{_e(name)}</div>' for name, value in cards) + "</div>",
        "<h2 id='freshness'>Freshness</h2>",
        '<div class="grid"><figure><figcaption>Records by month of last_confirmed</figcaption>'
        + vertical_bars("chart-freshness", [(row["month"], row["records"], f"{row['records']:,}") for row in by_month])
        + "</figure><div>"
        + table("table-freshness", "Records by month of last_confirmed", ["month", "records"],
                ([_e(row["month"]), f"{row['records']:,}"] for row in by_month), {1})
        + table("table-states", "Freshness", ["state", "records"],
                ([f'<span style="color:{COLOURS[state]}">{_e(state)}</span>', f"{count:,}"] for state, count in states.items()),
                {1}, f"stale: older than {document['stale_days']} days; aging: older than half of that.")
        + "</div></div>",
        "<h2 id='translation'>Translation coverage</h2>",
        '<div class="grid"><figure><figcaption>Share of English fields translated into Chinese, per domain</figcaption>'
        + horizontal_bars("chart-translation",
                          [(row["domain"], (row["translation"]["share"] or 0) * 100, percent(row["translation"]["share"]),
                            COLOURS["bar"]) for row in domains], 100)
        + "</figure><div>"
        + table("table-domains", "Records and translation coverage per domain",
                ["domain", "records", "translated fields", "coverage"],
                ([_e(row["domain"]), f"{row['records']:,}",
                  f"{row['translation']['translated']:,} of {row['translation']['fields']:,}",
                  _e(percent(row["translation"]["share"]))] for row in domains), {1, 2, 3},
                "A field counts when its *_zh counterpart is present and written in Chinese.")
        + table("table-tiers", "Records per verification tier", ["verification tier", "records"],
                ([_e(row["tier"]), f"{row['records']:,}"] for row in document["verification_tiers"]), {1})
        + "</div></div>",
        "<h2 id='findings'>Findings</h2>",
        '<div class="grid"><figure><figcaption>Findings per rule (kbtool lint --statistics)</figcaption>'
        + horizontal_bars("chart-findings",
                          [(f"{row['rule']} {row['name']}", row["count"], f"{row['count']:,}", COLOURS[row["severity"]])
                           for row in rules], max([row["count"] for row in rules] + [0]))
        + "</figure><div>"
        + table("table-findings", "Findings per rule", ["count", "code", "rule", "severity"],
                ([f"{row['count']:,}", _e(row["rule"]), _e(row["name"]),
                  f'<span style="color:{COLOURS[row["severity"]]}">{_e(row["severity"])}</span>'] for row in rules), {0},
                ", ".join(plural(count, severity) for severity, count in document["findings"]["by_severity"].items()) + ".")
        + table("table-regex", "Regex health", ["problem", "records", "rule"],
                ([_e(name.replace("_", " ")), f"{len(paths):,}", _e(rule)] for (name, paths), rule
                 in zip(document["regex"].items(), ("regex-too-broad", "regex-collision", "regex-redos"))), {1})
        + "</div></div>",
        "<h2 id='graph'>Transition graph</h2>",
        table("table-graph", "Transition graph", ["records", "edges", "dangling edges"],
              [[f"{graph['records']:,}", f"{graph['edges']:,}", f"{len(graph['dangling']):,}"]], {0, 1, 2}),
        "<h2 id='due'>Records to act on</h2>",
        table("table-due", "Due for re-verification, oldest first", ["record", "last confirmed", "age (days)", "state", "stale on"],
              ([link(row), _e(row["last_confirmed"]), f"{row['age_days']:,}", _e(row["state"]), _e(row["stale_on"])]
               for row in due[:TABLE_ROWS_SHOWN]), {2}, _more(len(due), "record") or ("" if due else "No record is due.")),
        table("table-dangling", "Dangling edges", ["record", "edge", "names no record"],
              ([link(row), _e(row["kind"]), _e(row["target"])] for row in graph["dangling"][:TABLE_ROWS_SHOWN]),
              note=_more(len(graph["dangling"]), "edge") or ("" if graph["dangling"] else "Every edge names a record.")),
        table("table-without-sources", "Records without sources", ["record", "file"],
              ([link(row), _e(row["path"])] for row in missing[:TABLE_ROWS_SHOWN]),
              note=_more(len(missing), "record") or ("" if missing else "Every record names a source.")),
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>kbtool report {_e(document['today'])}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")

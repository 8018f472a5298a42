"""`kbtool report --html` as a person sees it: the page rendered by headless Chromium (Debian's
`chromium`; `.ci/run` installs it), its bars and rows counted in the rendered DOM against figures
computed here from the generated KB, and every request the page makes logged by the browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import TODAY, run_kbtool
from report_kb import ROWS_SHOWN, generate_kb

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

#: Nothing of the browser's own (updates, sync, spelling dictionaries) should mix with the page's requests,
#: and no request can leave the machine: every host resolves nowhere, through a proxy that does not exist.
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9")


def chromium(page: Path, profile: Path, *flags: str) -> str:
    """The DOM of `page` after Chromium loaded it (and ran any script)."""
    completed = subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *flags, "--dump-dom",
                                page.as_uri()], capture_output=True, text=True, check=True)
    return completed.stdout


class DomCounter(HTMLParser):
    """Counts, in the rendered DOM, the `rect.bar` of each `svg` and the body rows of each `table` (by id)."""

    def __init__(self) -> None:
        super().__init__()
        self.bars: dict[str, int] = {}
        self.rows: dict[str, int] = {}
        self._svg: str | None = None
        self._table: str | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg":
            self._svg = attributes.get("id")
            self.bars.setdefault(self._svg, 0)
        elif tag == "rect" and self._svg and "bar" in (attributes.get("class") or "").split():
            self.bars[self._svg] += 1
        elif tag == "table":
            self._table = attributes.get("id")
            self.rows.setdefault(self._table, 0)
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._table and self._in_body:
            self.rows[self._table] += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "table":
            self._table = None
        elif tag == "tbody":
            self._in_body = False


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate_kb(tmp_path_factory.mktemp("browser-kb"))


@pytest.fixture(scope="module")
def page(generated, tmp_path_factory) -> Path:
    page = tmp_path_factory.mktemp("page") / "report.html"
    result = run_kbtool("report", "--root", generated.root, "--today", TODAY, "--html", page)
    assert result.exit_code == 0, result.stdout + result.stderr
    return page


@pytest.fixture(scope="module")
def statistics(generated) -> list[dict]:
    result = run_kbtool("lint", "--root", generated.root, "--today", TODAY, "--statistics", "--format", "json")
    return json.loads(result.stdout)["statistics"]


@pytest.fixture(scope="module")
def rendered(page, tmp_path_factory) -> DomCounter:
    counter = DomCounter()
    counter.feed(chromium(page, tmp_path_factory.mktemp("profile")))
    return counter


def test_each_chart_has_one_bar_per_figure(generated, statistics, rendered):
    assert rendered.bars == {
        "chart-freshness": generated.month_span,  # every month from the oldest last_confirmed to the newest
        "chart-translation": len(generated.per_domain),
        "chart-findings": len(statistics),  # one per rule with findings in kbtool lint --statistics
    }


def test_each_chart_has_its_data_in_a_table(generated, statistics, rendered):
    assert rendered.rows["table-freshness"] == generated.month_span
    assert rendered.rows["table-domains"] == len(generated.per_domain)
    assert rendered.rows["table-findings"] == len(statistics)


def test_each_table_has_the_expected_rows(generated, rendered):
    due = generated.states["stale"] + generated.states["aging"]
    assert rendered.rows["table-states"] == 4
    assert rendered.rows["table-due"] == min(due, ROWS_SHOWN)
    assert rendered.rows["table-without-sources"] == min(generated.without_sources, ROWS_SHOWN)
    assert rendered.rows["table-dangling"] == generated.dangling
    assert rendered.rows["table-graph"] == 1
    assert rendered.rows["table-regex"] == 3


def test_the_bars_carry_the_figures(generated, page, tmp_path):
    """The bar heights come from the data: the translation bars' values are the generated coverage."""
    dom = chromium(page, tmp_path / "profile")
    for domain, (fields, translated) in generated.translated.items():
        shown = re.search(rf'data-label="{domain}" data-value="([0-9.]+)"', dom)
        assert shown and float(shown.group(1)) == pytest.approx(translated / fields * 100, abs=0.01)


def requested_urls(net_log: Path) -> list[str]:
    """The URLs the page asked for: requests made on behalf of a file:// document (the browser's own
    background requests carry another network isolation key)."""
    document = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = document["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [event["params"]["url"] for event in document["events"]
            if event["type"] == start_job and "file://" in event.get("params", {}).get("network_isolation_key", "")]


def test_the_net_log_catches_a_page_that_loads_from_the_network(tmp_path):
    """The control: a page with an external image and style sheet shows both requests in the log."""
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><img src="http://kbtool-probe.invalid/x.png">'
                     '<link rel="stylesheet" href="https://kbtool-probe.invalid/s.css">', encoding="utf-8")
    chromium(probe, tmp_path / "profile", f"--log-net-log={tmp_path / 'net.json'}")
    assert sorted(requested_urls(tmp_path / "net.json")) == ["http://kbtool-probe.invalid/x.png",
                                                             "https://kbtool-probe.invalid/s.css"]


def test_the_page_requests_nothing_from_the_network(page, tmp_path):
    chromium(page, tmp_path / "profile", f"--log-net-log={tmp_path / 'net.json'}")
    assert requested_urls(tmp_path / "net.json") == []

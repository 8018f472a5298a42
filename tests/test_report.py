"""`kbtool report`: its figures are lint's (`--statistics`, `--format json`) and the generated KB's."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from conftest import TODAY, run_kbtool
from report_kb import STALE_DAYS, generate_kb


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate_kb(tmp_path_factory.mktemp("report-kb"))


@pytest.fixture(scope="module")
def report_json(generated) -> dict:
    result = run_kbtool("report", "--root", generated.root, "--today", TODAY, "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def lint_document(generated) -> dict:
    result = run_kbtool("lint", "--root", generated.root, "--today", TODAY, "--format", "json")
    return json.loads(result.stdout)


def test_findings_per_rule_are_those_of_lint_statistics(generated, report_json):
    statistics = run_kbtool("lint", "--root", generated.root, "--today", TODAY, "--statistics", "--format", "json")
    document = json.loads(statistics.stdout)
    assert report_json["findings"]["by_rule"] == document["statistics"]
    assert report_json["summary"] == document["summary"]


def test_findings_per_severity_and_regex_health_are_those_of_lint_json(report_json, lint_document):
    severities = Counter(finding["severity"] for finding in lint_document["findings"])
    assert report_json["findings"]["by_severity"] == {name: severities.get(name, 0) for name in ("error", "warning", "info")}
    for code, name in (("KB204", "too_broad"), ("KB206", "colliding"), ("KB205", "slow")):
        assert report_json["regex"][name] == sorted({finding["path"] for finding in lint_document["findings"]
                                                     if finding["rule"] == code})
    assert report_json["regex"]["too_broad"] and report_json["regex"]["colliding"]


def test_records_per_domain_and_tier_are_counted(generated, report_json):
    assert {row["domain"]: row["records"] for row in report_json["domains"]} == generated.per_domain
    assert report_json["records"] == generated.records == sum(row["records"] for row in report_json["verification_tiers"])


def test_translation_coverage_counts_fields_present_and_chinese(generated, report_json):
    for row in report_json["domains"]:
        fields, translated = generated.translated[row["domain"]]
        assert (row["translation"]["fields"], row["translation"]["translated"]) == (fields, translated)
        assert row["translation"]["share"] == round(translated / fields, 4)


def test_freshness_states_months_and_the_records_due(generated, report_json):
    freshness = report_json["freshness"]
    assert freshness["states"] == generated.states
    assert {row["month"]: row["records"] for row in freshness["by_month"] if row["records"]} == generated.months
    assert len(freshness["by_month"]) == generated.month_span
    due = freshness["due"]
    assert len(due) == generated.states["stale"] + generated.states["aging"]
    assert [row["last_confirmed"] for row in due] == sorted(row["last_confirmed"] for row in due)  # oldest first
    assert all(row["state"] == ("stale" if row["age_days"] > STALE_DAYS else "aging") for row in due)


def test_stale_records_are_those_lint_calls_stale(report_json, lint_document):
    stale = {finding["path"] for finding in lint_document["findings"] if finding["name"] == "stale-entry"}
    assert {row["path"] for row in report_json["freshness"]["due"] if row["state"] == "stale"} == stale


def test_sources_and_the_transition_graph(generated, report_json, lint_document):
    assert len(report_json["without_sources"]) == generated.without_sources
    assert report_json["graph"]["edges"] == generated.edges
    assert len(report_json["graph"]["dangling"]) == generated.dangling == sum(
        1 for finding in lint_document["findings"] if finding["name"] == "dangling-reference")


def test_piped_text_is_plain_tables_without_escape_sequences(generated):
    result = run_kbtool("report", "--root", generated.root, "--today", TODAY)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    for title in ("Records per domain and translation coverage", "Freshness of last_confirmed",
                  "Due for re-verification, oldest first", "Findings per rule", "Regex health", "Transition graph"):
        assert title in result.stdout
    assert re.search(rf"^alpha\s+{generated.per_domain['alpha']}\s", result.stdout, re.M)


def test_the_html_page_is_self_contained(generated, tmp_path):
    page = tmp_path / "report.html"
    result = run_kbtool("report", "--root", generated.root, "--today", TODAY, "--html", page)
    assert result.exit_code == 0, result.stdout + result.stderr
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text, re.I)
    assert not re.search(r"<(?:script|link|img|iframe|object|embed)\b", text, re.I)
    assert "default-src 'none'" in text


def test_the_html_page_links_each_record_to_its_file(generated, tmp_path):
    page = tmp_path / "out" / "report.html"
    page.parent.mkdir()
    run_kbtool("report", "--root", generated.root, "--today", TODAY, "--html", page)
    links = re.findall(r'<a href="([^"]+)">', page.read_text(encoding="utf-8"))
    assert links
    assert all((page.parent / link).resolve().is_file() for link in links)


def test_html_into_a_missing_folder_is_a_usage_error(generated, tmp_path):
    result = run_kbtool("report", "--root", generated.root, "--html", tmp_path / "nowhere" / "report.html")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr

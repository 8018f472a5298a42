"""Accountability rules: suppressions and baseline entries that silence nothing are reported."""

from __future__ import annotations

from conftest import TODAY, clean_record, curated_record, lint_scene, rule_findings, run_kbtool, write_record

STALE_ID = "tensorflow/tflite-quantization-range"  # the curated records: last_confirmed 2024-06-01, stale on TODAY
OTHER_ID = "tensorflow/tflite-converter-unsupported-op"
SUPPRESS_STALE = '''\
[[tool.kbtool.suppress]]
ids = "tensorflow/tflite-quantization-*"
rules = ["stale-entry"]
reason = "re-verification scheduled"
'''


# unused-suppression
def test_unused_suppression_is_reported_at_its_line(kb):
    findings = rule_findings(kb, "unused-suppression", curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                             config="[tool.kbtool]\nstale-days = 365\n\n" + SUPPRESS_STALE.replace("stale-entry", "bad-url"))
    [finding] = findings
    assert (finding["path"], finding["line"], finding["entry_id"]) == ("pyproject.toml", 6, None)
    assert finding["pointer"] == "/tool/kbtool/suppress/0/rules/0"
    assert finding["severity"] == "warning" and "silences nothing of 'bad-url'" in finding["message"]


def test_a_suppression_that_silences_a_finding_is_not_reported(kb):
    findings = lint_scene(kb, curated_record(STALE_ID), config=SUPPRESS_STALE)
    assert findings == []


def test_each_unused_rule_of_a_suppression_is_reported(kb):
    findings = lint_scene(kb, curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                          config=SUPPRESS_STALE.replace('["stale-entry"]', '["stale-entry", "bad-url"]'))
    assert [f["entry_id"] for f in findings if f["name"] == "stale-entry"] == [OTHER_ID]
    assert [f["pointer"] for f in findings if f["name"] == "unused-suppression"] == ["/tool/kbtool/suppress/0/rules/1"]


def test_unused_rule_written_on_its_own_line_is_reported_there(kb):
    config = '''\
[[tool.kbtool.suppress]]
ids = ["tensorflow/tflite-quantization-range"]
rules = [
    "stale-entry",
    'bad-url',
]
reason = "re-verification scheduled"
'''
    [finding] = rule_findings(kb, "unused-suppression", curated_record(STALE_ID), config=config)
    assert finding["line"] == 5 and finding["pointer"] == "/tool/kbtool/suppress/0/rules/1"


def test_suppression_of_a_deleted_record_is_unused(kb):
    # the suppression names only tensorflow/tflite-quantization-*, and the KB no longer holds such a record
    findings = rule_findings(kb, "unused-suppression", curated_record(OTHER_ID), config=SUPPRESS_STALE)
    assert [f["pointer"] for f in findings] == ["/tool/kbtool/suppress/0/rules/0"]


def test_linting_other_files_does_not_judge_the_suppression(kb):
    findings = rule_findings(kb, "unused-suppression", curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                             config=SUPPRESS_STALE.replace("stale-entry", "bad-url"),
                             args=(str(kb / "entries" / f"{OTHER_ID}.json"),))
    assert findings == []


def test_linting_the_suppressed_file_judges_the_suppression(kb):
    findings = rule_findings(kb, "unused-suppression", curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                             config=SUPPRESS_STALE.replace("stale-entry", "bad-url"),
                             args=(str(kb / "entries" / f"{STALE_ID}.json"),))
    assert len(findings) == 1


def test_a_suppression_of_an_ignored_rule_is_not_judged(kb):
    findings = rule_findings(kb, "unused-suppression", curated_record(STALE_ID),
                             config=SUPPRESS_STALE.replace("stale-entry", "bad-url"), args=("--ignore", "bad-url"))
    assert findings == []


# expired-suppression
def test_suppression_still_works_on_its_expiry_day(kb):
    findings = lint_scene(kb, curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                          config=SUPPRESS_STALE + f"expires = {TODAY}\n")
    assert [f["entry_id"] for f in findings if f["name"] == "stale-entry"] == [OTHER_ID]
    assert [f for f in findings if f["name"] == "expired-suppression"] == []


def test_expired_suppression_stops_silencing_and_is_reported(kb):
    findings = lint_scene(kb, curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                          config=SUPPRESS_STALE + 'expires = "2026-11-22"\n')
    assert sorted(f["entry_id"] for f in findings if f["name"] == "stale-entry") == [OTHER_ID, STALE_ID]
    [finding] = [f for f in findings if f["name"] == "expired-suppression"]
    assert (finding["path"], finding["line"], finding["pointer"]) == ("pyproject.toml", 1, "/tool/kbtool/suppress/0")
    assert "expired on 2026-11-22" in finding["message"]
    assert [f for f in findings if f["name"] == "unused-suppression"] == []


# unused-baseline-entry
def test_a_fixed_problem_leaves_an_unused_baseline_entry_reported_at_its_line(kb):
    write_record(kb, curated_record(STALE_ID))
    write_record(kb, curated_record(OTHER_ID))
    baseline = kb / "kbtool-baseline.json"
    written = run_kbtool("baseline", "write", baseline, "--root", kb, "--today", TODAY)
    assert written.exit_code == 0, written.stdout + written.stderr
    findings = lint_scene(kb, clean_record(), others=(curated_record(OTHER_ID),), args=("--baseline", str(baseline)))
    assert [(f["path"], f["name"], f["pointer"], f["severity"]) for f in findings] == [
        ("kbtool-baseline.json", "unused-baseline-entry", "/findings/1", "warning")]
    entry_line = next(number for number, line in enumerate(baseline.read_text().splitlines(), start=1)
                      if f'"{STALE_ID}"' in line) - 3  # the entry's opening brace
    assert findings[0]["line"] == entry_line
    assert STALE_ID in findings[0]["message"] and "baseline write" in findings[0]["message"]


def test_a_used_baseline_entry_is_not_reported(kb):
    entry = {"rule": "KB401", "name": "stale-entry", "record": STALE_ID, "pointer": "/last_confirmed"}
    assert lint_scene(kb, curated_record(STALE_ID), baseline=(entry,)) == []


def test_a_run_over_some_files_does_not_call_other_entries_unused(kb):
    write_record(kb, curated_record(STALE_ID))
    write_record(kb, curated_record(OTHER_ID))
    baseline = kb / "kbtool-baseline.json"
    written = run_kbtool("baseline", "write", baseline, "--root", kb, "--today", TODAY)
    assert written.exit_code == 0, written.stdout + written.stderr
    findings = lint_scene(kb, curated_record(STALE_ID), others=(curated_record(OTHER_ID),),
                          args=("--baseline", str(baseline), str(kb / "entries" / f"{STALE_ID}.json")))
    assert findings == []

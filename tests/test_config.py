"""[tool.kbtool] configuration: keys, flags over file, severities, suppressions.

What unused-suppression and expired-suppression report is tested in tests/rules/test_accountability.py.
"""

from __future__ import annotations

import textwrap

import pytest

from conftest import TODAY, curated_record, findings_of, lint_json, run_kbtool, write_record

STALE_ID = "tensorflow/tflite-quantization-range"  # last_confirmed 2024-06-01: stale on TODAY
OTHER_ID = "tensorflow/tflite-converter-unsupported-op"


@pytest.fixture
def two_records(kb):
    write_record(kb, curated_record(STALE_ID))
    write_record(kb, curated_record(OTHER_ID))
    return kb


def configure(kb, text):
    (kb / "pyproject.toml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def lint_usage_error(kb, *args):
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def stale_ids(document):
    return sorted(f["entry_id"] for f in findings_of(document, "stale-entry"))


# keys and flags
def test_stale_days_from_the_file(two_records):
    configure(two_records, "[tool.kbtool]\nstale-days = 5000\n")
    assert stale_ids(lint_json(two_records)) == []


def test_stale_days_flag_overrides_the_file(two_records):
    configure(two_records, "[tool.kbtool]\nstale-days = 5000\n")
    assert stale_ids(lint_json(two_records, "--stale-days", "365")) == [OTHER_ID, STALE_ID]


def test_ignore_from_the_file(two_records):
    configure(two_records, '[tool.kbtool]\nignore = ["stale-entry"]\n')
    assert stale_ids(lint_json(two_records)) == []


def test_select_flag_overrides_the_file(two_records):
    configure(two_records, '[tool.kbtool]\nselect = ["schema"]\n')
    assert stale_ids(lint_json(two_records)) == []
    assert stale_ids(lint_json(two_records, "--select", "stale-entry")) == [OTHER_ID, STALE_ID]


def test_unknown_key_is_a_usage_error_naming_it(two_records):
    configure(two_records, "[tool.kbtool]\nstale-days = 30\nstale_day = 30\n")
    message = lint_usage_error(two_records)
    assert "pyproject.toml:3" in message and "unknown key 'stale_day'" in message


# severities
def test_severity_override_raises_a_warning_to_an_error(two_records):
    configure(two_records, '[tool.kbtool.severity]\nstale-entry = "error"\n')
    result = run_kbtool("lint", "--root", two_records, "--today", TODAY)
    assert result.exit_code == 1
    assert "error KB401 stale-entry" in result.stdout


def test_severity_override_by_code_lowers_to_info(two_records):
    configure(two_records, '[tool.kbtool.severity]\nKB401 = "info"\n')
    assert {f["severity"] for f in findings_of(lint_json(two_records), "stale-entry")} == {"info"}


def test_severity_off_turns_the_rule_off(two_records):
    configure(two_records, '[tool.kbtool.severity]\nstale-entry = "off"\n')
    assert stale_ids(lint_json(two_records)) == []


def test_select_flag_runs_a_rule_the_file_turns_off(two_records):
    configure(two_records, '[tool.kbtool.severity]\nstale-entry = "off"\n')
    assert stale_ids(lint_json(two_records, "--select", "stale-entry")) == [OTHER_ID, STALE_ID]


def test_unknown_rule_in_severity_names_the_key(two_records):
    configure(two_records, '[tool.kbtool]\nstale-days = 30\n\n[tool.kbtool.severity]\nstale-entri = "info"\n')
    message = lint_usage_error(two_records)
    assert "pyproject.toml:5" in message and "stale-entri" in message


def test_unknown_severity_names_the_key_and_the_choices(two_records):
    configure(two_records, '[tool.kbtool.severity]\nstale-entry = "fatal"\n')
    message = lint_usage_error(two_records)
    assert "stale-entry" in message and "'fatal'" in message and "error, warning, info, off" in message


# suppressions
SUPPRESS_STALE = '''
[[tool.kbtool.suppress]]
ids = "tensorflow/tflite-quantization-*"
rules = ["stale-entry"]
reason = "re-verification scheduled"
'''


def test_suppression_silences_the_matching_record_only(two_records):
    configure(two_records, SUPPRESS_STALE)
    document = lint_json(two_records)
    assert stale_ids(document) == [OTHER_ID]
    assert findings_of(document, "unused-suppression") == []


def test_suppression_leaves_other_rules_alone(two_records):
    record = curated_record(STALE_ID)
    record["domain"] = "tflite"
    write_record(two_records, record)
    configure(two_records, SUPPRESS_STALE)
    assert [f["entry_id"] for f in findings_of(lint_json(two_records), "domain-mismatch")] == [STALE_ID]


def test_suppression_without_reason_is_a_usage_error(two_records):
    configure(two_records, '[[tool.kbtool.suppress]]\nids = "a/b"\nrules = ["stale-entry"]\n')
    assert "'reason' is required" in lint_usage_error(two_records)


def test_suppression_with_an_unknown_rule_names_it(two_records):
    configure(two_records, '[[tool.kbtool.suppress]]\nids = "a/b"\nrules = ["stale"]\nreason = "r"\n')
    message = lint_usage_error(two_records)
    assert "pyproject.toml:1" in message and "unknown rule 'stale'" in message


def test_suppression_with_an_unknown_key_names_it(two_records):
    configure(two_records, SUPPRESS_STALE + "expire = 2027-01-01\n")
    assert "unknown key 'expire'" in lint_usage_error(two_records)


def test_suppression_with_a_malformed_expiry(two_records):
    configure(two_records, SUPPRESS_STALE + 'expires = "2027-02-30"\n')
    assert "'expires' is '2027-02-30', which is not a date" in lint_usage_error(two_records)

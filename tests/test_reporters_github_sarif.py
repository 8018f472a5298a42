"""`--format github` and `--format sarif`: findings placed on the exact line and column of the value they name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from conftest import FIXTURES, TODAY, curated_record, run_kbtool
from kbtool.canonical import canonical_text
from kbtool.findings import Finding, LintResult, Severity
from kbtool.reporters.github import annotation, escape_data, escape_property, step_summary
from kbtool.rules import RULES

SARIF_SCHEMA = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
ANNOTATION = re.compile(r"^::(?P<command>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")
ENGLISH_IN_ZH = "Use a calibration set that covers the extreme activations."
ENGLISH_ROOT_CAUSE_ZH = "The calibration data is too small."
PATH = "entries/tensorflow/tflite-quantization-range.json"


def unescape(text: str) -> str:
    return (text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r")
            .replace("%25", "%"))


def write_record_with_known_positions(kb: Path) -> dict[str, tuple[int, int]]:
    """A record with two untranslated `*_zh` values: one inside the multi-line `workarounds_zh` array, one on a
    line that starts with Chinese text and an emoji. Returns the expected (line, column) of each, by pointer,
    found by searching the file's text (columns count characters, not bytes)."""
    record = curated_record()
    record["workarounds_zh"][1] = ENGLISH_IN_ZH
    record["root_cause_zh"] = ENGLISH_ROOT_CAUSE_ZH
    record["last_confirmed"] = record["last_updated"] = "2026-11-01"
    text = canonical_text(record)
    signature_line = next(line for line in text.splitlines(keepends=True) if line.startswith('  "signature_zh"'))
    text = text.replace(signature_line, "")
    text = text.replace('  "root_cause_zh"', signature_line.rstrip("\n").rstrip(",")[:-1] + '😀", "root_cause_zh"')
    path = kb / PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    json.loads(text)  # still one valid record

    def position(needle: str) -> tuple[int, int]:
        lines = text.splitlines()
        number = next(index for index, line in enumerate(lines) if needle in line)
        return number + 1, lines[number].index(needle) + 1

    return {"/workarounds_zh/1": position(f'"{ENGLISH_IN_ZH}"'), "/root_cause_zh": position(f'"{ENGLISH_ROOT_CAUSE_ZH}"')}


@pytest.fixture
def positioned_kb(kb: Path) -> tuple[Path, dict[str, tuple[int, int]]]:
    return kb, write_record_with_known_positions(kb)


def github_annotations(kb: Path, tmp_path: Path, *args: str, summary: Path | None = None) -> list[dict]:
    env = {"GITHUB_STEP_SUMMARY": str(summary) if summary else None, "GITHUB_WORKSPACE": None}
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "github", *args, env=env)
    assert result.exit_code == 1, result.stdout + result.stderr
    annotations = []
    for line in result.stdout.splitlines():
        match = ANNOTATION.match(line)
        if match:
            properties = dict(item.split("=", 1) for item in match["properties"].split(","))
            annotations.append({"command": match["command"], **{key: unescape(value) for key, value in properties.items()},
                                "message": unescape(match["message"])})
    return annotations


def test_github_annotation_sits_on_the_line_and_column_inside_a_multi_line_array(positioned_kb, tmp_path):
    kb, expected = positioned_kb
    annotations = github_annotations(kb, tmp_path)
    found = [item for item in annotations if "workarounds_zh[1]" in item["message"]]
    assert len(found) == 1
    assert found[0]["command"] == "error"
    assert found[0]["file"] == PATH
    assert (int(found[0]["line"]), int(found[0]["col"])) == expected["/workarounds_zh/1"]
    assert found[0]["title"] == f"{RULES['KB301'].code} untranslated-zh"


def test_github_annotation_column_counts_characters_after_chinese_text_and_an_emoji(positioned_kb, tmp_path):
    kb, expected = positioned_kb
    found = [item for item in github_annotations(kb, tmp_path) if item["message"].startswith("root_cause_zh")]
    assert len(found) == 1
    line, column = expected["/root_cause_zh"]
    assert column > 20  # the value really is preceded by the Chinese text on its line
    assert (int(found[0]["line"]), int(found[0]["col"])) == (line, column)


def test_github_message_and_properties_are_escaped_per_the_workflow_command_rules():
    finding = Finding(code="KB999", name="x", severity=Severity.WARNING, path="odd,name:dir/a.json", entry_id=None,
                      pointer="/a", line=3, column=7, message="100% sure\nsecond line: a, b")
    line = annotation(LintResult(findings=[finding], files=1, entries=1), finding)
    assert line == ("::warning file=odd%2Cname%3Adir/a.json,line=3,col=7,title=KB999 x::"
                    "100%25 sure%0Asecond line: a, b (field /a)")
    assert escape_property("a:b,c%\r") == "a%3Ab%2Cc%25%0D"
    assert escape_data("a:b,c") == "a:b,c"


def test_info_findings_become_notices():
    finding = Finding(code="KB404", name="stale-soon", severity=Severity.INFO, path="a.json", entry_id=None,
                      pointer="", line=1, column=1, message="m")
    assert annotation(LintResult(findings=[finding], files=1, entries=1), finding).startswith("::notice ")


def test_github_step_summary_lists_every_finding_beyond_the_ten_annotations_github_shows(kb, tmp_path):
    for index in range(12):
        record = curated_record()
        record["id"] = f"tensorflow/copy-{index:02d}"
        record["error_code"] = f"E{index}"
        record["root_cause_zh"] = ENGLISH_ROOT_CAUSE_ZH  # one untranslated-zh error each
        record["last_confirmed"] = record["last_updated"] = "2026-11-01"
        path = kb / f"entries/{record['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical_text(record), encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    annotations = github_annotations(kb, tmp_path, "--select", "untranslated-zh", summary=summary)
    assert len([item for item in annotations if item["command"] == "error"]) == 12
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n")  # appended, not overwritten
    rows = [line for line in text.splitlines() if line.startswith("| error |")]
    assert len(rows) == 12
    assert {f"entries/tensorflow/copy-{index:02d}.json" for index in range(12)} == {
        re.search(r"(entries/\S+\.json):", row).group(1) for row in rows}
    assert "only the first 10 annotations" in text


def test_the_log_says_where_the_findings_beyond_ten_are(kb, tmp_path):
    for index in range(11):
        record = curated_record()
        record["id"] = f"tensorflow/copy-{index:02d}"
        record["error_code"] = f"E{index}"
        record["last_confirmed"] = record["last_updated"] = "2024-06-01"  # one stale-entry warning each
        path = kb / f"entries/{record['id']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical_text(record), encoding="utf-8")
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "github", "--select", "stale-entry",
                        env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert result.stdout.count("::warning ") == 11
    assert result.stdout.splitlines()[-1] == ("GitHub shows only the first 10 annotations of each severity on the "
                                              "diff; the job summary lists them all.")


def test_step_summary_cells_cannot_break_the_markdown_table():
    finding = Finding(code="KB999", name="x", severity=Severity.ERROR, path="a.json", entry_id=None,
                      pointer="/a|b", line=1, column=1, message="a | b\n<script>")
    row = [line for line in step_summary(LintResult(findings=[finding], files=1, entries=1)).splitlines()
           if line.startswith("| error")][0]
    assert row.count(" | ") == 4  # five cells, the pipes in the text are escaped
    assert "<script>" not in row


def sarif_document(kb: Path, *args: str) -> dict:
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "sarif", *args, env={"GITHUB_WORKSPACE": None})
    assert result.exit_code == 1, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_sarif_output_is_valid_against_the_sarif_2_1_0_schema(positioned_kb):
    kb, _ = positioned_kb
    document = sarif_document(kb)
    errors = sorted(Draft4Validator(SARIF_SCHEMA).iter_errors(document), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
    assert document["version"] == "2.1.0"


def test_sarif_has_one_rule_per_kbtool_rule_with_its_documentation():
    from kbtool.reporters.sarif import as_document

    rules = as_document(LintResult(findings=[], files=0, entries=0))["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(RULES)
    stale = next(rule for rule in rules if rule["id"] == "KB401")
    assert stale["name"] == "stale-entry"
    assert stale["shortDescription"]["text"] == RULES["KB401"].summary
    assert stale["fullDescription"]["text"] == RULES["KB401"].explanation
    assert RULES["KB401"].fails.shown in stale["help"]["text"] and RULES["KB401"].passes.shown in stale["help"]["markdown"]
    assert stale["defaultConfiguration"]["level"] == "warning"


def test_sarif_results_carry_the_physical_location_of_the_value(positioned_kb):
    kb, expected = positioned_kb
    run = sarif_document(kb)["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    by_pointer = {result["properties"]["pointer"]: result for result in run["results"]}
    for pointer, (line, column) in expected.items():
        result = by_pointer[pointer]
        assert result["ruleId"] == "KB301" and result["level"] == "error"
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == PATH
        assert (location["region"]["startLine"], location["region"]["startColumn"]) == (line, column)
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "KB301"
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == kb.resolve().as_uri() + "/"


def test_sarif_paths_are_relative_to_the_github_workspace_when_the_kb_is_a_subfolder(tmp_path):
    kb = tmp_path / "knowledge"
    (kb / "entries").mkdir(parents=True)
    write_record_with_known_positions(kb)
    result = run_kbtool("lint", "--root", kb, "--today", TODAY, "--format", "sarif", env={"GITHUB_WORKSPACE": str(tmp_path)})
    uris = {item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for item in json.loads(result.stdout)["runs"][0]["results"]}
    assert uris == {f"knowledge/{PATH}"}

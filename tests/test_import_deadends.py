"""`kbtool import deadends`: deadends.dev canons in, records of this KB out, nothing lost."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbtool.canonical import canonical_text
from kbtool.cli import app
from kbtool.importers.deadends import IdNotConvertible, convert_canon, convert_id, original_id
from kbtool.schema import PACKAGED_SCHEMA, schema_problems

SAMPLE = Path(__file__).parent / "fixtures" / "deadends-sample"
SAMPLE_CANONS = sorted(SAMPLE.rglob("*.json"))

#: A canon with every odd shape the real corpus has (and a few it might): extra keys in dead ends,
#: workarounds and edges, an item that is not an object, hardware and free-form environment details.
ODD_CANON = {
    "schema_version": "1.0.0",
    "id": "cuda/odd-shapes/cuda12-a100",
    "url": "https://deadends.dev/cuda/odd-shapes/cuda12-a100",
    "error": {"signature": "CUDA error: odd", "regex": "CUDA error: odd", "domain": "cuda", "category": "runtime_error",
              "first_seen": "2023-01-01", "last_confirmed": "2026-02-26", "severity": "high"},
    "environment": {"runtime": {"name": "Apple Silicon GPU", "version_range": ">=12.0"}, "os": "linux", "python": "",
                    "hardware": {"gpu": "A100", "vram_gb": 80},
                    "additional": {"multi_gpu": True, "num_gpus": "8", "common_contexts": ["ddp", "fsdp"]},
                    "framework": "pytorch"},
    "verdict": {"resolvable": "partial", "fix_success_rate": 0.5, "confidence": 0.7, "last_updated": "2026-02-26",
                "summary": "Odd shapes everywhere."},
    "dead_ends": [{"action": "Retry", "why_fails": "Same input, same error", "fail_rate": 0.9, "sources": [],
                   "condition": "", "common_misconception": "it is transient", "tradeoff": "time"},
                  "a dead end that is only a string"],
    "workarounds": [{"action": "Fix the input", "success_rate": 0.8, "tradeoff": "none", "how": "edit it"}],
    "transition_graph": {"leads_to": [{"error_id": "cuda/next-error/cuda12-linux", "probability": 0.3,
                                       "condition": "after a retry", "typical_delay": "minutes"}],
                         "preceded_by": [{"error_id": "Not A Valid Id", "probability": 0.1}],
                         "frequently_confused_with": [{"error_id": "cuda/illegal-memory-access/cuda12-linux",
                                                       "distinction": "that one is a memory fault", "probability": 0.2}],
                         "see_also": ["x"]},
    "metadata": {"generated_by": "manual", "generation_date": "2026-02-26", "review_status": "human_reviewed",
                 "evidence_count": 4, "last_verification": "2026-02-26", "page_views": 12, "ai_agent_hits": 0},
    "extra_top_level": {"nested": [1, None, False, 2.5]},
}


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def leaves(value, pointer=""):
    """(pointer, scalar) for every scalar in a JSON value; empty containers count as leaves."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, f"{pointer}/{key}")
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{pointer}/{index}")
    else:
        yield pointer, value


def present(record: dict, pointer: str, value) -> bool:
    """Is the source value at `pointer` somewhere in the record, verbatim or by the documented rule?"""
    values = [item for _, item in leaves(record)]
    if any(type(item) is type(value) and item == value for item in values):
        return True
    if isinstance(value, str) and (pointer == "/id" or pointer.endswith("/error_id")):
        try:
            return convert_id(value) in values
        except IdNotConvertible:
            return False
    if pointer in ("/environment/runtime/name", "/environment/runtime/version_range", "/environment/python"):
        runtime = record and [entry["version"] for entry in record.get("versions", [])]
        return any(value in entry.split(" ") or entry.startswith(value + " ") for entry in runtime)
    if pointer == "/error/regex":
        return record["regex"] in (value, "(?i)" + value)
    if pointer == "/environment/os":
        return f"os:{value}" in record.get("tags", [])
    return False


@pytest.mark.parametrize("canon", [ODD_CANON, *[json.loads(path.read_text(encoding="utf-8")) for path in SAMPLE_CANONS]],
                         ids=["odd-shapes", *[path.relative_to(SAMPLE).as_posix() for path in SAMPLE_CANONS]])
def test_every_source_value_is_present_in_the_output(canon):
    record = convert_canon(canon).record
    missing = [(pointer, value) for pointer, value in leaves(canon) if not present(record, pointer, value)]
    assert missing == []


def test_values_without_a_field_are_kept_verbatim_under_their_source_pointer():
    unmapped = convert_canon(ODD_CANON).record["provenance"]["unmapped"]
    assert unmapped["/dead_ends/0/common_misconception"] == "it is transient"
    assert unmapped["/dead_ends/1"] == "a dead end that is only a string"
    assert unmapped["/environment/hardware"] == {"gpu": "A100", "vram_gb": 80}
    assert unmapped["/transition_graph/leads_to/0/typical_delay"] == "minutes"
    assert unmapped["/extra_top_level"] == {"nested": [1, None, False, 2.5]}
    assert unmapped["/environment/python"] == ""  # an empty range is no version: kept, not turned into one


def test_mapped_fields_land_in_their_record_fields():
    record = convert_canon(ODD_CANON).record
    assert (record["signature"], record["resolvable"], record["evidence_count"], record["root_cause"]) == (
        "CUDA error: odd", "partial", 4, "Odd shapes everywhere.")
    assert record["versions"] == [{"version": "Apple Silicon GPU >=12.0", "status": "active"}]
    assert record["tags"] == ["os:linux"]
    assert record["verification_tier"] == "imported"
    assert record["transition_graph"]["leads_to"] == [
        {"error_id": "cuda/next-error--cuda12-linux", "probability": 0.3, "condition": "after a retry"}]


def test_regex_keeps_its_case_insensitive_meaning():
    canon = {**ODD_CANON, "error": {**ODD_CANON["error"], "regex": "cuda error: odd"}}
    assert convert_canon(canon).record["regex"] == "(?i)cuda error: odd"


def test_regex_already_case_insensitive_is_kept_as_it_is():
    canon = {**ODD_CANON, "error": {**ODD_CANON["error"], "regex": "(?i)cuda error"}}
    assert convert_canon(canon).record["regex"] == "(?i)cuda error"


def test_canon_id_becomes_a_two_segment_id_and_back():
    for path in SAMPLE_CANONS:
        canon_id = json.loads(path.read_text(encoding="utf-8"))["id"]
        assert canon_id.count("/") == 2
        converted = convert_id(canon_id)
        assert converted.count("/") == 1
        assert original_id(converted) == canon_id


def test_id_mapping_survives_slugs_that_end_in_a_dash_or_hold_the_separator():
    for canon_id in ("a/slug-/env", "a/s--lug/env-x", "a/x.y_z/1.2"):
        assert original_id(convert_id(canon_id)) == canon_id


def test_environment_segment_holding_the_separator_is_not_convertible():
    with pytest.raises(IdNotConvertible, match="contains '--'"):
        convert_id("a/slug/env--x")


def test_unmappable_graph_reference_is_kept_as_it_is_with_a_warning():
    conversion = convert_canon(ODD_CANON)
    assert conversion.record["transition_graph"]["preceded_by"] == [{"error_id": "Not A Valid Id", "probability": 0.1}]
    assert any("/transition_graph/preceded_by/0/error_id" in warning for warning in conversion.warnings)


def test_sample_imports_into_schema_valid_records_at_their_id_paths(tmp_path):
    result = run("import", "deadends", str(SAMPLE), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "entries").rglob("*.json"))
    assert len(written) == len(SAMPLE_CANONS) == 50
    for path in written:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert list(schema_problems(data, PACKAGED_SCHEMA)) == [], path
        assert path.relative_to(tmp_path / "entries").as_posix() == data["id"] + ".json"
        assert path.read_text(encoding="utf-8") == canonical_text(data)
    assert "50 converted (50 new, 0 updated, 0 unchanged)" in result.output


def digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        hasher.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def small_source(tmp_path: Path, count: int = 3) -> Path:
    source = tmp_path / "canons"
    for path in SAMPLE_CANONS[:count]:
        target = source / path.relative_to(SAMPLE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return source


def test_source_folder_is_left_untouched(tmp_path):
    source = small_source(tmp_path)
    before = digest(source)
    run("import", "deadends", str(source), "--out", str(tmp_path / "kb"))
    assert digest(source) == before


def test_unconvertible_canons_are_named_and_skipped_while_the_rest_is_imported(tmp_path):
    source = small_source(tmp_path, 2)
    (source / "broken").mkdir()
    (source / "broken" / "truncated.json").write_text('{"id": "a/b/c", "error": {', encoding="utf-8")
    no_signature = json.loads(SAMPLE_CANONS[0].read_text(encoding="utf-8"))
    del no_signature["error"]["signature"]
    no_signature["id"] = "broken/no-signature/env"
    text = json.dumps(no_signature, indent=2)
    (source / "broken" / "no-signature.json").write_text(text, encoding="utf-8")
    error_line = text.splitlines().index('  "error": {') + 1
    result = run("import", "deadends", str(source), "--out", str(tmp_path / "kb"))
    assert result.exit_code == 1
    assert f"{source / 'broken' / 'truncated.json'}:1:" in result.output
    assert "not valid JSON" in result.output
    assert f"{source / 'broken' / 'no-signature.json'}:{error_line}:" in result.output
    assert "error.signature is missing" in result.output
    assert "2 converted (2 new, 0 updated, 0 unchanged)" in result.output and "2 skipped" in result.output
    assert len(list((tmp_path / "kb" / "entries").rglob("*.json"))) == 2


def test_a_record_of_this_kb_is_not_taken_for_a_canon(tmp_path):
    source = tmp_path / "canons"
    source.mkdir()
    seed = Path(__file__).parent / "fixtures" / "seeds" / "000_tflite_converter_unsupported_op.json"
    shutil.copyfile(seed, source / "record.json")
    result = run("import", "deadends", str(source), "--out", str(tmp_path / "kb"))
    assert result.exit_code == 1
    assert "not a deadends canon" in result.output and "copy such records into entries/" in result.output


def test_existing_record_is_not_overwritten_without_update(tmp_path):
    source = small_source(tmp_path, 1)
    kb = tmp_path / "kb"
    run("import", "deadends", str(source), "--out", str(kb))
    [written] = list((kb / "entries").rglob("*.json"))
    written.write_text("hand-edited\n", encoding="utf-8")
    result = run("import", "deadends", str(source), "--out", str(kb))
    assert result.exit_code == 1
    assert "already exists; rerun with --update" in result.output
    assert written.read_text(encoding="utf-8") == "hand-edited\n"


def test_update_replaces_a_record_and_lists_the_fields_that_changed(tmp_path):
    source = small_source(tmp_path, 1)
    kb = tmp_path / "kb"
    run("import", "deadends", str(source), "--out", str(kb))
    [canon_path] = list(source.rglob("*.json"))
    canon = json.loads(canon_path.read_text(encoding="utf-8"))
    canon["error"]["signature"] += " (new wording)"
    canon["verdict"]["confidence"] = 0.11
    canon_path.write_text(json.dumps(canon), encoding="utf-8")
    result = run("import", "deadends", str(source), "--out", str(kb), "--update")
    assert result.exit_code == 0, result.output
    assert "updated: changed: signature, confidence" in result.output
    [written] = list((kb / "entries").rglob("*.json"))
    assert json.loads(written.read_text(encoding="utf-8"))["signature"].endswith("(new wording)")


def test_update_of_an_unchanged_source_rewrites_nothing(tmp_path):
    source = small_source(tmp_path, 2)
    kb = tmp_path / "kb"
    run("import", "deadends", str(source), "--out", str(kb))
    result = run("import", "deadends", str(source), "--out", str(kb), "--update")
    assert result.exit_code == 0
    assert "0 new, 0 updated, 2 unchanged" in result.output


def test_output_inside_the_source_is_a_usage_error(tmp_path):
    source = small_source(tmp_path, 1)
    result = run("import", "deadends", str(source), "--out", str(source / "kb"))
    assert result.exit_code == 2
    assert "inside the source" in result.output
    assert not (source / "kb").exists()


def test_no_progress_bar_in_ci(tmp_path):
    source = small_source(tmp_path, 2)
    completed = subprocess.run([sys.executable, "-m", "kbtool", "import", "deadends", str(source), "--out", str(tmp_path / "kb")],
                               capture_output=True, text=True, env={**os.environ, "CI": "true"}, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout.splitlines()[-1].startswith("2 canons read from")


def test_imported_sample_lints_to_completion(tmp_path):
    run("import", "deadends", str(SAMPLE), "--out", str(tmp_path))
    result = run("lint", "--root", str(tmp_path), "--format", "json", "--today", "2026-11-23")
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["summary"]["entries"] == 50


#: Findings per rule of `kbtool lint` on the imported sample, as of the rule set of 2026-11-23. When a rule is
#: added or changed on purpose, the failure message prints the new counts: check them, then copy them here.
SAMPLE_FINDINGS_PER_RULE = {
    "dangling-reference": 47,
    "duplicate-text": 2,
    "missing-translation": 150,
    "regex-mismatch": 3,
    "regex-too-broad": 6,  # keyword alternations of the canons that claim other errors of the reference corpus
}


def test_sample_finding_counts_per_rule(tmp_path):
    imported = run("import", "deadends", str(SAMPLE), "--out", str(tmp_path))
    assert imported.exit_code == 0, imported.output
    linted = run("lint", "--root", str(tmp_path), "--format", "json", "--today", "2026-11-23")
    counts = dict(sorted(collections.Counter(finding["name"] for finding in json.loads(linted.stdout)["findings"]).items()))
    assert counts == SAMPLE_FINDINGS_PER_RULE, (
        "findings per rule on tests/fixtures/deadends-sample changed; if that is intended, set "
        f"SAMPLE_FINDINGS_PER_RULE = {json.dumps(counts, indent=4)}")

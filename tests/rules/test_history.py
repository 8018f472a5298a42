"""History rules (KB7xx): a changed record compared with its version at the base revision (--changed-since).

Each scene is a git repository whose one commit holds the base version; lint runs with --changed-since HEAD
over the working tree, and only the history rules are selected.
"""

from __future__ import annotations

import subprocess

from conftest import changed, clean_record, lint_scene, write_record

ONLY_HISTORY = ("--select", "last-updated-not-bumped,translation-drift,confirmed-date-regressed")


def test_last_updated_not_bumped_fires_when_content_changed_and_the_date_did_not(kb):
    before = clean_record()
    now = changed(before, {"root_cause": before["root_cause"] + " It also happens with per-tensor ranges.",
                           "root_cause_zh": before["root_cause_zh"] + "按张量范围时也会发生。"})
    found = {(f["name"], f["pointer"]) for f in lint_scene(kb, now, base=before, args=ONLY_HISTORY)}
    assert found == {("last-updated-not-bumped", "/last_updated")}


def test_last_updated_not_bumped_ignores_a_re_confirmation_alone(kb):
    before = clean_record()
    now = changed(before, {"last_confirmed": "2026-11-20"})
    assert lint_scene(kb, now, base=before, args=ONLY_HISTORY) == []


def test_last_updated_not_bumped_is_quiet_when_the_date_moved_forward(kb):
    before = clean_record()
    now = changed(before, {"tags": ["quantization"], "last_updated": "2026-11-20"})
    assert lint_scene(kb, now, base=before, args=ONLY_HISTORY) == []


def test_history_rules_report_nothing_without_a_base_revision(kb):
    now = changed(clean_record(), {"last_confirmed": "2020-01-01", "last_updated": "2020-01-01"})
    assert lint_scene(kb, now, args=ONLY_HISTORY) == []


def test_translation_drift_fires_when_the_english_changed_and_the_chinese_did_not(kb):
    before = clean_record()
    now = changed(before, {"signature": before["signature"].replace("uint8", "int8"),
                           "regex": before["regex"].replace("uint8", "int8"), "last_updated": "2026-11-20"})
    found = {(f["name"], f["pointer"]) for f in lint_scene(kb, now, base=before, args=ONLY_HISTORY)}
    assert found == {("translation-drift", "/signature_zh")}


def test_translation_drift_fires_on_a_changed_workaround_item(kb):
    before = clean_record()
    now = changed(before, {"last_updated": "2026-11-20"})
    now["workarounds"][1]["how"] = "Use per-channel quantization with TFLITE_BUILTINS_INT8 ops only."
    found = {(f["name"], f["pointer"]) for f in lint_scene(kb, now, base=before, args=ONLY_HISTORY)}
    assert found == {("translation-drift", "/workarounds_zh/1")}


def test_translation_drift_is_quiet_when_the_translation_changed_too(kb):
    before = clean_record()
    now = changed(before, {"root_cause": "The calibration data misses the extreme activations of CONV_2D.",
                           "root_cause_zh": "校准数据没有覆盖 CONV_2D 的极端激活值。", "last_updated": "2026-11-20"})
    assert lint_scene(kb, now, base=before, args=ONLY_HISTORY) == []


def test_confirmed_date_regressed_fires_when_a_date_moves_backwards(kb):
    before = clean_record()
    now = changed(before, {"last_confirmed": "2026-05-01"})
    found = {(f["name"], f["pointer"]) for f in lint_scene(kb, now, base=before, args=ONLY_HISTORY)}
    assert found == {("confirmed-date-regressed", "/last_confirmed")}


def test_confirmed_date_regressed_is_quiet_when_dates_move_forward(kb):
    before = clean_record()
    now = changed(before, {"last_confirmed": "2026-11-01", "last_updated": "2026-11-01"})
    assert lint_scene(kb, now, base=before, args=ONLY_HISTORY) == []


def test_a_renamed_record_is_compared_with_its_base_version_by_id(kb):
    # lint_scene's base lies at the record's own path: a rename needs its own commit.
    before = clean_record()
    old_path = write_record(kb, before)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(kb)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    old_path.unlink()
    now = changed(before, {"last_updated": "2026-01-01"})
    findings = lint_scene(kb, now, path="entries/tensorflow/renamed.json",
                          args=("--changed-since", "HEAD", *ONLY_HISTORY))
    assert {(f["name"], f["pointer"]) for f in findings} == {("confirmed-date-regressed", "/last_updated")}

"""Base-revision rules (KB7xx): each fires on its defect and stays quiet on the near miss.

The rules are pure: they get the base revision's records through `LintContext.base`. Here the base is
given as data (what `kbtool.git` would read from the merge base); test_changed_since.py covers the same
rules end to end on real repositories.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

from conftest import curated_record, write_record
from kbtool.lint import lint
from kbtool.revision import BaseRevision, ChangeSet
from kbtool.settings import Settings

HISTORY_RULES = frozenset({"KB701", "KB702", "KB703"})


def base_record() -> dict:
    record = curated_record()
    record["last_confirmed"] = record["last_updated"] = "2026-06-01"
    return record


def history_findings(kb: Path, now: dict, before: dict | None, path: str | None = None,
                     base_path: str | None = None) -> set[tuple[str, str]]:
    """(rule name, pointer) of the history findings for `now`, compared with `before` (None: no base at all)."""
    written = write_record(kb, now, path)
    relative = written.relative_to(kb).as_posix()
    settings = Settings(root=kb, today=dt.date(2026, 11, 23), select=HISTORY_RULES)
    changes = None
    if before is not None:
        changes = ChangeSet(changed=frozenset({relative}), deleted=frozenset(),
                            base=BaseRevision(ref="main", commit="0" * 40, records={base_path or relative: before}))
    result = lint(settings, changes=changes)
    return {(finding.name, finding.pointer) for finding in result.findings}


def test_last_updated_not_bumped_fires_when_content_changed_and_the_date_did_not(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["root_cause"] += " It also happens with per-tensor ranges."
    now["root_cause_zh"] += "按张量范围时也会发生。"
    assert history_findings(kb, now, before) == {("last-updated-not-bumped", "/last_updated")}


def test_last_updated_not_bumped_ignores_a_re_confirmation_alone(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["last_confirmed"] = "2026-11-20"
    assert history_findings(kb, now, before) == set()


def test_last_updated_not_bumped_is_quiet_when_the_date_moved_forward(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["tags"] = ["quantization"]
    now["last_updated"] = "2026-11-20"
    assert history_findings(kb, now, before) == set()


def test_history_rules_report_nothing_without_a_base_revision(kb):
    now = base_record()
    now["last_confirmed"] = now["last_updated"] = "2020-01-01"
    assert history_findings(kb, now, None) == set()


def test_translation_drift_fires_when_the_english_changed_and_the_chinese_did_not(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["signature"] = now["signature"].replace("uint8", "int8")
    now["regex"] = now["regex"].replace("uint8", "int8")
    now["last_updated"] = "2026-11-20"
    assert history_findings(kb, now, before) == {("translation-drift", "/signature_zh")}


def test_translation_drift_fires_on_a_changed_workaround_item(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["workarounds"][1]["how"] = "Use per-channel quantization with TFLITE_BUILTINS_INT8 ops only."
    now["last_updated"] = "2026-11-20"
    assert history_findings(kb, now, before) == {("translation-drift", "/workarounds_zh/1")}


def test_translation_drift_is_quiet_when_the_translation_changed_too(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["root_cause"] = "The calibration data misses the extreme activations of CONV_2D."
    now["root_cause_zh"] = "校准数据没有覆盖 CONV_2D 的极端激活值。"
    now["last_updated"] = "2026-11-20"
    assert history_findings(kb, now, before) == set()


def test_confirmed_date_regressed_fires_when_a_date_moves_backwards(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["last_confirmed"] = "2026-05-01"
    assert history_findings(kb, now, before) == {("confirmed-date-regressed", "/last_confirmed")}


def test_confirmed_date_regressed_is_quiet_when_dates_move_forward(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["last_confirmed"] = now["last_updated"] = "2026-11-01"
    assert history_findings(kb, now, before) == set()


def test_a_renamed_record_is_compared_with_its_base_version_by_id(kb):
    before = base_record()
    now = copy.deepcopy(before)
    now["last_updated"] = "2026-01-01"
    found = history_findings(kb, now, before, path="entries/tensorflow/renamed.json",
                             base_path="entries/tensorflow/tflite-quantization-range.json")
    assert found == {("confirmed-date-regressed", "/last_updated")}

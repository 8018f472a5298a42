"""History: a changed record compared with its version at the base revision (`--changed-since REF`).

These rules only run when lint is given the base revision's records
(`LintContext.base`, read by `kbtool.git` for `--changed-since`); without it,
and for records that did not exist at the base, they report nothing. The base
version of a record is found by its id, so a renamed record is compared too.
"""

from __future__ import annotations

from typing import Any

from kbtool.findings import Problem, Severity
from kbtool.records import as_dict, as_list, as_text, make_pointer
from kbtool.rules.base import Example, rule
from kbtool.rules.freshness import record_date

FAMILY = "history"

#: Fields whose change is bookkeeping, not content: re-confirming a record is not an edit of it.
BOOKKEEPING_FIELDS = ("last_updated", "last_confirmed", "$schema")
#: English field → its Chinese counterpart (list fields are compared item by item).
TRANSLATED_TEXT_FIELDS = (("signature", "signature_zh"), ("root_cause", "root_cause_zh"))


def base_version(record, context) -> dict[str, Any] | None:
    """The record's data at the base revision, or None (no base given, or the record is new)."""
    if context.base is None:
        return None
    return context.base.record_for(record.relative_path, record.entry_id)


def _content(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in BOOKKEEPING_FIELDS}


@rule(code="KB701", name="last-updated-not-bumped", family=FAMILY, severity=Severity.WARNING,
      summary="The record's content changed since the base revision but `last_updated` did not.",
      explanation="""
      `last_updated` tells readers when the advice in a record last changed; a record edited
      without moving it looks older and better tested than it is. Compared with the base revision
      of `--changed-since REF` (the merge base of REF and HEAD): any change other than to
      `last_updated`, `last_confirmed` or `$schema` is a content change. Reformatting that leaves
      every value the same is not. Set `last_updated` to the day of the edit. Runs only with
      `--changed-since`.
      """,
      fails=Example('base: "root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", '
                    '"last_updated": "2026-06-01"; now: "root_cause": "Calibration data misses the extreme activations.", '
                    '"root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-06-01"',
                    base={"root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。",
                          "last_updated": "2026-06-01"},
                    record={"root_cause": "Calibration data misses the extreme activations.",
                            "root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-06-01"}),
      passes=Example('base: "root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", '
                     '"last_updated": "2026-06-01"; now: "root_cause": "Calibration data misses the extreme activations.", '
                     '"root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-11-20"',
                     base={"root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。",
                           "last_updated": "2026-06-01"},
                     record={"root_cause": "Calibration data misses the extreme activations.",
                             "root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-11-20"}))
def last_updated_not_bumped(record, context):
    base = base_version(record, context)
    if base is None or _content(record.data) == _content(base):
        return
    before, now = record_date(base, "last_updated"), record_date(record.data, "last_updated")
    if before is None or now is None or now != before:
        return  # missing or malformed dates are the schema's business; moving backwards is confirmed-date-regressed
    changed = sorted(key for key in set(_content(record.data)) | set(_content(base))
                     if record.data.get(key) != base.get(key))
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    yield Problem("/last_updated",
                  f"the record changed since {context.base.ref} ({shown}) but last_updated is still {now.isoformat()}",
                  "set last_updated to the date of this edit")


def _drift(english_now: Any, english_before: Any, chinese_now: Any, chinese_before: Any) -> bool:
    """The English text changed while a non-empty Chinese translation stayed word for word the same."""
    return (english_now != english_before and bool(as_text(chinese_now).strip())
            and chinese_now == chinese_before)


def _workaround_text(item: Any) -> tuple[str, str]:
    item = as_dict(item)
    return as_text(item.get("action")), as_text(item.get("how"))


@rule(code="KB702", name="translation-drift", family=FAMILY, severity=Severity.WARNING,
      summary="An English field changed since the base revision but its `*_zh` translation did not.",
      explanation="""
      When `signature`, `root_cause` or a workaround is reworded, a translation left as it was
      now says something else. Compared with the base revision of `--changed-since REF`:
      `signature` ↔ `signature_zh`, `root_cause` ↔ `root_cause_zh`, and `workarounds[N]` (its
      `action` or `how`) ↔ `workarounds_zh[N]`. Empty or missing translations are reported by
      `missing-translation` instead. Update the translation (or confirm it still fits by
      touching it). Runs only with `--changed-since`.
      """,
      fails=Example('base: "root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", "last_updated": "2026-06-01"; '
                    'now: "root_cause": "Calibration data misses the extreme activations.", "root_cause_zh": "校准数据太少。", '
                    '"last_updated": "2026-11-20"',
                    base={"root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", "last_updated": "2026-06-01"},
                    record={"root_cause": "Calibration data misses the extreme activations.", "root_cause_zh": "校准数据太少。",
                            "last_updated": "2026-11-20"}),
      passes=Example('base: "root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", "last_updated": "2026-06-01"; '
                     'now: "root_cause": "Calibration data misses the extreme activations.", '
                     '"root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-11-20"',
                     base={"root_cause": "Calibration data too small.", "root_cause_zh": "校准数据太少。", "last_updated": "2026-06-01"},
                     record={"root_cause": "Calibration data misses the extreme activations.",
                             "root_cause_zh": "校准数据没有覆盖极端激活值。", "last_updated": "2026-11-20"}))
def translation_drift(record, context):
    base = base_version(record, context)
    if base is None:
        return
    data = record.data
    for english, chinese in TRANSLATED_TEXT_FIELDS:
        if _drift(data.get(english), base.get(english), data.get(chinese), base.get(chinese)):
            yield Problem(make_pointer(chinese),
                          f"{english} changed since {context.base.ref} but {chinese} did not",
                          f"update {chinese} to translate the new {english}")
    workarounds_now, workarounds_before = as_list(data.get("workarounds")), as_list(base.get("workarounds"))
    chinese_now, chinese_before = as_list(data.get("workarounds_zh")), as_list(base.get("workarounds_zh"))
    for index in range(min(len(workarounds_now), len(workarounds_before), len(chinese_now), len(chinese_before))):
        if _drift(_workaround_text(workarounds_now[index]), _workaround_text(workarounds_before[index]),
                  chinese_now[index], chinese_before[index]):
            yield Problem(make_pointer("workarounds_zh", index),
                          f"workarounds[{index}] changed since {context.base.ref} but workarounds_zh[{index}] did not",
                          f"update workarounds_zh[{index}] to translate the new workaround")


@rule(code="KB703", name="confirmed-date-regressed", family=FAMILY, severity=Severity.ERROR,
      summary="`last_confirmed` or `last_updated` moved backwards since the base revision.",
      explanation="""
      These dates only move forward: a record re-verified in 2026 cannot become last confirmed in
      2025. An earlier date usually comes from resolving a merge conflict the wrong way or from
      copying an older version of the file over a newer one, which may have brought back old
      content too. Compared with the base revision of `--changed-since REF`. Restore the later
      date (and check the content of the record). Runs only with `--changed-since`.
      """,
      fails=Example('base: "last_confirmed": "2026-03-01"; now: "last_confirmed": "2026-02-01"',
                    base={"last_confirmed": "2026-03-01"}, record={"last_confirmed": "2026-02-01"}),
      passes=Example('base: "last_confirmed": "2026-03-01"; now: "last_confirmed": "2026-05-01"',
                     base={"last_confirmed": "2026-03-01"}, record={"last_confirmed": "2026-05-01"}))
def confirmed_date_regressed(record, context):
    base = base_version(record, context)
    if base is None:
        return
    for key in ("last_confirmed", "last_updated"):
        before, now = record_date(base, key), record_date(record.data, key)
        if before is not None and now is not None and now < before:
            yield Problem(make_pointer(key),
                          f"{key} moved backwards: {now.isoformat()} here, {before.isoformat()} at {context.base.ref}",
                          f"set {key} back to {before.isoformat()} or later, and check the record did not lose newer content")

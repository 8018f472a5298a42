"""The repo's own records are free of errors (the rules' own tests are in tests/rules/)."""

from __future__ import annotations

from conftest import curated_record, lint_scene


def test_curated_record_is_clean(kb):
    assert [finding for finding in lint_scene(kb, curated_record()) if finding["severity"] == "error"] == []


def test_a_rule_across_records_cannot_depend_on_the_date():
    """Their findings are remembered for the KB as it is, on any day (kbtool.remembered)."""
    import pytest

    from kbtool.rules import RULES
    from kbtool.rules.base import rule

    example = RULES["KB105"].fails
    for scope, looks_across in (("kb", False), ("record", True)):
        with pytest.raises(ValueError, match="cannot depend on the date"):
            rule(code="KB998", name="dated-across", family="test", severity=RULES["KB105"].severity, summary="s",
                 explanation="e", fails=example, passes=example, scope=scope, looks_across=looks_across, dated=True)(lambda *args: ())
    assert "KB998" not in RULES

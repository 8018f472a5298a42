"""The repo's own records are free of errors (the rules' own tests are in tests/rules/)."""

from __future__ import annotations

from conftest import curated_record, lint_scene


def test_curated_record_is_clean(kb):
    assert [finding for finding in lint_scene(kb, curated_record()) if finding["severity"] == "error"] == []

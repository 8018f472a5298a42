"""Linting one changed record in a KB of 2,500 records reports only that record's findings."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY, run_kbtool, write_record
from test_changed_since import commit_all, git, make_record

RECORDS = 2500


def test_one_changed_record_among_2500_gets_findings_and_no_other_does(tmp_path: Path):
    repo = tmp_path / "kb"
    (repo / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    for number in range(RECORDS):
        # Every record has a finding of its own (stale), so a leak of any other record would show.
        write_record(repo, make_record(f"generated-{number:04d}", number, last_confirmed="2024-06-01",
                                       last_updated="2024-06-01"))
    commit_all(repo, "2,500 records")
    git(repo, "checkout", "-q", "-b", "feature")
    changed = make_record("generated-1234", 1234, last_confirmed="2024-06-01", last_updated="2026-11-20",
                          root_cause_zh="This was never translated.")
    write_record(repo, changed)
    commit_all(repo, "edit one record")

    result = run_kbtool("lint", "--root", repo, "--today", TODAY, "--format", "json", "--changed-since", "main")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert {(finding["path"], finding["name"]) for finding in document["findings"]} == {
        ("entries/tensorflow/generated-1234.json", "untranslated-zh"),
        ("entries/tensorflow/generated-1234.json", "stale-entry"),
    }
    assert document["summary"]["files"] == 1

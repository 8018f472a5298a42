"""`lint --changed-since` reads unchanged records only as far as rules across records need them (from the
catalog in the cache): its findings are exactly those of a full lint on the changed records, whether
the cache is cold, warm, stale or off."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kbtool.catalog import RACY_NANOSECONDS

from conftest import TODAY, run_kbtool, write_record
from test_changed_since import commit_all, entries, git, make_record


def _findings(repo: Path, *args: str, env: dict | None = None) -> list[dict]:
    result = run_kbtool("lint", "--root", repo, "--today", TODAY, "--format", "json", *args, env=env)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)["findings"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: records that unchanged ones will collide with, share ids and error codes with, or point at;
    feature: the changed records, each in one of those relations with an unchanged record."""
    repo = tmp_path / "kb"
    (repo / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    write_record(repo, make_record("collided", 1, signature="KBTestError: the cache of stage alpha is corrupt"))
    write_record(repo, make_record("owner-of-id", 2))
    write_record(repo, make_record("owner-of-code", 3, error_code="KBT-SHARED"))
    write_record(repo, make_record("target", 4))
    write_record(repo, make_record("confused", 5, transition_graph={
        "leads_to": [], "preceded_by": [],
        "frequently_confused_with": [{"error_id": "tensorflow/wide", "distinguishing_feature": "the stage"}]}))
    write_record(repo, make_record("catcher", 40, signature="KBTestError: step 8 failed in stage catcher with code 17",
                                   regex=r"KBTestError: step 8 failed in stage \S+ with code \d+"))  # matches same-code's signature
    (repo / entries("broken")).write_text('{"id": "tensorflow/broken",', encoding="utf-8")
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write_record(repo, make_record("wide", 6, regex=r"KBTestError: the cache of stage \w+ is corrupt",
                                   signature="KBTestError: the cache of stage beta is corrupt"))
    write_record(repo, make_record("same-id", 7, id="tensorflow/owner-of-id"), entries("same-id"))
    write_record(repo, make_record("same-code", 8, error_code="KBT-SHARED"))
    write_record(repo, make_record("pointing", 9, transition_graph={
        "leads_to": [{"error_id": "tensorflow/target", "probability": 0.5, "condition": ""},
                     {"error_id": "tensorflow/nowhere", "probability": 0.5, "condition": ""}],
        "preceded_by": [], "frequently_confused_with": []}))
    commit_all(repo, "feature")
    return repo


CHANGED = {entries(slug) for slug in ("wide", "same-id", "same-code", "pointing")}


def _on_changed(findings: list[dict]) -> list[dict]:
    return [finding for finding in findings if finding["path"] in CHANGED]


def test_changed_since_equals_a_full_lint_on_the_changed_records(repo, tmp_path):
    expected = _on_changed(_findings(repo, "--no-cache"))
    assert {finding["name"] for finding in expected} >= {"regex-collision", "duplicate-id", "duplicate-error-code",
                                                         "dangling-reference"}
    assert _findings(repo, "--changed-since", "main", "--no-cache") == expected
    cold = {"KBTOOL_CACHE_DIR": str(tmp_path / "cold")}
    assert _findings(repo, "--changed-since", "main", env=cold) == expected
    assert _findings(repo, "--changed-since", "main", env=cold) == expected  # warm: the unchanged records from the catalog
    messages = " ".join(finding["message"] for finding in expected if finding["name"] == "regex-collision")
    assert "collided" in messages and "catcher" in messages  # both ways: a changed regex, a changed message


def test_linting_some_files_equals_a_full_lint_on_those_files(repo):
    expected = _on_changed(_findings(repo, "--no-cache"))
    assert _findings(repo, *sorted(repo / path for path in CHANGED)) == expected


def test_a_record_another_checkout_changed_behind_the_catalog_is_read_again(repo, tmp_path):
    """The catalog was written on one branch; on another, an unchanged record has other content of the same
    size and even the same modification time: its change time gives it away, and it is read again."""
    cache = {"KBTOOL_CACHE_DIR": str(tmp_path / "cache")}
    path = repo / entries("collided")
    written = os.stat(path)
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files this fresh are always read again: let the catalog trust them
    _findings(repo, "--changed-since", "main", env=cache)
    git(repo, "checkout", "-q", "-b", "other", "main")
    text = path.read_text(encoding="utf-8").replace("of stage alpha is corrupt", "at stage alpha is missing")
    path.write_text(text, encoding="utf-8")
    commit_all(repo, "the collided record changes on another branch")
    git(repo, "checkout", "-q", "-b", "feature2")
    git(repo, "checkout", "feature", "--", *sorted(CHANGED))
    commit_all(repo, "the feature again")
    assert os.stat(path).st_size == written.st_size
    os.utime(path, ns=(written.st_atime_ns, written.st_mtime_ns))
    expected = _findings(repo, "--changed-since", "other", "--no-cache")
    assert not any(finding["name"] == "regex-collision" and "collided" in finding["message"] for finding in expected)
    assert _findings(repo, "--changed-since", "other", env=cache) == expected


@pytest.mark.parametrize("at_a_time", [1, 2, 5])
def test_a_kb_read_part_by_part_has_the_findings_of_one_read_whole(repo, monkeypatch, tmp_path, at_a_time):
    """A lint of the whole KB reads it FILES_AT_A_TIME files at a time and runs the rules of each file on a
    part as it is read, keeping of each record only what is read later, and looks for collisions through
    indexes of REGEXES_AT_A_TIME regexes, and the cache is written as it goes: the findings are those of a
    lint that reads every file first (a lint of the folder `entries/`) with one index, with the cache off,
    cold and warm."""
    import kbtool.cache
    import kbtool.kb
    import kbtool.regex.collisions

    stale = make_record("stale", 41, last_confirmed="2023-01-01", last_updated="2023-01-01", signature_zh=None)
    stale.pop("signature_zh", None)
    write_record(repo, stale)
    write_record(repo, make_record("mismatch", 42, regex=r"KBTestError: step 999 failed"))  # the rules asking regex facts too
    write_record(repo, make_record("catch-all", 43, regex=r"Error: .+"))
    write_record(repo, make_record("aliased", 44, aliases=["Something else entirely"]))
    whole = _findings(repo, "--no-cache", str(repo / "entries"))
    assert {"duplicate-id", "duplicate-error-code", "dangling-reference", "regex-collision", "invalid-json",
            "stale-entry", "regex-mismatch", "regex-too-broad", "alias-mismatch"} <= {finding["name"] for finding in whole}
    monkeypatch.setattr(kbtool.kb, "FILES_AT_A_TIME", at_a_time)
    monkeypatch.setattr(kbtool.regex.collisions, "REGEXES_AT_A_TIME", at_a_time)
    monkeypatch.setattr(kbtool.cache, "FLUSH_CHARACTERS", 100)
    env = {"KBTOOL_CACHE_DIR": str(tmp_path / "cache")}
    assert _findings(repo, "--no-cache") == whole
    assert _findings(repo, env=env) == whole  # cold: the findings and the catalog are kept
    assert _findings(repo, env=env) == whole  # warm: recalled


def test_each_part_is_checked_once_the_next_is_parsed_and_the_kb_holds_what_the_check_keeps(tmp_path, monkeypatch):
    """`load_knowledge_base` tells `each` of a part only once the next part is parsed (and `parsed` told of it):
    the work started on the next part runs in the workers while the rules run on this one. Without `parsed`,
    nothing is started ahead, and each part is told as it is read."""
    import kbtool.kb

    for number in range(7):
        write_record(tmp_path, make_record(f"part-{number}", number))
    monkeypatch.setattr(kbtool.kb, "FILES_AT_A_TIME", 3)
    monkeypatch.setattr(kbtool.kb, "PARSED_AT_A_TIME", 2)
    told: list[tuple[str, list[str]]] = []

    def each(part, files):
        told.append(("each", [record.relative_path for record in part]))
        return part[::-1]  # what the KB is to hold of the part: its records, last first

    kb = kbtool.kb.load_knowledge_base(tmp_path, each=each, parsed=lambda records: told.append(
        ("parsed", [record.relative_path for record in records])))
    names = [entries(f"part-{number}") for number in range(7)]
    assert told == [("parsed", names[0:2]), ("parsed", names[2:3]), ("parsed", names[3:5]), ("parsed", names[5:6]),
                    ("each", names[0:3]), ("parsed", names[6:7]), ("each", names[3:6]), ("each", names[6:7])]
    assert [record.relative_path for record in kb.files] == names[2::-1] + names[5:2:-1] + names[6:]
    told.clear()  # with nothing started on the next part (no `parsed`), each part is told as it is read
    kbtool.kb.load_knowledge_base(tmp_path, each=each)
    assert told == [("each", names[0:3]), ("each", names[3:6]), ("each", names[6:7])]


def test_the_graphs_of_unchanged_records_read_from_the_catalog_act_as_the_records_own(tmp_path):
    """The catalog keeps other records' graphs packed (`PackedGraph`): an unchanged record read from it that lists
    the changed record as frequently confused with it still excuses their collision, and one that points at a
    deleted record is still reported."""
    repo = tmp_path / "kb"
    (repo / "entries").mkdir(parents=True)
    git(repo, "init", "-q")
    write_record(repo, make_record("excuser", 1, signature="KBTestError: the cache of stage alpha is corrupt", transition_graph={
        "leads_to": [], "preceded_by": [],
        "frequently_confused_with": [{"error_id": "tensorflow/wide", "distinguishing_feature": "the stage"}]}))
    write_record(repo, make_record("pointer", 2, transition_graph={
        "leads_to": [{"error_id": "tensorflow/doomed", "probability": 0.5, "condition": ""}],
        "preceded_by": [], "frequently_confused_with": []}))
    write_record(repo, make_record("doomed", 3))
    commit_all(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write_record(repo, make_record("wide", 6, regex=r"KBTestError: the cache of stage \w+ is corrupt",
                                   signature="KBTestError: the cache of stage beta is corrupt"))
    (repo / entries("doomed")).unlink()
    commit_all(repo, "feature")
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files this fresh are always read again: let the catalog trust them
    cache = {"KBTOOL_CACHE_DIR": str(tmp_path / "cache")}
    _findings(repo, env=cache)  # writes the catalog
    expected = _findings(repo, "--changed-since", "main", "--no-cache")
    assert [(finding["path"], finding["name"]) for finding in expected] == [(entries("pointer"), "dangling-reference")]
    assert _findings(repo, "--changed-since", "main", env=cache) == expected

"""The cache of per-record work never changes a finding: after an edited record, a changed schema, a
new kbtool version or a corrupt cache file, lint's findings equal those of `--no-cache`."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, TODAY, changed, clean_record, run_kbtool, write_record
from kbtool.cache import CACHE_FILE, FINGERPRINTED_LIBRARIES, Cache, kbtool_fingerprint
from kbtool import catalog
from kbtool.catalog import LATER_COLUMNS, RACY_NANOSECONDS, part_keys
from kbtool.findings import Severity
from kbtool.kb import KnowledgeBase, load_knowledge_base
from kbtool.lint import LintContext, _named_knowledge_base, check_knowledge_base, lint
from kbtool.records import RecordFile
from kbtool.rules import RULES
from kbtool.rules.freshness import dated_fields
from kbtool.remembered import ACROSS, kb_key, recall, recall_across, run_key
from kbtool.schema import record_schema
from kbtool.settings import Settings, Suppression, build_settings


def _scene(root: Path) -> None:
    """A KB whose records give findings of the cached kinds: parse, regex checks, too broad, collisions."""
    base = clean_record()
    write_record(root, base)
    write_record(root, changed(base, {"id": "tensorflow/collides", "signature": base["signature"] + " (again)",
                                      "signature_zh": None}))
    write_record(root, changed(base, {"id": "tensorflow/broad", "signature": "ValueError: something went wrong",
                                      "regex": "ValueError: .+"}))
    write_record(root, changed(base, {"id": "tensorflow/mismatch", "signature": "OSError: cannot open shared object file",
                                      "regex": "oserror: cannot open"}))
    (root / "entries" / "tensorflow" / "broken.json").write_text('{"id": "tensorflow/broken",}', encoding="utf-8")
    (root / "entries" / "tensorflow" / "dupe.json").write_text('{"id": "a", "id": "b"}', encoding="utf-8")


def _findings(root: Path, cache_dir: Path | None, *extra: str) -> list[dict]:
    env = {"KBTOOL_CACHE_DIR": str(cache_dir)} if cache_dir is not None else None
    args = ["lint", "--root", root, "--today", TODAY, "--format", "json", *extra]
    result = run_kbtool(*(args + ["--no-cache"] if cache_dir is None else args), env=env)
    assert result.exit_code == 1, result.stdout + result.stderr
    return json.loads(result.stdout)["findings"]


def _entries(cache_dir: Path) -> int:
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        return db.execute("SELECT count(*) FROM entries").fetchone()[0]


@pytest.fixture
def scene(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "kb"
    _scene(root)
    return root, tmp_path / "cache"


def test_cold_and_warm_runs_give_the_findings_of_no_cache(scene):
    root, cache_dir = scene
    expected = _findings(root, None)
    assert {finding["name"] for finding in expected} >= {"invalid-json", "duplicate-key", "regex-too-broad",
                                                         "regex-mismatch", "regex-collision"}
    assert not cache_dir.exists()
    assert _findings(root, cache_dir) == expected
    stored = _entries(cache_dir)
    assert stored > 0
    assert _findings(root, cache_dir) == expected
    assert _entries(cache_dir) == stored  # the warm run found everything it needed


def test_a_warm_run_answers_from_the_cache(scene):
    root, cache_dir = scene
    settings = build_settings(root=root, today=TODAY)
    with Cache(cache_dir) as cache:
        cold = lint(settings, cache=cache)
        assert cache.hits == 0 and cache.misses > 0
    with Cache(cache_dir) as cache:
        warm = lint(settings, cache=cache)
        assert cache.misses == 0 and cache.hits > 0
    assert warm.findings == cold.findings


def test_an_edited_record_is_checked_again(scene):
    root, cache_dir = scene
    _findings(root, cache_dir)
    path = root / "entries" / "tensorflow" / "mismatch.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    write_record(root, changed(record, {"regex": "OSError: cannot open shared object file"}))
    broad = root / "entries" / "tensorflow" / "broad.json"
    write_record(root, changed(json.loads(broad.read_text(encoding="utf-8")), {"signature": "ValueError: x"}))
    (root / "entries" / "tensorflow" / "broken.json").write_text('{"id": "tensorflow/broken"', encoding="utf-8")
    expected = _findings(root, None)
    assert not any(finding["name"] == "regex-mismatch" for finding in expected)
    assert _findings(root, cache_dir) == expected


def test_a_changed_schema_is_applied(scene):
    root, cache_dir = scene
    _findings(root, cache_dir)
    schema = json.loads((REPO_ROOT / "schema" / "error-record.schema.json").read_text(encoding="utf-8"))
    schema["properties"]["signature"]["maxLength"] = 20
    (root / "schema").mkdir()
    (root / "schema" / "error-record.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    expected = _findings(root, None)
    assert any("characters long" in finding["message"] for finding in expected)
    assert _findings(root, cache_dir) == expected


def _tamper(cache_dir: Path) -> None:
    """Replace every cached value by a well-formed lie: no regex compiles, nothing is too broad or collides."""
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        rows = db.execute("SELECT key, value FROM entries").fetchall()
        for key, value in rows:
            data = json.loads(value)
            if isinstance(data, list) and len(data) == 2 and isinstance(data[0], list):  # a regex check
                data[0][0] = "planted compile error"
            elif isinstance(data, list):  # texts a regex matched
                data = []
            elif isinstance(data, str) or data is None:  # why a regex is too broad
                data = None
            db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(data), key))


def test_a_new_kbtool_version_does_not_read_what_the_old_one_wrote(scene):
    root, cache_dir = scene
    settings = build_settings(root=root, today=TODAY)
    with Cache(None) as nothing:
        expected = lint(settings, cache=nothing).findings
    with Cache(cache_dir, fingerprint=kbtool_fingerprint("0.1.0")) as old:
        assert lint(settings, cache=old).findings == expected
    _tamper(cache_dir)
    with Cache(cache_dir, fingerprint=kbtool_fingerprint("0.1.0")) as old:  # the keys are what protects: the old ones lie now
        assert lint(settings, cache=old).findings != expected
    with Cache(cache_dir, fingerprint=kbtool_fingerprint("0.2.0")) as upgraded:
        assert lint(settings, cache=upgraded).findings == expected
        assert upgraded.hits == 0


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "wrong shapes", "a folder"])
def test_a_corrupt_or_foreign_cache_file_is_ignored(scene, damage):
    root, cache_dir = scene
    expected = _findings(root, None)
    _findings(root, cache_dir)
    store = cache_dir / CACHE_FILE
    if damage == "garbage":
        store.write_bytes(b"\x00not a database\xff" * 1000)
    elif damage == "truncated":
        store.write_bytes(store.read_bytes()[:3000])
    elif damage == "foreign":
        store.unlink()
        with sqlite3.connect(store) as db:
            db.execute("CREATE TABLE entries (name TEXT, size INTEGER)")
            db.execute("INSERT INTO entries VALUES ('x', 1)")
    elif damage == "wrong shapes":
        with sqlite3.connect(store) as db:
            db.execute("UPDATE entries SET value = CASE WHEN substr(key, 1, 1) < '8' THEN '{\"a\": [1' ELSE '[1, {\"b\": 2}]' END")
    else:
        store.unlink()
        store.mkdir()
    assert _findings(root, cache_dir) == expected
    assert _findings(root, cache_dir) == expected  # and again, from whatever the first run left


def test_a_cache_folder_that_cannot_be_written_is_done_without(scene, tmp_path):
    root, _ = scene
    expected = _findings(root, None)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert _findings(root, blocked / "cache") == expected
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "link"
    link.symlink_to(elsewhere, target_is_directory=True)
    assert _findings(root, link) == expected
    assert not any(elsewhere.iterdir())  # nothing is written through a link


def test_values_are_written_as_they_pile_up_and_not_at_all_once_the_store_is_locked(tmp_path, monkeypatch):
    """A run that computes more than FLUSH_CHARACTERS of values writes them as it goes (another process sees
    them before the run ends); once a write fails (another process holds the store's lock), the run keeps
    nothing more (and does not wait for the lock again)."""
    import kbtool.cache

    monkeypatch.setattr(kbtool.cache, "FLUSH_CHARACTERS", 1000)
    with Cache(tmp_path / "cache") as writer, Cache(tmp_path / "cache") as reader:
        writer.put_many({"small": "x"})
        assert reader.get_many(["small"]) == {}  # waiting
        writer.put_many({"large": "y" * 2000})
        assert reader.get_many(["small", "large"]) == {"small": "x", "large": "y" * 2000}
        blocker = sqlite3.connect(tmp_path / "cache" / CACHE_FILE, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")
        writer.put_many({"blocked": "z" * 2000})
        blocker.execute("ROLLBACK")
        blocker.close()
        writer.put_many({"after": "v" * 2000})  # not tried: the failed write ended the run's writing
        assert reader.get_many(["blocked", "after"]) == {}


def test_no_cache_neither_reads_nor_writes(scene):
    root, cache_dir = scene
    _findings(root, cache_dir)
    _tamper(cache_dir)
    settings = build_settings(root=root, today=TODAY)
    with Cache(cache_dir) as lied_to:
        assert lint(settings, cache=lied_to).findings != lint(settings, cache=Cache(None)).findings
    shutil.rmtree(cache_dir)
    result = run_kbtool("lint", "--root", root, "--today", TODAY, "--no-cache", env={"KBTOOL_CACHE_DIR": str(cache_dir)})
    assert result.exit_code == 1
    assert not cache_dir.exists()


def _match(root: Path, cache_dir: Path | None, message: str) -> dict:
    env = {"KBTOOL_CACHE_DIR": str(cache_dir)} if cache_dir is not None else None
    args = ["match", "--root", root, "--format", "json", message]
    result = run_kbtool(*(args + ["--no-cache"] if cache_dir is None else args), env=env)
    return json.loads(result.stdout)


def _damage_catalog(root: Path, cache_dir: Path, damage) -> None:
    """Apply `damage(part)` to every stored part of the catalog (in place; a part's shared fields and filters,
    which are stored apart, under "shared" and "filters") and write them back."""
    cache = Cache(cache_dir)
    keys, apart = part_keys(root, cache), {column: part_keys(root, cache, namespace) for column, namespace in LATER_COLUMNS.items()}
    cache.close()
    rows = {**_catalog_rows(cache_dir), **{key: value for column in apart for key, value in _catalog_rows(cache_dir, column).items()}}
    assert rows.keys() == {key for key in keys + [key for column in apart.values() for key in column] if key in rows} and rows
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        for number, key in enumerate(keys):
            if key not in rows:
                continue
            part = {**rows[key], **{column: rows[column_keys[number]][column] for column, column_keys in apart.items()}}
            damage(part)
            writes = {key: part, **{column_keys[number]: {**rows[column_keys[number]], column: part.pop(column)}
                                    for column, column_keys in apart.items()}}
            for written, value in writes.items():
                db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(value), written))


def _give_the_problem_file_a_regex(part: dict) -> None:
    for number, problem in enumerate(part["problems"]):
        if problem is not None:
            part["regexes"][number] = "KBTestError"


def _put_a_regex_into_the_shared_fields(part: dict) -> None:
    """The regex field has one home, the part's `regexes` column: shared fields that hold one too are damaged."""
    for fields in part["shared"]:
        if fields is not None:
            fields["regex"] = "KBTestError"


def _wrap_a_regex_wrongly(part: dict) -> None:
    """A regex field that is no string is kept as {"value": ...}; any other dict is damage."""
    for number, problem in enumerate(part["problems"]):
        if problem is None:
            part["regexes"][number] = {"regex": part["regexes"][number]}


def _nest_the_filters_deeply(part: dict) -> None:
    part["filters"] = ["[" * 100_000 + "]" * 100_000 for _ in part["filters"]]


def _break_the_shared_fields(part: dict) -> None:
    """Shared fields of the wrong kind, or holding a regex where the regexes' column has it. (Values of the
    right shape, such as another id for a record without a regex, are served as they are: the cache checks
    the shape of what it reads, as it does everywhere, not its truth.)"""
    for number, regex in enumerate(part["regexes"]):
        part["shared"][number] = [{"id": "someone/else", "regex": None} if regex is not None else "{broken",
                                  "{broken", [1, 2], None][number % 4]


def _break_the_filters(part: dict) -> None:
    for number in range(len(part["paths"])):
        part["filters"][number] = ['[["literal", 2]]', "[[1", "{}", '[{"any": 3}]'][number % 4]


def _break_the_literals(part: dict) -> None:
    part["literals"][:1] = [[[1]]] if part["literals"] else []


def _shorten_the_stats(part: dict) -> None:
    if part["stats"]:
        part["stats"].pop()  # a column of the wrong length: the whole part


@pytest.mark.parametrize("damage", [_break_the_shared_fields, _break_the_filters, _break_the_literals, _shorten_the_stats,
                                    _give_the_problem_file_a_regex, _put_a_regex_into_the_shared_fields, _wrap_a_regex_wrongly,
                                    _nest_the_filters_deeply])
def test_a_damaged_catalog_is_read_from_the_files_again(scene, damage):
    """The catalog keeps its parts as columns; a part holding a value of the wrong kind, a regex field where there
    is none (a file that is no record with a regex; shared fields holding one, which the regexes' column alone
    holds), bad literals or a column of the wrong length is taken from the record files again (its shared
    fields, which `match` reads only of the records a query wakes, then); a filter that does not decode (or is
    nested too deeply to) only rules nothing out. No run fails, now or the next time."""
    root, cache_dir = scene
    message = clean_record()["signature"]
    expected_findings, expected_match = _findings(root, None), _match(root, None, message)
    assert expected_match["matches"]
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files written just before a catalog are read again (same clock tick)
    assert _findings(root, cache_dir) == expected_findings  # keeps the catalog
    _damage_catalog(root, cache_dir, damage)
    for _ in range(2):
        assert _match(root, cache_dir, message) == expected_match
        assert _findings(root, cache_dir) == expected_findings
        assert _findings(root, cache_dir, str(root / "entries" / "tensorflow")) == \
            [finding for finding in expected_findings if finding["path"].startswith("entries/tensorflow/")]
    cache = Cache(cache_dir)
    keys, shared_keys = part_keys(root, cache), part_keys(root, cache, LATER_COLUMNS["shared"])
    cache.close()
    parts, shared = _catalog_rows(cache_dir), _catalog_rows(cache_dir, "shared")
    assert all(isinstance(fields, dict) or problem is not None for key, shared_key in zip(keys, shared_keys)
               for fields, problem in zip(shared[shared_key]["shared"], parts[key]["problems"], strict=True))


def _catalog_rows(cache_dir: Path, column: str = "paths") -> dict[str, dict]:
    """The stored parts of the catalog (with `column` "shared" or "filters", the parts of the column stored apart)."""
    with sqlite3.connect(cache_dir / CACHE_FILE) as db:
        rows = {key: json.loads(value) for key, value in db.execute("SELECT key, value FROM entries")}
    return {key: value for key, value in rows.items() if isinstance(value, dict) and column in value}


@pytest.mark.parametrize("walk_apart", [False, True])
def test_a_full_lint_keeps_the_catalog_that_match_then_reads(scene, monkeypatch, walk_apart):
    """A lint of the whole KB has read every file: it keeps the catalog (each file's status as read), so
    that the next `match` or `lint --changed-since` reads the catalog instead of every file. (A large catalog's
    files are walked and looked at by another process: `walk_apart` makes every catalog large.)"""
    if walk_apart:
        monkeypatch.setattr(catalog, "WALK_APART_CHARACTERS", 0)
    root, cache_dir = scene
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files written just before a catalog are read again (same clock tick)
    _findings(root, cache_dir)
    kept = _catalog_rows(cache_dir)
    entries = [(path, part["stats"][4 * number:4 * number + 4]) for part in kept.values() for number, path in enumerate(part["paths"])]
    files = sorted(path for path in (root / "entries").rglob("*.json"))
    assert sorted(path for path, _ in entries) == sorted(path.relative_to(root).as_posix() for path in files)
    for path, stat in entries:
        info = os.lstat(root / path)
        assert stat == [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    message = clean_record()["signature"]
    expected = _match(root, None, message)
    assert expected["matches"]
    assert _match(root, cache_dir, message) == expected
    assert _catalog_rows(cache_dir) == kept  # up to date: match read no file again and rewrote nothing
    edited = files[0]
    before = edited.read_text(encoding="utf-8")
    edited.write_text(before.replace('"root_cause": "', '"root_cause": "Edited. ', 1), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != before
    assert _match(root, cache_dir, message) == _match(root, None, message)
    assert _catalog_rows(cache_dir) == kept  # a few files out of date are read again next time rather than a part written
    monkeypatch.setattr(catalog, "FEW_OUT_OF_DATE", 0)
    assert _match(root, cache_dir, message) == _match(root, None, message)
    again = _catalog_rows(cache_dir)
    assert again.keys() == kept.keys()
    assert [key for key in kept if again[key] != kept[key]] == [key for key in kept if
                                                                edited.relative_to(root).as_posix() in kept[key]["paths"]]  # only its part is written
    # A lint of one file reads the catalog without its filters (which only match reads), but a part it writes
    # again keeps the filters of the files that did not change.
    filters = {key: part["filters"] for key, part in _catalog_rows(cache_dir, "filters").items()}
    assert len(filters) == len(kept) and any(item != "[]" for filter_list in filters.values() for item in filter_list)
    for edited in files[1:3]:
        edited.write_text(edited.read_text(encoding="utf-8").replace('"root_cause": "', '"root_cause": "Edited. ', 1),
                          encoding="utf-8")
        _findings(root, cache_dir, str(edited))
        assert {key: part["filters"] for key, part in _catalog_rows(cache_dir, "filters").items()} == filters
    assert _catalog_rows(cache_dir) != again


def test_match_reads_the_shared_fields_and_filters_of_the_parts_it_needs_only(scene):
    """For `match`, the catalog reads each stored part's shared fields and literal filters (kept apart) when an
    entry of the part is first asked for one, and then of that part alone; what is read equals what a lint reads."""
    root, cache_dir = scene
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files written just before a catalog are read again (same clock tick)
    _findings(root, cache_dir)
    with Cache(cache_dir) as cache:
        whole = {entry.path: (entry.shared, entry.filter_json) for entry in catalog.load_catalog(root, cache).entries}
        lazy = catalog.load_catalog(root, cache, lazy=True)
        parts = {entry.part for entry in lazy.entries}
        assert len(parts) > 1 and all(entry.stored_shared is catalog.UNREAD and entry.stored_filter is catalog.UNREAD
                                      for entry in lazy.entries)
        first = next(entry for entry in lazy.entries if entry.regex is not None)
        assert first.shared == whole[first.path][0]
        assert {entry.path for entry in lazy.entries if entry.stored_shared is not catalog.UNREAD} == \
            {entry.path for entry in lazy.entries if entry.part == first.part}
        assert all(entry.stored_filter is catalog.UNREAD for entry in lazy.entries)
        lazy.read_all("shared")
        lazy.read_all("filters")
        assert {entry.path: (entry.shared, entry.filter_json) for entry in lazy.entries} == whole


def test_a_catalog_of_records_of_every_shape_is_read_as_kept(scene):
    """A record whose regex is not a string, one whose regex is null and files that are no records are
    kept in the catalog as they are: the next run reads no file again and rewrites no part."""
    root, cache_dir = scene
    base = clean_record()
    write_record(root, changed(base, {"id": "tensorflow/number", "signature": "ZeroDivisionError: number", "regex": 5}))
    write_record(root, {**changed(base, {"id": "tensorflow/null", "signature": "ZeroDivisionError: null"}), "regex": None})
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files written just before a catalog are read again (same clock tick)
    _findings(root, cache_dir)
    kept = _catalog_rows(cache_dir)
    assert {json.dumps(cell) for part in kept.values() for cell in part["regexes"] if isinstance(cell, dict)} \
        >= {'{"value": 5}', '{"value": null}'}
    message = clean_record()["signature"]
    assert _match(root, cache_dir, message) == _match(root, None, message)
    assert _catalog_rows(cache_dir) == kept


def test_the_catalog_a_full_lint_keeps_is_dated_from_before_its_files_were_read(scene):
    """A file changed within two seconds of the catalog's date is read again: every part a full lint keeps
    carries the time the KB's reading began (a later date would let a file changed in the same clock
    tick as its read pass as unchanged)."""
    root, cache_dir = scene
    settings = build_settings(root=root, today=TODAY)
    started = time.time_ns()
    kb = load_knowledge_base(root)
    assert started <= kb.read_ns <= time.time_ns()
    with Cache(cache_dir) as cache:
        check_knowledge_base(kb, settings, cache=cache)
    parts = _catalog_rows(cache_dir).values()
    assert parts and {part["written_ns"] for part in parts} == {kb.read_ns}


def _recalled(root: Path, cache_dir: Path, today: str = TODAY) -> tuple[KnowledgeBase, dict]:
    settings = build_settings(root=root, today=today)
    with Cache(cache_dir) as cache:
        known = recall(settings, record_schema(root), cache)
    assert known is not None
    return known


def test_a_full_lint_remembers_each_files_findings_and_the_next_one_reads_only_what_changed(scene, monkeypatch):
    """The findings of the rules of one file are remembered per file; the next lint of the whole KB reads
    whole only the files that changed, and rules across records still see every record: an edit shows on
    the records it concerns, whether they changed or not. (The files are read, and their findings kept,
    two at a time, and the cache writes as it goes.)"""
    import kbtool.cache
    import kbtool.kb

    for module, name, value in [(kbtool.kb, "FILES_AT_A_TIME", 2), (kbtool.cache, "FLUSH_CHARACTERS", 100)]:
        monkeypatch.setattr(module, name, value)
    root, cache_dir = scene
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)  # files written just before a catalog are read again (same clock tick)
    assert _findings(root, cache_dir) == _findings(root, None)
    kb, recalled = _recalled(root, cache_dir)
    paths = sorted(path.relative_to(root).as_posix() for path in (root / "entries").rglob("*.json"))
    assert sorted(recalled) == paths
    assert all(record.text is None for record in kb.files)  # none was read whole
    assert any(recalled.values())
    base = root / "entries" / "tensorflow" / "broad.json"
    record = json.loads(base.read_text(encoding="utf-8"))
    write_record(root, changed(record, {"id": clean_record()["id"]}), "entries/tensorflow/broad.json")
    expected = _findings(root, None)
    duplicates = {finding["path"] for finding in expected if finding["name"] == "duplicate-id"}
    assert len(duplicates) == 2  # the edited record and the unchanged one whose id it took
    assert _findings(root, cache_dir) == expected
    write_record(root, changed(clean_record(), {"id": "tensorflow/added", "signature": "KeyError: 'added'",
                                                 "regex": "KeyError: 'added'", "signature_zh": None}))
    (root / "entries" / "tensorflow" / "dupe.json").unlink()
    assert _findings(root, cache_dir) == _findings(root, None)
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    assert _findings(root, cache_dir) == _findings(root, None)
    kb, recalled = _recalled(root, cache_dir)
    assert sorted(recalled) == sorted(path.relative_to(root).as_posix() for path in (root / "entries").rglob("*.json"))


#: Damage done to every remembered entry: each leaves a value of the right kind that is not what was stored.
DAMAGE = {
    "findings planted": lambda value: {**value, "findings": [["KB999", "/", 1, 1, "planted", ""]]},
    "finding cut short": lambda value: {**value, "findings": [["KB201"]]},
    "a field planted among the dates": lambda value: {**value, "dates": {**value["dates"], "id": "someone/else"}},
    "positions broken": lambda value: {**value, "placed": [["/id", 0, "1"]]},
    "not an object": lambda value: [value["findings"]],
}


def test_findings_placed_while_their_files_changed_are_not_remembered(scene, monkeypatch):
    """A file saved while a lint runs: the findings of rules across records in it, placed by reading it
    again, land on line 1 in that run, and are not remembered: once its bytes are back as they were, the
    next run places them where they are."""
    import kbtool.lint

    root, cache_dir = scene
    files = sorted((root / "entries").rglob("*.json"))
    saved = {path: path.read_bytes() for path in files}
    reading = kbtool.lint._read_and_check_each_file

    def read_then_saved_again(*args, **kwargs):
        found = reading(*args, **kwargs)
        for path, raw in saved.items():
            path.write_bytes(b"\n\n\n" + raw)
        return found

    monkeypatch.setattr(kbtool.lint, "_read_and_check_each_file", read_then_saved_again)
    during = _findings(root, cache_dir)
    monkeypatch.undo()
    assert any(finding["name"] == "regex-collision" and finding["line"] == 1 for finding in during)
    for path, raw in saved.items():
        path.write_bytes(raw)
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    assert _findings(root, cache_dir) == _findings(root, cache_dir) == _findings(root, None)


@pytest.mark.parametrize("change", ["today", "ignore lifted", "schema", *DAMAGE])
def test_remembered_findings_are_used_only_under_the_settings_and_schema_they_were_found_with(scene, change):
    root, cache_dir = scene
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    if change == "ignore lifted":  # remembered without the schema rule's findings, which must come back
        (root / "pyproject.toml").write_text('[tool.kbtool]\nignore = ["schema"]\n', encoding="utf-8")
    before = _findings(root, None)
    assert _findings(root, cache_dir) == before
    extra: list[str] = []
    if change == "today":
        extra = ["--today", "2031-01-01"]  # every record is stale by then
    elif change == "ignore lifted":
        (root / "pyproject.toml").unlink()
    elif change == "schema":
        schema = json.loads((REPO_ROOT / "schema" / "error-record.schema.json").read_text(encoding="utf-8"))
        schema["properties"]["signature"]["maxLength"] = 20
        (root / "schema").mkdir()
        (root / "schema" / "error-record.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    else:
        with sqlite3.connect(cache_dir / CACHE_FILE) as db:
            damaged = 0
            for key, value in db.execute("SELECT key, value FROM entries").fetchall():
                data = json.loads(value)
                if isinstance(data, dict) and {"findings", "dates", "placed"} <= data.keys():
                    db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(DAMAGE[change](data)), key))
                    damaged += 1
        assert damaged == len(list((root / "entries").rglob("*.json")))
    expected = _findings(root, None, *extra)
    assert (expected == before) == (change in DAMAGE)
    assert _findings(root, cache_dir, *extra) == expected
    assert _findings(root, cache_dir, *extra) == expected
    if change == "today":  # the findings remembered on one day serve the next: only the rules of the date run again
        assert len(_recalled(root, cache_dir, "2031-01-01")[1]) == len(list((root / "entries").rglob("*.json")))


def _across(root: Path, cache_dir: Path) -> list | None:
    """The findings of the rules across records remembered for the KB at `root` as it is now."""
    settings = build_settings(root=root, today=TODAY)
    schema = record_schema(root)
    kb = load_knowledge_base(root)
    with Cache(cache_dir) as cache:
        return recall_across(cache, kb_key(run_key(settings, schema), kb), kb)


def test_a_file_whose_regex_search_overran_its_time_bound_is_not_remembered(scene):
    """What such a search found depends on the machine's load: the file is checked again next time, and
    so are the rules across records."""
    root, cache_dir = scene
    write_record(root, changed(clean_record(), {"id": "tensorflow/slow", "signature": "a" * 40 + "!",
                                                 "regex": "(a+)+$", "signature_zh": None}))
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    findings = _findings(root, cache_dir)
    assert any(finding["name"] == "regex-redos" and finding["path"] == "entries/tensorflow/slow.json" for finding in findings)
    kb, recalled = _recalled(root, cache_dir)
    assert "entries/tensorflow/slow.json" not in recalled
    assert sorted(recalled) == sorted(path.relative_to(root).as_posix() for path in (root / "entries").rglob("*.json")
                                      if path.name != "slow.json")
    assert _across(root, cache_dir) is None
    (root / "entries" / "tensorflow" / "slow.json").unlink()
    _findings(root, cache_dir)
    assert _across(root, cache_dir) is not None


def _set_across(root: Path, cache_dir: Path, value) -> None:
    settings = build_settings(root=root, today=TODAY)
    with Cache(cache_dir) as cache:
        cache.put_many({cache.key(ACROSS, kb_key(run_key(settings, record_schema(root)), load_knowledge_base(root))): value})


def _across_rows(findings: list[dict]) -> list[tuple]:
    """(rule, path, line, column) of the findings of rules across records, from lint's JSON output."""
    across = {code for code, rule in RULES.items() if rule.across_records}
    return sorted((finding["rule"], finding["path"], finding["line"], finding["column"])
                  for finding in findings if finding["rule"] in across)


def test_the_findings_across_records_are_remembered_for_the_kb_as_it_is_and_only_for_it(scene):
    """A lint of the whole KB remembers the findings of the rules across records under a key made of every
    file's path and bytes: the next lint of the same KB takes them (a finding planted there shows), and any
    edit, added or deleted file makes the rules run again."""
    root, cache_dir = scene
    expected = _findings(root, None)
    assert _findings(root, cache_dir) == expected
    remembered = _across(root, cache_dir)
    assert remembered is not None and len(remembered) >= 2  # the collision, the duplicate key's record...
    assert sorted((finding.code, finding.path, finding.line, finding.column) for finding in remembered) == _across_rows(expected)
    planted = ["entries/tensorflow/broad.json", "KB105", "/id", 1, 1, "planted", ""]
    _set_across(root, cache_dir, [planted])
    assert "planted" in [finding["message"] for finding in _findings(root, cache_dir)]
    base = root / "entries" / "tensorflow" / "broad.json"
    base.write_text(base.read_text(encoding="utf-8").replace("went wrong", "went wrong again"), encoding="utf-8")
    assert _findings(root, cache_dir) == _findings(root, None)  # the edit: the rules ran again
    for change in ("added", "deleted"):  # each time to a KB never linted before
        _set_across(root, cache_dir, [planted])
        if change == "added":
            write_record(root, changed(clean_record(), {"id": "tensorflow/extra", "signature": "KeyError: 'extra'",
                                                         "regex": "KeyError: 'extra'", "signature_zh": None}))
        else:
            (root / "entries" / "tensorflow" / "dupe.json").unlink()
        findings = _findings(root, cache_dir)
        assert findings == _findings(root, None) and "planted" not in [finding["message"] for finding in findings]


@pytest.mark.parametrize("damage", [
    {"not": "a list"}, [["entries/tensorflow/broad.json", "KB105"]],
    [["entries/tensorflow/broad.json", "KB201", "/id", 1, 1, "of one file", ""]],
    [["entries/nowhere.json", "KB105", "/id", 1, 1, "no such file", ""]],
    [["entries/tensorflow/broad.json", "KB105", "/id", 0, 1, "m", ""]],
], ids=["not a list", "cut short", "a rule of one file", "no such file", "line 0"])
def test_damaged_findings_across_records_are_not_used(scene, damage):
    root, cache_dir = scene
    expected = _findings(root, None)
    assert _findings(root, cache_dir) == expected
    _set_across(root, cache_dir, damage)
    assert _findings(root, cache_dir) == expected


def test_the_run_key_covers_every_setting_but_the_date():
    """Remembered findings are keyed by every setting but the date of the run (the rules that depend on it
    run on every file): a setting added later is covered, or this fails."""
    root = REPO_ROOT
    base = build_settings(root=root, today=TODAY)
    schema = record_schema(root)
    variants = {
        "root": {"root": root / "entries"},
        "stale_days": {"stale_days": 7},
        "select": {"select": frozenset({"KB101"})},
        "ignore": {"ignore": frozenset({"KB101"})},
        "strict": {"strict": True},
        "severities": {"severities": {"KB101": Severity.WARNING}},
        "suppressions": {"suppressions": (Suppression(0, ("a/*",), ("KB101",), ("invalid-json",), "why"),)},
    }
    assert set(variants) | {"today"} == {field.name for field in dataclasses.fields(Settings)}
    assert run_key(dataclasses.replace(base, today=base.today.replace(year=2030)), schema) == run_key(base, schema)
    keys = {run_key(dataclasses.replace(base, **change), schema) for change in variants.values()}
    assert len(keys) == len(variants) and run_key(base, schema) not in keys
    assert run_key(dataclasses.replace(base), schema) == run_key(base, schema)


def test_a_lint_of_some_files_reads_the_others_from_the_catalog_and_finds_what_no_cache_finds(scene):
    """`kbtool lint PATHS` (the pre-commit hook passes the staged files) reads whole only the files under
    PATHS when the cache holds the KB's catalog; rules across records still see every record."""
    root, cache_dir = scene
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    _findings(root, cache_dir)  # keeps the catalog
    base = root / "entries" / "tensorflow" / "broad.json"
    write_record(root, changed(json.loads(base.read_text(encoding="utf-8")), {"id": clean_record()["id"]}),
                 "entries/tensorflow/broad.json")  # now a duplicate id of an unchanged record
    for paths in (["entries/tensorflow/broad.json"], ["entries/tensorflow"], ["entries"],
                  ["entries/tensorflow/broad.json", "entries/tensorflow/mismatch.json"]):
        named = [str(root / path) for path in paths]
        expected = _findings(root, None, *named)
        assert expected and all(any(finding["path"] == path or finding["path"].startswith(path + "/") for path in paths)
                                for finding in expected)
        assert _findings(root, cache_dir, *named) == expected
    settings = build_settings(root=root, today=TODAY)
    with Cache(cache_dir) as cache:
        result = lint(settings, [base], cache=cache)
    assert [finding.name for finding in result.findings if finding.name == "duplicate-id"] == ["duplicate-id"]
    kb_read = load_knowledge_base(root)
    with Cache(cache_dir) as cache:
        kb = _named_knowledge_base(root, [base], cache)
    assert kb is not None and len(kb.files) == len(kb_read.files)
    assert [record.relative_path for record in kb.files if record.text is not None] == ["entries/tensorflow/broad.json"]
    with Cache(cache_dir) as cache:
        assert _named_knowledge_base(root, [root / "outside.json"], cache) is None
        assert _named_knowledge_base(root, [], cache) is None  # no path: the whole KB, which lint reads otherwise


def test_the_rules_of_the_date_read_only_the_date_fields():
    """The rules that depend on the date of the run run again on every file whose other findings are
    remembered, with only its date fields (`dated_fields`) at hand: each gives, on its own examples, the
    findings it gives with the whole record."""
    root = REPO_ROOT
    schema = record_schema(root)
    dated = [rule for rule in RULES.values() if rule.dated]
    assert {rule.name for rule in dated} == {"stale-entry", "stale-soon", "future-date"}
    for rule in dated:
        for example in (rule.fails, rule.passes):
            data = changed(clean_record(), example.record)
            settings = build_settings(root=root, today=example.today or TODAY)
            context = LintContext(settings=settings, kb=KnowledgeBase(root=root, files=[]), schema=schema, regex=None)
            whole = RecordFile(path=root / "entries" / "x.json", relative_path="entries/x.json", data=data)
            dates = RecordFile(path=whole.path, relative_path=whole.relative_path,
                               data={field: data[field] for field in dated_fields(schema) if field in data})
            problems = list(rule.check(whole, context))
            assert bool(problems) == (example is rule.fails)
            assert list(rule.check(dates, context)) == problems


def test_the_fingerprint_covers_python_and_the_libraries_whose_answers_are_kept():
    """Remembered findings hold schema messages (jsonschema), language decisions (langdetect) and regex
    answers: a new Python or a new version of those libraries must miss, as a new kbtool does."""
    assert set(FINGERPRINTED_LIBRARIES) >= {"jsonschema", "jsonschema_rs", "langdetect", "re2"}
    now = kbtool_fingerprint()
    assert kbtool_fingerprint(python="3.99.0 (another build)") != now
    assert kbtool_fingerprint(libraries=FINGERPRINTED_LIBRARIES[:-1]) != now
    assert kbtool_fingerprint(libraries=(*FINGERPRINTED_LIBRARIES, "no_such_library_here")) != now
    assert kbtool_fingerprint() == now


def test_a_file_name_that_is_not_utf8_keeps_nothing_out_of_the_cache(scene):
    """Python reads such a name with lone surrogates, which the store cannot hold as text: the values that
    name it are kept escaped, and the rest of the run's work is kept as always."""
    root, cache_dir = scene
    name = os.fsdecode(b"caf\xe9.json")
    (root / "entries" / "tensorflow" / name).write_text(
        json.dumps(changed(clean_record(), {"id": "tensorflow/cafe", "signature_zh": None}), ensure_ascii=False), encoding="utf-8")
    time.sleep(RACY_NANOSECONDS / 1e9 + 0.1)
    expected = _findings(root, None)
    assert any(finding["path"] == "entries/tensorflow/" + name for finding in expected)
    assert _findings(root, cache_dir) == expected
    kb, recalled = _recalled(root, cache_dir)
    assert "entries/tensorflow/" + name in recalled
    assert len(recalled) == len(list((root / "entries").rglob("*.json")))
    assert _findings(root, cache_dir) == expected



def test_the_collector_is_paused_while_records_come_from_the_catalog_and_left_as_it_was(scene):
    """Making the records of a KB from its catalog holds Python's cycle collector off and leaves what was made
    out of its later passes; the collector is then on again, or still off when it was off before."""
    root, cache_dir = scene
    _findings(root, cache_dir)  # keeps the catalog
    settings = build_settings(root=root, today=TODAY)
    try:
        for enabled in (True, False):
            gc.unfreeze()
            (gc.enable if enabled else gc.disable)()
            with Cache(cache_dir) as cache:
                kb, _ = recall(settings, record_schema(root), cache)
            assert gc.isenabled() == enabled
            assert gc.get_freeze_count() >= len(kb.files)
    finally:
        gc.unfreeze()
        gc.enable()

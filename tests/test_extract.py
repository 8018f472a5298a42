"""`kbtool extract`: messages found in articles, new and known, candidates written safely, hostile input."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, TODAY, run_kbtool
from kbtool.schema import PACKAGED_SCHEMA, schema_problems

SEED_001 = "articles/why-is-tensorflow-quantization-failing-to-parse-the.md"
SEED_003 = "articles/how-do-i-quantize-a-saved-tensorflow-model.md"
SEED_004 = "articles/why-is-tensorflow-lite-conversion-failing.md"
TFLITE_RECORDS = {"tensorflow/tflite-converter-unsupported-op", "tensorflow/tflite-quantization-range"}
EVAL_ARTICLES = Path(__file__).parent / "extract_eval" / "articles"


@pytest.fixture
def seed_kb(tmp_path: Path) -> Path:
    """A KB with the repo's own records and the three seed articles."""
    shutil.copytree(REPO_ROOT / "entries", tmp_path / "entries")
    shutil.copytree(REPO_ROOT / "articles", tmp_path / "articles")
    return tmp_path


def article(title: str, body: str, article_id: str = "an-article", date: str = "2024-05-01") -> str:
    return f'---\ntitle: "{title}"\ndate: "{date}"\nid: "{article_id}"\n---\n{body}'


def extract_json(root: Path, *args: str) -> dict:
    result = run_kbtool("extract", "--root", root, "--today", TODAY, "--format", "json", *args)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return json.loads(result.stdout)


def by_path(document: dict, path: str) -> dict:
    return next(item for item in document["articles"] if item["path"] == path)


def test_seed_001_yields_exactly_its_three_messages_the_hedged_two_low(seed_kb):
    messages = by_path(extract_json(seed_kb), SEED_001)["messages"]
    assert [(message["signature"], message["confidence"]) for message in messages] == [
        ("ValueError: Cannot quantize node 'MyCustomOp' because it has no registered quantizer.", "high"),
        ("ValueError: Cannot convert a tensor of type <some type> to a tensor of type float16", "low"),
        ("RuntimeError: Quantization failed: representative dataset insufficient", "low"),
    ]
    assert [message["line"] for message in messages] == [39, 59, 83]
    assert all(message["status"] == "new" for message in messages)


def test_seed_003_and_004_give_no_candidate_and_link_the_tflite_records(seed_kb):
    document = extract_json(seed_kb)
    for path in (SEED_003, SEED_004):
        item = by_path(document, path)
        assert item["messages"] == []
        assert set(item["related_entries"]) == TFLITE_RECORDS


def test_article_about_another_library_is_not_linked_to_the_tflite_records(seed_kb):
    shutil.copy(EVAL_ARTICLES / "22_no_message_dataloader.md", seed_kb / "articles")
    item = by_path(extract_json(seed_kb), "articles/22_no_message_dataloader.md")
    assert item["related_entries"] == []


def test_candidates_are_schema_valid_canonical_and_pass_lint_without_errors(seed_kb):
    document = extract_json(seed_kb)
    paths = [message["candidate"] for message in by_path(document, SEED_001)["messages"]]
    assert all(path.startswith("candidates/tensorflow/") for path in paths)
    for path in paths:
        data = json.loads((seed_kb / path).read_text(encoding="utf-8"))
        assert list(schema_problems(data, PACKAGED_SCHEMA)) == []
        assert data["verification_tier"] == "extracted"
        assert data["signature_zh"] == "" and data["root_cause_zh"] == "" and data["workarounds_zh"] == []
        assert data["sources"][0]["path"] == SEED_001 and data["sources"][0]["id"] == "why-is-tensorflow-quantization-failing-to-parse-the"
        assert data["first_seen"] == "2025-01-30"
    lint = run_kbtool("lint", "--root", seed_kb, "--today", TODAY, "--format", "json", seed_kb / "candidates")
    assert lint.exit_code == 0, lint.stdout
    assert json.loads(lint.stdout)["summary"]["errors"] == 0


def test_candidate_keeps_the_articles_explanation_and_fix(seed_kb):
    document = extract_json(seed_kb)
    first = by_path(document, SEED_001)["messages"][0]["candidate"]
    data = json.loads((seed_kb / first).read_text(encoding="utf-8"))
    assert "lacks a quantizer implementation" in data["root_cause"]
    assert data["workarounds"][0]["action"].startswith("The solution usually involves either replacing the custom operation")
    assert data["dead_ends"] == []  # the article names nothing that failed


def test_rerun_with_unchanged_input_changes_nothing(seed_kb):
    first = extract_json(seed_kb)
    files = sorted((seed_kb / "candidates").rglob("*.json"))
    before = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files}
    second = extract_json(seed_kb)
    assert sorted((seed_kb / "candidates").rglob("*.json")) == files
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in files} == before
    assert second == first


def test_existing_different_file_is_never_overwritten(seed_kb):
    target = seed_kb / "candidates/tensorflow/runtimeerror-quantization-failed-representative-dataset.json"
    target.parent.mkdir(parents=True)
    target.write_text('{"note": "a curator\'s file"}\n', encoding="utf-8")
    messages = by_path(extract_json(seed_kb), SEED_001)["messages"]
    assert target.read_text(encoding="utf-8") == '{"note": "a curator\'s file"}\n'
    assert messages[2]["candidate"] == "candidates/tensorflow/runtimeerror-quantization-failed-representative-dataset-2.json"


def test_message_matched_by_an_existing_record_is_known_not_a_candidate(seed_kb):
    (seed_kb / "articles" / "known.md").write_text(article(
        "Converter fails on Cumsum", "The converter stops with\n\n```\nConverterError: Quantization not supported for op "
        "'TopKV2'. Op has no registered quantized kernel.\n```\n"), encoding="utf-8")
    item = by_path(extract_json(seed_kb), "articles/known.md")
    assert [(message["status"], message["entry_id"], message["candidate"]) for message in item["messages"]] == [
        ("known", "tensorflow/tflite-converter-unsupported-op", None)]
    assert "tensorflow/tflite-converter-unsupported-op" in item["related_entries"]


def test_same_message_in_two_articles_is_one_candidate_with_two_sources(kb):
    body = "Training stops:\n\n```\nRuntimeError: CUDA error: an illegal memory access was encountered\n```\n"
    (kb / "articles").mkdir()
    (kb / "articles" / "a.md").write_text(article("PyTorch crash", body, "a"), encoding="utf-8")
    (kb / "articles" / "b.md").write_text(article("PyTorch crash again", body, "b"), encoding="utf-8")
    document = extract_json(kb)
    paths = {message["candidate"] for item in document["articles"] for message in item["messages"]}
    assert len(paths) == 1
    data = json.loads((kb / paths.pop()).read_text(encoding="utf-8"))
    assert [source["id"] for source in data["sources"]] == ["a", "b"]
    assert data["evidence_count"] == 2


def test_dry_run_writes_nothing_and_reports_no_candidate_path(seed_kb):
    document = extract_json(seed_kb, "--dry-run")
    assert not (seed_kb / "candidates").exists()
    assert [message["candidate"] for message in by_path(document, SEED_001)["messages"]] == [None, None, None]
    assert document["summary"] == {"articles": 3, "messages": 3, "new": 3, "known": 0, "skipped": 0}


def test_out_option_writes_domain_slug_files_there(seed_kb, tmp_path):
    out = seed_kb / "review"
    document = extract_json(seed_kb, "--out", out)
    assert by_path(document, SEED_001)["messages"][0]["candidate"].startswith("review/tensorflow/")


def test_author_placeholders_become_wildcards_in_the_regex(kb):
    (kb / "articles").mkdir()
    shutil.copy(EVAL_ARTICLES / "24_placeholders_in_message.md", kb / "articles")
    path = extract_json(kb)["articles"][0]["messages"][0]["candidate"]
    regex = json.loads((kb / path).read_text(encoding="utf-8"))["regex"]
    assert "OPNAME" not in regex and "XXX" not in regex
    assert re.search(regex, "RuntimeError: Encountered unresolved custom op: Cumsum.Node number 7 (Cumsum) failed to prepare.")


def test_text_output_has_the_summary_table_and_known_lines(seed_kb):
    result = run_kbtool("extract", "--root", seed_kb, "--today", TODAY, "--dry-run")
    assert result.exit_code == 0
    assert "Messages found in articles" in result.stdout
    assert "1 high, 2 low" in result.stdout
    assert "no error message quoted; related records" in result.stdout
    assert "3 articles, 3 messages: 3 new, 0 known; 0 skipped" in result.stdout


def test_missing_path_is_a_usage_error(seed_kb):
    result = run_kbtool("extract", "--root", seed_kb, "no-such-folder")
    assert result.exit_code == 2
    assert "no-such-folder: no such file or folder" in result.stderr


BOMB = """---
title: "bomb"
id: "bomb"
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
ValueError: boom
"""

HOSTILE = {
    "bomb.md": (BOMB.encode(), "aliases expand to more than"),
    "python-tag.md": (b'---\ntitle: !!python/object/apply:os.system ["touch /tmp/kbtool-pwned"]\nid: "x"\n---\nbody\n',
                      "YAML tag that is not plain data"),
    "no-front-matter.md": (b"# Just a heading\n\nValueError: nothing\n", "has no front matter"),
    "unclosed-front-matter.md": (b'---\ntitle: "x"\nid: "x"\nbody\n', "no closed front matter"),
    "broken-yaml.md": (b'---\ntitle: "x\nid: [\n---\nbody\n', "not valid YAML"),
    "missing-id.md": (b'---\ntitle: "x"\n---\nbody\n', "has no id"),
    "bad-date.md": (b'---\ntitle: "x"\nid: "x"\ndate: "2024-02-30"\n---\nbody\n', "is not a date"),
    "binary.md": (b"---\ntitle: x\n---\n\x00\x01\x02\xff", "NUL bytes"),
    "deep-yaml.md": (b'---\ntitle: "x"\nid: "x"\na: ' + b"[" * 30000 + b"]" * 30000 + b"\n---\nbody\n",
                     "nested too deeply"),  # would overflow libyaml's C stack
    "latin1.md": ('---\ntitle: "caf\u00e9"\nid: "x"\n---\n'.encode("latin-1"), "not valid UTF-8"),
}


def test_hostile_articles_are_reported_and_skipped_while_good_ones_are_read(kb):
    folder = kb / "articles"
    folder.mkdir()
    for name, (content, _) in HOSTILE.items():
        (folder / name).write_bytes(content)
    (folder / "huge.md").write_bytes(b'---\ntitle: "x"\nid: "x"\n---\n' + b"a" * (2 * 1024 * 1024))
    (folder / "unclosed-fence.md").write_text(article("Unclosed", "```\nKeyError: 'label'\n"), encoding="utf-8")
    (folder / "good.md").write_text(article("Good", "```\nImportError: libGL.so.1: cannot open shared object file\n```\n", "good"),
                                    encoding="utf-8")
    started = time.monotonic()
    result = run_kbtool("extract", "--root", kb, "--today", TODAY, "--format", "json")
    assert time.monotonic() - started < 60  # generous: a YAML bomb must not be expanded
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    document = json.loads(result.stdout)
    problems = {problem["path"].split("/")[-1]: problem for problem in document["problems"]}
    for name, (_, expected) in HOSTILE.items():
        assert expected in problems[name]["message"], (name, problems.get(name))
        assert problems[name]["skipped"] is True
        assert f"articles/{name}:" in result.stderr
    assert "larger than" in problems["huge.md"]["message"]
    assert problems["unclosed-fence.md"]["skipped"] is False and "never closed" in problems["unclosed-fence.md"]["message"]
    signatures = {message["signature"] for item in document["articles"] for message in item["messages"]}
    assert signatures == {"ImportError: libGL.so.1: cannot open shared object file", "KeyError: 'label'"}
    assert document["summary"]["skipped"] == len(HOSTILE) + 1
    assert not Path("/tmp/kbtool-pwned").exists()


def test_pathological_markdown_is_read_in_bounded_time(kb):
    folder = kb / "articles"
    folder.mkdir()
    (folder / "emphasis.md").write_text(article("x", "**a " * 100_000), encoding="utf-8")
    (folder / "brackets.md").write_text(article("x", ">" * 20_000 + " x\n" + "[" * 100_000 + "\n"), encoding="utf-8")
    (folder / "backticks.md").write_text(article("x", "`a " * 100_000), encoding="utf-8")
    started = time.monotonic()
    document = extract_json(kb)
    assert time.monotonic() - started < 60  # generous; these took minutes with inline parsing
    assert document["summary"]["articles"] == 3 and document["summary"]["messages"] == 0


def test_catastrophic_record_regex_cannot_hang_the_known_check(kb):
    record = json.loads((REPO_ROOT / "entries/tensorflow/tflite-quantization-range.json").read_text(encoding="utf-8"))
    record.update(id="python/redos", domain="python", regex="(a+)+$", signature="ValueError: aaaa")
    (kb / "entries" / "python").mkdir()
    (kb / "entries" / "python" / "redos.json").write_text(json.dumps(record), encoding="utf-8")
    (kb / "articles").mkdir()
    (kb / "articles" / "a.md").write_text(article("x", "```\nValueError: " + "a" * 40 + "!\n```\n"), encoding="utf-8")
    started = time.monotonic()
    document = extract_json(kb, "--dry-run")
    assert time.monotonic() - started < 30  # the regex alone would backtrack for hours
    assert [message["status"] for message in document["articles"][0]["messages"]] == ["new"]


def test_new_article_with_another_form_of_a_candidates_message_reuses_its_file(kb):
    (kb / "articles").mkdir()
    # (not `KeyError: 'price'`: with the key a wildcard only `KeyError` would be left, which names no error)
    (kb / "articles" / "b.md").write_text(article("x", "```\nModuleNotFoundError: No module named 'price'\n```\n", "b"),
                                          encoding="utf-8")
    first = extract_json(kb)["articles"][0]["messages"][0]["candidate"]
    (kb / "articles" / "a.md").write_text(article("y", "```\nModuleNotFoundError: No module named 'amount'\n```\n", "a"),
                                          encoding="utf-8")
    document = extract_json(kb)
    assert {message["candidate"] for item in document["articles"] for message in item["messages"]} == {first}
    assert len(list((kb / "candidates").rglob("*.json"))) == 1


def test_progress_bar_goes_to_a_terminal_on_stderr_and_never_into_the_json(kb):
    import os
    import pty
    import subprocess
    import sys

    (kb / "articles").mkdir()
    for number in range(60):
        (kb / "articles" / f"a{number}.md").write_text(article("x", f"```\nKeyError: 'k{number}'\n```\n", f"a{number}"),
                                                       encoding="utf-8")
    parent, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kbtool", "extract", "--root", str(kb), "--dry-run", "--format", "json"],
                               stdout=subprocess.PIPE, stderr=child, env={**os.environ, "TERM": "xterm"})
    os.close(child)
    stdout, _ = process.communicate(timeout=120)
    terminal = b""
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(parent)
    assert json.loads(stdout)["summary"]["articles"] == 60
    assert b"extracting" in terminal

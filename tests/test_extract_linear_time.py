"""`kbtool extract` reads hostile lines in time linear in their length and never overflows the stack.

Each article below holds lines (up to the 8,000 characters a line is cut to) shaped to make a regex with two runs of
spaces that can touch, or a log prefix read again inside its own body, work without end: before, each of them took
a minute or more (an article of such lines up to its 1 MiB, far longer) or made the article fail with a RecursionError ("this is a bug in kbtool"), and its real messages were lost.
The tests assert what is found; a regression makes them hang or fail, never pass. Through the real CLI, on real
article files in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TODAY, run_kbtool

WIDE = 7_900  # a line of about 8,000 characters, the longest kbtool reads


def extract(tmp_path: Path, body: str) -> tuple[int, list[str], str]:
    """Exit code, the messages found and standard error of `kbtool extract --dry-run` over one article."""
    (tmp_path / "entries").mkdir(exist_ok=True)
    (tmp_path / "articles").mkdir(exist_ok=True)
    (tmp_path / "articles" / "a.md").write_text(
        f'---\ntitle: "An article"\ndate: "2024-05-01"\nid: "a"\n---\n{body}', encoding="utf-8")
    result = run_kbtool("extract", "--root", tmp_path, "--today", TODAY, "--format", "json", "--dry-run")
    found = [message["signature"] for item in json.loads(result.stdout or '{"articles": []}')["articles"]
             for message in item["messages"]]
    return result.exit_code, found, result.stderr


def test_data_file_lines_of_spaces_are_read_in_linear_time(tmp_path):
    # A line of a yaml block: spaces, then one character (each took over 30 seconds before).
    lines = "\n".join(" " * WIDE + "x" for _ in range(8))
    body = f"The config:\n\n```yaml\nkey: value\n{lines}\nerror: \"Error: the bucket my-data does not exist\"\n```\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert found == ["Error: the bucket my-data does not exist"]
    assert "bug in kbtool" not in stderr


def test_elision_line_padded_with_spaces_is_read_in_linear_time(tmp_path):
    # `...`, a run of spaces, one character: not a line where the author cut output, and cheap to reject.
    cut = "..." + " " * WIDE + "x"
    body = "Output:\n\n```\n" + "".join(f"Error: connection to host {n} failed badly\n{cut}\n" for n in range(120)) + "```\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert "Error: connection to host 0 failed badly" in found
    assert "Error: connection to host 119 failed badly" in found
    assert "bug in kbtool" not in stderr


def test_heading_with_a_long_run_of_spaces_is_read_in_linear_time(tmp_path):
    headings = "".join(f"## Error a{n}" + " " * WIDE + "b\n\nSome text.\n\n" for n in range(120))
    body = headings + "The job then stops with:\n\n```\nError: the runner lost its connection to the server\n```\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert "Error: the runner lost its connection to the server" in found
    assert "bug in kbtool" not in stderr


def test_introducer_and_unquoted_message_apart_by_a_run_of_spaces_are_read_in_linear_time(tmp_path):
    spaced = "".join("报错" + " " * WIDE + "x\n\n" for _ in range(120))
    body = spaced + "运行时报错 `ValueError: the shape of the input is wrong`\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert found == ["ValueError: the shape of the input is wrong"]
    assert "bug in kbtool" not in stderr


def test_log_prefixes_nested_hundreds_deep_do_not_overflow_the_stack(tmp_path):
    lines = ["[a.c:1] " * 900 + "connection failed to host", "[ERROR] [a:1] " * 600 + "connection failed to host",
             "a.c:1 Error " * 650 + "connection failed to host", "E a.cc:1] " * 800 + "connection failed to host"]
    body = "Output:\n\n```\n" + "\n".join(lines) + "\nError: the server closed the connection\n```\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert "bug in kbtool" not in stderr and "RecursionError" not in stderr
    assert "Error: the server closed the connection" in found


def test_blank_lines_of_a_code_block_do_not_slow_domain_inference(tmp_path):
    # Domain inference looks for imports at the start of each line of a code block; a run of blank lines is read once.
    body = "Output:\n\n```\nValueError: the array is empty\n" + " \n" * 200_000 + "```\n"
    code, found, stderr = extract(tmp_path, body)
    assert code == 0, stderr
    assert found == ["ValueError: the array is empty"]

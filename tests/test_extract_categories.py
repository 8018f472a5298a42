"""`kbtool extract` on the kinds of message and layout real articles have, one behaviour per test, through the real CLI
on real article files in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import REPO_ROOT, TODAY, run_kbtool
from conftest import extracted_signatures as signatures


# --- messages without an exception-style prefix ------------------------------------------------------------

def test_loader_error_alone_in_a_code_block_is_a_message(tmp_path):
    body = "Importing fails:\n\n```\nlibcudnn.so.8: cannot open shared object file: No such file or directory\n```\n"
    assert signatures(tmp_path, body) == ["libcudnn.so.8: cannot open shared object file: No such file or directory"]


def test_shell_and_signal_messages_are_found(tmp_path):
    body = "```\n$ conda activate\nzsh: command not found: conda\n$ python run.py\nIllegal instruction (core dumped)\n```\n"
    assert signatures(tmp_path, body) == ["zsh: command not found: conda", "Illegal instruction (core dumped)"]


def test_console_line_that_states_a_failure_in_words_is_a_message(tmp_path):
    body = "The driver is too old:\n\n```\nCUDA driver version is insufficient for CUDA runtime version\n```\n"
    assert signatures(tmp_path, body) == ["CUDA driver version is insufficient for CUDA runtime version"]


def test_go_panic_go_log_line_and_docker_daemon_error_are_found(tmp_path):
    body = ("```\npanic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.main()\n```\n\n"
            "```\n2024/01/10 08:00:01 open config.yaml: no such file or directory\n```\n\n"
            "```\ndocker: Error response from daemon: driver failed: Bind for 0.0.0.0:80 failed: port is already allocated.\n```\n")
    assert signatures(tmp_path, body) == [
        "panic: assignment to entry in nil map",
        "2024/01/10 08:00:01 open config.yaml: no such file or directory",
        "docker: Error response from daemon: driver failed: Bind for 0.0.0.0:80 failed: port is already allocated.",
    ]


def test_warning_line_is_a_message_only_when_it_reports_a_failure(tmp_path):
    body = ("```\nWARNING: Your kernel does not support swap limit capabilities. Limitation discarded.\n"
            "WARNING: the cache is warm\n```\n")
    assert signatures(tmp_path, body) == ["WARNING: Your kernel does not support swap limit capabilities. Limitation discarded."]


def test_rust_panic_takes_its_message_from_the_next_line(tmp_path):
    body = "```\nthread 'main' panicked at src/main.rs:2:5:\ncrash and burn\nnote: run with `RUST_BACKTRACE=1`\n```\n"
    assert signatures(tmp_path, body) == ["thread 'main' panicked at src/main.rs:2:5:\ncrash and burn"]


# --- where the message ends ---------------------------------------------------------------------------------

def test_rustc_location_line_is_not_part_of_the_signature(tmp_path):
    body = "```\nerror[E0308]: mismatched types\n --> src/main.rs:4:20\n  |\n```\n"
    assert signatures(tmp_path, body) == ["error[E0308]: mismatched types"]


def test_java_stack_frame_is_not_part_of_the_signature(tmp_path):
    body = ("```\nUncaught (in promise) CallError: Failed to create call agent\n    at toCallError (CallContext.ts:739:16)\n```\n")
    assert signatures(tmp_path, body) == ["Uncaught (in promise) CallError: Failed to create call agent"]


def test_an_npm_error_block_is_one_message(tmp_path):
    body = ("```\nnpm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR!\n"
            "npm ERR! Found: react@18.2.0\nnpm ERR! node_modules/react\n```\n")
    assert signatures(tmp_path, body) == [
        "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR!\n"
        "npm ERR! Found: react@18.2.0\nnpm ERR! node_modules/react"]


def test_hard_wrapped_console_message_is_taken_whole(tmp_path):
    body = ("Docker fails to start with:\n\n```text\nunable to configure the Docker daemon with file /etc/docker/daemon.json:\n"
            "the following directives are specified both as a flag and in the configuration\nfile: hosts\n```\n")
    assert signatures(tmp_path, body) == [
        "unable to configure the Docker daemon with file /etc/docker/daemon.json:\n"
        "the following directives are specified both as a flag and in the configuration\nfile: hosts"]


def test_a_list_of_messages_one_a_line_gives_one_message_each(tmp_path):
    body = "```\n    TypeError: 'x' is not iterable (Firefox, Chrome)\n    TypeError: Math is not a constructor\n```\n"
    assert signatures(tmp_path, body) == ["TypeError: 'x' is not iterable", "TypeError: Math is not a constructor"]


# --- where the message stands ---------------------------------------------------------------------------------

def test_message_quoted_in_prose_as_the_error_is_found_without_a_prefix(tmp_path):
    body = ('If you get the error "Java runtime could not be located", set JAVA_HOME.\n\n'
            "### Q: 源码编译时，报错`MD5 does not match`，应该怎么办？\n")
    assert signatures(tmp_path, body) == ["Java runtime could not be located", "MD5 does not match"]


def test_inline_code_that_is_not_presented_as_an_error_is_not_a_message(tmp_path):
    body = "Return `Box<dyn Error>` or `std::io::Error` from `main`; run `pip install --upgrade pip` to fix it.\n"
    assert signatures(tmp_path, body) == []


def test_unquoted_message_after_error_colon_in_prose(tmp_path):
    body = "If you use openssh-server, you may see this error: The file cannot be accessed by the system.\n"
    assert signatures(tmp_path, body) == ["The file cannot be accessed by the system."]


def test_heading_that_is_a_message_explained_below_is_found_and_a_problem_heading_is_not(tmp_path):
    body = ("## Cannot find a class with the main method\n### Reason:\nNo main class.\n\n"
            "## Running Windows commands fails inside a distribution\n\nText.\n\n"
            "- **WslRegisterDistribution failed with error 0x8007019e**\n  - Enable the optional component.\n")
    assert signatures(tmp_path, body) == ["Cannot find a class with the main method",
                                          "WslRegisterDistribution failed with error 0x8007019e"]


def test_pre_in_an_html_table_cell_is_one_message_with_its_placeholder(tmp_path):
    body = ("<table>\n<tr>\n  <td><a href=\"https://stackoverflow.com/q/1\">1</a></td>\n"
            "  <td><pre>Error importing tensorflow. Unless you are using bazel, you should\n"
            "  not try to import tensorflow from its source directory</pre></td>\n</tr>\n</table>\n")
    assert signatures(tmp_path, body) == [
        "Error importing tensorflow. Unless you are using bazel, you should\nnot try to import tensorflow from its source directory"]


def test_message_only_in_the_title_is_found(tmp_path):
    assert signatures(tmp_path, "Some text without the message.\n", title="zsh: command not found: conda") == [
        "zsh: command not found: conda"]


def test_heading_paraphrase_with_a_placeholder_joins_the_literal_message(tmp_path):
    body = ("## ValueError: Unrecognized configuration class XYZ for this kind of AutoModel\n\n"
            "```\nValueError: Unrecognized configuration class <class 'GPT2Config'> for this kind of AutoModel: AutoModelForQA.\n```\n")
    assert signatures(tmp_path, body) == [
        "ValueError: Unrecognized configuration class <class 'GPT2Config'> for this kind of AutoModel: AutoModelForQA."]


def test_a_truncated_copy_does_not_make_other_messages_duplicates(tmp_path):
    body = ("```\nRuntimeError: CUDA error: ...\n```\n\n```\nRuntimeError: CUDA error: out of memory\n```\n\n"
            "```\nRuntimeError: CUDA error: an illegal memory access was encountered\n```\n")
    found = signatures(tmp_path, body)
    assert "RuntimeError: CUDA error: out of memory" in found
    assert "RuntimeError: CUDA error: an illegal memory access was encountered" in found


# --- candidate content ------------------------------------------------------------------------------------------

def test_root_cause_is_not_taken_from_the_question(tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text(
        '---\ntitle: "Pandas KeyError"\ndate: "2024-05-01"\nid: "a"\n---\n'
        "The column is right there in my frame and I print it before the call.\n\n"
        "```\nKeyError: 'price_usd'\n```\n", encoding="utf-8")
    result = run_kbtool("extract", "--root", tmp_path, "--today", TODAY, "--format", "json")
    candidate = json.loads(result.stdout)["articles"][0]["messages"][0]["candidate"]
    assert json.loads((tmp_path / candidate).read_text(encoding="utf-8"))["root_cause"] == ""


# --- --add-sources -----------------------------------------------------------------------------------------------

def _kb_with_a_known_article(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "entries", tmp_path / "entries")
    (tmp_path / "articles").mkdir()
    signature = json.loads((tmp_path / "entries/tensorflow/tflite-quantization-range.json").read_text())["signature"]
    (tmp_path / "articles" / "k.md").write_text(
        '---\ntitle: "Quantization fails"\ndate: "2024-05-01"\nid: "k"\nsource_url: "https://example.org/q/1"\n---\n'
        f"I get:\n\n```\n{signature}\n```\n", encoding="utf-8")
    return tmp_path / "entries/tensorflow/tflite-quantization-range.json"


def test_add_sources_adds_the_article_to_the_known_record_and_bumps_last_updated_only(tmp_path):
    record_path = _kb_with_a_known_article(tmp_path)
    before = json.loads(record_path.read_text(encoding="utf-8"))
    result = run_kbtool("extract", "--root", tmp_path, "--today", "2026-12-01", "--add-sources")
    assert result.exit_code == 0, result.stdout + result.stderr
    after = json.loads(record_path.read_text(encoding="utf-8"))
    assert after["sources"] == before.get("sources", []) + [
        {"path": "articles/k.md", "id": "k", "line": 10, "url": "https://example.org/q/1"}]
    assert after["last_updated"] == "2026-12-01"
    assert {key: value for key, value in after.items() if key not in ("sources", "last_updated")} == \
           {key: value for key, value in before.items() if key not in ("sources", "last_updated")}
    again = run_kbtool("extract", "--root", tmp_path, "--today", "2026-12-02", "--add-sources")
    assert again.exit_code == 0 and json.loads(record_path.read_text(encoding="utf-8")) == after


def test_without_add_sources_the_known_record_is_only_reported(tmp_path):
    record_path = _kb_with_a_known_article(tmp_path)
    before = record_path.read_bytes()
    result = run_kbtool("extract", "--root", tmp_path, "--today", "2026-12-01")
    assert result.exit_code == 0 and "known: tensorflow/tflite-quantization-range" in result.stdout
    assert record_path.read_bytes() == before

"""`kbtool new-entry`: from an error message to a schema-valid record skeleton."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kbtool.cli import app
from kbtool.schema import PACKAGED_SCHEMA, schema_problems

FIXTURES = Path(__file__).parent / "fixtures" / "seeds"
CUDA_OOM = "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)"
TODAY = "2026-11-23"
#: The signature of the seed record tensorflow/tflite-quantization-range, whose regex is literal.
KNOWN = "ValueError: Quantization range (min, max) not supported for op 'CONV_2D' with input type float32 and output type uint8"


@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    """A KB holding the two seed records (tensorflow/tflite-converter-unsupported-op, tensorflow/tflite-quantization-range)."""
    root = tmp_path / "kb"
    folder = root / "entries" / "tensorflow"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "000_tflite_converter_unsupported_op.json", folder / "tflite-converter-unsupported-op.json")
    shutil.copy(FIXTURES / "002_tflite_quantization_range.json", folder / "tflite-quantization-range.json")
    return root


def run(root: Path, *args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(app, ["new-entry", "--root", str(root), "--today", TODAY, *args], input=input,
                              env=env)


def new_files(root: Path, before: set[Path]) -> list[Path]:
    return sorted(set(root.rglob("*.json")) - before)


def written_record(root: Path, domain: str) -> dict:
    files = sorted((root / "entries" / domain).glob("*.json"))
    assert len(files) == 1
    return json.loads(files[0].read_text(encoding="utf-8"))


# --- what new-entry promises ----------------------------------------------------------------------

def test_cuda_signature_gives_a_schema_valid_record(kb):
    result = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    assert result.exit_code == 0, result.output
    assert list(schema_problems(written_record(kb, "pytorch"), PACKAGED_SCHEMA)) == []


def test_cuda_record_regex_matches_the_message_and_other_sizes_and_gpus(kb):
    run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    regex = written_record(kb, "pytorch")["regex"]
    variants = [CUDA_OOM,
                "RuntimeError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 1; 23.69 GiB total capacity)",
                "RuntimeError: CUDA out of memory. Tried to allocate 20 MiB (GPU 7; 79.15 GiB total capacity; 3.1 GiB free)"]
    assert all(re.search(regex, variant) for variant in variants)


def test_cuda_record_regex_does_not_match_a_different_cuda_error(kb):
    run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    regex = written_record(kb, "pytorch")["regex"]
    assert re.search(regex, "RuntimeError: CUDA error: an illegal memory access was encountered") is None


def test_new_record_has_todays_dates_and_the_scaffold_values(kb):
    run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    record = written_record(kb, "pytorch")
    assert (record["first_seen"], record["last_confirmed"], record["last_updated"], record["locale"],
            record["verification_tier"], record["signature"], record["id"]) == \
        (TODAY, TODAY, TODAY, "en", "community", CUDA_OOM, "pytorch/cuda-out-of-memory-tried-to-allocate-gpu")


def test_new_record_is_written_in_canonical_form(kb):
    from kbtool.canonical import canonical_text

    run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    path = next((kb / "entries" / "pytorch").glob("*.json"))
    text = path.read_text(encoding="utf-8")
    assert text == canonical_text(json.loads(text))


def test_today_comes_from_the_environment_when_no_flag_is_given(kb):
    result = CliRunner().invoke(app, ["new-entry", "--root", str(kb), "--signature", CUDA_OOM, "--domain", "pytorch"],
                                env={"KBTOOL_TODAY": "2025-01-30"})
    assert result.exit_code == 0, result.output
    assert written_record(kb, "pytorch")["first_seen"] == "2025-01-30"


def test_running_twice_refuses_the_second_time_with_the_first_records_id(kb):
    run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    second = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    assert second.exit_code == 1
    assert "pytorch/cuda-out-of-memory-tried-to-allocate-gpu" in second.stderr
    assert len(list((kb / "entries" / "pytorch").glob("*.json"))) == 1


def test_signature_an_existing_record_recognises_is_refused_with_its_id(kb):
    before = set(kb.rglob("*.json"))
    result = run(kb, "--signature", KNOWN, "--domain", "tensorflow")
    assert result.exit_code == 1
    assert "tensorflow/tflite-quantization-range" in result.stderr and "--force" in result.stderr
    assert new_files(kb, before) == []


def test_explicit_slug_of_an_existing_file_is_refused_and_the_file_is_untouched(kb):
    existing = kb / "entries" / "tensorflow" / "tflite-converter-unsupported-op.json"
    original = existing.read_bytes()
    result = run(kb, "--signature", "ValueError: something else entirely happened here", "--domain", "tensorflow",
                 "--slug", "tflite-converter-unsupported-op")
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert existing.read_bytes() == original


def test_derived_slug_is_unique_within_the_domain(kb):
    run(kb, "--signature", "ValueError: model failed to load from checkpoint", "--domain", "keras")
    result = run(kb, "--signature", "ValueError: model failed to load from checkpoint file", "--domain", "keras",
                 "--force")
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (kb / "entries" / "keras").glob("*.json"))
    assert len(names) == 2 and len(set(names)) == 2


# --- --force: a deliberately separate variant ------------------------------------------------------------

VARIANT = KNOWN + " (per-channel)"


def test_force_writes_the_variant_linked_to_the_existing_record(kb):
    result = run(kb, "--signature", VARIANT, "--domain", "tensorflow", "--slug",
                 "tflite-quantization-range-per-channel", "--force")
    assert result.exit_code == 0, result.output
    new = json.loads((kb / "entries/tensorflow/tflite-quantization-range-per-channel.json").read_text(encoding="utf-8"))
    assert new["transition_graph"]["frequently_confused_with"] == [{"error_id": "tensorflow/tflite-quantization-range"}]


def test_force_links_the_existing_record_back_and_keeps_all_its_other_content(kb):
    path = kb / "entries/tensorflow/tflite-quantization-range.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    run(kb, "--signature", VARIANT, "--domain", "tensorflow", "--slug",
        "tflite-quantization-range-per-channel", "--force")
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["transition_graph"].pop("frequently_confused_with") == [{"error_id": "tensorflow/tflite-quantization-range-per-channel"}]
    before["transition_graph"].pop("frequently_confused_with")
    assert after.pop("last_updated") == TODAY  # the link is a change: last_updated moves to today
    before.pop("last_updated")
    assert after == before


def test_force_does_not_rewrite_an_existing_record_with_duplicate_keys(kb):
    path = kb / "entries/tensorflow/tflite-quantization-range.json"
    text = path.read_text(encoding="utf-8").replace('"tags": [],', '"tags": [],\n  "tags": ["kept"],', 1)
    path.write_text(text, encoding="utf-8")
    result = run(kb, "--signature", VARIANT, "--domain", "tensorflow", "--force")
    assert result.exit_code == 1 and "could lose data" in result.stderr
    assert path.read_text(encoding="utf-8") == text


# --- --dry-run ---------------------------------------------------------------------------------------------

def test_dry_run_prints_the_record_and_writes_nothing(kb):
    before = set(kb.rglob("*"))
    result = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch", "--dry-run")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["signature"] == CUDA_OOM
    assert set(kb.rglob("*")) == before


# --- standard input -------------------------------------------------------------------------------------

TRACEBACK = f"""Traceback (most recent call last):
  File "/home/me/train.py", line 42, in <module>
    loss.backward()
  File "/usr/lib/python3.11/site-packages/torch/_tensor.py", line 522, in backward
    torch.autograd.backward(
{CUDA_OOM}
"""


def test_signature_from_stdin_takes_the_final_error_line_of_a_traceback(kb):
    result = run(kb, "--signature", "-", "--domain", "pytorch", input=TRACEBACK)
    assert result.exit_code == 0, result.output
    assert written_record(kb, "pytorch")["signature"] == CUDA_OOM


def test_signature_from_stdin_says_which_line_it_took(kb):
    result = run(kb, "--signature", "-", "--domain", "pytorch", input=TRACEBACK)
    assert "took the exception line of the last traceback (line 6" in result.stderr


def test_signature_from_stdin_without_domain_is_a_usage_error(kb):
    result = run(kb, "--signature", "-", input=TRACEBACK)
    assert result.exit_code == 2 and "--domain is required" in result.stderr


def test_empty_stdin_is_a_usage_error(kb):
    result = run(kb, "--signature", "-", "--domain", "pytorch", input="\n\n")
    assert result.exit_code == 2 and "standard input is empty" in result.stderr


# --- prompts ------------------------------------------------------------------------------------------------

def test_missing_values_are_prompted_for_when_interactive(kb):
    result = run(kb, "--interactive", input=f"{CUDA_OOM}\npytorch\n")
    assert result.exit_code == 0, result.output
    assert written_record(kb, "pytorch")["signature"] == CUDA_OOM


def test_an_invalid_domain_typed_at_the_prompt_is_asked_again(kb):
    result = run(kb, "--interactive", input=f"{CUDA_OOM}\n../escape\npytorch\n")
    assert result.exit_code == 0, result.output
    assert "outside entries" in result.stderr and written_record(kb, "pytorch")["domain"] == "pytorch"


def test_missing_signature_without_a_terminal_is_a_usage_error(kb):
    result = run(kb, "--domain", "pytorch")
    assert result.exit_code == 2 and "--signature is missing" in result.stderr


def test_missing_domain_without_a_terminal_is_a_usage_error(kb):
    result = run(kb, "--signature", CUDA_OOM)
    assert result.exit_code == 2 and "--domain is missing" in result.stderr


def test_prompts_appear_in_a_real_terminal(kb):
    """Run the real command in a pseudo-terminal: standard input is a terminal, so it asks."""
    main_fd, child_fd = os.openpty()
    environment = {**os.environ, "KBTOOL_TODAY": TODAY}
    process = subprocess.Popen([sys.executable, "-m", "kbtool", "new-entry", "--root", str(kb)],
                               stdin=child_fd, stdout=child_fd, stderr=child_fd, env=environment, close_fds=True)
    os.close(child_fd)
    output = b""
    answers = [f"{CUDA_OOM}\n".encode(), b"pytorch\n"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main_fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main_fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if answers and output.rstrip().endswith(b":"):
                os.write(main_fd, answers.pop(0))
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(main_fd)
    assert process.returncode == 0, output.decode(errors="replace")
    assert b"Error message" in output and b"Domain" in output
    assert written_record(kb, "pytorch")["signature"] == CUDA_OOM


# --- names that would escape entries/ ------------------------------------------------------------------

@pytest.mark.parametrize("option, value", [
    ("--domain", "../outside"), ("--domain", "/tmp/abs"), ("--domain", "a/b"), ("--domain", ".."),
    ("--domain", "..\\win"), ("--domain", "PyTorch"), ("--domain", ""),
    ("--slug", "../../escape"), ("--slug", "x/../../y"), ("--slug", ".hidden"), ("--slug", "/etc/passwd"),
    ("--slug", "Has Spaces"),
])
def test_a_name_that_escapes_entries_or_breaks_the_id_is_a_usage_error_and_writes_nothing(kb, option, value):
    before = set(kb.parent.rglob("*"))
    arguments = ["--signature", CUDA_OOM, "--domain", "pytorch", option, value]
    result = run(kb, *arguments)
    assert result.exit_code == 2, result.output
    assert set(kb.parent.rglob("*")) == before


def test_a_domain_folder_that_is_a_link_out_of_the_kb_is_not_written_through(kb, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (kb / "entries" / "pytorch").symlink_to(outside, target_is_directory=True)
    result = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    assert result.exit_code == 1
    assert list(outside.iterdir()) == []


def test_a_record_regex_that_backtracks_forever_does_not_hang_the_collision_check(kb):
    folder = kb / "entries" / "slow"
    folder.mkdir()
    slow = json.loads((FIXTURES / "000_tflite_converter_unsupported_op.json").read_text(encoding="utf-8"))
    slow.update(id="slow/catastrophic", domain="slow", regex="(a+)+$")
    (folder / "catastrophic.json").write_text(json.dumps(slow), encoding="utf-8")
    signature = "ValueError: " + "a" * 40 + "!"
    completed = subprocess.run([sys.executable, "-m", "kbtool", "new-entry", "--root", str(kb), "--today", TODAY,
                                "--signature", signature, "--domain", "pytorch"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "ran out of time" in completed.stdout


# --- what the contributor reads, and the category ------------------------------------------------------

def test_report_lists_the_content_still_to_write_and_the_next_steps(kb):
    result = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch")
    for expected in ("root_cause:", "workarounds:", "dead_ends:", "signature_zh, root_cause_zh, workarounds_zh",
                     "next steps:", f"kbtool lint {kb / 'entries/pytorch/cuda-out-of-memory-tried-to-allocate-gpu.json'}"):
        assert expected in result.stdout  # the path as typed where kbtool ran (here, outside the KB)


def test_category_is_guessed_from_a_pip_message(kb):
    run(kb, "--signature", "ERROR: Could not find a version that satisfies the requirement torch==9.9 "
                           "(from versions: none)", "--domain", "pip")
    assert written_record(kb, "pip")["category"] == "install_error"


def test_category_that_is_not_snake_case_is_a_usage_error(kb):
    result = run(kb, "--signature", CUDA_OOM, "--domain", "pytorch", "--category", "Runtime Error")
    assert result.exit_code == 2 and "snake_case" in result.stderr

"""`kbtool match`: from an error message or a log to the records that recognise it."""

from __future__ import annotations

import json

from conftest import curated_record, run_kbtool, write_record

MESSAGE = "ValueError: Quantization range (min, max) not supported for op 'DEPTHWISE_CONV_2D' with input type float32 and output type int8"


def test_a_message_finds_its_record_with_advice(kb):
    write_record(kb, curated_record())
    write_record(kb, curated_record("tensorflow/tflite-converter-unsupported-op"))
    result = run_kbtool("match", MESSAGE, "--root", kb)
    assert result.exit_code == 0
    assert result.stdout.startswith("tensorflow/tflite-quantization-range ")
    assert "don't:" in result.stdout and "do:" in result.stdout
    assert "tflite-converter-unsupported-op" not in result.stdout


def test_a_log_on_standard_input_is_searched_whole(kb):
    write_record(kb, curated_record())
    log = "Traceback (most recent call last):\n  File \"convert.py\", line 3, in <module>\n" + MESSAGE + "\n"
    result = run_kbtool("match", "--root", kb, "--format", "json", input=log)
    document = json.loads(result.stdout)
    assert [match["entry_id"] for match in document["matches"]] == ["tensorflow/tflite-quantization-range"]


def test_a_log_file_is_read(kb, tmp_path):
    write_record(kb, curated_record())
    log = tmp_path / "build.log"
    log.write_text("step 1 ok\n" + MESSAGE + "\n", encoding="utf-8")
    assert run_kbtool("match", "--root", kb, "--file", log).exit_code == 0


def test_no_match_exits_1(kb):
    write_record(kb, curated_record())
    result = run_kbtool("match", "RuntimeError: CUDA error: device-side assert triggered", "--root", kb)
    assert result.exit_code == 1 and "0 matching records" in result.stdout


def test_a_catastrophic_regex_is_skipped_and_named(kb):
    write_record(kb, curated_record())
    evil = curated_record()
    evil["id"] = "tensorflow/evil"
    evil["regex"] = "(a+)+$"
    write_record(kb, evil)
    result = run_kbtool("match", "a" * 40 + "!", "--root", kb)
    assert result.exit_code == 1
    assert "tensorflow/evil" in result.stderr and "too long" in result.stderr


def test_unreadable_records_are_counted_not_fatal(kb):
    write_record(kb, curated_record())
    (kb / "entries" / "tensorflow" / "broken.json").write_text("{", encoding="utf-8")
    result = run_kbtool("match", MESSAGE, "--root", kb)
    assert result.exit_code == 0 and "1 record file(s) could not be read" in result.stderr


def test_empty_message_and_both_inputs_are_usage_errors(kb, tmp_path):
    assert run_kbtool("match", "   ", "--root", kb).exit_code == 2
    log = tmp_path / "x.log"
    log.write_text("x")
    assert run_kbtool("match", "x", "--file", log, "--root", kb).exit_code == 2

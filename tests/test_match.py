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
    assert result.stdout.startswith("== line 1: ValueError: Quantization range")
    assert result.stdout.splitlines()[2].startswith("tensorflow/tflite-quantization-range ")
    assert "don't:" in result.stdout and "do:" in result.stdout and "how:" in result.stdout
    assert "tflite-converter-unsupported-op" not in result.stdout


def test_a_log_on_standard_input_is_searched_line_by_line(kb):
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
    assert result.exit_code == 1 and "no record recognises this message" in result.stdout
    assert "kbtool new-entry --signature" in result.stdout


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


# --- the index, the ranking, logs and batches -------------------------------------------------------

def _record(entry_id: str, signature: str, regex: str) -> dict:
    record = curated_record()
    record.update(id=entry_id, domain=entry_id.split("/")[0], signature=signature, regex=regex, aliases=[])
    record.pop("transition_graph", None)
    return record


def test_the_record_anchored_on_the_errors_own_words_comes_first(kb):
    write_record(kb, _record("pytorch/cuda-oom", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
                             r"CUDA out of memory\. Tried to allocate \d[\d.]* ?[KMG]iB"))
    write_record(kb, _record("cicd/pipeline-oom", "Container 'build' exceeded memory limit: out of memory",
                             r"(?i)out of memory"))
    result = run_kbtool("match", "--root", kb, "--format", "json",
                        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB")
    assert [match["entry_id"] for match in json.loads(result.stdout)["matches"]] == ["pytorch/cuda-oom", "cicd/pipeline-oom"]


def test_the_error_line_of_a_log_outranks_the_chatter_around_it(kb):
    write_record(kb, _record("pytorch/cuda-oom", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
                             r"CUDA out of memory\. Tried to allocate"))
    write_record(kb, _record("culture/thai-wai", "AI tells someone in Thailand to skip the Wai greeting", r"(?i)wai"))
    log = ("wandb: Waiting for W&B process to finish... (success).\n"
           "Epoch 1/10: 100%|##########| 469/469 [00:12<00:00, 38.1it/s]\n"
           "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.79 GiB total capacity)\n"
           "wandb: Waiting for W&B process to finish... (failed 1).\n")
    document = json.loads(run_kbtool("match", "--root", kb, "--format", "json", input=log).stdout)
    assert [(match["entry_id"], match["line"]) for match in document["matches"]] == [("pytorch/cuda-oom", 3),
                                                                                     ("culture/thai-wai", 1)]
    assert document["matches"][0]["matched"] == "CUDA out of memory. Tried to allocate"


def test_batch_matches_every_query_in_one_process_as_json_lines(kb, tmp_path):
    write_record(kb, curated_record())
    queries = tmp_path / "queries.txt"
    queries.write_text(MESSAGE + "\nnothing to see here\n\n" + MESSAGE.replace("DEPTHWISE_CONV_2D", "ADD") + "\n",
                       encoding="utf-8")
    result = run_kbtool("match", "--root", kb, "--batch", queries)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and [line["query"] for line in lines] == [1, 2, 3]
    assert [[match["entry_id"] for match in line["matches"]] for line in lines] == [
        ["tensorflow/tflite-quantization-range"], [], ["tensorflow/tflite-quantization-range"]]
    assert all(line["milliseconds"] >= 0 for line in lines)


def test_batch_paragraphs_are_one_query_each(kb, tmp_path):
    write_record(kb, curated_record())
    queries = tmp_path / "logs.txt"
    queries.write_text("step 1 ok\n" + MESSAGE + "\n\nstep 1 ok\nall good\n", encoding="utf-8")
    lines = [json.loads(line) for line in run_kbtool("match", "--root", kb, "--batch", queries, "--paragraphs").stdout.splitlines()]
    assert [(line["query"], [match["line"] for match in line["matches"]]) for line in lines] == [(1, [2]), (2, [])]


def test_no_match_lists_the_closest_records(kb):
    write_record(kb, curated_record())
    document = json.loads(run_kbtool("match", "--root", kb, "--format", "json",
                                     "Quantization range not supported for this model").stdout)
    assert document["matches"] == [] and [item["entry_id"] for item in document["closest"]] == [
        "tensorflow/tflite-quantization-range"]


def test_paragraphs_without_batch_is_a_usage_error(kb):
    result = run_kbtool("match", "--root", kb, "--paragraphs", MESSAGE)
    assert result.exit_code == 2 and "--paragraphs goes with --batch" in result.stderr


def test_match_reads_no_configuration(kb):
    """A broken [tool.kbtool] stops a lint (it would change what lint checks) but not a lookup, which uses none of it."""
    write_record(kb, curated_record())
    (kb / "pyproject.toml").write_text("[tool.kbtool]\nstale-dayz = 30\n", encoding="utf-8")
    lint = run_kbtool("lint", "--root", kb)
    assert lint.exit_code == 2 and "stale-dayz" in lint.stderr
    assert run_kbtool("match", MESSAGE, "--root", kb).exit_code == 0

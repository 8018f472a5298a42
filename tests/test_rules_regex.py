"""The regex rules (KB203-KB208): each fires on a defective record and stays silent on its near miss."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import curated_record, findings_of, lint_json, write_record


def record_with(record_id: str, signature: str, regex: str, **fields) -> dict:
    """The curated record with another id, message and regex (and no error code, which must be unique)."""
    record = curated_record()
    record.update(id=record_id, domain=record_id.split("/")[0], signature=signature, regex=regex, error_code=None)
    record.update(fields)
    return record


def lint_records(kb, *records) -> dict:
    for record in records:
        write_record(kb, record)
    return lint_json(kb)


# alias-mismatch
def test_alias_mismatch_reports_the_alias_the_regex_misses(kb):
    record = record_with("tensorflow/fp16-convert", "ValueError: Cannot convert a tensor of type int8 to float16",
                         "Cannot convert a tensor of type \\w+ to float16",
                         aliases=["Cannot convert a tensor of type int32 to float16",
                                  "Could not convert tensor of type int8 to float16"])
    [finding] = findings_of(lint_records(kb, record), "alias-mismatch")
    assert finding["pointer"] == "/aliases/1" and finding["severity"] == "error"
    assert "Could not convert" in finding["message"]


def test_alias_mismatch_is_silent_when_the_regex_covers_every_alias(kb):
    record = record_with("tensorflow/fp16-convert", "ValueError: Cannot convert a tensor of type int8 to float16",
                         "C(?:annot|ould not) convert (?:a )?tensor of type \\w+ to float16",
                         aliases=["Could not convert tensor of type int8 to float16"])
    assert findings_of(lint_records(kb, record), "alias-mismatch") == []


# regex-too-broad
def test_regex_too_broad_reports_a_bare_exception_class_name(kb):
    record = record_with("python/value-error", "ValueError: Cannot convert a tensor of type int8 to float16", "ValueError")
    [finding] = findings_of(lint_records(kb, record), "regex-too-broad")
    assert finding["pointer"] == "/regex" and "'ValueError'" in finding["message"]


def test_regex_too_broad_reports_a_regex_that_matches_the_empty_string(kb):
    record = record_with("python/value-error", "ValueError: Cannot convert a tensor", "(?:Cannot convert)?")
    [finding] = findings_of(lint_records(kb, record), "regex-too-broad")
    assert "empty string" in finding["message"]


def test_regex_too_broad_reports_the_traceback_header(kb):
    record = record_with("python/traceback", "Traceback (most recent call last):\n  ValueError: bad", "Traceback \\(most recent")
    assert len(findings_of(lint_records(kb, record), "regex-too-broad")) == 1


def test_regex_too_broad_accepts_a_bare_exception_name_when_that_is_the_whole_message(kb):
    record = record_with("python/keyboard-interrupt", "KeyboardInterrupt", "KeyboardInterrupt")
    assert findings_of(lint_records(kb, record), "regex-too-broad") == []


def test_regex_too_broad_still_reports_a_bare_name_broader_than_the_message(kb):
    record = record_with("python/value-error", "ValueError", "Error|ValueError")
    assert len(findings_of(lint_records(kb, record), "regex-too-broad")) == 1


def test_regex_too_broad_accepts_an_exception_name_with_its_message(kb):
    record = record_with("python/value-error", "ValueError: Cannot convert a tensor of type int8 to float16",
                         "ValueError: Cannot convert a tensor of type \\w+ to float16")
    assert findings_of(lint_records(kb, record), "regex-too-broad") == []


# regex-redos
def test_regex_redos_reports_nested_quantifiers_and_lint_finishes_quickly_through_the_cli(kb):
    record = record_with("python/redos", "a" * 40 + "!", "(a+)+$")
    write_record(kb, record)
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "kbtool", "lint", "--root", str(kb), "--today", "2026-11-23",
                                "--format", "json"], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"lint took {elapsed:.1f} s"
    assert completed.returncode == 1
    assert '"name": "regex-redos"' in completed.stdout and '"pointer": "/regex"' in completed.stdout


def test_regex_redos_reports_overlapping_alternation_under_a_quantifier(kb):
    record = record_with("python/redos", "xy", "x(?:y|y)*$")
    [finding] = findings_of(lint_records(kb, record), "regex-redos")
    assert "exponentially" in finding["message"]


def test_regex_redos_reports_adjacent_wildcards_followed_by_more_text(kb):
    record = record_with("python/redos", "Error in module foo: bad thing", "Error in .*.*: bad thing")
    [finding] = findings_of(lint_records(kb, record), "regex-redos")
    assert ".*.*" in finding["message"]


def test_regex_redos_reports_a_regex_that_overran_the_time_bound_on_its_own_alias(kb):
    # Cubic backtracking that the static analysis does not claim (the two wildcards are apart):
    # the time bound catches it, and lint goes on.
    record = record_with("python/slow", "a,b;", "a.*,.*;$", aliases=["a," * 2000])
    findings = findings_of(lint_records(kb, record), "regex-redos")
    assert len(findings) == 1 and "took longer than" in findings[0]["message"]


def test_regex_redos_reports_a_regex_that_overran_the_time_bound_on_another_records_signature(kb):
    slow = record_with("python/slow", "a,b;", "a.*,.*;$")
    victim = record_with("python/victim", "a," * 2000, "a,a,a,")
    findings = findings_of(lint_records(kb, slow, victim), "regex-redos")
    assert [(f["entry_id"], "python/victim" in f["message"]) for f in findings] == [("python/slow", True)]


def test_regex_redos_is_silent_on_exclusive_repetitions(kb):
    record = record_with("python/fine", "Cannot quantize node 'MyCustomOp' of type 'Custom'",
                         "Cannot quantize node '[^']+' of type '[^']+'")
    assert findings_of(lint_records(kb, record), "regex-redos") == []


# regex-collision
def test_regex_collision_reports_both_records(kb):
    wide = record_with("pytorch/cuda-oom", "CUDA out of memory", "CUDA out of memory")
    narrow = record_with("pytorch/cuda-oom-allocate", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                         "CUDA out of memory\\. Tried to allocate [\\d.]+ [GM]iB")
    document = lint_records(kb, wide, narrow)
    found = {(finding["entry_id"], finding["pointer"]) for finding in findings_of(document, "regex-collision")}
    assert found == {("pytorch/cuda-oom", "/regex"), ("pytorch/cuda-oom-allocate", "/signature")}


def test_regex_collision_gives_one_finding_per_regex_and_per_message_however_many_records_collide(kb):
    records = [record_with(f"tensorflow/same-{index}", f"ValueError: op 'OP_{index}' is not supported",
                           "ValueError: op '[^']{1,50}' is not supported") for index in range(6)]
    document = lint_records(kb, *records)
    found = findings_of(document, "regex-collision")
    assert sorted((finding["entry_id"], finding["pointer"]) for finding in found) == sorted(
        (f"tensorflow/same-{index}", pointer) for index in range(6) for pointer in ("/regex", "/signature"))
    assert all("and 2 more records" in finding["message"] for finding in found)


def test_regex_collision_reports_a_matched_alias_at_its_pointer(kb):
    wide = record_with("pytorch/cuda-oom", "CUDA out of memory", "CUDA out of memory")
    other = record_with("pytorch/cublas", "CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate",
                        "CUBLAS_STATUS_ALLOC_FAILED|CUDA error: out of memory",
                        aliases=["CUDA error: out of memory", "RuntimeError: CUDA out of memory (cuBLAS)"])
    document = lint_records(kb, wide, other)
    pointers = {finding["pointer"] for finding in findings_of(document, "regex-collision")
                if finding["entry_id"] == "pytorch/cublas"}
    assert pointers == {"/aliases/1"}


def test_regex_collision_is_silent_when_one_lists_the_other_as_confusable(kb):
    wide = record_with("pytorch/cuda-oom", "CUDA out of memory", "CUDA out of memory",
                       transition_graph={"leads_to": [], "preceded_by": [],
                                         "frequently_confused_with": [{"error_id": "pytorch/cuda-oom-allocate"}]})
    narrow = record_with("pytorch/cuda-oom-allocate", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                         "CUDA out of memory\\. Tried to allocate [\\d.]+ [GM]iB")
    assert findings_of(lint_records(kb, wide, narrow), "regex-collision") == []


def test_regex_collision_is_silent_for_distinct_errors(kb):
    first = record_with("pytorch/cuda-oom", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                        "CUDA out of memory\\. Tried to allocate")
    second = record_with("pytorch/cuda-illegal-address", "RuntimeError: CUDA error: an illegal memory access was encountered",
                         "CUDA error: an illegal memory access")
    assert findings_of(lint_records(kb, first, second), "regex-collision") == []


def test_regex_collision_finds_a_case_insensitive_regex(kb):
    wide = record_with("pytorch/cuda-oom", "cuda out of memory", "(?i)CUDA OUT OF MEMORY")
    narrow = record_with("pytorch/cuda-oom-allocate", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                         "CUDA out of memory\\. Tried to allocate")
    found = {finding["entry_id"] for finding in findings_of(lint_records(kb, wide, narrow), "regex-collision")}
    assert found == {"pytorch/cuda-oom", "pytorch/cuda-oom-allocate"}


def test_regex_collision_searches_regexes_without_literal_text_too(kb):
    no_literal = record_with("python/shape", "(3, 4) vs (4, 3)", "\\(\\d+, \\d+\\) vs \\(\\d+, \\d+\\)")
    other = record_with("numpy/broadcast", "ValueError: operands could not be broadcast together: (3, 4) vs (4, 3)",
                        "operands could not be broadcast together")
    found = {finding["entry_id"] for finding in findings_of(lint_records(kb, no_literal, other), "regex-collision")}
    assert found == {"python/shape", "numpy/broadcast"}


# regex-literal-only
def test_regex_literal_only_reports_the_escaped_signature(kb):
    signature = "KeyError: 'cumsum' (op 3)"
    record = record_with("python/key-error", signature, "KeyError: 'cumsum' \\(op 3\\)")
    [finding] = findings_of(lint_records(kb, record), "regex-literal-only")
    assert finding["severity"] == "info" and finding["pointer"] == "/regex"


def test_regex_literal_only_is_silent_when_the_varying_part_is_a_pattern(kb):
    record = record_with("python/key-error", "KeyError: 'cumsum' (op 3)", "KeyError: '[^']+' \\(op \\d+\\)")
    assert findings_of(lint_records(kb, record), "regex-literal-only") == []


# volatile-signature
def test_volatile_signature_reports_a_hard_coded_address(kb):
    record = record_with("native/segfault", "Segfault at 0x7f3a2c1d9e80 in libfoo.so",
                         "Segfault at 0x7f3a2c1d9e80 in libfoo\\.so")
    [finding] = findings_of(lint_records(kb, record), "volatile-signature")
    assert "memory address" in finding["message"] and finding["severity"] == "info"


def test_volatile_signature_reports_a_hard_coded_home_path_and_timestamp(kb):
    record = record_with("python/open", "2024-05-01 12:33:45 OSError: cannot open /home/alice/data/x.bin",
                         "2024-05-01 12:33:45 OSError: cannot open /home/alice/data/x\\.bin")
    messages = " ".join(finding["message"] for finding in findings_of(lint_records(kb, record), "volatile-signature"))
    assert "home path" in messages and "timestamp" in messages


def test_volatile_signature_is_silent_when_the_regex_generalises_the_address(kb):
    record = record_with("native/segfault", "Segfault at 0x7f3a2c1d9e80 in libfoo.so",
                         "Segfault at 0x[0-9a-f]+ in libfoo\\.so")
    assert findings_of(lint_records(kb, record), "volatile-signature") == []


def test_regex_literal_only_is_silent_when_the_quoted_part_is_a_builtin_type(kb):
    record = record_with("python/unhashable-list", "TypeError: unhashable type: 'list'",
                         "TypeError: unhashable type: 'list'")
    assert findings_of(lint_records(kb, record), "regex-literal-only") == []


def test_regex_literal_only_is_silent_for_a_constant_message(kb):
    signature = "RuntimeError: CUDA error: device-side assert triggered"
    record = record_with("pytorch/device-assert", signature, "RuntimeError: CUDA error: device-side assert triggered")
    assert findings_of(lint_records(kb, record), "regex-literal-only") == []

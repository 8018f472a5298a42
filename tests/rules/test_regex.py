"""Regex rules: the record's regex compiles, recognises its own message, and only that."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import TODAY, changed, clean_record, lint_scene, rule_findings, write_record

CUDA_OOM_ALLOCATE = "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"


# regex-invalid
def test_regex_invalid_reports_an_unbalanced_parenthesis_and_no_mismatch(kb):
    findings = lint_scene(kb, changed(clean_record(), {"regex": "Quantization range (min, max"}))
    [finding] = [finding for finding in findings if finding["name"] == "regex-invalid"]
    assert finding["pointer"] == "/regex"
    assert [finding for finding in findings if finding["name"] == "regex-mismatch"] == []


def test_regex_invalid_accepts_an_escaped_parenthesis(kb):
    assert rule_findings(kb, "regex-invalid", changed(clean_record(), {"regex": "Quantization range \\(min, max\\)"})) == []


# regex-mismatch
def test_regex_mismatch_gives_no_case_hint_when_case_is_not_the_problem(kb):
    [finding] = rule_findings(kb, "regex-mismatch", changed(clean_record(), {"regex": "completely different text"}))
    assert "ignoring case" not in finding["message"]


def test_regex_mismatch_accepts_an_inline_ignore_case_flag(kb):
    record = changed(clean_record(), {"regex": "(?i)VALUEERROR: QUANTIZATION RANGE"})
    assert rule_findings(kb, "regex-mismatch", record) == []


# alias-mismatch
def test_alias_mismatch_reports_the_alias_the_regex_misses(kb):
    record = changed(clean_record(), {
        "signature": "ValueError: Cannot convert a tensor of type int8 to float16",
        "regex": "Cannot convert a tensor of type \\w+ to float16",
        "aliases": ["Cannot convert a tensor of type int32 to float16", "Could not convert tensor of type int8 to float16"]})
    [finding] = rule_findings(kb, "alias-mismatch", record)
    assert finding["pointer"] == "/aliases/1" and finding["severity"] == "error"
    assert "Could not convert" in finding["message"]


def test_alias_mismatch_is_silent_when_the_regex_covers_every_alias(kb):
    record = changed(clean_record(), {
        "signature": "ValueError: Cannot convert a tensor of type int8 to float16",
        "regex": "C(?:annot|ould not) convert (?:a )?tensor of type \\w+ to float16",
        "aliases": ["Could not convert tensor of type int8 to float16"]})
    assert rule_findings(kb, "alias-mismatch", record) == []


# regex-too-broad
def test_regex_too_broad_reports_a_bare_exception_class_name(kb):
    record = changed(clean_record(), {"signature": "ValueError: Cannot convert a tensor of type int8 to float16",
                                      "regex": "ValueError"})
    [finding] = rule_findings(kb, "regex-too-broad", record)
    assert finding["pointer"] == "/regex" and "'ValueError'" in finding["message"]


def test_regex_too_broad_reports_a_regex_that_matches_the_empty_string(kb):
    record = changed(clean_record(), {"signature": "ValueError: Cannot convert a tensor", "regex": "(?:Cannot convert)?"})
    [finding] = rule_findings(kb, "regex-too-broad", record)
    assert "empty string" in finding["message"]


def test_regex_too_broad_reports_the_traceback_header(kb):
    record = changed(clean_record(), {"signature": "Traceback (most recent call last):\n  ValueError: bad",
                                      "regex": "Traceback \\(most recent"})
    assert len(rule_findings(kb, "regex-too-broad", record)) == 1


def test_regex_too_broad_accepts_a_bare_exception_name_when_that_is_the_whole_message(kb):
    record = changed(clean_record(), {"signature": "KeyboardInterrupt", "regex": "KeyboardInterrupt"})
    assert rule_findings(kb, "regex-too-broad", record) == []


def test_regex_too_broad_still_reports_a_bare_name_broader_than_the_message(kb):
    record = changed(clean_record(), {"signature": "ValueError", "regex": "Error|ValueError"})
    assert len(rule_findings(kb, "regex-too-broad", record)) == 1


def test_regex_too_broad_accepts_an_exception_name_with_its_message(kb):
    record = changed(clean_record(), {"signature": "ValueError: Cannot convert a tensor of type int8 to float16",
                                      "regex": "ValueError: Cannot convert a tensor of type \\w+ to float16"})
    assert rule_findings(kb, "regex-too-broad", record) == []


# regex-redos
def test_regex_redos_reports_nested_quantifiers_and_lint_finishes_quickly_through_the_cli(kb):
    write_record(kb, changed(clean_record(), {"signature": "a" * 40 + "!", "regex": "(a+)+$"}))
    started = time.monotonic()
    completed = subprocess.run([sys.executable, "-m", "kbtool", "lint", "--root", str(kb), "--today", TODAY,
                                "--format", "json"], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"lint took {elapsed:.1f} s"
    assert completed.returncode == 1
    assert '"name": "regex-redos"' in completed.stdout and '"pointer": "/regex"' in completed.stdout


def test_regex_redos_reports_overlapping_alternation_under_a_quantifier(kb):
    [finding] = rule_findings(kb, "regex-redos", changed(clean_record(), {"signature": "xy", "regex": "x(?:y|y)*$"}))
    assert "exponentially" in finding["message"]


def test_regex_redos_reports_adjacent_wildcards_followed_by_more_text(kb):
    record = changed(clean_record(), {"signature": "Error in module foo: bad thing", "regex": "Error in .*.*: bad thing"})
    [finding] = rule_findings(kb, "regex-redos", record)
    assert ".*.*" in finding["message"]


def test_regex_redos_reports_a_regex_that_overran_the_time_bound_on_its_own_alias(kb):
    # Cubic backtracking that the static analysis does not claim (the two wildcards are apart):
    # the time bound catches it, and lint goes on.
    record = changed(clean_record(), {"signature": "a,b;", "regex": "a.*,.*;$", "aliases": ["a," * 2000]})
    findings = rule_findings(kb, "regex-redos", record)
    assert len(findings) == 1 and "took longer than" in findings[0]["message"]


def test_regex_redos_reports_a_regex_that_overran_the_time_bound_on_another_records_signature(kb):
    slow = changed(clean_record(), {"id": "python/slow", "signature": "xa,b;", "regex": "xa.*,.*;$"})
    victim = changed(clean_record(), {"id": "python/victim", "signature": "xa," * 2000, "regex": "xa,xa,xa,"})
    findings = rule_findings(kb, "regex-redos", slow, others=(victim,))
    assert [(finding["entry_id"], "python/victim" in finding["message"]) for finding in findings] == [("python/slow", True)]


def test_regex_redos_is_silent_on_exclusive_repetitions(kb):
    record = changed(clean_record(), {"signature": "Cannot quantize node 'MyCustomOp' of type 'Custom'",
                                      "regex": "Cannot quantize node '[^']+' of type '[^']+'"})
    assert rule_findings(kb, "regex-redos", record) == []


# regex-collision
def test_regex_collision_reports_both_records(kb):
    wide = changed(clean_record(), {"id": "pytorch/cuda-oom", "signature": "CUDA out of memory", "regex": "CUDA out of memory"})
    narrow = changed(clean_record(), {"id": "pytorch/cuda-oom-allocate", "signature": CUDA_OOM_ALLOCATE,
                                      "regex": "CUDA out of memory\\. Tried to allocate [\\d.]+ [GM]iB"})
    found = rule_findings(kb, "regex-collision", wide, others=(narrow,))
    assert {(finding["entry_id"], finding["pointer"]) for finding in found} == {
        ("pytorch/cuda-oom", "/regex"), ("pytorch/cuda-oom-allocate", "/signature")}


def test_regex_collision_gives_one_finding_per_regex_and_per_message_however_many_records_collide(kb):
    records = [changed(clean_record(), {"id": f"tensorflow/same-{index}", "signature": f"ValueError: op 'OP_{index}' is not supported",
                                        "regex": "ValueError: op '[^']{1,50}' is not supported"}) for index in range(6)]
    found = rule_findings(kb, "regex-collision", records[0], others=tuple(records[1:]))
    assert sorted((finding["entry_id"], finding["pointer"]) for finding in found) == sorted(
        (f"tensorflow/same-{index}", pointer) for index in range(6) for pointer in ("/regex", "/signature"))
    assert all("and 2 more records" in finding["message"] for finding in found)


def test_regex_collision_reports_a_matched_alias_at_its_pointer(kb):
    wide = changed(clean_record(), {"id": "pytorch/cuda-oom", "signature": "CUDA out of memory", "regex": "CUDA out of memory"})
    other = changed(clean_record(), {"id": "pytorch/cublas", "signature": "CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate",
                                     "regex": "CUBLAS_STATUS_ALLOC_FAILED|CUDA error: out of memory",
                                     "aliases": ["CUDA error: out of memory", "RuntimeError: CUDA out of memory (cuBLAS)"]})
    found = rule_findings(kb, "regex-collision", wide, others=(other,))
    assert {finding["pointer"] for finding in found if finding["entry_id"] == "pytorch/cublas"} == {"/aliases/1"}


def test_regex_collision_is_silent_when_one_lists_the_other_as_confusable(kb):
    wide = changed(clean_record(), {
        "id": "pytorch/cuda-oom", "signature": "CUDA out of memory", "regex": "CUDA out of memory",
        "transition_graph": {"leads_to": [], "preceded_by": [], "frequently_confused_with": [{"error_id": "pytorch/cuda-oom-allocate"}]}})
    narrow = changed(clean_record(), {"id": "pytorch/cuda-oom-allocate", "signature": CUDA_OOM_ALLOCATE,
                                      "regex": "CUDA out of memory\\. Tried to allocate [\\d.]+ [GM]iB"})
    assert rule_findings(kb, "regex-collision", wide, others=(narrow,)) == []


def test_regex_collision_is_silent_for_distinct_errors(kb):
    first = changed(clean_record(), {"id": "pytorch/cuda-oom", "signature": CUDA_OOM_ALLOCATE,
                                     "regex": "CUDA out of memory\\. Tried to allocate"})
    second = changed(clean_record(), {"id": "pytorch/cuda-illegal-address",
                                      "signature": "RuntimeError: CUDA error: an illegal memory access was encountered",
                                      "regex": "CUDA error: an illegal memory access"})
    assert rule_findings(kb, "regex-collision", first, others=(second,)) == []


def test_regex_collision_finds_a_case_insensitive_regex(kb):
    wide = changed(clean_record(), {"id": "pytorch/cuda-oom", "signature": "cuda out of memory", "regex": "(?i)CUDA OUT OF MEMORY"})
    narrow = changed(clean_record(), {"id": "pytorch/cuda-oom-allocate", "signature": CUDA_OOM_ALLOCATE,
                                      "regex": "CUDA out of memory\\. Tried to allocate"})
    found = rule_findings(kb, "regex-collision", wide, others=(narrow,))
    assert {finding["entry_id"] for finding in found} == {"pytorch/cuda-oom", "pytorch/cuda-oom-allocate"}


def test_regex_collision_searches_regexes_without_literal_text_too(kb):
    no_literal = changed(clean_record(), {"id": "python/shape", "signature": "(3, 4) vs (4, 3)",
                                          "regex": "\\(\\d+, \\d+\\) vs \\(\\d+, \\d+\\)"})
    other = changed(clean_record(), {"id": "numpy/broadcast",
                                     "signature": "ValueError: operands could not be broadcast together: (3, 4) vs (4, 3)",
                                     "regex": "operands could not be broadcast together"})
    found = rule_findings(kb, "regex-collision", no_literal, others=(other,))
    assert {finding["entry_id"] for finding in found} == {"python/shape", "numpy/broadcast"}


# regex-literal-only
def test_regex_literal_only_reports_the_escaped_signature(kb):
    record = changed(clean_record(), {"signature": "KeyError: 'cumsum' (op 3)", "regex": "KeyError: 'cumsum' \\(op 3\\)"})
    [finding] = rule_findings(kb, "regex-literal-only", record)
    assert finding["severity"] == "info" and finding["pointer"] == "/regex"


def test_regex_literal_only_is_silent_when_the_varying_part_is_a_pattern(kb):
    record = changed(clean_record(), {"signature": "KeyError: 'cumsum' (op 3)", "regex": "KeyError: '[^']+' \\(op \\d+\\)"})
    assert rule_findings(kb, "regex-literal-only", record) == []


def test_regex_literal_only_is_silent_when_the_quoted_part_is_a_builtin_type(kb):
    record = changed(clean_record(), {"signature": "TypeError: unhashable type: 'list'",
                                      "regex": "TypeError: unhashable type: 'list'"})
    assert rule_findings(kb, "regex-literal-only", record) == []


def test_regex_literal_only_is_silent_for_a_constant_message(kb):
    signature = "RuntimeError: CUDA error: device-side assert triggered"
    assert rule_findings(kb, "regex-literal-only", changed(clean_record(), {"signature": signature, "regex": signature})) == []


# volatile-signature
def test_volatile_signature_reports_a_hard_coded_address(kb):
    record = changed(clean_record(), {"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so",
                                      "regex": "Segfault at 0x7f3a2c1d9e80 in libfoo\\.so"})
    [finding] = rule_findings(kb, "volatile-signature", record)
    assert "memory address" in finding["message"] and finding["severity"] == "info"


def test_volatile_signature_reports_a_hard_coded_home_path_and_timestamp(kb):
    record = changed(clean_record(), {"signature": "2024-05-01 12:33:45 OSError: cannot open /home/alice/data/x.bin",
                                      "regex": "2024-05-01 12:33:45 OSError: cannot open /home/alice/data/x\\.bin"})
    messages = " ".join(finding["message"] for finding in rule_findings(kb, "volatile-signature", record))
    assert "home path" in messages and "timestamp" in messages


def test_volatile_signature_is_silent_when_the_regex_generalises_the_address(kb):
    record = changed(clean_record(), {"signature": "Segfault at 0x7f3a2c1d9e80 in libfoo.so",
                                      "regex": "Segfault at 0x[0-9a-f]+ in libfoo\\.so"})
    assert rule_findings(kb, "volatile-signature", record) == []

"""Message finding, one behaviour per test, on real article files."""

from __future__ import annotations

from pathlib import Path

from kbtool.extract.articles import Article, read_article
from kbtool.extract.infer import article_domain
from kbtool.extract.messages import find_messages


def read(tmp_path: Path, body: str, title: str = "An article") -> Article:
    path = tmp_path / "article.md"
    path.write_text(f'---\ntitle: "{title}"\ndate: "2024-01-01"\nid: "a"\n---\n{body}', encoding="utf-8")
    article = read_article(path, tmp_path)
    assert isinstance(article, Article), article
    return article


def found(tmp_path: Path, body: str, title: str = "An article") -> list[tuple[str, str]]:
    return [(message.signature, message.confidence) for message in find_messages(read(tmp_path, body, title))]


def test_last_line_of_a_traceback_is_the_message(tmp_path):
    body = '```\nTraceback (most recent call last):\n  File "a.py", line 1, in <module>\n    f()\nKeyError: \'x\'\n```\n'
    assert found(tmp_path, body) == [("KeyError: 'x'", "high")]


def test_message_in_a_code_comment_is_found(tmp_path):
    assert found(tmp_path, "```python\nf()\n# TypeError: f() takes 0 positional arguments but 1 was given\n```\n") == [
        ("TypeError: f() takes 0 positional arguments but 1 was given", "high")]


def test_strings_printed_or_raised_by_example_code_are_not_messages(tmp_path):
    body = ('```python\ntry:\n    run()\nexcept ValueError as e:\n    print(f"Caught ValueError: {e}")\n'
            '    raise RuntimeError(f"Run failed: {e}")\n```\n')
    assert found(tmp_path, body) == []


def test_output_that_repeats_the_examples_own_raise_is_not_a_message(tmp_path):
    body = ('```python\nraise ValueError(f"size must be positive, got {n}")\n```\n\n'
            '```\nValueError: size must be positive, got -1\n```\n')
    assert found(tmp_path, body) == []


def test_hedged_message_is_low_confidence(tmp_path):
    body = "The message may vary, but it looks something like:\n\n```\nOSError: [Errno 28] No space left on device\n```\n"
    assert found(tmp_path, body) == [("OSError: [Errno 28] No space left on device", "low")]


def test_message_continuing_on_indented_lines_is_taken_whole(tmp_path):
    body = "```\nRuntimeError: Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: \"w\".\n```\n"
    assert found(tmp_path, body) == [('RuntimeError: Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "w".', "high")]


def test_unquoted_message_in_chinese_prose_ends_where_the_chinese_resumes(tmp_path):
    body = "运行时出现 ImportError: cannot import name 'x' from 'y' 错误，怎么办？\n"
    assert found(tmp_path, body) == [("ImportError: cannot import name 'x' from 'y'", "high")]


def test_title_heading_and_body_copies_are_one_message(tmp_path):
    body = "# ZeroDivisionError: division by zero\n\n```\nZeroDivisionError: division by zero\n```\n"
    assert found(tmp_path, body, title="ZeroDivisionError: division by zero") == [("ZeroDivisionError: division by zero", "high")]


def test_truncated_copy_in_the_title_joins_the_full_message(tmp_path):
    body = "```\nRuntimeError: CUDA error: an illegal memory access was encountered\n```\n"
    assert found(tmp_path, body, title="RuntimeError: CUDA error: an illegal memory access... help") == [
        ("RuntimeError: CUDA error: an illegal memory access was encountered", "high")]


def test_heading_that_names_a_problem_is_not_a_message(tmp_path):
    assert found(tmp_path, "## FP16 Error When Converting\n\nA TypeError appears; see `CUDA_ERROR_INVALID_VALUE`.\n") == []


def test_mean_squared_error_is_not_a_message(tmp_path):
    assert found(tmp_path, "```\nMean Squared Error: 0.0342\n```\n\nThe Squared Error: 0.01 is small.\n") == []


def test_info_and_harmless_warning_log_lines_are_not_messages(tmp_path):
    body = ("```\nI tensorflow/core/platform/cpu_feature_guard.cc:193] This binary uses AVX2\n"
            "W tensorflow/core/common_runtime/gpu/gpu_device.cc:1934] TensorFlow will use 4 threads\n"
            "E tensorflow/core/kernels/conv_ops.cc:1011] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\n```\n")
    assert found(tmp_path, body) == [("Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR", "high")]


def test_html_entities_and_tags_are_cleaned_from_the_signature(tmp_path):
    body = "<pre>\nValueError:&nbsp;math domain error <b></b>\n</pre>\n"
    assert found(tmp_path, body) == [("ValueError: math domain error", "high")]


def test_domain_comes_from_imports_and_api_names(tmp_path):
    article = read(tmp_path, "```python\nimport torch\nx = torch.zeros(3)\n```\n", title="A question")
    assert article_domain(article) == "pytorch"

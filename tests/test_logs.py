"""The line of a pasted log that names the error (kbtool/logs.py), and `new-entry --signature - [--line N]`.

Besides these, tests/regex_eval/test_line_choice_gate.py scores the choice on 41 real logs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_kbtool
from kbtool.logs import choose_error_line

REAL_LOGS = Path(__file__).parent / "regex_eval" / "logs"
TODAY = "2026-11-23"


def real_log(name: str) -> str:
    return (REAL_LOGS / name).read_text(encoding="utf-8")


# --- moved from tests/test_generalise.py ------------------------------------------------------------

TRACEBACK = """Traceback (most recent call last):
  File "/home/me/train.py", line 42, in <module>
    loss.backward()
  File "/usr/lib/python3.11/site-packages/torch/_tensor.py", line 522, in backward
    torch.autograd.backward(
RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)
"""


def test_the_error_line_of_a_python_traceback_is_the_exception_line():
    choice = choose_error_line(TRACEBACK)
    line, note = choice.line, choice.note
    assert line == "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)"
    assert "line 6" in note


def test_the_error_line_of_chained_tracebacks_is_the_innermost_exception():
    # The root error is wanted, and Python prints the innermost exception of a chain ("During
    # handling of the above exception...") first.
    text = ("Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'x'\n\n"
            "During handling of the above exception, another exception occurred:\n\n"
            "Traceback (most recent call last):\n  File \"a.py\", line 3, in <module>\nValueError: bad value\n")
    choice = choose_error_line(text)
    assert choice.line == "KeyError: 'x'" and "innermost" in choice.note
    assert [candidate.line for candidate in choice.candidates] == ["ValueError: bad value"]


def test_direct_cause_chain_takes_the_cause():
    text = ("Traceback (most recent call last):\n  File \"m.py\", line 2, in <module>\n    import streamtracer\n"
            "ModuleNotFoundError: No module named 'streamtracer'\n\n"
            "The above exception was the direct cause of the following exception:\n\n"
            "Traceback (most recent call last):\n  File \"m.py\", line 4, in <module>\n"
            "RuntimeError: streamtracer is required for this feature\n")
    assert choose_error_line(text).line == "ModuleNotFoundError: No module named 'streamtracer'"


def test_the_error_line_of_pip_output_is_its_first_error_the_cause():
    # Was "the last error line": pip prints the cause (no version satisfies the requirement, and which
    # versions it saw) first and its consequence ("No matching distribution") after it.
    text = ("Collecting torch==2.1.0\n  Downloading torch-2.1.0.whl (670 MB)\n"
            "ERROR: Could not find a version that satisfies the requirement torch==2.1.0 (from versions: none)\n"
            "ERROR: No matching distribution found for torch==2.1.0\n\n[notice] A new release of pip is available\n")
    choice = choose_error_line(text)
    assert choice.line.startswith("ERROR: Could not find a version that satisfies the requirement torch==2.1.0")
    assert (4, "ERROR: No matching distribution found for torch==2.1.0") in [(c.number, c.line) for c in choice.candidates]


def test_the_error_line_of_a_single_line_is_that_line_without_a_note():
    choice = choose_error_line("  ValueError: bad value \n")
    assert (choice.line, choice.note) == ("ValueError: bad value", None)


def test_the_error_line_of_text_without_errors_is_the_last_line_and_says_so():
    choice = choose_error_line("first\nsecond\n")
    line, note = choice.line, choice.note
    assert line == "second" and "no line reads as an error" in note


def test_the_error_line_of_a_traceback_pasted_onto_one_line_is_its_exception():
    text = ('Traceback (most recent call last): File "x.py", line 3, in <module> main() File "/a/b.py", line 9, '
            'in main raise ValueError("x") ValueError: Cannot quantize node \'A\' because it has no registered quantizer.')
    assert choose_error_line(text).line == "ValueError: Cannot quantize node 'A' because it has no registered quantizer."


# --- summaries that must not win over the error they wrap, on real logs --------------------------------------------------

@pytest.mark.parametrize(("name", "wanted", "not_this"), [
    ("02_npm_eresolve-next-eslint.log", "npm ERR! ERESOLVE unable to resolve dependency tree", "debug-0.log"),
    ("14_cargo_e0382-moved-value.log", "rror[E0382]: use of moved value: `node`", "Could not compile"),
    ("03_pip_conflict-piper-tts.log", "ERROR: Cannot install piper-tts==1.1.0 and piper-tts==1.2.0 because these "
                                      "package versions have conflicting dependencies.", "for help visit"),
    ("05_pytest_collect-importerror.log", "E   ImportError", "1 error in"),
    ("17_docker_buildkit-pip-no-version.log", "#12 7.813 ERROR: Could not find a version that satisfies the "
                                              "requirement cloud-init==20.4", "failed to solve"),
])
def test_the_root_error_of_a_real_log_not_its_summary_path_or_help_line(name, wanted, not_this):
    choice = choose_error_line(real_log(name))
    assert choice.line == wanted and not_this not in choice.line
    assert choice.note.startswith("took ") and f"(line {choice.number} of " in choice.note


def test_paths_urls_and_help_lines_are_never_candidates():
    for name in ("01_npm_eresolve-svelte-preprocess.log", "03_pip_conflict-piper-tts.log", "08_yarn_etimedout-upgrade.log"):
        choice = choose_error_line(real_log(name))
        for candidate in choice.candidates:
            assert "_logs" not in candidate.line and "for help visit" not in candidate.line
            assert not candidate.line.startswith(("info ", "at ", "npm ERR!     "))


# --- the shapes of the common tools' output ---------------------------------------------------------

CASES = {
"during_handling": ("""Traceback (most recent call last):
  File "app.py", line 3, in get
    return table[key]
KeyError: 'user_id'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "app.py", line 9, in <module>
    get("user_id")
  File "app.py", line 5, in get
    raise LookupError("no such column")
LookupError: no such column
""", "KeyError: 'user_id'"),
"pip_gcc": ("""Building wheels for collected packages: foo
  Building wheel for foo (setup.py) ... error
  error: subprocess-exited-with-error

  × python setup.py bdist_wheel did not run successfully.
  │ exit code: 1
  ╰─> [12 lines of output]
      running build_ext
      building 'foo' extension
      gcc -pthread -fPIC -I/usr/include/python3.11 -c foo.c -o build/temp/foo.o
      foo.c:1:10: fatal error: Python.h: No such file or directory
          1 | #include <Python.h>
            |          ^~~~~~~~~~
      compilation terminated.
      error: command '/usr/bin/gcc' failed with exit code 1
      [end of output]

  note: This error originates from a subprocess, and is likely not a problem with pip.
  ERROR: Failed building wheel for foo
Failed to build foo
ERROR: Could not build wheels for foo, which is required to install pyproject.toml-based projects
""", "foo.c:1:10: fatal error: Python.h: No such file or directory"),
"buildkit": ("""#8 [4/5] RUN pip install -r requirements.txt
#8 1.234 ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: none)
#8 1.235 ERROR: No matching distribution found for torch==9.9
#8 ERROR: process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 1
------
 > [4/5] RUN pip install -r requirements.txt:
1.234 ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: none)
1.235 ERROR: No matching distribution found for torch==9.9
------
Dockerfile:6
--------------------
   5 |     COPY requirements.txt .
   6 | >>> RUN pip install -r requirements.txt
--------------------
ERROR: failed to solve: process "/bin/sh -c pip install -r requirements.txt" did not complete successfully: exit code: 1
""", "#8 1.234 ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: none)"),
"pytest_tally": ("""============================= test session starts ==============================
collected 1 item

test_div.py F                                                            [100%]

=================================== FAILURES ===================================
__________________________________ test_div ____________________________________

    def test_div():
>       assert 1 / 0
E       ZeroDivisionError: division by zero

test_div.py:2: ZeroDivisionError
=========================== short test summary info ============================
FAILED test_div.py::test_div - ZeroDivisionError: division by zero
============================== 1 failed in 0.03s ===============================
""", "E       ZeroDivisionError: division by zero"),
"pytest_assert": ("""    def test_sum():
>       assert add(1, 2) == 4
E       assert 3 == 4
E        +  where 3 = add(1, 2)

test_sum.py:5: AssertionError
============================== 1 failed in 0.02s ===============================
""", "E       assert 3 == 4"),
"gcc_make": ("""gcc -c main.c -o main.o
main.c: In function 'main':
main.c:5:5: error: 'x' undeclared (first use in this function)
    5 |     x = 1;
      |     ^
main.c:5:5: note: each undeclared identifier is reported only once for each function it appears in
make: *** [Makefile:3: main.o] Error 1
""", "main.c:5:5: error: 'x' undeclared (first use in this function)"),
"ld": ("""gcc main.o -o app -lssl
/usr/bin/ld: cannot find -lssl: No such file or directory
collect2: error: ld returned 1 exit status
make: *** [Makefile:5: app] Error 1
""", "/usr/bin/ld: cannot find -lssl: No such file or directory"),
"conda": ("""Collecting package metadata (current_repodata.json): done
Solving environment: failed with initial frozen solve. Retrying with flexible solve.

PackagesNotFoundError: The following packages are not available from current channels:

  - pytorch-nightly

Current channels:

  - https://repo.anaconda.com/pkgs/main/linux-64
""", "PackagesNotFoundError: The following packages are not available from current channels:"),
"maven": ("""[INFO] BUILD FAILURE
[INFO] ------------------------------------------------------------------------
[ERROR] COMPILATION ERROR :
[INFO] -------------------------------------------------------------
[ERROR] /home/u/app/src/main/java/App.java:[12,5] cannot find symbol
  symbol:   class Foo
[INFO] 1 error
[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.8.1:compile (default-compile) on project app: Compilation failure
[ERROR] -> [Help 1]
[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.
""", "[ERROR] /home/u/app/src/main/java/App.java:[12,5] cannot find symbol"),
"go_deadlock": ("""fatal error: all goroutines are asleep - deadlock!

goroutine 1 [chan receive]:
main.main()
	/tmp/x/main.go:5 +0x2d
exit status 2
""", "fatal error: all goroutines are asleep - deadlock!"),
"tf_glog": ("""2023-05-01 10:00:00.123456: I tensorflow/core/platform/cpu_feature_guard.cc:182] This TensorFlow binary is optimized to use available CPU instructions.
2023-05-01 10:00:01.000001: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT
2023-05-01 10:00:02.000002: E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:9342] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered
""", "2023-05-01 10:00:02.000002: E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:9342] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered"),
"npm_lifecycle": ("""> app@1.0.0 build
> tsc

src/index.ts(3,8): error TS2307: Cannot find module 'express' or its corresponding type declarations.
npm ERR! code 1
npm ERR! path /home/u/app
npm ERR! command failed
npm ERR! command sh -c tsc

npm ERR! A complete log of this run can be found in:
npm ERR!     /home/u/.npm/_logs/2023-01-01T00_00_00_000Z-debug-0.log
""", "src/index.ts(3,8): error TS2307: Cannot find module 'express' or its corresponding type declarations."),
"calledprocess": ("""  /tmp/ext.cpp:4:10: fatal error: cuda_runtime.h: No such file or directory
  compilation terminated.
Traceback (most recent call last):
  File "setup.py", line 9, in <module>
    subprocess.check_call(["ninja"])
subprocess.CalledProcessError: Command '['ninja', '-v']' returned non-zero exit status 1.
""", "/tmp/ext.cpp:4:10: fatal error: cuda_runtime.h: No such file or directory"),
"npm_e404": ("""npm ERR! code E404
npm ERR! 404 Not Found - GET https://registry.npmjs.org/nonexistent-pkg-xyz - Not found
npm ERR! 404
npm ERR! 404  'nonexistent-pkg-xyz@*' is not in this registry.
""", "npm ERR! 404 Not Found - GET https://registry.npmjs.org/nonexistent-pkg-xyz - Not found"),
"git_push": ("""To github.com:u/r.git
 ! [rejected]        main -> main (fetch first)
error: failed to push some refs to 'github.com:u/r.git'
hint: Updates were rejected because the remote contains work that you do
""", "error: failed to push some refs to 'github.com:u/r.git'"),
"cuda_traceback": ("""Traceback (most recent call last):
  File "train.py", line 10, in <module>
    x = x.cuda()
RuntimeError: CUDA error: out of memory
CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.
For debugging consider passing CUDA_LAUNCH_BLOCKING=1.
""", "RuntimeError: CUDA error: out of memory"),
"yarn_command_failed": ("""$ node build.js
Error: ENOENT: no such file or directory, open 'config.json'
    at Object.openSync (node:fs:601:3)
error Command failed with exit code 1.
info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.
""", "Error: ENOENT: no such file or directory, open 'config.json'"),
"prose_only": ("""I ran the script and it failed.
Then nothing happened.
""", "Then nothing happened."),
}

@pytest.mark.parametrize("shape", sorted(CASES))
def test_the_root_error_of_each_tool_shape(shape):
    text, wanted = CASES[shape]
    assert choose_error_line(text).line == wanted


def test_candidates_carry_their_line_numbers_and_exclude_the_chosen_line():
    text, _ = CASES["pip_gcc"]
    choice = choose_error_line(text)
    lines = text.splitlines()
    assert choice.number == 11
    assert choice.number not in [candidate.number for candidate in choice.candidates]
    for candidate in choice.candidates:
        assert lines[candidate.number - 1].strip() == candidate.line and candidate.reason
    summaries = [candidate.line for candidate in choice.candidates]
    assert "ERROR: Failed building wheel for foo" in summaries


def test_a_megabyte_of_hostile_log_gives_a_line_of_it():
    """Lines built to make a backtracking pattern slow (the regexes of logs.py are linear on them)."""
    texts = ["a" * 999_000, ("___ " * 200_000) + "\nx", "=" * 900_000 + " x", ":1" * 400_000,
             "\n".join(["Caused by: java.lang.X: y", "\tat a.b(c)"] * 30_000)]
    for text in texts:
        choice = choose_error_line(text)
        assert choice.line and choice.line in text


# --- new-entry --signature - [--line N], --format json: the real CLI ----------------------------------

@pytest.fixture()
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb" / "entries" / "tensorflow"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "seeds" / "000_tflite_converter_unsupported_op.json", folder / "tflite-converter-unsupported-op.json")
    return tmp_path / "kb"


def new_entry(kb: Path, *args: str, input: str | None = None):
    return run_kbtool("new-entry", "--root", kb, "--today", TODAY, "--no-interactive", *args, input=input)


def test_signature_from_a_log_lists_the_other_candidates_with_their_line_numbers(kb):
    result = new_entry(kb, "--signature", "-", "--domain", "npm", "--dry-run",
                       input=real_log("01_npm_eresolve-svelte-preprocess.log"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["signature"] == "npm ERR! ERESOLVE unable to resolve dependency tree"
    assert "took the message of npm's ERR! block (after its code) (line 12 of 30)" in result.stderr
    assert "other candidate lines (pick one with --signature - --line N)" in result.stderr
    assert "  line 18: npm ERR! Could not resolve dependency:" in result.stderr
    assert "debug.log" not in result.stderr


def test_line_takes_the_line_the_user_picked(kb):
    result = new_entry(kb, "--signature", "-", "--line", "18", "--domain", "npm",
                       input=real_log("01_npm_eresolve-svelte-preprocess.log"))
    assert result.exit_code == 0, result.stderr
    written = json.loads(next((kb / "entries" / "npm").glob("*.json")).read_text(encoding="utf-8"))
    assert written["signature"] == "npm ERR! Could not resolve dependency:"
    assert "took line 18 of 30, as asked (--line 18)" in result.stderr
    assert "  line 12: npm ERR! ERESOLVE unable to resolve dependency tree" in result.stderr


@pytest.mark.parametrize("line", ["2", "31"])
def test_line_on_an_empty_or_missing_line_is_a_usage_error(kb, line):
    result = new_entry(kb, "--signature", "-", "--line", line, "--domain", "npm",
                       input=real_log("01_npm_eresolve-svelte-preprocess.log"))
    assert result.exit_code == 2 and f"--line {line}: standard input has no such non-empty line" in result.stderr


def test_line_without_a_log_is_a_usage_error(kb):
    result = new_entry(kb, "--signature", "ValueError: bad value", "--line", "3", "--domain", "python")
    assert result.exit_code == 2 and "use it with --signature -" in result.stderr


def test_format_json_dry_run_prints_only_the_record_as_json(kb):
    before = set(kb.rglob("*"))
    result = new_entry(kb, "--signature", "-", "--domain", "rust", "--dry-run", "--format", "json",
                       input=real_log("12_cargo_e0599-wabt-sys.log"))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["signature"].startswith("error[E0599]: no method named")
    assert record["id"].startswith("rust/") and record["regex"]
    assert "still to write" in result.stderr and "still to write" not in result.stdout
    assert set(kb.rglob("*")) == before


def test_format_json_when_writing_prints_the_written_record(kb):
    result = new_entry(kb, "--signature", "ValueError: bad value 42", "--domain", "python", "--format", "json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    path = kb / "entries" / f"{record['id']}.json"
    assert json.loads(path.read_text(encoding="utf-8")) == record
    assert "next steps" in result.stderr


def test_unknown_format_is_a_usage_error(kb):
    result = new_entry(kb, "--signature", "ValueError: bad value", "--domain", "python", "--format", "xml")
    assert result.exit_code == 2 and "--format xml: unknown format" in result.stderr


def test_help_documents_line_and_format_json():
    result = run_kbtool("new-entry", "--help", env={"COLUMNS": "200"})
    assert "--line" in result.stdout and "--format" in result.stdout
    assert "json: standard output holds only the record" in " ".join(result.stdout.split())

"""The finish a daily user expects, each through the real `kbtool` executable: version, shell
completion, colour and the progress bar (on a pseudo-terminal where a terminal matters), help pages
that teach, messages that say what to do, `new-entry --force` bumping the linked record, `fmt --diff`."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TODAY, _git, clean_record, write_record

KBTOOL = shutil.which("kbtool", path=os.path.dirname(sys.executable)) or shutil.which("kbtool")
ESCAPE = "\x1b["


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR", "KBTOOL_TODAY")}
    env.update(TERM="xterm-256color", COLUMNS="100", KBTOOL_TODAY=TODAY)
    env.update(extra)
    return env


def kbtool(*args, cwd: Path | None = None, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
    """The real executable, its output piped."""
    return subprocess.run([KBTOOL, *map(str, args)], cwd=cwd, input=input, capture_output=True, text=True,
                          env=environment(**env))


def on_terminal(command: list[str], cwd: Path, **env: str) -> str:
    """Run `command` with its standard output and error on a pseudo-terminal; what the terminal showed."""
    pid, descriptor = pty.fork()
    if pid == 0:  # the child: a terminal for its stdin, stdout and stderr
        os.chdir(cwd)
        os.execvpe(command[0], command, environment(**env))
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    os.close(descriptor)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def kb(tmp_path) -> Path:
    """A KB with one clean record and one with a warning and an error (future date, stale)."""
    write_record(tmp_path, clean_record())
    broken = clean_record()
    broken.update(id="tensorflow/broken", signature="BrokenError: nothing works here at all",
                  regex="BrokenError: nothing works here at all", error_code=None,
                  last_confirmed="2020-01-01", last_updated="2099-01-01")
    write_record(tmp_path, broken)
    return tmp_path


# --- version and completion ---------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flags_print_the_version(flag):
    result = kbtool(flag)
    assert result.returncode == 0
    assert re.fullmatch(r"kbtool \d+\.\d+\.\d+\S*\n", result.stdout)


def in_bash(arguments: str) -> list[str]:
    """A command line running kbtool with `arguments` inside bash: the completion options find the shell they run
    in among kbtool's parent processes (a single command would replace the bash that runs it, and under a test
    runner started by no shell, there would be none)."""
    return ["bash", "--norc", "-c", f"{shlex.quote(str(KBTOOL))} {arguments}; exit $?"]


def test_show_completion_prints_a_bash_script():
    result = subprocess.run(in_bash("--show-completion"), capture_output=True, text=True, env=environment())
    assert result.returncode == 0, result.stderr
    assert "_kbtool_completion" in result.stdout and "complete " in result.stdout


def test_show_completion_detects_the_shell_it_runs_in_on_a_terminal(tmp_path):
    shown = on_terminal(in_bash("--show-completion"), tmp_path, HOME=str(tmp_path))
    assert "_kbtool_completion" in shown


def test_install_completion_installs_it_for_bash(tmp_path):
    result = subprocess.run(in_bash("--install-completion"), capture_output=True, text=True,
                            env=environment(HOME=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "kbtool" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


@pytest.mark.parametrize("words, expected", [
    ("kbtool li", {"lint", "list"}),
    ("kbtool rep", {"report"}),
    ("kbtool lint --format s", {"sarif"}),
    ("kbtool report --format ", {"text", "json"}),
])
def test_completion_completes_commands_and_format_choices(words, expected):
    env = {"_KBTOOL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = kbtool(**env)
    assert set(result.stdout.split()) == expected


# --- colour -------------------------------------------------------------------------------------------

def test_severities_are_coloured_on_a_terminal(kb):
    shown = on_terminal([KBTOOL, "lint", "--root", str(kb)], kb)
    assert f"{ESCAPE}1;31merror{ESCAPE}0m KB403" in shown
    assert f"{ESCAPE}33mwarning{ESCAPE}0m KB401" in shown


def test_no_colour_when_piped(kb):
    result = kbtool("lint", "--root", kb)
    assert "error KB403" in result.stdout and ESCAPE not in result.stdout + result.stderr


def test_no_color_variable_turns_colour_off_on_a_terminal(kb):
    shown = on_terminal([KBTOOL, "lint", "--root", str(kb)], kb, NO_COLOR="1")
    assert "error KB403" in shown and ESCAPE not in shown


def test_color_never_turns_colour_off_on_a_terminal(kb):
    shown = on_terminal([KBTOOL, "lint", "--root", str(kb), "--color", "never"], kb)
    assert "error KB403" in shown and ESCAPE not in shown


def test_color_always_colours_a_pipe(kb):
    result = kbtool("lint", "--root", kb, "--color", "always", NO_COLOR="1")
    assert f"{ESCAPE}1;31merror{ESCAPE}0m KB403" in result.stdout


def test_an_unknown_color_choice_is_a_usage_error(kb):
    result = kbtool("lint", "--root", kb, "--color", "sometimes")
    assert result.returncode == 2 and "--color sometimes" in result.stderr


def test_report_prints_rich_tables_on_a_terminal_and_plain_text_when_piped(kb):
    shown = on_terminal([KBTOOL, "report", "--root", str(kb)], kb)
    assert "┃" in shown or "│" in shown  # rich's table borders
    piped = kbtool("report", "--root", kb)
    assert "│" not in piped.stdout and ESCAPE not in piped.stdout


# --- the progress bar ---------------------------------------------------------------------------------

def test_lint_draws_a_progress_bar_on_a_terminal_stderr(kb, tmp_path):
    out = tmp_path / "out.txt"
    shown = on_terminal(["bash", "--norc", "-c", f"{KBTOOL} lint --root {kb} > {out}"], kb, KBTOOL_PROGRESS_DELAY="0")
    assert "kbtool lint" in shown and "rules" in shown  # the bar, on the terminal (stdout went to the file)
    assert "error KB403" in out.read_text(encoding="utf-8") and "rules" not in out.read_text(encoding="utf-8")


def test_the_progress_bar_never_goes_back():
    """A lint of the whole KB tells of the rules of each file as it reads the files, then of the other rules
    from the start again: the bar stays where it was until they pass it."""
    from kbtool.cli.common import ProgressBar

    bar = ProgressBar("kbtool lint")
    shown = []
    for done in (0, 20, 30, 0, 10, 31, 35):
        bar.update(done, 35)
        shown.append(bar._done)
    assert shown == [0, 20, 30, 30, 30, 31, 35]


def test_no_progress_bar_when_stderr_is_not_a_terminal(kb):
    result = kbtool("lint", "--root", kb, KBTOOL_PROGRESS_DELAY="0")
    assert result.stderr == ""


def test_no_progress_bar_for_a_short_run_on_a_terminal(kb, tmp_path):
    out = tmp_path / "out.txt"
    shown = on_terminal(["bash", "--norc", "-c", f"{KBTOOL} lint --root {kb} > {out}"], kb,
                        KBTOOL_PROGRESS_DELAY="3600")
    assert "rules" not in shown


# --- help pages that teach -----------------------------------------------------------------------------

COMMANDS = [["lint"], ["rules"], ["match"], ["new-entry"], ["fmt"], ["extract"], ["report"], ["show"], ["list"],
            ["import", "deadends"], ["baseline", "write"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_help_has_an_example_and_conventional_metavars(command):
    result = kbtool(*command, "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert f"kbtool {command[0]}" in result.stdout.split("Examples:")[1]
    for unconventional in ("<bool>", "<list[", "<int range>", "[x>=0]", "<path>", "<str>", "{"):
        assert unconventional not in result.stdout, unconventional


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_process_running_one_command_says_what_the_whole_app_says(command):
    """The console script builds the app with the command it runs alone (`build_app(only)`): its help, and its
    message for a wrong option, are those of the whole app."""
    whole_app = "import sys; from kbtool.cli import build_app; build_app()(sys.argv[1:], prog_name='kbtool')"
    for args in ([*command, "--help"], [*command, "--no-such-option"]):
        alone = kbtool(*args)
        whole = subprocess.run([sys.executable, "-c", whole_app, *args], capture_output=True, text=True, env=environment())
        assert alone.stdout.startswith("Usage: kbtool") or alone.stderr.startswith("Usage: kbtool")
        assert (alone.returncode, alone.stdout, alone.stderr) == (whole.returncode, whole.stdout, whole.stderr)


def test_only_a_command_named_first_is_built_alone(monkeypatch):
    from kbtool.cli import COMMANDS, GROUPS, _command_named, build_app
    assert [info.name for info in build_app("match").registered_commands] == ["match"]
    assert not build_app("match").registered_groups
    assert [info.name for info in build_app("import").registered_groups] == ["import"]
    assert len(build_app().registered_commands) == len(COMMANDS) and len(build_app().registered_groups) == len(GROUPS)
    assert _command_named(["lint", "--root", "kb"]) == "lint" and _command_named(["baseline", "write"]) == "baseline"
    for arguments in ([], ["--version"], ["-h"], ["matc"], ["--root", "match"]):
        assert _command_named(arguments) is None, arguments
    monkeypatch.setenv("_KBTOOL_COMPLETE", "complete_bash")  # shell completion lists every command
    assert _command_named(["lint"]) is None


@pytest.mark.parametrize("command, choices", [(["lint"], "[text|json|github|sarif]"), (["report"], "[text|json]"),
                                              (["match"], "[text|json]"), (["extract"], "[text|json]")])
def test_format_choices_are_shown(command, choices):
    assert re.search(rf"--format {re.escape(choices)}", kbtool(*command, "--help").stdout)


def test_text_in_brackets_is_not_taken_for_markup():
    assert "stale-days in [tool.kbtool], else 365" in " ".join(kbtool("lint", "--help").stdout.split())


# --- messages --------------------------------------------------------------------------------------------

def lint_line(kb: Path, name: str, text: str) -> str:
    (kb / "entries" / "tensorflow" / name).write_text(text, encoding="utf-8")
    result = kbtool("lint", "--root", kb, f"entries/tensorflow/{name}", "--select", "invalid-json", cwd=kb)
    return result.stdout.splitlines()[0]


def test_a_trailing_comma_is_named_with_what_to_do(kb):
    line = lint_line(kb, "comma.json", '{\n  "id": "tensorflow/comma",\n  "tags": ["a",]\n}\n')
    assert line.startswith("entries/tensorflow/comma.json:3:15: error KB101 invalid-json:")
    assert "a trailing comma after the last item of an array" in line and "remove this comma" in line


def test_a_missing_quote_is_named_with_what_to_do(kb):
    line = lint_line(kb, "quote.json", '{\n  "id": "tensorflow/quote,\n  "signature": "x"\n}\n')
    assert line.startswith("entries/tensorflow/quote.json:2:9: error KB101 invalid-json:")
    assert "missing its closing quote" in line and 'add the " that ends it' in line


def test_counts_are_in_the_singular_for_one(tmp_path):
    canons = tmp_path / "canons" / "python"
    canons.mkdir(parents=True)
    sample = sorted((Path(__file__).parent / "fixtures" / "deadends-sample").rglob("*.json"))[0]
    shutil.copy(sample, canons / sample.name)
    (tmp_path / "kb" / "entries").mkdir(parents=True)
    result = kbtool("import", "deadends", tmp_path / "canons", "--out", tmp_path / "kb")
    assert re.search(r"^1 canon read from .*, \d+ warnings?$", result.stdout, re.M), result.stdout
    assert "1 canons" not in result.stdout


def test_an_unknown_rule_in_select_of_the_configuration_names_its_line(kb):
    (kb / "pyproject.toml").write_text('[project]\nname = "kb"\n\n[tool.kbtool]\nstale-days = 30\n'
                                       'select = ["schema", "no-such-rule"]\n', encoding="utf-8")
    result = kbtool("lint", "--root", kb)
    assert result.returncode == 2
    assert f"{kb / 'pyproject.toml'}:6: [tool.kbtool] select: unknown rule 'no-such-rule'" in result.stderr


def test_the_baseline_summary_counts_the_findings_it_hid(kb, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert kbtool("baseline", "write", baseline, "--root", kb).returncode == 0
    hidden = len(json.loads(kbtool("lint", "--root", kb, "--format", "json").stdout)["findings"])
    result = kbtool("lint", "--root", kb, "--baseline", baseline)
    assert result.stdout.splitlines()[-1].endswith(f"; {hidden} findings hidden by the baseline")


# --- new-entry --force bumps the record it links ----------------------------------------------------------

def test_new_entry_force_bumps_last_updated_of_the_record_it_links(tmp_path):
    kb = tmp_path / "kb"
    record = clean_record()
    write_record(kb, record)
    _git(kb, "init", "-q", "-b", "main")
    _git(kb, "add", "-A")
    _git(kb, "commit", "-q", "-m", "base")
    result = kbtool("new-entry", "--root", kb, "--signature", record["signature"], "--domain", "tensorflow",
                    "--slug", "variant", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    linked = json.loads((kb / f"entries/{record['id']}.json").read_text(encoding="utf-8"))
    assert linked["last_updated"] == TODAY
    history = kbtool("lint", "--root", kb, "--changed-since", "main", "--select", "last-updated-not-bumped", cwd=kb)
    assert "last-updated-not-bumped" not in history.stdout, history.stdout


# --- fmt --diff ------------------------------------------------------------------------------------------

def test_fmt_diff_shows_what_fmt_would_change_and_changes_nothing(kb):
    path = kb / "entries/tensorflow/broken.json"
    squeezed = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=True)
    path.write_text(squeezed, encoding="utf-8")
    result = kbtool("fmt", "--root", kb, "--diff")
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/entries/tensorflow/broken.json\n+++ b/entries/tensorflow/broken.json\n")
    assert "\n+  \"id\": \"tensorflow/broken\",\n" in result.stdout
    assert path.read_text(encoding="utf-8") == squeezed
    assert "1 of 2 files would be reformatted" in result.stderr


def test_fmt_diff_of_canonical_records_is_empty(kb):
    result = kbtool("fmt", "--root", kb, "--diff")
    assert result.returncode == 0 and result.stdout == ""


def _kbtool_telling_at_the_end(expression: str, args, cwd: Path) -> subprocess.CompletedProcess:
    """The kbtool command `args` run as a process, which writes the value of `expression` to its standard error
    as it ends (in `os._exit`, with which the console entry point ends it)."""
    code = ("import os, sys\n"
            "_exit = os._exit\n"
            "def _ending(status):\n"
            f"    sys.stderr.write({expression}); sys.stderr.flush(); _exit(status)\n"
            "os._exit = _ending\n"
            "from kbtool.console import main; sys.argv = ['kbtool'] + sys.argv[1:]; main()")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd)


def test_match_and_lint_start_their_regex_worker_before_they_import_the_command_line(tmp_path):
    """The console script starts the worker of `kbtool match` and `kbtool lint` first thing (`kbtool.console`), so that
    its start-up overlaps the import of typer (and a lint's reading of the first files), and the command's matcher
    takes it; other commands, and the help of match and lint, start none ahead."""
    root = tmp_path / "kb"
    write_record(root, clean_record())
    order = ("('matcher first' if 'kbtool.regex.matcher' in sys.modules and list(sys.modules).index('kbtool.regex.matcher')"
             " < list(sys.modules).index('typer') else 'typer first') + ('' if 'kbtool.regex.matcher' not in sys.modules"
             " or not sys.modules['kbtool.regex.matcher']._AHEAD else ', not taken')")
    found = _kbtool_telling_at_the_end(order, ["match", "--format", "json", clean_record()["signature"]], root)
    assert json.loads(found.stdout)["matches"] and found.stderr.endswith("matcher first")
    found = _kbtool_telling_at_the_end(order, ["lint", "--today", TODAY, "--no-cache"], root)
    assert found.stdout.startswith("0 errors") and found.stderr.endswith("matcher first")
    for args in (["match", "--help"], ["lint", "--help"], ["rules"]):
        assert _kbtool_telling_at_the_end(order, args, root).stderr.endswith("typer first"), args


def test_a_command_imports_the_module_of_no_other_command(tmp_path):
    """The console script builds the app with the command it runs alone and imports that command's module only
    (`kbtool.cli.COMMANDS`); the whole app, for `kbtool --help`, imports them all."""
    root = tmp_path / "kb"
    write_record(root, clean_record())
    modules = "' '.join(sorted(name for name in sys.modules if name.startswith('kbtool.cli.') and name != 'kbtool.cli.common'))"
    found = _kbtool_telling_at_the_end(modules, ["match", "--format", "json", clean_record()["signature"]], root)
    assert json.loads(found.stdout)["matches"] and found.stderr.split("\n")[-1] == "kbtool.cli.match"
    assert _kbtool_telling_at_the_end(modules, ["lint", "--today", TODAY], root).stderr.split("\n")[-1] == "kbtool.cli.lint"
    whole = _kbtool_telling_at_the_end(modules, ["--help"], root)
    from kbtool.cli import COMMANDS, GROUPS
    modules_of_commands = {f"kbtool.cli.{module}" for module, _ in (*COMMANDS.values(), *GROUPS.values())}
    assert "Usage: kbtool" in whole.stdout and set(whole.stderr.split("\n")[-1].split()) == modules_of_commands


def test_lint_and_match_do_not_load_openssl(tmp_path):
    """kbtool hashes with the built-in BLAKE2b (`kbtool.digests`) and names its temporary files with `os.urandom`:
    neither `lint` nor `match` loads OpenSSL (`_hashlib`, through hashlib, hmac or secrets), 6-9 ms of a process."""
    root = tmp_path / "kb"
    write_record(root, clean_record())
    loaded = "'OpenSSL loaded' if '_hashlib' in sys.modules else 'no OpenSSL'"
    found = _kbtool_telling_at_the_end(loaded, ["match", "--format", "json", clean_record()["signature"]], root)
    assert json.loads(found.stdout)["matches"] and found.stderr.endswith("no OpenSSL")
    linted = _kbtool_telling_at_the_end(loaded, ["lint", "--today", TODAY, "--format", "json"], root)
    assert json.loads(linted.stdout)["summary"]["files"] == 1 and linted.stderr.endswith("no OpenSSL")


def test_options_that_need_no_conversion_skip_typers_converter(tmp_path):
    """typer converts values through pydantic, whose import and adapters cost about 0.1 s per run: a
    `match` of one message (text for text options, the rest left out) does without; an option whose
    value needs converting (a path, a number) still gets typer's conversion and its errors."""
    root = tmp_path / "kb"
    write_record(root, clean_record())
    def run(*args: str) -> subprocess.CompletedProcess:
        return _kbtool_telling_at_the_end("'pydantic imported' if 'pydantic' in sys.modules else 'pydantic not imported'",
                                          args, root)

    plain = run("match", "--format", "json", clean_record()["signature"])
    assert json.loads(plain.stdout)["matches"] and plain.stderr.endswith("pydantic not imported")
    with_path = run("match", "--root", str(root), "--format", "json", clean_record()["signature"])
    assert json.loads(with_path.stdout) == json.loads(plain.stdout) and with_path.stderr.endswith("pydantic not imported")
    number = run("lint", "--stale-days", "400", "--today", TODAY)
    assert number.returncode == 0 and number.stderr.endswith("pydantic imported")
    wrong = run("lint", "--stale-days", "many")
    assert wrong.returncode == 2 and "--stale-days" in wrong.stderr and "integer" in wrong.stderr


def test_a_kbtool_process_leaves_the_oldest_objects_to_the_end(tmp_path):
    """A run holds every record of the KB for its whole length: the cycle collector still collects
    young objects but does not traverse the old ones again and again (see COLLECTOR_THRESHOLDS)."""
    root = tmp_path / "kb"
    write_record(root, clean_record())
    from kbtool.console import COLLECTOR_THRESHOLDS
    completed = _kbtool_telling_at_the_end("repr(__import__('gc').get_threshold())", ["lint", "--today", TODAY], root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stderr.endswith(repr(COLLECTOR_THRESHOLDS)) and COLLECTOR_THRESHOLDS[0] > 700

"""Time `kbtool lint --changed-since` against a full lint, on a generated KB in a real git repository.

    python benchmarks/bench_changed_since.py [--records 2500] [--keep DIR]

Generates the KB (benchmarks/generate_kb.py) in a fresh repository on `main`, branches off, edits one
record, and runs the real CLI twice: `kbtool lint --changed-since main` (what a pull request gets) and
the full `kbtool lint`. Prints the wall time, the files reported on and the findings of each run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_kb import generate  # noqa: E402

GIT = ["git", "-c", "user.name=Benchmark", "-c", "user.email=bench@kb.invalid", "-c", "commit.gpgsign=false",
       "-c", "init.defaultBranch=main"]


def git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


def timed_lint(repo: Path, *args: str) -> tuple[float, dict]:
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "kbtool", "lint", "--root", str(repo), "--today", "2026-11-23",
                                "--format", "json", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"kbtool lint {' '.join(args)} failed: {completed.stderr}")
    return elapsed, json.loads(completed.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2500)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        repo = options.keep or Path(scratch) / "kb"
        repo.mkdir(parents=True, exist_ok=True)
        git(repo, "init", "-q")
        generate(repo, options.records)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "generated")
        git(repo, "checkout", "-q", "-b", "feature")
        edited = sorted((repo / "entries").rglob("*.json"))[options.records // 2]
        record = json.loads(edited.read_text(encoding="utf-8"))
        record["root_cause_zh"] = "Left in English by mistake."
        edited.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        git(repo, "commit", "-q", "-am", "edit one record")
        print(f"{options.records} records; edited {edited.relative_to(repo).as_posix()}")
        for label, args in (("--changed-since main", ("--changed-since", "main")), ("full lint", ())):
            elapsed, document = timed_lint(repo, *args)
            paths = {finding["path"] for finding in document["findings"]}
            print(f"{label:>22}: {elapsed:6.2f} s, {document['summary']['files']} files reported on, "
                  f"{len(document['findings'])} findings in {len(paths)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

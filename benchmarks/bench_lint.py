"""Time `kbtool lint` over generated KBs of 10,000 and 100,000 records; print wall time, peak memory
and where the time goes.

    python benchmarks/bench_lint.py [--sizes 10000 100000] [--today 2026-11-23] [--no-breakdown] [--keep DIR]

For each size: generate the KB (benchmarks/generate_kb.py), run the real CLI
(`python -m kbtool lint --format json`) and report its wall time, peak resident memory
(the CLI and its regex worker) and the findings per rule; then, in this process, time each
stage of the same lint: loading, the per-record regex batch, and every rule on its own.
The regex rules share one analysis per run (static shapes, broadness, the cross-record
match); the first rule that needs a piece pays for it, as in a real run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))

from generate_kb import generate  # noqa: E402


def run_cli(root: Path, today: str) -> tuple[float, float, int, dict]:
    """(seconds, peak MiB, exit status, JSON document) of one `kbtool lint` run."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kbtool", "lint", "--root", str(root), "--today", today,
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    # The children's peak resident set (the CLI, and its regex worker, which is forked from it).
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if stderr.strip():
        print(stderr.decode(errors="replace").strip()[:2000])
    try:
        document = json.loads(stdout)
    except ValueError:
        document = {"findings": [], "summary": {}}
    return seconds, peak_mib, process.returncode, document


def breakdown(root: Path, today: str) -> list[tuple[str, float]]:
    """Seconds per stage of one lint of `root`, run in this process."""
    from kbtool.filters import active_rules
    from kbtool.kb import load_knowledge_base
    from kbtool.lint import LintContext, run_rules
    from kbtool.regex.facts import RegexFacts
    from kbtool.regex.matcher import BoundedMatcher
    from kbtool.schema import record_schema
    from kbtool.settings import build_settings

    stages: list[tuple[str, float]] = []
    settings = build_settings(root=root, today=today)
    started = time.perf_counter()
    kb = load_knowledge_base(settings.root)
    stages.append(("load and parse every file", time.perf_counter() - started))
    with BoundedMatcher() as matcher:
        started = time.perf_counter()
        facts = RegexFacts(kb, matcher)
        for record in kb.records:  # the batch of every record runs on the first question
            facts.check(record)
            break
        stages.append(("regex vs own signature and aliases (batch)", time.perf_counter() - started))
        context = LintContext(settings=settings, kb=kb, schema=record_schema(settings.root), regex=facts)
        for rule in active_rules(settings):
            if rule.scope in ("config", "baseline"):
                continue
            started = time.perf_counter()
            run_rules([rule], context, None)
            stages.append((f"{rule.code} {rule.name}", time.perf_counter() - started))
    return stages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--today", default="2026-11-23")
    parser.add_argument("--no-breakdown", action="store_true", help="only time the CLI")
    parser.add_argument("--keep", type=Path, help="generate into DIR/kb-N (kept) instead of a temporary folder")
    arguments = parser.parse_args()
    for size in arguments.sizes:
        with tempfile.TemporaryDirectory() as temporary:
            root = (arguments.keep or Path(temporary)) / f"kb-{size}"
            started = time.perf_counter()
            generate(root, size)
            print(f"\n== {size:,} records (generated in {time.perf_counter() - started:.1f} s)")
            seconds, peak, status, document = run_cli(root, arguments.today)
            counts = collections.Counter(finding["name"] for finding in document.get("findings", []))
            print(f"kbtool lint: {seconds:.1f} s wall, peak memory {peak:.0f} MiB, exit {status}, "
                  f"{document.get('summary', {})}")
            for name, count in counts.most_common():
                print(f"  {count:7d}  {name}")
            if not arguments.no_breakdown:
                print("where the time goes (same lint, in-process):")
                stages = breakdown(root, arguments.today)
                for stage, spent in sorted(stages, key=lambda item: -item[1]):
                    if spent >= 0.05:
                        print(f"  {spent:8.2f} s  {stage}")
                print(f"  {sum(spent for _, spent in stages):8.2f} s  total")
    print(f"\npeak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
          f"(pid {os.getpid()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

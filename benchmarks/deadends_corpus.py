"""Import the real deadends corpus into a temporary KB, lint it, and print timings and findings per rule.

    python benchmarks/deadends_corpus.py [SRC] [--keep DIR] [--today YYYY-MM-DD]

SRC defaults to ../shared/corpora/deadends-canons. The per-rule counts feed docs/real-corpus-report.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "deadends-canons"


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - start, completed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--keep", type=Path, help="import into this folder (kept) instead of a temporary one")
    parser.add_argument("--today", default="2026-11-23")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        out = arguments.keep or Path(temporary) / "kb"
        kbtool = [sys.executable, "-m", "kbtool"]
        seconds, imported = timed([*kbtool, "import", "deadends", str(arguments.source), "--out", str(out)])
        print(f"import: {seconds:.1f} s, exit {imported.returncode}: {imported.stdout.strip().splitlines()[-1]}")
        if imported.stderr.strip():
            print(imported.stderr.strip())
        seconds, linted = timed([*kbtool, "lint", "--root", str(out), "--format", "json", "--today", arguments.today])
        if linted.returncode not in (0, 1):
            print(f"lint: exit {linted.returncode}\n{linted.stderr}")
            return 1
        document = json.loads(linted.stdout)
        print(f"lint: {seconds:.1f} s, exit {linted.returncode}, summary {document['summary']}")
        counts = collections.Counter((finding["rule"], finding["name"], finding["severity"]) for finding in document["findings"])
        records = collections.defaultdict(set)
        for finding in document["findings"]:
            records[finding["rule"]].add(finding["path"])
        for (code, name, severity), count in sorted(counts.items()):
            print(f"{code} {name:28} {severity:8} {count:6} findings in {len(records[code]):5} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())

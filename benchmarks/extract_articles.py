"""Time `kbtool extract` on a generated folder of N articles.

    python benchmarks/extract_articles.py [N]        (default 30000)

Articles are made from the labelled evaluation articles (tests/extract_eval/articles/) with
their names, numbers and quoted names varied, so that most messages are distinct and the run
writes many candidates. The KB is the repository's own entries/. Prints the wall time, the
articles per second and the peak memory of the extract process.
"""

from __future__ import annotations

import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((REPO / "tests" / "extract_eval" / "articles").glob("*.md")) + sorted((REPO / "articles").glob("*.md"))


def vary(text: str, number: int, rng: random.Random) -> str:
    text = re.sub(r'^id: "([^"]+)"', lambda match: f'id: "{match.group(1)}-{number}"', text, count=1, flags=re.M)
    head, _, body = text.partition("\n---\n")
    body = re.sub(r"'([A-Za-z][\w.-]{2,40})'", lambda match: f"'{match.group(1)}{number}'", body)
    body = re.sub(r"\b\d{2,4}\b", lambda match: str(rng.randint(10, 9999)), body)
    return f"{head}\n---\n{body}"


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    rng = random.Random(0)
    templates = [path.read_text(encoding="utf-8") for path in TEMPLATES]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(REPO / "entries", root / "entries")
        articles = root / "articles"
        for number in range(count):
            shard = articles / f"{number // 1000:03d}"
            shard.mkdir(parents=True, exist_ok=True)
            (shard / f"a{number:06d}.md").write_text(vary(templates[number % len(templates)], number, rng), encoding="utf-8")
        size = sum(path.stat().st_size for path in articles.rglob("*.md"))
        print(f"generated {count:,} articles ({size / 1e6:.1f} MB) in {root}")
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "kbtool", "extract", "--root", str(root), "--today", "2026-11-23",
                                 "--format", "json"], capture_output=True, text=True)
        elapsed = time.monotonic() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if result.returncode not in (0, 1):
            print(result.stderr[-2000:])
            return 1
        summary = json.loads(result.stdout)["summary"]
        candidates = sum(1 for _ in (root / "candidates").rglob("*.json"))
        print(f"extract: {elapsed:.1f} s for {count:,} articles ({count / elapsed:,.0f} articles/s), "
              f"peak memory {peak:,.0f} MiB, exit {result.returncode}")
        print(f"summary: {summary}; candidate files written: {candidates:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

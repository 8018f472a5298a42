"""Fast at any size: one table of kbtool's figures beside the anchors, run side by side.

    python benchmarks/bench_scale.py [--sizes 2522 10000 100000] [--keep DIR] [--queries 1000]

Sizes: 2,522 is the deadends corpus imported as it is (`kbtool import deadends`); larger sizes are
made from it by systematic variation with a fixed seed: variant k of a record gets the id
`domain/slug--env-vk`, the prefix `vk: ` in its signature and regex (so that every variant is its own
error, as real KBs are, instead of 40 copies colliding), and other values in the variable parts of
its signature (names, numbers, paths). For each size, in the same run:

- the parse floor: reading and `json.loads` of every record file, in one process; and the parse and
  compile floor: the same, with every record's regex compiled by Python's `re` (run once), the least
  that any lint which runs the records' regexes pays in one process before it checks anything;
- `check-jsonschema --schemafile schema/error-record.schema.json` over the same files, installed in
  this benchmark's own virtual environment (~/.cache/kbtool-bench/venv), in batches of 5,000 files;
- `kbtool lint` cold (`--no-cache`, when kbtool has a cache) and warm (a second run with the cache);
- the floor is the fastest of 3 runs at every size (a stall of the machine, or files not yet in the
  page cache, only make a floor look slower); up to 10,000 records, check-jsonschema and the cold lint
  are run 3 times too, in turn with the floor, and each is the median of its runs;
- `kbtool lint --changed-since HEAD` with one record changed, in a git repository, after a full lint
  of that repository (as a contributor's second run: the cache is warm); the median of 5 runs, each
  with another record changed (at a half, a third, a quarter, a fifth, a sixth of the KB);
- `kbtool match "<message>"` as a process (the cache warm), beside what any process of kbtool pays
  before it starts its work (Python starting and importing typer: "startup"), the medians of 15 runs
  of each, in turn (of 5 runs, one after the other, before: the same code gave 307 and 323 ms),
  and `kbtool match --batch` over `--queries` queries of the match evaluation set, per query median
  and p99 (from the batch's own timings);
- the first `kbtool lint` with the cache, which fills it (as a contributor's first run), its time and
  peak memory;
- peak resident memory of the cold lint and of that first one (GNU time's maximum RSS of the process
  and its children).

The lints and check-jsonschema write their reports to /dev/null: every one is made and written, and
this process reads none of them (a lint's JSON report of 100,000 records is some 190 MB).

kbtool runs from a copy of this checkout's `tools/` made when the benchmark starts (so that editing
the code meanwhile changes nothing), byte-compiled as pip does on install, with a cache of its own in
a temporary folder.

Every kbtool time is also printed as a ratio to the parse floor and to check-jsonschema. Figures are
printed, never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import match_eval  # noqa: E402

SCHEMA = REPO / "schema" / "error-record.schema.json"
BENCH_VENV = Path.home() / ".cache" / "kbtool-bench" / "venv"
TODAY = "2026-11-28"
SEED = 7


def kbtool(*args: str) -> list[str]:
    return [sys.executable, "-m", "kbtool", *args]


def timed(command: list[str], report: bool = True, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """(seconds, the finished process) of `command`; without `report`, its standard output goes to /dev/null
    (a lint's report of 100,000 records is some 190 MB, which this process would otherwise read and decode
    while the lint runs)."""
    started = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.PIPE if report else subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, **kwargs)
    return time.perf_counter() - started, completed


def peak_rss_mib(command: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of the command and its children) with GNU time; the report goes to /dev/null."""
    started = time.perf_counter()
    completed = subprocess.run(["/usr/bin/time", "-f", "%M", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    seconds = time.perf_counter() - started
    kib = int(completed.stderr.strip().splitlines()[-1])
    return seconds, kib / 1024


# --- the KBs ---------------------------------------------------------------------------------------------

def import_corpus(root: Path) -> None:
    subprocess.run(kbtool("import", "deadends", str(match_eval.CANONS), "--out", str(root)), check=True,
                   capture_output=True)
    shutil.copy(SCHEMA, root / "schema.json")


def _prefixed_regex(regex: str, prefix: str) -> str:
    flags = re.match(r"^\(\?[aiLmsux]+\)", regex)
    head = flags.group(0) if flags else ""
    return f"{head}{re.escape(prefix)}(?:{regex[len(head):]})"


def vary(source: Path, root: Path, size: int) -> None:
    """`size` records made from the records under `source` by systematic variation (fixed seed)."""
    rng = random.Random(SEED)
    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((source / "entries").rglob("*.json"))]
    (root / "entries").mkdir(parents=True)
    for number in range(size):
        base = records[number % len(records)]
        variant = number // len(records) + 1
        record = json.loads(json.dumps(base))
        prefix = f"v{variant}: "
        record["id"] = f"{base['id']}-v{variant}"
        record["signature"] = prefix + match_eval.perturbed(base["signature"], rng)
        record["regex"] = _prefixed_regex(base["regex"], prefix)
        graph = record.get("transition_graph") or {}
        for edges in graph.values():
            for edge in edges or []:
                if isinstance(edge, dict) and isinstance(edge.get("error_id"), str):
                    edge["error_id"] = f"{edge['error_id']}-v{variant}"
        target = root / "entries" / f"{record['id']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shutil.copy(SCHEMA, root / "schema.json")


# --- the anchors ---------------------------------------------------------------------------------------

PARSE_FLOOR = """
import json, os, re, sys, time
compile_regexes = sys.argv[2:] == ["--compile"]
started = time.perf_counter(); cpu = time.process_time()
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".json"):
            with open(os.path.join(folder, name), "rb") as handle:
                data = json.loads(handle.read())
            if compile_regexes and isinstance(data, dict) and isinstance(data.get("regex"), str):
                try:
                    re.compile(data["regex"])
                except (re.error, RecursionError, OverflowError, ValueError):
                    pass
print(time.perf_counter() - started, time.process_time() - cpu)
"""


def parse_floor(root: Path, compile_regexes: bool = False) -> float:
    """The parse floor's seconds; with `compile_regexes`, the parse and compile floor's."""
    completed = subprocess.run([sys.executable, "-c", PARSE_FLOOR, str(root / "entries"), *(["--compile"] if compile_regexes else [])],
                               capture_output=True, text=True, check=True)
    return float(completed.stdout.split()[0])


def check_jsonschema(root: Path) -> float:
    executable = BENCH_VENV / "bin" / "check-jsonschema"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "check-jsonschema"], check=True)
    files = sorted(str(path) for path in (root / "entries").rglob("*.json"))
    seconds = 0.0
    for start in range(0, len(files), 5000):
        spent, _ = timed([str(executable), "--schemafile", str(root / "schema.json"), *files[start:start + 5000]], report=False)
        seconds += spent
    return seconds


# --- kbtool --------------------------------------------------------------------------------------------

def has_option(command: str, option: str) -> bool:
    _, completed = timed(kbtool(command, "--help"), env={**os.environ, "COLUMNS": "300"})
    return option in completed.stdout


def changed_one(root: Path, runs: int = 5) -> float:
    """Median seconds of `lint --changed-since HEAD` with one record changed since HEAD, over `runs` runs that
    each change another record (and put the one before back)."""
    work = Path(tempfile.mkdtemp(prefix="kbtool-changed-"))
    try:
        shutil.copytree(root / "entries", work / "entries")
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@kbtool.invalid"]
        subprocess.run([*git, "init", "-q"], cwd=work, check=True)
        subprocess.run([*git, "add", "-A"], cwd=work, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=work, check=True)
        timed(kbtool("lint", "--root", str(work), "--today", TODAY, "--format", "json"), report=False)
        files = sorted((work / "entries").rglob("*.json"))
        times = []
        for divisor in range(2, 2 + runs):
            one = files[len(files) // divisor]
            before = one.read_text(encoding="utf-8")
            data = json.loads(before)
            data["root_cause"] = (data.get("root_cause") or "") + " (re-checked)"
            one.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            seconds, _ = timed(kbtool("lint", "--root", str(work), "--today", TODAY, "--format", "json",
                                      "--changed-since", "HEAD"), report=False)
            times.append(seconds)
            one.write_text(before, encoding="utf-8")  # the next run has one record changed too
        return statistics.median(times)
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: Runs of `kbtool match` as a process, each followed by a run of what every kbtool process pays before it does
#: anything (Python starting and importing typer: "startup"), so that both meet the machine as it is; the figures
#: are the medians of this many runs of each.
PROCESS_RUNS = 15


def match_latency(root: Path, message: str) -> tuple[float, float]:
    """(`kbtool match` as a process, the startup), each the median of PROCESS_RUNS runs, run in turn."""
    matches, startups = [], []
    for _ in range(PROCESS_RUNS):
        matches.append(timed(kbtool("match", "--root", str(root), "--format", "json", message))[0])
        startups.append(timed([sys.executable, "-c", "import typer"])[0])
    return statistics.median(matches), statistics.median(startups)


def batch_latency(root: Path, queries: list[str]) -> tuple[float, float] | None:
    if not has_option("match", "--batch"):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        handle.write("\n".join(query.replace("\n", " ") for query in queries) + "\n")
    try:
        _, completed = timed(kbtool("match", "--root", str(root), "--batch", handle.name))
    finally:
        os.unlink(handle.name)
    times = sorted(json.loads(line)["milliseconds"] for line in completed.stdout.splitlines() if line.strip())
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


#: Runs of the parse floor, check-jsonschema and the cold lint, one after the other in turn, up to this many records;
#: beyond, the floor alone is run REPEATS times. The floor is the fastest of its runs, the others the median of
#: theirs, the peak RSS the largest.
REPEATED_UP_TO = 10_000
REPEATS = 3


def measure(root: Path, size: int, queries: list[str]) -> dict:
    cache = has_option("lint", "--no-cache")
    lint = kbtool("lint", "--root", str(root), "--today", TODAY, "--format", "json")
    floors, anchors, colds = [], [], []
    for run in range(REPEATS):
        floors.append(parse_floor(root))
        if run == 0 or size <= REPEATED_UP_TO:
            anchors.append(check_jsonschema(root))
            colds.append(peak_rss_mib(lint + (["--no-cache"] if cache else [])))
    figures: dict = {"size": size, "floor": min(floors), "compile floor": parse_floor(root, compile_regexes=True),
                     "check-jsonschema": statistics.median(anchors),
                     "lint cold": statistics.median(seconds for seconds, _ in colds),
                     "peak MiB": max(peak for _, peak in colds)}
    if cache:  # the first lint with the cache fills it (a contributor's first run), the next one finds it warm
        figures["lint first"], figures["first peak MiB"] = peak_rss_mib(lint)
        figures["lint warm"] = timed(lint, report=False)[0]
    figures["one changed"] = changed_one(root)
    figures["match process"], figures["startup"] = match_latency(root, queries[0])
    batch = batch_latency(root, queries)
    if batch:
        figures["batch median ms"], figures["batch p99 ms"] = batch
    return figures


def table(rows: list[dict]) -> str:
    def cell(value, unit="s"):
        return "n/a" if value is None else (f"{value:.2f} {unit}" if unit == "s" else f"{value:.2f}")

    def milliseconds(value):  # a process's time, against a target of 300 ms
        return "n/a" if value is None else f"{value * 1000:.0f} ms"

    lines = ["| records | parse floor | parse and compile floor (×floor) | check-jsonschema | lint cold (×floor, ×cjs) | lint warm (×floor, ×cjs) | "
             "one changed | match process (startup) | batch median / p99 per query | first lint, filling the cache "
             "(×cjs) | peak RSS: cold / first |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        floor, cjs = row["floor"], row["check-jsonschema"]

        def with_ratios(key):
            value = row.get(key)
            return "n/a" if value is None else f"{value:.2f} s ({value / floor:.1f}×, {value / cjs:.2f}×)"

        batch = (f"{row['batch median ms']:.2f} / {row['batch p99 ms']:.2f} ms" if "batch median ms" in row else "n/a")
        match = f"{milliseconds(row.get('match process'))} ({milliseconds(row.get('startup'))})"
        first = "n/a" if "lint first" not in row else f"{row['lint first']:.2f} s ({row['lint first'] / cjs:.2f}×)"
        peak_first = "n/a" if "first peak MiB" not in row else f"{row['first peak MiB']:.0f}"
        lines.append(f"| {row['size']:,} | {floor:.2f} s | {row['compile floor']:.2f} s ({row['compile floor'] / floor:.1f}×) | {cjs:.2f} s | {with_ratios('lint cold')} | "
                     f"{with_ratios('lint warm')} | {cell(row.get('one changed'))} | {match} | "
                     f"{batch} | {first} | {row['peak MiB']:.0f} / {peak_first} MiB |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2522, 10_000, 100_000])
    parser.add_argument("--keep", type=Path, help="build the KBs in DIR/kb-N (kept, and reused when present)")
    parser.add_argument("--queries", type=int, default=1000)
    arguments = parser.parse_args()
    frozen = Path(tempfile.mkdtemp(prefix="kbtool-bench-code-"))
    shutil.copytree(REPO / "tools" / "kbtool", frozen / "kbtool", ignore=shutil.ignore_patterns("__pycache__"))
    # Byte-compiled as pip does on install: a run then does not compile kbtool's modules again (as it
    # would where PYTHONDONTWRITEBYTECODE is set), which would weigh on every per-process figure.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(frozen / "kbtool")], check=True, stdout=subprocess.DEVNULL)
    os.environ["PYTHONPATH"] = str(frozen) + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["KBTOOL_CACHE_DIR"] = str(frozen / "cache")
    base_folder = arguments.keep or Path(tempfile.mkdtemp(prefix="kbtool-bench-"))
    corpus = base_folder / "kb-2522"
    if not (corpus / "entries").is_dir():
        import_corpus(corpus)
    evaluation = match_eval.load()
    queries = [item["query"] for item in evaluation] * (arguments.queries // max(1, len(evaluation)) + 1)
    rows = []
    rng = random.Random(SEED)
    for size in arguments.sizes:
        root = corpus if size == 2522 else base_folder / f"kb-{size}"
        if not (root / "entries").is_dir():
            vary(corpus, root, size)
        # In a varied KB every record's message starts with its variant's prefix: so do the queries.
        variants = max(1, size // 2522)
        sized = queries if size == 2522 else [f"v{rng.randint(1, variants)}: {query}" for query in queries]
        rows.append(measure(root, size, sized[:arguments.queries]))
        print(f"measured {size:,} records", file=sys.stderr)
    print(table(rows))
    print(f"\nmachine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d %H:%M')}")
    if not arguments.keep:
        shutil.rmtree(base_folder, ignore_errors=True)
    shutil.rmtree(frozen, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

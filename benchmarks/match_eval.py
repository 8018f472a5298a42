"""The evaluation set of `kbtool match`, and its scorer.

The set is made from the deadends canons (MIT): each canon signature whose variable parts (quoted
names, numbers, paths, sizes, addresses, versions) can be changed becomes a query with other values,
kept only when the canon's own regex still matches it; its label is the canon it came from. Each
query is also buried in a realistic log: 20 to 40 lines of chatter (progress bars, pip and npm
notices, wandb lines, INFO and WARNING logs, stack frames) around it.

    python benchmarks/match_eval.py build [CANONS]   # writes tests/match_eval/queries.jsonl (fixed seed)
    python benchmarks/match_eval.py score [KB_ROOT]  # precision at 1 of kbtool, brute force and lookup_all

A query's first result is right when it is a record of the same canon (`domain/slug`, any environment:
the importer turns one canon seen in several environments into several records with one regex).
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CANONS = REPO.parent / "shared" / "corpora" / "deadends-canons"
QUERIES = REPO / "tests" / "match_eval" / "queries.jsonl"
SEED = 20261128

_NAMES = ["torch", "numpy", "flask", "requests", "my_module", "user_id", "config.yaml", "main", "Dense",
          "conv2d_1", "MyService", "orders", "api-gateway", "redis", "payments", "web-1", "frontend", "lodash",
          "express", "react-dom", "tensorflow", "pandas", "backend", "worker", "data.csv", "settings"]
_PATHS = ["/home/alice/project/src/app.py", "/usr/local/lib/python3.11/site-packages/x/y.py", "/opt/app/main.go",
          "C:\\Users\\bob\\code\\index.js", "/var/lib/data/file.db", "./src/components/App.tsx"]

_VARIABLE = re.compile(
    r"(?P<quoted>'[^'\n]{1,60}'|\"[^\"\n]{1,60}\"|`[^`\n]{1,60}`)"
    r"|(?P<path>(?<![\w./])(?:[A-Za-z]:\\|/)[\w.\-/\\]{3,})"
    r"|(?P<hex>\b0x[0-9a-fA-F]{4,}\b)"
    r"|(?P<number>\b\d+(?:\.\d+)?\b)")


def _replacement(kind: str, text: str, rng: random.Random) -> str:
    if kind == "quoted":
        return text[0] + rng.choice([name for name in _NAMES if name != text[1:-1]]) + text[-1]
    if kind == "path":
        return rng.choice([path for path in _PATHS if path != text])
    if kind == "hex":
        return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(len(text) - 2))
    if "." in text:
        whole, fraction = text.split(".", 1)
        return f"{rng.randint(1, 9)}{'0' * max(0, len(whole) - 1)}." + "".join(rng.choice("0123456789") for _ in fraction)
    if len(text) >= 3 and text.startswith(("4", "5")) and len(text) == 3:
        return text  # an HTTP status names the error: keep it
    value = rng.randint(2, 10 ** max(1, len(text)) - 1)
    return str(value) if str(value) != text else str(value + 1)


#: Numbers that name the error rather than vary with it: errno and status codes, C++ standards, SQL states.
_IDENTIFYING_NUMBER = re.compile(r"(?:errno|error|code|status|exit|signal|sqlstate|http|c\+\+|\[|:)\s*$", re.IGNORECASE)


def perturbed(signature: str, rng: random.Random) -> str:
    """The signature with every variable part replaced by another realistic value."""
    def replace(found: re.Match) -> str:
        if found.lastgroup == "number" and _IDENTIFYING_NUMBER.search(signature[max(0, found.start() - 12):found.start()]):
            return found.group(0)
        return _replacement(found.lastgroup, found.group(0), rng)

    return _VARIABLE.sub(replace, signature)


_CHATTER = [
    "Collecting {name}==2.{n}.0",
    "  Downloading {name}-2.{n}.0-py3-none-any.whl ({n}.{n} MB)",
    "     |████████████████████████████████| {n}.{n} MB {n}.{n} MB/s",
    "Requirement already satisfied: {name} in ./venv/lib/python3.11/site-packages ({n}.{n}.0)",
    "[notice] A new release of pip is available: 23.{n} -> 24.0",
    "[notice] To update, run: pip install --upgrade pip",
    "npm WARN deprecated {name}@1.{n}.0: this library is no longer supported",
    "npm notice New minor version of npm available! 10.2.{n} -> 10.5.0",
    "added {n}{n} packages, and audited {n}{n}{n} packages in {n}s",
    "wandb: Waiting for W&B process to finish... (success).",
    "wandb: 🚀 View run at https://wandb.ai/team/project/runs/{n}abc",
    "wandb: Syncing run {name}-{n}",
    "Epoch {n}/10: 100%|██████████| 469/469 [00:{n}{n}<00:00, 38.{n}it/s, loss=0.{n}{n}]",
    " 45%|████▌     | {n}{n}/100 [00:0{n}<00:0{n}, 12.{n}it/s]",
    "INFO:root:Loading checkpoint from ./checkpoints/epoch_{n}.pt",
    "INFO: Started server process [{n}{n}{n}{n}]",
    "2024-05-0{n} 12:0{n}:33,512 INFO {name}: request handled in {n}{n} ms",
    "2024-05-0{n} 12:0{n}:34,001 DEBUG {name}: cache hit for key {name}",
    "WARNING:tensorflow:From /usr/lib/python3/dist-packages/keras/backend.py:{n}{n}: The name tf.{name} is deprecated.",
    "W0507 12:0{n}:33.{n}{n}{n} 140 {name}.cc:{n}{n}] Using default configuration",
    "UserWarning: {name} is deprecated and will be removed in a future release",
    "Step {n}{n}/{n}{n}{n}: train_loss=0.{n}{n}{n} val_loss=0.{n}{n}{n}",
    "+ export PATH=/usr/local/bin:$PATH",
    "Successfully built {name}",
    "Using cached {name}-1.{n}.tar.gz",
    "Building wheels for collected packages: {name}",
]
_FRAMES = [
    '  File "/usr/local/lib/python3.11/site-packages/{name}/core.py", line {n}{n}, in run',
    '  File "/home/alice/project/train.py", line {n}{n}, in <module>',
    "    return self._call_impl(*args, **kwargs)",
    "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:{n}{n}{n})",
    "\tat com.example.{name}.Service.handle(Service.java:{n}{n})",
    "    at Module._compile (node:internal/modules/cjs/loader:{n}{n}{n}{n}:14)",
    "goroutine {n} [running]:",
]


def _filled(template: str, rng: random.Random) -> str:
    text = template.replace("{name}", rng.choice(_NAMES))
    while "{n}" in text:
        text = text.replace("{n}", str(rng.randint(1, 9)), 1)
    return text


def buried(query: str, rng: random.Random) -> str:
    """`query` among 20 to 40 lines of chatter and stack frames, as a pasted log."""
    total = rng.randint(20, 40)
    lines = [_filled(rng.choice(_CHATTER), rng) for _ in range(total)]
    at = rng.randint(total // 3, total - 2)
    frames = [_filled(rng.choice(_FRAMES), rng) for _ in range(rng.randint(0, 6))]
    header = ["Traceback (most recent call last):"] if frames and frames[0].startswith("  File") else []
    return "\n".join(lines[:at] + header + frames + query.split("\n") + lines[at:]) + "\n"


def build(canons: Path = CANONS) -> list[dict]:
    rng = random.Random(SEED)
    queries = []
    for path in sorted(canons.rglob("*.json")):
        try:
            canon = json.loads(path.read_text(encoding="utf-8"))
            signature, regex = canon["error"]["signature"], canon["error"]["regex"]
            compiled = re.compile(regex, re.IGNORECASE)
        except (ValueError, KeyError, TypeError, re.error):
            continue
        query = perturbed(signature, rng)
        if query == signature or not compiled.search(query):
            continue  # nothing varies, or the canon's own regex no longer recognises it
        domain, slug, _ = canon["id"].split("/")
        queries.append({"query": query, "canon": f"{domain}/{slug}", "source": canon["id"], "log": buried(query, rng)})
    return queries


def write(queries: list[dict]) -> None:
    QUERIES.parent.mkdir(parents=True, exist_ok=True)
    with open(QUERIES, "w", encoding="utf-8") as handle:
        for item in queries:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def load() -> list[dict]:
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def canon_of(record_id: str) -> str:
    """`domain/slug--env` (an imported record) → `domain/slug`."""
    return record_id.split("--", 1)[0]


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        made = build(Path(sys.argv[2]) if len(sys.argv) > 2 else CANONS)
        write(made)
        print(f"{len(made)} queries written to {QUERIES.relative_to(REPO)}")


# --- scoring -----------------------------------------------------------------------------------------

def records_of(kb_root: Path) -> list[tuple[str, dict]]:
    """(record id, data) of every record of the KB at `kb_root`."""
    found = []
    for path in sorted((kb_root / "entries").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append((data["id"], data))
    return found


def brute_force_longest_span(records: list[tuple[str, dict]]):
    """Every record's regex searched in the text; the longest matched span first (the reference)."""
    compiled = []
    for record_id, data in records:
        try:
            compiled.append((record_id, re.compile(data["regex"])))
        except (re.error, KeyError):
            pass

    def rank(text: str) -> list[str]:
        hits = []
        for record_id, pattern in compiled:
            found = pattern.search(text)
            if found:
                hits.append((-(found.end() - found.start()), record_id))
        return [record_id for _, record_id in sorted(hits)]

    return rank


def longest_regex_first(records: list[tuple[str, dict]]):
    """kbtool match before its index and ranking: every matching record, the longest regex first."""
    compiled = [(record_id, re.compile(data["regex"]), len(data["regex"])) for record_id, data in records]

    def rank(text: str) -> list[str]:
        return [record_id for record_id, _, _ in sorted(((record_id, pattern, size) for record_id, pattern, size in compiled
                                                        if pattern.search(text)), key=lambda hit: (-hit[2], hit[0]))]

    return rank


def deadends_lookup_all(canons: Path = CANONS):
    """deadends.dev's own lookup_all over the same canons (loaded from ../shared/anchors, never copied)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("deadends_lookup", REPO.parent / "shared" / "anchors" / "deadends_lookup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.DATA_DIR = canons

    def rank(text: str) -> list[str]:
        return [item["id"].rsplit("/", 1)[0] for item in module.lookup_all(text)]

    return rank


def precision_at_1(rank, queries: list[dict], field: str = "query") -> tuple[int, int]:
    right = 0
    for item in queries:
        ranked = rank(item[field])
        right += bool(ranked) and canon_of(ranked[0]) == item["canon"]
    return right, len(queries)


def kbtool_batch(kb_root: Path, texts: list[str]) -> list[list[str]]:
    """`kbtool match --batch` over `texts` in one process: the ranked record ids of each."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        # One query per block of lines; a blank line inside a query would split it, so those go.
        handle.write("\n\n".join("\n".join(line for line in text.splitlines() if line.strip()) for text in texts) + "\n")
    command = [sys.executable, "-m", "kbtool", "match", "--root", str(kb_root), "--batch", handle.name]
    completed = subprocess.run(command + ["--paragraphs"], capture_output=True, text=True)
    Path(handle.name).unlink()
    lines = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    assert len(lines) == len(texts), completed.stderr[-2000:]
    return [[match["entry_id"] for match in line["matches"]] for line in lines]


def score(kb_root: Path) -> str:
    """The table of precision at 1: kbtool, brute force longest span, deadends' lookup_all."""
    queries = load()
    records = records_of(kb_root)
    rows = []
    for field in ("query", "log"):
        ranked = kbtool_batch(kb_root, [item[field] for item in queries])
        right = sum(bool(ids) and canon_of(ids[0]) == item["canon"] for ids, item in zip(ranked, queries))
        rows.append(("kbtool match", field, right))
    for title, rank in (("brute force, longest span", brute_force_longest_span(records)),
                        ("deadends.dev lookup_all", deadends_lookup_all())):
        for field in ("query", "log"):
            rows.append((title, field, precision_at_1(rank, queries, field)[0]))
    total = len(queries)
    lines = [f"{total} queries made from {len({item['canon'] for item in queries})} canons",
             "", "| ranker | alone: right at 1 | P@1 | in a log: right at 1 | P@1 |", "| --- | ---: | ---: | ---: | ---: |"]
    for title in dict.fromkeys(row[0] for row in rows):
        alone = next(right for name, field, right in rows if name == title and field == "query")
        logged = next(right for name, field, right in rows if name == title and field == "log")
        lines.append(f"| {title} | {alone} of {total} | {alone / total:.3f} | {logged} of {total} | {logged / total:.3f} |")
    return "\n".join(lines)


if __name__ == "__main__" and sys.argv[1:2] == ["score"]:
    print(score(Path(sys.argv[2]) if len(sys.argv) > 2 else REPO))

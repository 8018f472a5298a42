"""Write a deterministic, realistic knowledge base of N records into a folder (for benchmarks).

    python benchmarks/generate_kb.py OUT_DIR [--records N] [--seed S]

Messages come in the shapes real tools print (Python exceptions with quoted names, tensor
shapes, file paths, CUDA allocations, compiler diagnostics with file:line:col, Node error
codes), built from word banks so that every record is its own error. Each record's regex
generalises the varying parts the way a curator would (`'[^']+'`, `\\d+`, `[^:]+`) and keeps
the words that identify the error. About 1% of the records get a deliberately broad regex
(only the start of the message), which matches some sibling records' signatures: the
collisions that `regex-collision` must find. A few regexes have no literal text at all,
some have `(?i)`, some records have aliases. Records are schema-valid and written
canonically; with `--today 2026-11-23` they are otherwise clean.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

EXCEPTIONS = ["ValueError", "TypeError", "RuntimeError", "KeyError", "AttributeError", "ImportError", "OSError",
              "IndexError", "NotImplementedError", "AssertionError", "ConverterError", "InvalidArgumentError",
              "ResourceExhaustedError", "FailedPreconditionError", "UnimplementedError", "InternalError",
              "DataLossError", "OutOfRangeError", "PermissionError", "FileNotFoundError", "ModuleNotFoundError",
              "ConnectionError", "TimeoutError", "SSLError", "JSONDecodeError", "UnicodeDecodeError",
              "ZeroDivisionError", "OverflowError", "RecursionError", "MemoryError"]
VERBS = ["Cannot quantize", "Cannot convert", "Failed to load", "Unable to open", "Could not find", "Cannot broadcast",
         "Failed to allocate", "Cannot serialize", "Failed to parse", "Cannot register", "Unsupported", "Invalid",
         "Missing", "Duplicate", "Unexpected", "Cannot resolve", "Failed to compile", "Cannot cast", "Failed to export",
         "Cannot infer", "Failed to initialize", "Cannot reshape", "Failed to validate", "Cannot merge", "Failed to bind",
         "Cannot schedule", "Failed to decode", "Cannot import", "Failed to connect to", "Cannot restore",
         "Failed to save", "Cannot fuse", "Failed to lower", "Cannot partition", "Failed to trace", "Cannot pickle",
         "Failed to mount", "Cannot lock", "Failed to sign", "Cannot verify"]
OBJECTS = ["node", "tensor", "op", "layer", "module", "checkpoint", "graph", "kernel", "variable", "dataset", "model",
           "signature", "buffer", "device", "stream", "plugin", "delegate", "subgraph", "session", "optimizer",
           "scheduler", "tokenizer", "vocabulary", "embedding", "attention mask", "input pipeline", "record file",
           "shard", "replica", "mesh", "partition spec", "compiled function", "saved model", "frozen graph",
           "quantizer", "calibrator", "profile", "engine", "context", "allocator", "memory pool", "event",
           "handle", "descriptor", "socket", "certificate", "config file", "lock file", "cache entry", "manifest",
           "package", "wheel", "extension", "symbol", "library", "namespace", "resource", "volume", "container",
           "image layer"]
QUALIFIERS = ["of type Custom", "with per-channel scales", "because it has no registered kernel",
              "in eager mode", "inside tf.function", "on device GPU:0", "with dynamic shape",
              "after graph finalization", "before initialization", "during calibration", "while tracing",
              "for the int8 target", "for the float16 target", "with an unknown rank", "with a negative stride",
              "because the file is truncated", "because the checksum does not match", "with mixed precision",
              "under XLA", "under jit", "for batch size 0", "in distributed mode", "across replicas",
              "because the version is too new", "because the version is too old", "with strict mode on",
              "because the name is reserved", "because it is read-only", "because it is already in use",
              "because the schema changed"]
DOMAINS = ["tensorflow", "pytorch", "jax", "onnx", "keras", "numpy", "pandas", "python", "pip", "docker",
           "kubernetes", "cuda", "node", "npm", "rust", "gcc", "cmake", "git", "java", "dotnet"]
LIBRARIES = ["CUDA", "cuDNN", "cuBLAS", "NCCL", "TensorRT", "ROCm", "oneDNN", "XNNPACK", "OpenVINO", "Metal"]
NAMES = ["conv2d_3", "dense_1", "MyCustomOp", "Cumsum", "TopK", "Gather", "embedding_7", "attn_out", "lstm_2",
         "batch_norm", "proj_q", "proj_k", "mlp_fc1", "pool_4", "resize_bilinear", "softmax_11", "layer_norm_2"]
USERS = ["alice", "bob", "carol", "dmitri", "wei", "yuki", "fatima", "lars"]


def _escape(text: str) -> str:
    return re.escape(text).replace("\\ ", " ")


def _message(rng: random.Random, index: int) -> tuple[str, str, str, list[str]]:
    """(signature, specific regex, broad regex, aliases) for record `index`."""
    exception = rng.choice(EXCEPTIONS)
    verb = rng.choice(VERBS)
    thing = rng.choice(OBJECTS)
    qualifier = rng.choice(QUALIFIERS)
    code = f"E{index:06d}"  # makes every message its own error, as error codes in real messages do
    shape = rng.randrange(6)
    stem = f"{exception}: {verb} {thing}"
    broad = _escape(stem)
    aliases: list[str] = []
    if shape == 0:
        name = rng.choice(NAMES)
        signature = f"{stem} '{name}' {qualifier} [{code}]"
        regex = f"{_escape(stem)} '[^']+' {_escape(qualifier)} \\[{code}\\]"
        if rng.random() < 0.3:
            other = rng.choice(NAMES)
            aliases.append(f"{stem} '{other}' {qualifier} [{code}]")
    elif shape == 1:
        rows, cols = rng.randrange(1, 4096), rng.randrange(1, 4096)
        signature = f"{stem} with shape ({rows}, {cols}) {qualifier} [{code}]"
        regex = f"{_escape(stem)} with shape \\(\\d+, \\d+\\) {_escape(qualifier)} \\[{code}\\]"
    elif shape == 2:
        user = rng.choice(USERS)
        path = f"/home/{user}/project_{rng.randrange(100)}/train_{rng.randrange(1000)}.py"
        signature = f"{stem} at {path}: {qualifier} [{code}]"
        regex = f"{_escape(stem)} at [^:]+: {_escape(qualifier)} \\[{code}\\]"
    elif shape == 3:
        library = rng.choice(LIBRARIES)
        mib = rng.randrange(2, 40000)
        signature = (f"RuntimeError: {library} {thing} {verb.lower()}: tried to allocate {mib} MiB "
                     f"({qualifier}) [{code}]")
        regex = f"{library} {_escape(thing)} {_escape(verb.lower())}: tried to allocate \\d+ MiB \\({_escape(qualifier)}\\) \\[{code}\\]"
        broad = f"{library} {_escape(thing)} {_escape(verb.lower())}"
    elif shape == 4:
        line, column = rng.randrange(1, 3000), rng.randrange(1, 120)
        name = rng.choice(NAMES)
        signature = f"src/{name}.cpp:{line}:{column}: error: {verb.lower()} {thing} '{name}' {qualifier} [{code}]"
        regex = f"error: {_escape(verb.lower())} {_escape(thing)} '[^']+' {_escape(qualifier)} \\[{code}\\]"
        broad = f"error: {_escape(verb.lower())} {_escape(thing)}"
    else:
        node_code = "ERR_" + re.sub(r"[^A-Z]+", "_", f"{verb} {thing}".upper()).strip("_")
        signature = f"Error [{node_code}]: {verb} {thing} '{rng.choice(NAMES)}' {qualifier} [{code}]"
        regex = f"(?i)Error \\[{node_code}\\]: {_escape(verb)} {_escape(thing)} '[^']+' {_escape(qualifier)} \\[{code}\\]"
        broad = f"Error \\[{node_code}\\]"
    return signature, regex, broad, aliases


def make_record(rng: random.Random, index: int) -> dict:
    domain = DOMAINS[index % len(DOMAINS)]
    signature, regex, broad, aliases = _message(rng, index)
    if index % 100 == 7:
        regex = broad  # a deliberate collision: the start of the message only
    elif index % 5000 == 11:
        regex = "\\[E\\d{6}\\] ?\\(\\d+\\)"  # no literal of three characters: the bounded fallback
        signature = f"{signature} (1)"
        aliases = []
    slug = f"{re.sub(r'[^a-z0-9]+', '-', signature.split(':')[1 if ':' in signature else 0].lower()).strip('-')[:60]}-{index}"
    day = 1 + index % 28
    record = {
        "id": f"{domain}/{slug}",
        "signature": signature,
        "signature_zh": f"错误：{domain} 无法完成该操作，对象不满足前提条件（编号 {index}）",
        "regex": regex,
        "domain": domain,
        "category": rng.choice(["build_error", "runtime_error", "install_error", "config_error"]),
        "subcategory": None,
        "root_cause": f"The {domain} runtime rejects the operation because its inputs do not meet the documented "
                      f"preconditions (case {index}).",
        "root_cause_type": "generic",
        "root_cause_zh": f"{domain} 运行时拒绝了该操作，因为输入不满足文档中规定的前提条件（案例 {index}）。",
        "versions": [{"version": f"{domain}>=2.{index % 17}", "introduced": None, "deprecated": None,
                      "removed": None, "behavior_change": None, "status": "active"}],
        "os_specific": {},
        "dead_ends": [{"action": "Reinstall the package without changing its version.",
                       "why_fails": "The same release is installed again, so the same check fails again.",
                       "fail_rate": 0.8, "condition": "", "sources": []}],
        "workarounds": [{"action": f"Pin {domain} to the last release before the change.",
                         "success_rate": 0.7,
                         "how": f"pip install '{domain}<2.{index % 17 + 1}' and rebuild the environment.",
                         "condition": "", "sources": [f"https://docs.python.org/3/library/exceptions.html#{index}"]}],
        "workarounds_zh": [f"将 {domain} 固定到变更之前的最后一个版本，然后重建环境。"],
        "transition_graph": {"leads_to": [], "preceded_by": [], "frequently_confused_with": []},
        "official_doc_url": "https://docs.python.org/3/library/exceptions.html",
        "official_doc_section": None,
        "error_code": None,
        "verification_tier": "ai_generated",
        "confidence": 0.8,
        "fix_success_rate": 0.7,
        "resolvable": "true",
        "first_seen": f"2025-{1 + index % 12:02d}-{day:02d}",
        "last_confirmed": f"2026-{6 + index % 5:02d}-{day:02d}",
        "last_updated": f"2026-{6 + index % 5:02d}-{day:02d}",
        "evidence_count": 3 + index % 7,
        "tags": [domain],
        "locale": "en",
        "aliases": aliases,
    }
    return record


def generate(out: Path, records: int, seed: int = 20261123) -> int:
    """Write `records` records under `out/entries/`; returns how many were written."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
    from kbtool.canonical import canonical_text

    rng = random.Random(seed)
    (out / "entries").mkdir(parents=True, exist_ok=True)
    folders: set[Path] = set()
    for index in range(records):
        record = make_record(rng, index)
        path = out / "entries" / f"{record['id']}.json"
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        path.write_text(canonical_text(record), encoding="utf-8")
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the KB into (entries/ is created in it)")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261123)
    arguments = parser.parse_args()
    written = generate(arguments.out, arguments.records, arguments.seed)
    print(f"wrote {written} records under {arguments.out / 'entries'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Build messages.jsonl, the reference corpus of real error messages.

Inputs:
  * the deadends-canons records (MIT), by default at
    <repo root>/../shared/corpora/deadends-canons/ (override with --canons DIR
    or the DEADENDS_CANONS environment variable); the `error.signature` of
    every record in a software domain is taken as one message;
  * every *.jsonl file beside this script other than messages.jsonl
    (extra.jsonl: messages collected from the other sources in SOURCES.md).

Each output line is {"message", "error", "ecosystem", "source"}. Messages
with the same "error" key are occurrences of the same error. Exact duplicate
messages are written once (the first occurrence wins).

Standard library only. Usage: python build.py [--canons DIR] [--out FILE]
"""

import argparse
import collections
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[3]
DEFAULT_CANONS = REPO_ROOT.parent / "shared" / "corpora" / "deadends-canons"
OUTPUT_NAME = "messages.jsonl"
FIELDS = ("message", "error", "ecosystem", "source")
MAX_MESSAGE_CHARS = 2000

# deadends-canons domains whose records are not software errors
# (advice on culture, visas, medicine, law, ...): left out.
NON_SOFTWARE_DOMAINS = {
    "banking", "communication", "culture", "disaster", "emergency",
    "food-safety", "legal", "medical", "mental-health", "pet-safety",
    "policy", "safety", "visa",
}

# deadends-canons domain -> ecosystem name used in this corpus
DOMAIN_ECOSYSTEM = {
    "database": "database",
    "cloud": "cloud",
    "cicd": "ci",
}

CANONS_SOURCE = "deadends-canons"


def load_canons(root):
    """Yield one record per software canon, in a stable order."""
    if not root.is_dir():
        sys.exit("deadends-canons not found at %s (use --canons DIR)" % root)
    for path in sorted(root.glob("*/*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print("skipped %s: %s" % (path, exc), file=sys.stderr)
            continue
        error = data.get("error") or {}
        domain = error.get("domain") or path.parts[-3]
        if domain in NON_SOFTWARE_DOMAINS:
            continue
        signature = (error.get("signature") or "").strip()
        if not signature:
            continue
        # ids are domain/slug/env: the same slug in another environment is
        # the same error
        canon_id = data.get("id") or "/".join(path.parts[-3:])[: -len(".json")]
        error_key = "deadends:" + "/".join(canon_id.split("/")[:2])
        yield {
            "message": signature,
            "error": error_key,
            "ecosystem": DOMAIN_ECOSYSTEM.get(domain, domain),
            "source": CANONS_SOURCE,
        }


def load_extra(folder, output_name):
    """Yield the records of every *.jsonl data file beside this script."""
    for path in sorted(folder.glob("*.jsonl")):
        if path.name == output_name:
            continue
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError as exc:
                    sys.exit("%s:%d: invalid JSON: %s" % (path.name, lineno, exc))
                missing = [f for f in FIELDS if not isinstance(record.get(f), str) or not record.get(f)]
                if missing:
                    sys.exit("%s:%d: missing or empty field(s): %s" % (path.name, lineno, ", ".join(missing)))
                yield {f: record[f] for f in FIELDS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--canons", type=Path,
                        default=Path(os.environ.get("DEADENDS_CANONS", DEFAULT_CANONS)))
    parser.add_argument("--out", type=Path, default=HERE / OUTPUT_NAME)
    args = parser.parse_args(argv)

    seen = {}
    records = []
    dropped_dupes = 0
    dropped_conflicts = 0
    dropped_long = 0
    for record in list(load_canons(args.canons)) + list(load_extra(HERE, args.out.name)):
        message = record["message"].strip("\n")
        if len(message) > MAX_MESSAGE_CHARS:
            dropped_long += 1
            continue
        record["message"] = message
        if message in seen:
            if seen[message] == record["error"]:
                dropped_dupes += 1
            else:
                dropped_conflicts += 1
            continue
        seen[message] = record["error"]
        records.append(record)

    with args.out.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")

    by_eco = collections.Counter(r["ecosystem"] for r in records)
    by_src = collections.Counter(r["source"] for r in records)
    errors = {r["error"] for r in records}
    print("wrote %s" % args.out)
    print("messages: %d  distinct errors: %d  (duplicates dropped: %d, same message under another key dropped: %d, over %d chars dropped: %d)"
          % (len(records), len(errors), dropped_dupes, dropped_conflicts, MAX_MESSAGE_CHARS, dropped_long))
    print("not from %s: %d" % (CANONS_SOURCE, sum(n for s, n in by_src.items() if s != CANONS_SOURCE)))
    print("\nper ecosystem (%d):" % len(by_eco))
    for name, count in sorted(by_eco.items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-16s %5d" % (name, count))
    print("\nper source (%d):" % len(by_src))
    for name, count in sorted(by_src.items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-20s %5d" % (name, count))
    return 0


if __name__ == "__main__":
    sys.exit(main())

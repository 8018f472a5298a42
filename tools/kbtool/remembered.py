"""Findings remembered per file between lint runs of the whole KB.

A file's findings under the rules that look at one file only (`Rule.of_one_file`: every file and
record rule but those that also read other records, and those that depend on the date of the run)
depend on the file's bytes, its path, the settings but the date, and the schema, and nothing else.
After a lint of the whole KB they are kept in the cache, with the file's date fields, each file's
under a key made of all of these (and kbtool's fingerprint, in every key of the cache).

The next lint of the whole KB, on any day, reads the KB's catalog (`kbtool.catalog`): each file whose
size, times and inode are those the catalog holds, and whose findings are remembered under this run's
settings and schema, is taken as the catalog holds it (what rules across records read) with its date
fields and remembered findings; every other file is read whole and checked by every rule. The rules
of the date run on every file's date fields, and the rules across records over every record, so a
change to one record shows wherever it matters (a new collision, a duplicate id, a dangling
reference). A file whose regex search overran its time bound is not remembered: what it found depends
on the machine's load.

The findings of the rules across records (`Rule.across_records`) are remembered too, for the KB as it
is: under a key made of every file's path and bytes besides the settings and schema (`kb_key`). A lint
of the whole KB in which no file changed takes them: it runs no rule across records (and, when every
file's findings are remembered, no regex).
Nothing is remembered across records from a run in which a search overran its time bound or broke.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
from pathlib import Path
from typing import Any, Mapping

from kbtool.cache import Cache
from kbtool.catalog import catalog_kept, load_catalog
from kbtool.digests import blake2b
from kbtool.findings import Finding
from kbtool import kb as knowledge_base
from kbtool.kb import KnowledgeBase
from kbtool.records import MAX_FILE_BYTES, RecordFile
from kbtool.rules import RULES, Rule
from kbtool.rules.freshness import dated_fields
from kbtool.schema import RecordSchema
from kbtool.settings import Settings

NAMESPACE = "findings"
ACROSS = "findings-across"


def run_key(settings: Settings, schema: RecordSchema) -> str:
    """A hash of what, besides a file, the findings of rules of one file depend on: every setting but the
    date of the run (the rules that depend on it run on every file: `Rule.dated`), and the schema."""
    canonical = _canonical(settings)
    del canonical["today"]
    text = json.dumps([canonical, schema.document], ensure_ascii=False, sort_keys=True)
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _canonical(value: Any) -> Any:
    """`value` as JSON data that is the same in every run for equal values (sets sorted, dates as text)."""
    if dataclasses.is_dataclass(value):
        return {field.name: _canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return sorted([str(key), _canonical(item)] for key, item in value.items())
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (Path, dt.date)):
        return str(value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


def recall(settings: Settings, schema: RecordSchema, cache: Cache) -> tuple[KnowledgeBase, dict[str, list[Finding]]] | None:
    """The whole KB at `settings.root` as its catalog and the findings remembered for these settings and
    schema give it: the files whose findings are remembered as far as rules across records and the rules
    depending on the date of the run need them, the others read whole; and the remembered findings by
    file. None when the cache holds no catalog of the KB (then the caller reads every file)."""
    root = settings.root
    if not cache.enabled or not catalog_kept(root, cache):
        return None
    key = run_key(settings, schema)
    dates = set(dated_fields(schema))
    catalog = load_catalog(root, cache, keep_read=True)
    keys = {entry.path: cache.key(NAMESPACE, key, entry.path, entry.digest) for entry in catalog.entries if entry.digest}
    stored = cache.get_many(keys.values())
    made: dict[str, RecordFile] = {}
    recalled: dict[str, list[Finding]] = {}
    for entry in catalog.entries:
        value = stored.get(keys.get(entry.path, ""))
        if value is None:
            continue
        record = catalog.shared_record(entry)
        findings = _findings_from_json(value, record, dates)
        if findings is not None:
            made[entry.path], recalled[entry.path] = record, findings
    kb = catalog.knowledge_base({entry.path for entry in catalog.entries if entry.path not in recalled}, cache, made)
    return kb, recalled


def remember(cache: Cache, run: str, schema: RecordSchema, kb: KnowledgeBase, findings: list[Finding],
             rules: list[Rule], recalled: Mapping[str, list[Finding]], unsure: set[str]) -> None:
    """Keep, under the run key `run` (`run_key` of the settings and `schema`), the findings of `rules` of one
    file, and the date fields, of every file of `kb` that was read whole (not `recalled`), had bytes to
    hash, and is not in `unsure` (its regex search overran a time bound)."""
    if not cache.enabled:
        return
    of_one_file = {rule.code for rule in rules if rule.of_one_file}
    fields = dated_fields(schema)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    files = [record for record in kb.files
             if record.digest and record.relative_path not in recalled and record.relative_path not in unsure]
    at_a_time = knowledge_base.FILES_AT_A_TIME
    for start in range(0, len(files), at_a_time):  # a part at a time: the cache writes them out as they pile up
        kept: dict[str, dict[str, Any]] = {}
        for record in files[start:start + at_a_time]:
            dates = {field: record.data[field] for field in fields if field in record.data} if record.data else {}
            value = {"findings": [], "dates": dates, "placed": [["/" + field, *record.locate("/" + field)] for field in dates]}
            for finding in by_path.get(record.relative_path, ()):
                if finding.code in of_one_file:
                    value["findings"].append(_row(finding))
                else:  # where the rules across records placed their findings, to place them again without reading the file
                    value["placed"].append([finding.pointer, finding.line, finding.column])
            kept[cache.key(NAMESPACE, run, record.relative_path, record.digest)] = value
        cache.put_many(kept)


def _findings_from_json(value: Any, record: RecordFile, dates: set[str]) -> list[Finding] | None:
    """The findings stored as `value` for `record`, whose `placed` and date fields (of `dates`) it fills
    (None when `value` is not what `remember` stores: then the file is read)."""
    if not (isinstance(value, dict) and isinstance(value.get("findings"), list) and isinstance(value.get("placed"), list)
            and isinstance(value.get("dates"), dict) and value["dates"].keys() <= dates
            and all(type(date) is str for date in value["dates"].values())):  # else (a date that is no string) the file is read
        return None
    placed = {}
    for item in value["placed"]:
        if not (type(item) is list and len(item) == 3 and type(item[0]) is str and _position(item[1], item[2])):
            return None
        placed[item[0]] = (item[1], item[2])
    findings = []
    rules = _rules(of_one_file=True)
    for item in value["findings"]:
        finding = _finding_of(item, rules, record.relative_path, record.entry_id)
        if finding is None:
            return None
        findings.append(finding)
    record.placed = placed or None
    if record.data is not None:  # what the rules depending on the date of the run read (the catalog's own dict is left as it is)
        record.data = {**record.data, **value["dates"]}
    return findings


# --- the findings of the rules across records, for the whole KB as it is -----------------------------


def kb_key(run: str, kb: KnowledgeBase) -> str | None:
    """A hash of what the findings of the rules across records (`Rule.across_records`) depend on: the run
    key `run` (`run_key`: the settings but the date, on which none of them depends, and the schema), and
    every file's path and bytes (by their hash). None when a file has no bytes to hash (it could not be read)."""
    if any(not record.digest for record in kb.files):
        return None
    digest = blake2b(run.encode("ascii"), digest_size=20)
    for path, file_digest in sorted((record.relative_path, record.digest) for record in kb.files):
        digest.update(f"\n{path}\0{file_digest}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def recall_across(cache: Cache, key: str, kb: KnowledgeBase) -> list[Finding] | None:
    """The findings of the rules across records that a lint of the whole KB found for `key` (`kb_key`);
    None when none are remembered, or what is stored is not what `remember_across` stores."""
    stored_key = cache.key(ACROSS, key)
    findings = _across_from_json(cache.get_many([stored_key]).get(stored_key), kb)
    cache.hits += findings is not None
    cache.misses += findings is None
    return findings


def _across_from_json(value: Any, kb: KnowledgeBase) -> list[Finding] | None:
    if not isinstance(value, list):
        return None
    rules = _rules(of_one_file=False)
    findings = []
    for item in value:
        if not (type(item) is list and item and type(item[0]) is str):
            return None
        record = kb.by_path.get(item[0])
        finding = _finding_of(item[1:], rules, item[0], record.entry_id if record is not None else None)
        if finding is None or (record is None and item[0] != ""):
            return None
        findings.append(finding)
    return findings


def remember_across(cache: Cache, key: str, findings: list[Finding], rules: list[Rule]) -> None:
    """Keep, under `key` (`kb_key`), the findings of the rules across records among `findings` (of a lint of
    the whole KB with `rules` active, in which no search overran its time bound or broke)."""
    across = {rule.code for rule in rules if rule.across_records}
    cache.put_many({cache.key(ACROSS, key): [[finding.path, *_row(finding)] for finding in findings if finding.code in across]})


def _row(finding: Finding) -> list:
    """A finding as it is kept (its path, and its rule's name and severity, are known where it is read)."""
    return [finding.code, finding.pointer, finding.line, finding.column, finding.message, finding.hint]


def _finding_of(row: Any, rules: Mapping[str, Rule], path: str, entry_id: str | None) -> Finding | None:
    """The finding kept as `row` (`_row`) in the file at `path`; None when `row` is not one, of a rule of `rules`."""
    if not (type(row) is list and len(row) == 6):
        return None
    code, pointer, line, column, message, hint = row
    rule = rules.get(code) if type(code) is str else None
    if rule is None or not (type(pointer) is str and type(message) is str and type(hint) is str and _position(line, column)):
        return None
    return Finding(code=code, name=rule.name, severity=rule.severity, path=path, entry_id=entry_id, pointer=pointer,
                   line=line, column=column, message=message, hint=hint)


def _position(line: Any, column: Any) -> bool:
    """A line and column that can be in a record file (one of at most MAX_FILE_BYTES bytes)."""
    return type(line) is int and type(column) is int and 1 <= line <= MAX_FILE_BYTES and 1 <= column <= MAX_FILE_BYTES


@functools.lru_cache(maxsize=2)
def _rules(of_one_file: bool) -> dict[str, Rule]:
    """The rules of one file (`Rule.of_one_file`), or those across records (`Rule.across_records`), by code."""
    return {code: rule for code, rule in RULES.items() if (rule.of_one_file if of_one_file else rule.across_records)}

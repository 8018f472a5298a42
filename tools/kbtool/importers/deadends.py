"""Import deadends.dev "canons" into records of this KB, losing nothing.

A canon nests what a record keeps flat (`error.signature`, `verdict.resolvable`,
`metadata.evidence_count`, ...), has a three-segment id `domain/slug/env`, and an
`environment` object. The mapping, field by field, is in docs/import-deadends.md;
in short:

* the id `domain/slug/env` becomes `domain/slug--env` (reversed by splitting the
  second segment at its last `--`), and so does every graph reference;
* fields that have a home are moved there, the regex with a leading `(?i)`
  (deadends matches case-insensitively, we match as written); the runtime and Python version ranges
  become `versions` entries, the OS a `tags` entry `os:<name>`;
* everything else (source id, URL, format version, generator metadata, and any
  value without a field of its own) goes verbatim into `provenance`, the values
  without a home keyed by their JSON pointer in the canon.

The source is only ever read. Records are written atomically, never over an
existing file unless `update` is set.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from kbtool.canonical import canonical_text
from kbtool.kb import ENTRIES_DIR, discover_record_files
from kbtool.records import escape_pointer_token, read_record_file
from kbtool.schema import schema_path_for, schema_problems
from kbtool.errors import UsageError
from kbtool.writers import WriteRefused, atomic_write

SOURCE_NAME = "deadends"
#: Joins a canon's slug and environment segments into the second segment of our id.
ENV_SEPARATOR = "--"
#: What `verification_tier` says about every imported record.
IMPORTED_TIER = "imported"

_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

#: Canon pointer → record field, for values that are copied as they are.
SCALAR_FIELDS: dict[str, str] = {
    "/error/signature": "signature",
    "/error/regex": "regex",
    "/error/domain": "domain",
    "/error/category": "category",
    "/error/first_seen": "first_seen",
    "/error/last_confirmed": "last_confirmed",
    "/verdict/summary": "root_cause",
    "/verdict/resolvable": "resolvable",
    "/verdict/fix_success_rate": "fix_success_rate",
    "/verdict/confidence": "confidence",
    "/verdict/last_updated": "last_updated",
    "/metadata/evidence_count": "evidence_count",
}
DEAD_END_FIELDS = ("action", "why_fails", "fail_rate", "condition", "sources")
WORKAROUND_FIELDS = ("action", "how", "success_rate", "condition", "sources")
EDGE_FIELDS = ("probability", "condition")
GRAPH_KINDS = ("leads_to", "preceded_by", "frequently_confused_with")


class IdNotConvertible(ValueError):
    """A canon id that has no reversible two-segment form."""


def convert_id(canon_id: str) -> str:
    """`domain/slug/env` → `domain/slug--env`; a two-segment id is kept as it is.

    Reversible (see :func:`original_id`) because the environment segment may not
    contain `--`. Raises :class:`IdNotConvertible` with the reason otherwise.
    """
    segments = canon_id.split("/")
    if not all(_SEGMENT.fullmatch(segment) for segment in segments):  # fullmatch: "$" would allow a final newline
        raise IdNotConvertible(
            f"id '{canon_id}' has a segment that is empty or not lower-case letters, digits, '.', '_' and '-'")
    if len(segments) == 2:
        return canon_id
    if len(segments) != 3:
        raise IdNotConvertible(f"id '{canon_id}' has {len(segments)} segments; a canon id is domain/slug/env")
    domain, slug, env = segments
    if ENV_SEPARATOR in env:
        raise IdNotConvertible(
            f"id '{canon_id}': the environment segment '{env}' contains '{ENV_SEPARATOR}', "
            "so the converted id could not be split back")
    return f"{domain}/{slug}{ENV_SEPARATOR}{env}"


def original_id(record_id: str) -> str:
    """The inverse of :func:`convert_id`: `domain/slug--env` → `domain/slug/env`."""
    domain, rest = record_id.split("/", 1)
    if ENV_SEPARATOR not in rest:
        return record_id
    slug, env = rest.rsplit(ENV_SEPARATOR, 1)
    return f"{domain}/{slug}/{env}"


#: deadends matches every regex with re.IGNORECASE (its generator/lookup.py); ours are matched as written.
CASE_INSENSITIVE_FLAG = "(?i)"


def case_insensitive(pattern: str) -> str:
    """The canon's regex with deadends' implicit case-insensitivity made explicit (a leading `(?i)`)."""
    return pattern if pattern.startswith(CASE_INSENSITIVE_FLAG) else CASE_INSENSITIVE_FLAG + pattern


def _pointer(*tokens: str | int) -> str:
    return "".join("/" + escape_pointer_token(token) for token in tokens)


@dataclass
class Conversion:
    """One canon converted: the record, and what the converter had to say about it."""

    record: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


class CanonNotConvertible(Exception):
    """The canon cannot become a record; `pointer` says where the problem is."""

    def __init__(self, message: str, pointer: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message, self.pointer, self.hint = message, pointer, hint


class _Converter:
    """Builds one record while remembering which canon values were used."""

    def __init__(self, canon: dict[str, Any]) -> None:
        self.canon = canon
        self.whole: set[str] = set()  # values carried over whole
        self.entered: set[str] = set()  # containers some of whose members were carried over
        self.warnings: list[str] = []

    def get(self, pointer: str) -> tuple[bool, Any]:
        """(found, value) at `pointer` in the canon (a pointer of plain object keys and indexes)."""
        node: Any = self.canon
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return False, None
        return True, node

    def take(self, pointer: str) -> tuple[bool, Any]:
        found, value = self.get(pointer)
        if found:
            self.whole.add(pointer)
        return found, value

    def reference(self, value: Any, where: str) -> Any:
        """A graph reference rewritten by the id rule; kept verbatim (with a warning) if it has no such form."""
        if not isinstance(value, str):
            self.warnings.append(f"{where}: error_id is {type(value).__name__}, not an id; kept as it is")
            return value
        try:
            return convert_id(value)
        except IdNotConvertible as error:
            self.warnings.append(f"{where}: {error}; kept as it is")
            return value

    def items(self, name: str, fields: Iterable[str]) -> list[dict[str, Any]] | None:
        found, value = self.get(_pointer(name))
        if not found or not isinstance(value, list):
            return None
        (self.entered if value else self.whole).add(_pointer(name))
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue  # left for `unmapped`
            self.entered.add(_pointer(name, index))
            converted = {}
            for key in fields:
                found, item_value = self.take(_pointer(name, index, key))
                if found:
                    converted[key] = item_value
            result.append(converted)
        return result

    def graph(self) -> dict[str, Any] | None:
        found, graph = self.get("/transition_graph")
        if not found or not isinstance(graph, dict):
            return None
        self.entered.add("/transition_graph")
        result: dict[str, Any] = {}
        for kind in GRAPH_KINDS:
            edges = graph.get(kind)
            if not isinstance(edges, list):
                continue
            self.entered.add(_pointer("transition_graph", kind))
            converted_edges = []
            for index, edge in enumerate(edges):
                if not isinstance(edge, dict) or "error_id" not in edge:
                    continue
                self.entered.add(_pointer("transition_graph", kind, index))
                where = _pointer("transition_graph", kind, index, "error_id")
                _, target = self.take(where)
                converted = {"error_id": self.reference(target, where)}
                for key in EDGE_FIELDS:
                    found, edge_value = self.take(_pointer("transition_graph", kind, index, key))
                    if found:
                        converted[key] = edge_value
                converted_edges.append(converted)
            result[kind] = converted_edges
        return result

    def environment(self) -> tuple[list[dict[str, Any]], list[str]]:
        """`versions` entries from the runtime and Python ranges; `tags` from the OS."""
        versions: list[dict[str, Any]] = []
        tags: list[str] = []
        _, name = self.get("/environment/runtime/name")
        _, version_range = self.get("/environment/runtime/version_range")
        # "<name> <range>" splits back at its last space: the range must be one non-empty word.
        if isinstance(name, str) and name.strip() and _one_word(version_range):
            versions.append({"version": f"{name} {version_range}", "status": "active"})
            self.entered.update({"/environment", "/environment/runtime"})
            self.whole.update({"/environment/runtime/name", "/environment/runtime/version_range"})
        _, python = self.get("/environment/python")
        if _one_word(python):
            versions.append({"version": f"python {python}", "status": "active"})
            self.entered.add("/environment")
            self.whole.add("/environment/python")
        _, system = self.get("/environment/os")
        if isinstance(system, str) and system.strip() and len(system) <= 97:
            tags.append(f"os:{system}")
            self.entered.add("/environment")
            self.whole.add("/environment/os")
        return versions, tags

    def unmapped(self) -> dict[str, Any]:
        """Every canon value not carried over, verbatim, keyed by its pointer (the largest such subtree)."""
        result: dict[str, Any] = {}

        def walk(node: Any, pointer: str) -> None:
            if pointer in self.whole:
                return
            if pointer and pointer not in self.entered:
                result[pointer] = node
                return
            if isinstance(node, dict):
                for key, value in node.items():
                    walk(value, pointer + "/" + escape_pointer_token(key))
            elif isinstance(node, list):
                for index, value in enumerate(node):
                    walk(value, f"{pointer}/{index}")

        walk(self.canon, "")
        return result


def _one_word(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not any(char.isspace() for char in value)


def convert_canon(canon: dict[str, Any], source_path: str = "") -> Conversion:
    """One canon → one record. Raises :class:`CanonNotConvertible` when it has no id or no signature."""
    converter = _Converter(canon)
    found, canon_id = converter.take("/id")
    if not found or not isinstance(canon_id, str):
        raise CanonNotConvertible("the canon has no string 'id'", "/id" if found else "",
                                  "give it its id domain/slug/env")
    try:
        record_id = convert_id(canon_id)
    except IdNotConvertible as error:
        raise CanonNotConvertible(str(error), "/id", "fix the id in the source") from None
    _, signature = converter.get("/error/signature")
    if not isinstance(signature, str) or not signature.strip():
        found_error, _ = converter.get("/error")
        if not found_error and "signature" in canon:
            raise CanonNotConvertible(
                "this is not a deadends canon: it has a top-level 'signature' and no 'error' object, like a record "
                "of this KB", "/signature", "copy such records into entries/ as they are instead of importing them")
        raise CanonNotConvertible(
            "error.signature is missing or empty; a record is built around its literal error message",
            "/error" if found_error else "", "add the message as error.signature in the source, or leave this canon out")

    record: dict[str, Any] = {"id": record_id}
    for pointer, name in SCALAR_FIELDS.items():
        found, value = converter.take(pointer)
        if found:
            record[name] = value
    if isinstance(record.get("regex"), str):
        record["regex"] = case_insensitive(record["regex"])
    for pointer in ("/error", "/verdict", "/metadata"):
        _, part = converter.get(pointer)
        if isinstance(part, dict) and part:  # an empty or odd-shaped part stays in `unmapped`, as it is
            converter.entered.add(pointer)
    versions, tags = converter.environment()
    if versions:
        record["versions"] = versions
    for name, fields in (("dead_ends", DEAD_END_FIELDS), ("workarounds", WORKAROUND_FIELDS)):
        items = converter.items(name, fields)
        if items is not None:
            record[name] = items
    graph = converter.graph()
    if graph is not None:
        record["transition_graph"] = graph
    record["verification_tier"] = IMPORTED_TIER
    record["tags"] = tags
    record["locale"] = "en"

    provenance: dict[str, Any] = {"source": SOURCE_NAME, "source_id": canon_id}
    if source_path:
        provenance["source_path"] = source_path
    for key in ("url", "schema_version"):
        found, value = converter.take(_pointer(key))
        if found:
            provenance[key] = value
    found, metadata = converter.get("/metadata")
    if isinstance(metadata, dict):
        rest = {key: value for key, value in metadata.items() if key != "evidence_count"}
        if rest:
            provenance["metadata"] = rest
            converter.whole.update(_pointer("metadata", key) for key in rest)
    unmapped = converter.unmapped()
    if unmapped:
        provenance["unmapped"] = unmapped
    record["provenance"] = provenance
    return Conversion(record, converter.warnings)


# --- the import run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One line of the run's report: `where: kind: text`."""

    where: str
    kind: str  # "skipped", "warning" or "updated"
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.text}"


@dataclass
class ImportReport:
    source: Path
    entries: Path
    canons: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: int = 0
    messages: list[Message] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def failed(self) -> bool:
        return self.skipped > 0

    def summary(self) -> str:
        return (f"{self.canons} canon{'' if self.canons == 1 else 's'} read from {self.source}: {self.converted} converted "
                f"({self.created} new, {self.updated} updated, {self.unchanged} unchanged) into {self.entries}, "
                f"{self.skipped} skipped, {self.warnings} warning{'' if self.warnings == 1 else 's'}")


def _changed_fields(old: Any, new: dict[str, Any]) -> list[str]:
    if not isinstance(old, dict):
        return ["the whole file (it was not a readable record)"]
    return [key for key in dict.fromkeys([*new, *old]) if old.get(key, _MISSING) != new.get(key, _MISSING)]


_MISSING = object()


def check_locations(source: Path, out: Path) -> None:
    """Usage errors for a source that does not exist or an output inside the source."""
    if not source.exists():
        raise UsageError(f"{source}: no such file or folder; give the deadends data/canons folder (or one canon file)")
    real_source, real_out = os.path.realpath(source), os.path.realpath(out)
    if source.is_dir() and os.path.commonpath([real_source, real_out]) == real_source:
        raise UsageError(f"--out {out} is inside the source {source}; the source is only read: choose another folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")


def import_deadends(source: Path, out: Path, *, update: bool = False,
                    advance: Callable[[], None] | None = None,
                    on_total: Callable[[int], None] | None = None) -> ImportReport:
    """Convert every canon under `source` into `out/entries/<domain>/<slug>.json`."""
    check_locations(source, out)
    source_root = source if source.is_dir() else source.parent
    entries = out / ENTRIES_DIR
    report = ImportReport(source=source, entries=entries)
    paths = [path for path in discover_record_files(source)]
    if on_total:
        on_total(len(paths))
    schema_path = schema_path_for(out)
    written: dict[str, str] = {}  # record id → source path that produced it in this run
    for path in paths:
        report.canons += 1
        try:
            _import_one(path, source_root, out, entries, update, schema_path, written, report)
        finally:
            if advance:
                advance()
    return report


def _import_one(path: Path, source_root: Path, out: Path, entries: Path, update: bool,
                schema_path: Path, written: dict[str, str], report: ImportReport) -> None:
    canon_file = read_record_file(path, source_root)
    shown = str(path)

    def skip(text: str, line: int = 1, column: int = 1) -> None:
        report.skipped += 1
        report.messages.append(Message(f"{shown}:{line}:{column}", "skipped", text))

    if canon_file.data is None:
        problem = canon_file.problems[0] if canon_file.problems else None
        skip(problem.message if problem else "could not be read", *(problem.line, problem.column) if problem else (1, 1))
        return
    for problem in canon_file.problems:  # duplicate keys: the source already lost a value
        report.warnings += 1
        report.messages.append(Message(f"{shown}:{problem.line}:{problem.column}", "warning", problem.message))
    try:
        conversion = convert_canon(canon_file.data, canon_file.relative_path)
    except CanonNotConvertible as error:
        line, column = canon_file.locate(error.pointer)
        skip(f"{error.message}; {error.hint}" if error.hint else error.message, line, column)
        return
    record = conversion.record
    domain, slug = record["id"].split("/", 1)
    target = entries / domain / f"{slug}.json"
    relative_target = target.relative_to(out).as_posix()
    if record["id"] in written:
        skip(f"converts to id {record['id']}, which {written[record['id']]} already produced in this run; "
             "two canons with one id: remove or rename one of them")
        return
    written[record["id"]] = shown
    for warning in conversion.warnings:
        report.warnings += 1
        report.messages.append(Message(shown, "warning", warning))
    problems = list(schema_problems(record, schema_path))
    if problems:
        report.warnings += 1
        listed = "; ".join(problem.message for problem in problems[:3])
        more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
        report.messages.append(Message(shown, "warning", f"the record {relative_target} breaks the schema: {listed}{more}; "
                                                         "it is written anyway, 'kbtool lint' reports it"))
    text = canonical_text(record)
    existed = target.exists() or target.is_symlink()
    old_data: Any = None
    if existed:
        if not update:
            skip(f"{relative_target} already exists; rerun with --update to replace it (the changes are then listed)")
            return
        existing = read_record_file(target, out)
        if existing.text == text:
            report.unchanged += 1
            return
        old_data = existing.data
    try:
        atomic_write(target, text, confine_to=out, overwrite=existed)
    except (WriteRefused, OSError) as error:
        skip(f"cannot write {relative_target}: {error}")
        return
    if existed:
        report.updated += 1
        changed = ", ".join(_changed_fields(old_data, record)) or "formatting only"
        report.messages.append(Message(relative_target, "updated", f"changed: {changed}"))
    else:
        report.created += 1

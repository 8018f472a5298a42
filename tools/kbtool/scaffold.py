"""`kbtool new-entry`: from an error message to a well-formed, schema-valid record skeleton.

The hard part — a regex that recognises the same error next time, and only that
error — comes from :mod:`kbtool.generalise`. Before writing, every existing
record's regex is tried on the new signature (through the bounded matcher:
record regexes are untrusted), so that a contributor is told when the KB
already knows this error.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtool.canonical import canonical_text
from kbtool.display import lines_of, path_from_here
from kbtool.regex.broadness import too_broad_reasons
from kbtool.regex.generalise import Generalisation, generalise
from kbtool.kb import ENTRIES_DIR, load_knowledge_base
from kbtool.records import RecordFile, read_record_file
from kbtool.regex.literals import required_literal_sets
from kbtool.regex.lookup import RegexLookup
from kbtool.regex.matcher import BoundedMatcher
from kbtool.schema import schema_path_for, schema_problems
from kbtool.errors import UsageError
from kbtool.writers import WriteRefused, atomic_write, kb_lock, write_new

#: One segment of an id (domain or slug), as the schema's id pattern allows it.
SEGMENT = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_SIGNATURE_CHARS = 4000  # the schema's maxLength for signature
MAX_DOMAIN_CHARS = 100
MAX_ID_CHARS = 200
MAX_SLUG_WORDS = 8
MAX_SLUG_CHARS = 60
#: `verification_tier` of a record a person starts by hand.
NEW_ENTRY_TIER = "community"
DEFAULT_RESOLVABLE = "partial"

_CONFUSED = "frequently_confused_with"


class NewEntryRefused(Exception):
    """The record was not written (it exists, or the KB already recognises the signature): exit status 1."""


@dataclass
class NewEntryPlan:
    """What `new-entry` will write, and what the contributor must still do."""

    path: Path
    relative_path: str
    record: dict[str, Any]
    generalisation: Generalisation
    category_guessed: bool
    confused_with: list[RecordFile] = field(default_factory=list)  # existing records to link both ways (--force)
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return canonical_text(self.record)


# --- validating what the user typed ------------------------------------------------------------------

def check_segment(value: str, option: str, what: str) -> str:
    """`value` as one safe id segment, or a UsageError saying why not and what to write."""
    if not value:
        raise UsageError(f"{option}: the {what} is empty; write lower-case letters, digits, '.', '_' or '-'")
    if "/" in value or "\\" in value or value in (".", "..") or value.startswith(("~", ".")) or Path(value).is_absolute():
        raise UsageError(f"{option} {value!r}: the {what} would name a path outside entries/<domain>/; "
                         f"write a single name of lower-case letters, digits, '.', '_' or '-', without '/' or '..'")
    if not SEGMENT.fullmatch(value):
        suggestion = slugify(value)
        hint = f" (for example {suggestion!r})" if suggestion and SEGMENT.fullmatch(suggestion) else ""
        raise UsageError(f"{option} {value!r}: the {what} must be lower-case letters, digits, '.', '_' and '-', "
                         f"starting with a letter or digit{hint}; it becomes part of the record id")
    if what == "domain" and value.endswith((".json", ".md", ".markdown")):  # a folder named so is not entered: read as a misplaced file
        raise UsageError(f"{option} {value!r}: the {what} must not end with {value[value.rindex('.'):]}: a folder named "
                         f"like a file is not searched for records; write {value[:value.rindex('.')]!r}")
    return value


def slugify(text: str) -> str:
    """Lower-case words of `text` joined by '-' (no other characters)."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)


# --- deriving values from the message -----------------------------------------------------------------

_EXCEPTION_PREFIX = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?([A-Z]\w*(?:Error|Exception|Warning))\s*:\s*")
_STOP_WORDS = {"a", "an", "the"}


def slug_from_message(generalisation: Generalisation) -> str:
    """A stable, readable slug from the stable words of the message (exception class dropped when words remain)."""
    literal = generalisation.message
    for part in generalisation.parts:  # drop the run-specific parts: names and numbers do not belong in an id
        literal = literal.replace(part.text, " ", 1)
    words = [word for word in re.findall(r"[a-z0-9]+", literal.lower()) if word not in _STOP_WORDS]
    prefix = _EXCEPTION_PREFIX.match(literal)
    if prefix:
        remaining = re.findall(r"[a-z0-9]+", literal[prefix.end():].lower())
        if len([word for word in remaining if word not in _STOP_WORDS]) >= 2:
            words = [word for word in remaining if word not in _STOP_WORDS]
    slug = ""
    for word in words[:MAX_SLUG_WORDS]:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_CHARS:
            break
        slug = candidate
    if not slug or not SEGMENT.fullmatch(slug):
        slug = "error"
    return slug


def guess_category(message: str) -> str:
    """A first guess at `category`; the contributor can pass --category."""
    if re.search(r"\b(?:pip|wheel|requirement|distribution|resolver|ResolutionImpossible|conflicting dependencies)\b", message) \
            and re.match(r"\s*(?:ERROR|error)\b", message):
        return "install_error"
    if re.search(r":\d+:\d+: (?:fatal )?error\b|\berror\[E\d+\]|undefined reference to|CMake Error|\bld: |"
                 r"collect2: error|\bLNK\d{4}\b|\bC\d{4}\b:", message):
        return "build_error"
    return "runtime_error"


def unique_slug(folder: Path, slug: str, taken: set[str]) -> str:
    """`slug`, or `slug-2`, `slug-3`, … : the first that names no file in `folder` and no id in `taken`."""
    candidate, number = slug, 1
    while (folder / f"{candidate}.json").exists() or (folder / f"{candidate}.json").is_symlink() or candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = slug[: MAX_SLUG_CHARS - len(suffix)].rstrip("-._") + suffix
    return candidate


def skeleton(*, entry_id: str, signature: str, regex: str, domain: str, category: str, today: dt.date,
             confused_with: list[str]) -> dict[str, Any]:
    """A record with every required field, today's dates and empty-but-valid structures for the rest."""
    day = today.isoformat()
    return {
        "id": entry_id,
        "signature": signature,
        "signature_zh": "",
        "regex": regex,
        "domain": domain,
        "category": category,
        "subcategory": None,
        "root_cause": "",
        "root_cause_type": None,
        "root_cause_zh": "",
        "versions": [],
        "os_specific": {},
        "dead_ends": [],
        "workarounds": [],
        "workarounds_zh": [],
        "transition_graph": {
            "leads_to": [],
            "preceded_by": [],
            _CONFUSED: [{"error_id": other} for other in confused_with],
        },
        "official_doc_url": None,
        "official_doc_section": None,
        "error_code": None,
        "verification_tier": NEW_ENTRY_TIER,
        "resolvable": DEFAULT_RESOLVABLE,
        "first_seen": day,
        "last_confirmed": day,
        "last_updated": day,
        "evidence_count": 1,
        "tags": [],
        "locale": "en",
        "aliases": [],
    }


# --- the KB already knows this error? ---------------------------------------------------------------

def records_recognising(records: list[RecordFile], signature: str, matcher: BoundedMatcher) -> tuple[list[RecordFile], list[str]]:
    """Existing records whose regex matches `signature`, and notes about regexes that could not be tried."""
    candidates = [record for record in records if record.data is not None and isinstance(record.data.get("regex"), str)]
    patterns = [record.data["regex"] for record in candidates]
    lookup = RegexLookup(patterns, [required_literal_sets(pattern) for pattern in patterns], [[] for _ in candidates])
    result = lookup.find([signature], matcher)  # only the regexes whose required literals occur in it are run
    matched = {hit.number for hit in result.hits}
    found = [record for number, record in enumerate(candidates) if number in matched]
    notes = [f"{candidates[number].relative_path}: its regex ran out of time on the signature; not compared "
             "('kbtool lint' reports the regex)" for number in result.timed_out]
    return found, notes


# --- planning and writing ------------------------------------------------------------------------------

def plan_new_entry(*, root: Path, signature: str, domain: str, category: str | None, slug: str | None,
                   today: dt.date, force: bool, matcher: BoundedMatcher) -> NewEntryPlan:
    """Everything `new-entry` decides before writing; raises UsageError or NewEntryRefused."""
    signature = signature.strip()
    if not signature:
        raise UsageError("--signature: the signature is empty; give the literal error message")
    if len(signature) > MAX_SIGNATURE_CHARS:
        raise UsageError(f"--signature: the signature is {len(signature):,} characters long; the schema allows "
                         f"{MAX_SIGNATURE_CHARS:,}; give the error line itself, not the whole output")
    check_segment(domain, "--domain", "domain")
    if len(domain) > MAX_DOMAIN_CHARS:
        raise UsageError(f"--domain {domain!r}: at most {MAX_DOMAIN_CHARS} characters")
    category_guessed = category is None
    category = category if category is not None else guess_category(signature)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_]*", category) or len(category) > 100:
        raise UsageError(f"--category {category!r}: write it in snake_case (lower-case letters, digits and '_'), "
                         "e.g. runtime_error, build_error, install_error")
    entries = root / ENTRIES_DIR
    folder = entries / domain
    kb = load_knowledge_base(root)
    # The KB's signatures are other errors: a quoted name that is another record's identity stays literal
    # (a record for `module 'tensorflow' has no attribute 'Session'` keeps `'numpy'` literal in a new one).
    generalisation = generalise(signature, known=[record.data.get("signature") for record in kb.records
                                                  if isinstance(record.data, dict)
                                                  and isinstance(record.data.get("signature"), str)])
    [broad] = too_broad_reasons([generalisation.pattern], matcher, own_texts=[[signature]])
    if broad is not None:  # lint would refuse the record (regex-too-broad): say so before writing it
        raise NewEntryRefused(f"the signature is too generic to make a record of: its regex {generalisation.pattern!r} "
                              f"is too broad ({broad}); give the whole error line, with the words that name this error")
    taken = {record.entry_id.split("/", 1)[1] for record in kb.records
             if record.entry_id and record.entry_id.startswith(domain + "/") and "/" in record.entry_id}
    if slug is not None:
        check_segment(slug, "--slug", "slug")
        target = folder / f"{slug}.json"
        if target.exists() or target.is_symlink():
            raise NewEntryRefused(f"{target.relative_to(root).as_posix()} already exists; kbtool new-entry never "
                                  "overwrites a record: edit it, or choose another --slug")
        if slug in taken:
            raise NewEntryRefused(f"the id {domain}/{slug} is already used by another record; choose another --slug")
    else:
        slug = unique_slug(folder, slug_from_message(generalisation), taken)
    entry_id = f"{domain}/{slug}"
    if len(entry_id) > MAX_ID_CHARS:
        raise UsageError(f"the id {entry_id!r} is longer than {MAX_ID_CHARS} characters; pass a shorter --slug")
    known, notes = records_recognising(list(kb.records), signature, matcher)
    if known and not force:
        listed = ", ".join(f"{record.entry_id or '(no id)'} ({record.relative_path})" for record in known)
        raise NewEntryRefused(
            f"the knowledge base already recognises this signature: the regex of {listed} matches it. "
            "If it is the same error, edit that record instead (add the message to its aliases); if it is a "
            "deliberately separate variant, rerun with --force to write it and link the records both ways "
            f"with {_CONFUSED}")
    confused = [record for record in known if record.entry_id]
    record = skeleton(entry_id=entry_id, signature=signature, regex=generalisation.pattern, domain=domain,
                      category=category, today=today, confused_with=sorted({r.entry_id for r in confused}))
    problems = list(schema_problems(record, schema_path_for(root)))
    if problems:  # the skeleton is built to be valid; a KB with its own, different schema may disagree
        raise NewEntryRefused("the new record would not be valid against "
                              f"{schema_path_for(root)}: {problems[0].message}; nothing was written")
    path = folder / f"{slug}.json"
    return NewEntryPlan(path=path, relative_path=path.relative_to(root).as_posix(), record=record,
                        generalisation=generalisation, category_guessed=category_guessed,
                        confused_with=confused, notes=notes)


def link_back(existing: RecordFile, new_id: str, root: Path, today: str | None = None) -> bool:
    """Add `new_id` to the existing record's frequently_confused_with, rewriting it atomically, and
    move its last_updated forward to `today` (YYYY-MM-DD): the link is a change to the record, which
    `last-updated-not-bumped` would otherwise report. A later last_updated is left as it is.

    Returns False when the link was already there. Raises NewEntryRefused when the file
    cannot be rewritten without losing data (re-read strictly: it may have changed since).
    The record is re-read and rewritten under the KB's lock (`kb_lock`), so two `new-entry --force`
    runs that link back to the same record at once both keep their link.
    """
    with kb_lock(root):
        return _link_back_locked(existing, new_id, root, today)


def _link_back_locked(existing: RecordFile, new_id: str, root: Path, today: str | None) -> bool:
    fresh = read_record_file(existing.path, root)
    if fresh.data is None or fresh.problems:
        reason = fresh.problems[0].message if fresh.problems else "it could not be read"
        raise NewEntryRefused(f"{existing.relative_path}: not updated, since rewriting it could lose data ({reason}); "
                              f"add {{\"error_id\": \"{new_id}\"}} to its transition_graph.{_CONFUSED} by hand")
    data = fresh.data
    graph = data.get("transition_graph", {})
    if not isinstance(graph, dict) or not isinstance(graph.get(_CONFUSED, []), list):
        raise NewEntryRefused(f"{existing.relative_path}: transition_graph.{_CONFUSED} is not a list; not updated; "
                              f"add {{\"error_id\": \"{new_id}\"}} to it by hand")
    edges = graph.get(_CONFUSED, [])
    if any(isinstance(edge, dict) and edge.get("error_id") == new_id for edge in edges):
        return False
    graph[_CONFUSED] = [*edges, {"error_id": new_id}]
    data["transition_graph"] = graph
    if today is not None and not (isinstance(data.get("last_updated"), str) and data["last_updated"] >= today):
        data["last_updated"] = today
    atomic_write(existing.path, canonical_text(data), confine_to=root / ENTRIES_DIR)
    return True


def write_plan(plan: NewEntryPlan, root: Path) -> list[str]:
    """Write the new record (never over an existing file), then link the confused records back.

    Returns the relative paths of the existing records that were updated.
    """
    try:
        write_new(plan.path, plan.text, confine_to=root / ENTRIES_DIR)
    except WriteRefused as error:
        raise NewEntryRefused(f"{plan.relative_path}: not written: {error}") from None
    updated = []
    for existing in plan.confused_with:
        try:
            if link_back(existing, plan.record["id"], root, today=plan.record.get("last_updated")):
                updated.append(existing.relative_path)
        except WriteRefused as error:
            raise NewEntryRefused(f"{plan.relative_path} was written, but {existing.relative_path} was not linked "
                                  f"back: {error}") from None
    return updated


# --- what the contributor reads ------------------------------------------------------------------------

def still_to_write(plan: NewEntryPlan) -> list[str]:
    """The content a person must still write (lint reports the empty root_cause and the missing translations)."""
    items = [
        "root_cause: why the error happens, in English",
        "workarounds: fixes that work, each with an action (one instruction) and how (commands, code)",
        "dead_ends: fixes people try that do not work, each with action and why_fails",
        "signature_zh, root_cause_zh, workarounds_zh: the Chinese translations (one workarounds_zh item per workaround)",
        f'resolvable: "true", "partial" or "false" (set to "{DEFAULT_RESOLVABLE}" for now)',
        f"versions: the products and versions you saw it with, e.g. {{\"version\": \"{plan.record['domain']} <version>\"}}",
    ]
    if plan.category_guessed:
        items.append(f"category: guessed as {plan.record['category']}; correct it if it is another kind of error")
    if plan.generalisation.literal_fallback or plan.generalisation.truncated:
        items.append("regex: check it; "
                     + ("the message had too little stable text to generalise, so it is literal"
                        if plan.generalisation.literal_fallback else
                        "the message was long, so it covers the message's beginning only"))
    return items


def describe_plan(plan: NewEntryPlan, written: bool, updated: list[str]) -> str:
    """The report printed after writing (or instead of writing, on --dry-run)."""
    lines = []
    verb = "wrote" if written else "would write"
    lines.append(f"{verb} {plan.relative_path} (id {plan.record['id']})")
    lines.append(f"regex: {plan.record['regex']}")
    if plan.generalisation.parts:
        generalised = "; ".join(f"{part.text!r} ({part.kind}) → {part.pattern}" for part in plan.generalisation.parts)
        lines.append(f"  generalised: {generalised}")
    else:
        lines.append("  generalised: nothing (every word of the message is kept literally)")
    for record in plan.confused_with:
        action = "linked both ways" if written else "would be linked both ways"
        lines.append(f"{_CONFUSED}: {record.entry_id} ({record.relative_path}), {action}")
    for path in updated:
        lines.append(f"updated {path}: added {plan.record['id']} to transition_graph.{_CONFUSED}")
    for note in plan.notes:
        lines.append(f"note: {note}")
    lines.append("")
    lines.append(f"still to write in {plan.relative_path}:")
    lines.extend(f"  - {item}" for item in still_to_write(plan))
    lines.append("")
    lines.append("next steps:")
    # Commands to type where kbtool was run, which need not be the KB's root (kbtool finds the KB upward).
    here = path_from_here(plan.path)
    linked = [path_from_here(record.path) for record in plan.confused_with if record.relative_path in updated]
    lines.append(f"  1. edit {here} and fill in the fields above")
    lines.append(f"  2. kbtool lint {here}   (it reports what is still empty or wrong; repeat until no error)")
    lines.append(f"  3. kbtool fmt {here}")
    lines.append(f"  4. git add {here}" + "".join(f" {path}" for path in linked) + " and open a pull request")
    return "\n".join(lines) + "\n"


def read_signature_from_stdin(stream=None, limit: int = 1_000_000, line: int | None = None):
    """The line of what was piped in that names the root error (or line `line`, when given).

    Returns a `kbtool.logs.LineChoice`: the signature (`.line`), a note saying what was taken and
    why, and the other candidate lines with their numbers, so that the user can pick one (--line N).
    """
    from kbtool.logs import Candidate, LineChoice, choose_error_line, line_of

    stream = stream if stream is not None else sys.stdin
    text = stream.read(limit + 1)
    if len(text) > limit:
        raise UsageError(f"--signature -: standard input holds more than {limit:,} characters; "
                         "paste the error output itself, or pass --signature TEXT")
    choice = choose_error_line(text)
    if not choice.line:
        raise UsageError("--signature -: standard input is empty; pipe the error output in, or pass --signature TEXT")
    if line is not None:
        total = len(lines_of(text))
        chosen = line_of(text, line)
        if not chosen:
            raise UsageError(f"--line {line}: standard input has no such non-empty line (it has {total} lines)")
        automatic = (Candidate(choice.number, choice.line, 0, "the line taken without --line"),) if choice.number else ()
        candidates = tuple(candidate for candidate in automatic + choice.candidates if candidate.number != line)
        return LineChoice(chosen, line, f"took line {line} of {total}, as asked (--line {line})", candidates)
    if choice.fallback:  # a record of a line that names no error would be a record of nothing
        raise UsageError(f"--signature -: no line of standard input reads as an error message (the last one, line "
                         f"{choice.number}, is {choice.line[:80]!r}); pass --line N to take a line anyway, or --signature TEXT")
    note = choice.note
    if note and choice.candidates:
        note += "; pass --line N to take one of the other candidates below instead, or --signature TEXT"
    elif note:
        note += "; pass --line N or --signature TEXT to choose another line"
    return LineChoice(choice.line, choice.number, note, choice.candidates)

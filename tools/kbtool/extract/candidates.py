"""From messages to candidate records: known or new, one candidate per distinct error, written safely.

A message that an existing record's regex already matches is *known* (the
record regexes are untrusted, so matching runs in `BoundedMatcher`'s worker
with a time bound). The other messages are grouped by the regex the shared
generaliser makes of them, so the same error seen in several articles (or
with another op name) becomes one candidate with several sources. Candidates
are written as `<out>/<domain>/<slug>.json`, in canonical form, and never
over a file that exists: a file from an earlier run with the same signature is
reported as the candidate, so a re-run with unchanged input changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from kbtool.canonical import canonical_text
from kbtool.extract.articles import Article
from kbtool.extract.infer import (UNKNOWN_DOMAIN, Context, article_domain, article_terms, category, explain,
                                  key_terms, message_domain, message_domain_hint)
from kbtool.extract.messages import HIGH, LOW, FoundMessage
from kbtool.kb import load_knowledge_base
from kbtool.records import as_list, as_text
from kbtool.regex.literals import required_literal_sets
from kbtool.regex.lookup import RegexLookup
from kbtool.regex.matcher import BoundedMatcher
from kbtool.writers import WriteRefused, kb_lock, write_new

#: Confidence written into a candidate: a message quoted as real, and one the article hedges.
CONFIDENCE_VALUE = {HIGH: 0.3, LOW: 0.1}
#: An article is related to a record when they share this many key terms (and the domain fits).
MIN_SHARED_TERMS = 3
_SLUG_WORDS = re.compile(r"[a-z0-9]+")
_QUALIFIED = re.compile(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Z]\w*(?:Error|Exception))")


def message_to_regex(message: str) -> str:
    """The shared generaliser (kbtool.generalise), imported late so this module loads without it."""
    from kbtool.regex.generalise import message_to_regex as generalise

    return generalise(message)


@dataclass
class KnownRecord:
    id: str
    regex: str
    domain: str
    terms: frozenset[str]


class RecordIndex:
    """The KB's records as far as extraction needs them: regexes to match and key terms to relate."""

    def __init__(self, records: list[KnownRecord], matcher: BoundedMatcher) -> None:
        self.records = sorted(records, key=lambda record: record.id)
        self.matcher = matcher
        self._lookup: RegexLookup | None = None
        self._with_regex: list[KnownRecord] = []
        self.by_term: dict[str, list[KnownRecord]] = {}
        for record in self.records:
            for term in record.terms:
                self.by_term.setdefault(term, []).append(record)

    @classmethod
    def load(cls, root: Path, matcher: BoundedMatcher) -> "RecordIndex":
        kb = load_knowledge_base(root)
        records = []
        for record in kb.records:
            data = record.data
            entry_id, regex = as_text(data.get("id")), as_text(data.get("regex"))
            if not entry_id:
                continue
            text = " ".join([as_text(data.get("signature")), entry_id.split("/")[-1].replace("-", " "),
                             *(as_text(alias) for alias in as_list(data.get("aliases"))),
                             *(as_text(tag) for tag in as_list(data.get("tags")))])
            records.append(KnownRecord(entry_id, regex, as_text(data.get("domain")) or entry_id.split("/")[0],
                                       frozenset(key_terms(text))))
        return cls(records, matcher)

    def known(self, messages: Sequence[str]) -> list[str | None]:
        """For each message, the id of the first record (by id) whose regex matches it, else None."""
        answers: list[str | None] = [None] * len(messages)
        if not messages:
            return answers
        if self._lookup is None:  # built once: only the regexes whose required literals occur in a message run
            self._with_regex = [record for record in self.records if record.regex]
            patterns = [record.regex for record in self._with_regex]
            self._lookup = RegexLookup(patterns, [required_literal_sets(pattern) for pattern in patterns],
                                       [[] for _ in patterns])
        for hit in self._lookup.find(list(messages), self.matcher).hits:
            # records are sorted by id: the first by id is the lowest number
            if answers[hit.text] is None or self._with_regex[hit.number].id < answers[hit.text]:
                answers[hit.text] = self._with_regex[hit.number].id
        return answers

    def related(self, terms: set[str], domain: str) -> list[str]:
        """Records that share at least MIN_SHARED_TERMS key terms with an article of `domain`."""
        shared: dict[str, int] = {}
        for term in terms:
            for record in self.by_term.get(term, ()):
                shared[record.id] = shared.get(record.id, 0) + 1
        domains = {record.id: record.domain for record in self.records}
        return sorted(entry_id for entry_id, count in shared.items()
                      if count >= MIN_SHARED_TERMS and (domain == UNKNOWN_DOMAIN or domains[entry_id] == domain))


@dataclass
class Source:
    path: str
    id: str
    line: int
    url: str | None
    date: dt.date | None

    def as_dict(self) -> dict:
        return {"path": self.path, "id": self.id, "line": self.line, "url": self.url}


@dataclass
class Candidate:
    """One new error, possibly seen in several articles."""

    signature: str
    regex: str
    domain: str
    category: str
    confidence: str
    context: Context
    sources: list[Source] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    path: str | None = None  # the written (or already existing) file, relative to the KB root
    problem: str | None = None  # why it could not be written

    def add(self, signature: str, confidence: str, source: Source) -> None:
        if signature != self.signature and signature not in self.aliases:
            self.aliases.append(signature)
        if confidence == HIGH:
            self.confidence = HIGH
        if all((known.path, known.line) != (source.path, source.line) for known in self.sources):
            self.sources.append(source)

    def record(self, entry_id: str, today: dt.date) -> dict:
        dates = sorted(source.date for source in self.sources if source.date is not None)
        first_seen = (dates[0] if dates else today).isoformat()
        last_confirmed = (dates[-1] if dates else today).isoformat()
        tags = ["extracted"] + (["low-confidence"] if self.confidence == LOW else [])
        return {
            "id": entry_id,
            "signature": self.signature,
            "signature_zh": "",
            "regex": self.regex,
            "domain": self.domain,
            "category": self.category,
            "subcategory": None,
            "root_cause": self.context.root_cause,
            "root_cause_zh": "",
            "dead_ends": self.context.dead_ends,
            "workarounds": self.context.workarounds,
            "workarounds_zh": [],
            "verification_tier": "extracted",
            "confidence": CONFIDENCE_VALUE[self.confidence],
            "resolvable": "partial",
            "first_seen": first_seen,
            "last_confirmed": max(first_seen, last_confirmed),
            "last_updated": max(today.isoformat(), last_confirmed),
            "evidence_count": len(self.sources),
            "tags": tags,
            "locale": "en",
            "aliases": sorted(self.aliases),
            "sources": [source.as_dict() for source in self.sources],
        }


def slug_for(signature: str) -> str:
    """A stable, readable slug: the exception name and the first words of the message."""
    text = _QUALIFIED.sub("", signature.split("\n")[0])
    words = _SLUG_WORDS.findall(text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "message"


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return Path(os.path.abspath(path)).as_posix()


def _earlier_candidates(folder: Path) -> dict[str, Path]:
    """Signature → file and regex → file for the candidate files already in `folder` (earlier runs)."""
    found: dict[str, Path] = {}
    if not folder.is_dir() or folder.is_symlink():
        return found
    for path in sorted(folder.glob("*.json")):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 4 * 1024 * 1024:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            for key in ("signature", "regex"):
                if isinstance(data.get(key), str):
                    found.setdefault(f"{key}:{data[key]}", path)
    return found


def write_candidates(candidates: Iterable[Candidate], out: Path, root: Path, today: dt.date, dry_run: bool) -> None:
    """Write each candidate to `<out>/<domain>/<slug>.json`, never over an existing file.

    A candidate already written by an earlier run (same signature, or same regex: the same error in
    another literal form) is reported at its existing path and left as it is. The folder is read and
    written under the KB's lock (`kb_lock`), so two runs at once do not write the same candidate twice.
    """
    candidates = list(candidates)
    if dry_run:
        _write_candidates(candidates, out, root, today, dry_run=True)
        return
    try:
        with kb_lock(root):
            _write_candidates(candidates, out, root, today, dry_run=False)
    except WriteRefused as error:  # the lock could not be taken: nothing was written
        for candidate in candidates:
            if candidate.path is None and candidate.problem is None:
                candidate.problem = str(error)


def _write_candidates(candidates: list[Candidate], out: Path, root: Path, today: dt.date, dry_run: bool) -> None:
    taken: set[str] = set()
    earlier: dict[str, dict[str, Path]] = {}
    for candidate in candidates:
        if candidate.domain not in earlier:
            earlier[candidate.domain] = _earlier_candidates(out / candidate.domain)
        previous = (earlier[candidate.domain].get(f"signature:{candidate.signature}")
                    or earlier[candidate.domain].get(f"regex:{candidate.regex}"))
        if previous is not None:
            candidate.path = None if dry_run else _relative(previous, root)
            continue
        base = slug_for(candidate.signature)
        for number in range(1, 1000):
            slug = base if number == 1 else f"{base}-{number}"
            entry_id = f"{candidate.domain}/{slug}"
            path = out / candidate.domain / f"{slug}.json"
            if entry_id in taken or path.exists() or path.is_symlink():
                continue
            taken.add(entry_id)
            if dry_run:
                break
            try:
                write_new(path, canonical_text(candidate.record(entry_id, today)), confine_to=out)
            except (WriteRefused, OSError) as error:
                candidate.problem = str(error)
                break
            candidate.path = _relative(path, root)
            break


@dataclass
class MessageResult:
    signature: str
    line: int
    confidence: str
    status: str  # "new" or "known"
    entry_id: str | None = None
    candidate: Candidate | None = None


@dataclass
class ArticleResult:
    path: str
    id: str
    title: str
    messages: list[MessageResult]
    related_entries: list[str]
    url: str | None = None  # the article's source_url


class Extraction:
    """Articles in, results and candidates out; articles are handled in batches so memory stays flat."""

    def __init__(self, index: RecordIndex, generalise=message_to_regex) -> None:
        self.index = index
        self.generalise = generalise
        self.candidates: dict[tuple[str, str], Candidate] = {}
        self.results: list[ArticleResult] = []

    def add_batch(self, batch: list[tuple[Article, list[FoundMessage]]]) -> None:
        flat = [message.signature for _, messages in batch for message in messages]
        known = self.index.known(flat)
        position = 0
        for article, messages in batch:
            domain = article_domain(article, [message_domain_hint(message.signature) for message in messages])
            results = []
            message_blocks = frozenset(message.block_index for message in messages)
            for message in messages:
                entry_id = known[position]
                position += 1
                if entry_id is not None:
                    results.append(MessageResult(message.signature, message.line, message.confidence, "known", entry_id))
                    continue
                results.append(self._candidate_for(article, message, domain, message_blocks))
            related = set(self.index.related(article_terms(article), domain))
            related.update(result.entry_id for result in results if result.entry_id)
            self.results.append(ArticleResult(article.relative_path, article.id, article.title, results, sorted(related),
                                              article.source_url))

    def _candidate_for(self, article: Article, message: FoundMessage, domain: str,
                       message_blocks: frozenset[int] = frozenset()) -> MessageResult:
        try:
            regex = self.generalise(message.signature)
        except Exception:  # a generaliser bug must not stop a run over thousands of articles
            regex = re.escape(message.signature[:600])
        own_domain = message_domain(message.signature, domain)
        source = Source(article.relative_path, article.id, message.line, article.source_url, article.date)
        key = (own_domain, regex)
        candidate = self.candidates.get(key)
        if candidate is None:
            context = explain(article, message.block_index, message.signature, f"{article.relative_path}:{message.line}",
                              message_blocks)
            candidate = Candidate(message.signature, regex, own_domain, category(message.signature), message.confidence,
                                  context)
            self.candidates[key] = candidate
        candidate.add(message.signature, message.confidence, source)
        return MessageResult(message.signature, message.line, message.confidence, "new", None, candidate)

"""The lint engine: knowledge base in, findings out. No printing, no clock, no git.

    files ──► knowledge base ──► rules ──► problems ──► findings ──► filters (kbtool.filters) ──► LintResult

Every rule yields problems; `kbtool.findings.to_finding` is the one place where a problem becomes a
finding (placed in its file, at a line and column, with the rule's code and default severity). The
filters then decide what is reported.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from kbtool.baseline import Baseline
from kbtool.cache import Cache
from kbtool.errors import UsageError
from kbtool.filters import FilterPlan, active_rules, filter_findings
from kbtool.findings import Finding, LintResult, Problem, to_finding
from kbtool.catalog import keep_catalog, load_catalog
from kbtool.kb import ENTRIES_DIR, KnowledgeBase, discover_record_files, load_knowledge_base, parts_of, shared_fields
from kbtool.records import RecordFile, SharedRecord
from kbtool.regex.facts import RegexFacts
from kbtool.regex.matcher import BoundedMatcher
from kbtool.remembered import kb_key, recall, recall_across, remember, remember_across, run_key
from kbtool.revision import BaseRevision, ChangeSet, records_referencing
from kbtool.rules import Rule
from kbtool.rules.freshness import dated_fields
from kbtool.schema import RecordSchema, record_schema
from kbtool.settings import Settings
from kbtool.teardown import keep


#: Findings listed per rule and file; beyond this one finding says how many more there are.
MAX_FINDINGS_PER_RULE_AND_FILE = 200


@dataclass(frozen=True)
class LintContext:
    """What rules may look at besides the record: settings, the KB, its schema, the regex facts."""

    settings: Settings
    kb: KnowledgeBase
    schema: RecordSchema
    regex: RegexFacts  # what the records' regexes do, computed once per run
    base: BaseRevision | None = None  # the base revision's records, with --changed-since (history rules)
    targets: set[str] | None = None  # the files reported on (None: every file)

    def reported(self, records: Iterable[RecordFile]) -> Iterable[RecordFile]:
        """Of `records`, those reported on: a KB rule whose findings fall on the record it examines
        need examine no other (the filters would drop their findings)."""
        return records if self.targets is None else (record for record in records if record.relative_path in self.targets)


#: Told (rules done, rules to run) as each rule starts and at the end, e.g. to draw a progress bar.
Progress = Callable[[int, int], None]


def run_rules(rules: list[Rule], context: LintContext, progress: Progress | None = None,
              recalled: Mapping[str, Sequence[Finding]] | None = None, across: list[Finding] | None = None,
              remembering: bool = False) -> list[Finding]:
    """The findings of every file, record and KB rule. Record rules run only on the context's targets
    (None: all files); KB rules run once over everything, and the filters keep what concerns the targets.
    The rules of one file do not run on a file whose findings are `recalled` (kbtool.remembered): those are used;
    nor do the rules across records when their findings are known (`across`).

    The file and record rules run file by file; once a file's have run, its text is let go (its date fields
    placed first when `remembering`, for `kbtool.remembered`): a later finding in it reads the file again.
    A KB of 100,000 records then never holds all their texts at once."""
    recalled = recalled or {}
    findings: list[Finding] = list(across or ())
    files = list(context.reported(context.kb.files))
    of_files = [rule for rule in rules if rule.scope in ("file", "record") and not (across is not None and rule.across_records)]
    of_kb = [rule for rule in rules if rule.scope == "kb" and across is None]
    across_or_dated = [rule for rule in of_files if not rule.of_one_file]  # what runs on a file whose findings are recalled
    dates = _date_pointers(context.schema) if remembering else {}
    for number, record in enumerate(files):
        if progress is not None and number % 1000 == 0:
            progress(len(of_files) * number // len(files), len(rules))
        known = recalled.get(record.relative_path)
        findings.extend(_findings_of_file(of_files if known is None else across_or_dated, record, context))
        findings.extend(known or ())
        _let_go_of_text(record, dates)
    for done, rule in enumerate(of_kb, start=len(of_files)):
        if progress is not None:
            progress(done, len(rules))
        # Placed only where reported, record by record: placing reads the record's file again, and lets go of it after.
        by_record: dict[int, list[Problem]] = {}
        for problem in rule.check(context.kb, context):
            if context.targets is None or problem.record is not None and problem.record.relative_path in context.targets:
                by_record.setdefault(id(problem.record), []).append(problem)
        for problems in by_record.values():
            findings.extend(to_finding(rule, problem) for problem in problems)
            if problems[0].record is not None:
                _let_go_of_text(problems[0].record, dates)
    if progress is not None:
        progress(len(rules), len(rules))
    return findings


def _date_pointers(schema: RecordSchema) -> dict[str, str]:
    """The pointer of each date field (`dated_fields`), made once: every record keeps where its dates are."""
    return {field: "/" + field for field in dated_fields(schema)}


def _let_go_of_text(record: RecordFile, dates: dict[str, str]) -> None:
    """`record.forget_text`, its date fields (`_date_pointers`) placed first (for kbtool.remembered)."""
    record.forget_text(keep=[pointer for field, pointer in dates.items() if field in (record.data or {})])


class _RulesOfEachFile:
    """The rules of one file, run on each part of the KB once the next is read (`load_knowledge_base`'s `each`).
    Then each record of the part keeps only what is read of it later: the fields that rules across
    records read (`shared_fields`) and its date fields (for the rules depending on the date of the run;
    placed, when kbtool.remembered keeps them), as the catalog would give it (`SharedRecord`). A lint of 100,000
    records holds two parts of FILES_AT_A_TIME of them whole at most, not all of them.

    When a rule across records asks the regex facts (the cross match), it is begun before the last part's rules that ask
    them run (`RegexFacts.begin_cross_match`), in a KB of up to BEGUN_PARTS parts: the regex workers look up its
    candidates meanwhile. (In a larger KB the last part's rules would hide little of that look-up, and what it holds
    would be held beside the last part's records: 10-15 MiB more at 100,000 records.) In a KB of two parts, the first
    part's rules that ask the regex facts wait for the other rules of the second (`_WAITING_PARTS`)."""

    def __init__(self, rules: list[Rule], context: LintContext, progress: Progress | None, remembering: bool) -> None:
        self.rules = [rule for rule in rules if rule.of_one_file]
        # Those that ask the regex facts run after the others, which run while the workers search: the regex checks
        # of each file start as soon as it is parsed (`RegexFacts.start`).
        self.first = [rule for rule in self.rules if not rule.asks_regex]
        self.then = [rule for rule in self.rules if rule.asks_regex]
        self.steps = len(rules)  # for the progress bar: these rules, then the others
        self.context = context
        self.progress = progress
        self.dates = _date_pointers(context.schema)
        self.placing = self.dates if remembering else {}  # the dates placed for kbtool.remembered (cache on)
        self.found: dict[str, Sequence[Finding]] = {}  # by file (_NONE: none)
        self.places: dict[tuple, dict[str, tuple[int, int]]] = {}  # the `placed` of the records kept, by value
        self.values: dict[str, str] = {}  # their dates, by value
        self.begins = any(rule.asks_regex and rule.across_records for rule in rules)  # the cross match, early
        self.kept_so_far: list[RecordFile] = []  # the records of the parts read so far, as the KB keeps them (when it `begins`)
        self.seen = 0  # files of the parts told so far
        #: A part whose rules that ask the regex facts wait for the other rules of the next part (`_WAITING_PARTS`).
        self.waiting: tuple | None = None

    def __call__(self, part: list[RecordFile], files: int) -> list[RecordFile]:
        context = dataclasses.replace(self.context, kb=KnowledgeBase(root=self.context.kb.root, files=part))
        kept = [self._kept(record) for record in part]
        first = []
        for record in part:
            done = self.seen + len(first)
            if self.progress is not None and done % 1000 == 0:
                self.progress(len(self.rules) * done // files, self.steps)
            first.append(_findings_of_file(self.first, record, context))
        self.seen += len(part)
        if self.waiting is not None:  # the part before, whose rules that ask the regex facts waited for these to run
            self._then(*self.waiting)
            self.waiting = None
        if self.begins and parts_of(files) <= BEGUN_PARTS:
            self.kept_so_far += [view for view in kept if view.data is not None]
            if self.seen == files:  # the last part: every record of the KB is known
                self.context.regex.take(context.kb)  # (its checks due before the cross match is begun)
                self.context.regex.begin_cross_match(self.kept_so_far)
                self.kept_so_far = []
        if self.seen < files and parts_of(files) <= _WAITING_PARTS and self.then:
            self.waiting = (part, kept, first, context)
        else:
            self._then(part, kept, first, context)
        return kept

    def _then(self, part: list[RecordFile], kept: list[RecordFile], first: list[list[Finding]], context: LintContext) -> None:
        """The rules of the part's files that ask the regex facts, after the others (`first`: their findings); then the
        part's records let go of."""
        self.context.regex.take(context.kb)
        for record, findings in zip(part, first):
            self.found[record.relative_path] = findings + _findings_of_file(self.then, record, context) or _NONE
        for record, view in zip(part, kept):
            self._let_go(record, view)

    def _kept(self, record: RecordFile) -> RecordFile:
        """What the KB keeps of `record` (itself when it did not parse into a record), made before its rules run (the
        cross match begun takes it); placed once they have (`_let_go`)."""
        data = record.data
        if data is None:
            return record
        shared = shared_fields(data)
        for field in self.dates:
            if field in data:  # a few dates, each held once
                shared[field] = self.values.setdefault(data[field], data[field]) if type(data[field]) is str else data[field]
        kept = SharedRecord(self.context.kb.root, record.relative_path, record.digest, shared, None, record.problems)
        kept.stat = record.stat
        return kept

    def _let_go(self, record: RecordFile, kept: RecordFile) -> None:
        """Let go of `record`'s text, once its rules have run, and give what the KB keeps of it (`kept`) its places."""
        _let_go_of_text(record, self.placing)
        if kept is not record:
            # Records laid out alike place their dates alike (the 2,522 records imported from deadends.dev in 66 ways): one dict for
            # each way, not one per record. Never changed in place (`RecordFile.forget_text` and kbtool.remembered replace it).
            kept.placed = self.places.setdefault(tuple(record.placed.items()), record.placed) if record.placed else record.placed


_NONE: tuple = ()  # no finding, one object for every file that has none
#: The most parts (`kbtool.kb.parts_of`) of a KB whose cross match is begun before the last part's rules run.
BEGUN_PARTS = 5
#: In a KB of this many parts at most (both held whole anyway: `load_knowledge_base` reads the next part before it tells
#: of one), the rules of the first part that ask the regex facts run after the other rules of the second: the regex
#: workers, which began on the first part's regexes as it was read, have done them by then.
_WAITING_PARTS = 2


def _read_and_check_each_file(settings: Settings, cache: Cache | None, matcher: BoundedMatcher,
                              progress: Progress | None) -> tuple[KnowledgeBase, RegexFacts, dict[str, Sequence[Finding]]]:
    """The KB at `settings.root`, read part by part, the rules of one file run on each part once the next is read
    (`_RulesOfEachFile`); the regex facts worked out then, and the findings of those rules by file."""
    schema = record_schema(settings.root)
    empty = KnowledgeBase(root=settings.root, files=[])
    rules = active_rules(settings)
    facts = RegexFacts(empty, matcher, cache, judging=any(rule.asks_regex for rule in rules))
    each = _RulesOfEachFile(rules, LintContext(settings=settings, kb=empty, schema=schema, regex=facts),
                            progress, remembering=cache is not None and cache.enabled)
    kb = load_knowledge_base(settings.root, (), cache, each, parsed=facts.start if each.then else None)
    facts.shared_enough()
    return kb, facts, each.found


def _findings_of_file(rules: list[Rule], record: RecordFile, context: LintContext) -> list[Finding]:
    """The findings of `rules` (of scope file or record) in one file; record rules only when it parsed into a record."""
    return [finding for rule in rules if rule.scope == "file" or record.data is not None
            for finding in _capped(rule, record, rule.check(record, context))]


def _capped(rule: Rule, record, problems: Iterable) -> list[Finding]:
    """The first MAX_FINDINGS_PER_RULE_AND_FILE findings of `rule` in one file, then one finding
    that says how many more there are: a file crafted to hold 100,000 defects cannot flood the output."""
    findings: list[Finding] = []
    more = 0
    last = None
    for problem in problems:
        if len(findings) < MAX_FINDINGS_PER_RULE_AND_FILE:
            findings.append(to_finding(rule, problem, record))
        else:
            more += 1
            last = problem
    if more == 1:  # e.g. the rule's own "and N more" after its first 200: list it as it is
        findings.append(to_finding(rule, last, record))
    elif more:
        findings.append(to_finding(rule, Problem(
            "", f"{more:,} more {rule.name} findings in this file are not listed (only the first "
                f"{MAX_FINDINGS_PER_RULE_AND_FILE} are)", "fix these and run kbtool lint again to see the rest"), record))
    return findings


def check_knowledge_base(kb: KnowledgeBase, settings: Settings, targets: set[str] | None = None,
                         base: BaseRevision | None = None, baseline: Baseline | None = None,
                         matcher: BoundedMatcher | None = None, progress: Progress | None = None,
                         left_out: dict[str, int] | None = None, cache: Cache | None = None,
                         recalled: Mapping[str, list[Finding]] | None = None, facts: RegexFacts | None = None,
                         found: Mapping[str, Sequence[Finding]] | None = None) -> list[Finding]:
    """Run every active rule, then the filters; findings only for files in `targets` (None: all files).
    Regexes are searched through `matcher` (a new one when None); `progress` is told of each rule;
    `cache` holds regex results of earlier runs, and, after a lint of the whole KB, its catalog (for
    the next `match` or `lint --changed-since`) and the findings of the rules of one file in each file
    (for the next lint of the whole KB, which passes those it recalls as `recalled`). `facts` and `found`
    are the regex facts and the findings of the rules of one file by file, when those rules have run
    already (`_read_and_check_each_file`)."""
    rules = active_rules(settings)
    schema = record_schema(settings.root)
    whole = cache is not None and cache.enabled and targets is None and base is None
    run = run_key(settings, schema) if whole else ""
    key = kb_key(run, kb) if whole else None
    across = recall_across(cache, key, kb) if key is not None else None
    with (nullcontext(matcher) if matcher is not None else BoundedMatcher()) as searcher:
        if facts is None:
            facts = RegexFacts(kb, searcher, cache, focus=targets)
        else:
            facts.take(kb)
        context = LintContext(settings=settings, kb=kb, schema=schema, regex=facts, base=base, targets=targets)
        findings = run_rules(rules, context, progress, {**(recalled or {}), **(found or {})}, across, remembering=whole)
    if whole:
        keep_catalog(kb, cache, facts.analysis)
        # Not remembered: a file whose regex search overran a time bound, or whose bytes changed while the
        # lint ran (its findings could not be placed; with its bytes back, they would be recalled so).
        moved = {record.relative_path for record in kb.files if record.changed_on_disk}
        remember(cache, run, schema, kb, findings, rules, recalled or {},
                 {path for path, check in facts.checks.items() if check.unsure} | moved)
        if key is not None and across is None and not searcher.overran and not moved:
            remember_across(cache, key, findings, rules)
    plan = FilterPlan(rules=rules, targets=targets, baseline=baseline, whole_kb=targets is None,
                      left_out=left_out if left_out is not None else {})
    return filter_findings(findings, plan, context)


def changed_targets(kb: KnowledgeBase, changes: ChangeSet) -> set[str]:
    """Files to report on for a change set: the changed files, plus surviving records whose graph
    names an id that the change removed (deleted, or renamed away), so `dangling-reference` shows."""
    removed_ids = {entry_id for entry_id in changes.base.by_id if entry_id not in kb.by_id}
    surviving = ((record.relative_path, record.data) for record in kb.records)
    return {path for path in changes.changed if path in kb.by_path} | _folders_holding(kb, changes.changed) \
        | records_referencing(surviving, removed_ids)


def _folders_holding(kb: KnowledgeBase, changed: Iterable[str]) -> set[str]:
    """Folders the KB reports as files (a folder named `*.json`) that hold a changed file: git lists
    `entries/x/y.json/z.json`, and the finding is about the folder `entries/x/y.json`."""
    found: set[str] = set()
    for path in changed:
        parts = path.split("/")
        for end in range(1, len(parts)):
            folder = "/".join(parts[:end])
            if folder in kb.by_path:
                found.add(folder)
    return found


def _changed_knowledge_base(root: Path, changes: ChangeSet | Future[ChangeSet], cache: Cache) -> KnowledgeBase:
    """The KB for a change set: the records to report on read whole, the others only as far as rules across
    records need them (from the catalog in the cache, when it is up to date), read while git looks for the
    changes (a change set still being worked out)."""
    catalog = load_catalog(root, cache, keep_read=True)
    changes = _settled(changes)
    kb = catalog.knowledge_base(set(changes.changed), cache)
    more = changed_targets(kb, changes) - set(changes.changed)  # records pointing at a removed id
    return catalog.knowledge_base(set(changes.changed) | more, cache) if more else kb


def _settled(changes: ChangeSet | Future[ChangeSet]) -> ChangeSet:
    return changes.result() if isinstance(changes, Future) else changes


def _named_knowledge_base(root: Path, paths: list[Path], cache: Cache) -> KnowledgeBase | None:
    """The KB for a lint of the record files under `paths` (e.g. the staged files, from the pre-commit hook):
    those read whole, the others from the catalog (made now when the cache has none) as far as rules
    across records need them. None when the cache is off, or a path lies outside `root/entries/` or names
    a file the catalog does not hold (then every file is read)."""
    entries = os.path.join(str(root), ENTRIES_DIR)
    if not cache.enabled or not paths or not all(str(path) == entries or str(path).startswith(entries + os.sep) for path in paths):
        return None
    named = {Path(os.path.abspath(found)).relative_to(root).as_posix() for path in paths for found in discover_record_files(path)}
    kb = load_catalog(root, cache, keep_read=True).knowledge_base(named, cache)
    return kb if named <= kb.by_path.keys() else None


def lint(settings: Settings, paths: Iterable[Path] = (), changes: ChangeSet | Future[ChangeSet] | None = None,
         baseline: Baseline | None = None, progress: Progress | None = None, cache: Cache | None = None) -> LintResult:
    """Load the KB at `settings.root` and lint it, or only the files under `paths`, or (with
    `changes`, or a change set still being worked out: `kbtool.git.start_changes_since`) only the files
    changed since a base revision; leave out what `baseline` lists. `cache` (none: nothing is cached)
    keeps per-record work for the next run."""
    paths = [Path(os.path.abspath(path)) for path in paths]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_file() and not path.name.endswith(".json"):
            raise UsageError(f"{path}: not a record file: records are .json files (entries/<domain>/<slug>.json)")
    with BoundedMatcher() as matcher:
        return _lint(settings, paths, changes, baseline, progress, cache, matcher)


def _lint(settings: Settings, paths: list[Path], changes: ChangeSet | Future[ChangeSet] | None, baseline: Baseline | None,
          progress: Progress | None, cache: Cache | None, matcher: BoundedMatcher) -> LintResult:
    recalled = facts = found = None
    if changes is not None and not paths:
        kb = _changed_knowledge_base(settings.root, changes, cache or Cache(None))
    elif not paths and cache is not None and (known := recall(settings, record_schema(settings.root), cache)):
        kb, recalled = known
    elif paths and changes is None and cache is not None and (named := _named_knowledge_base(settings.root, paths, cache)):
        kb = named
    elif not paths:
        kb, facts, found = _read_and_check_each_file(settings, cache, matcher, progress)
    else:
        kb = load_knowledge_base(settings.root, paths, cache)
    targets: set[str] | None = None
    if paths:
        targets = set()
        for record in kb.files:
            absolute = str(record.path)
            if any(absolute == str(path) or absolute.startswith(str(path).rstrip(os.sep) + os.sep) for path in paths):
                targets.add(record.relative_path)
        if not targets:  # else "0 files": a lint that checked nothing would pass
            raise UsageError(f"{', '.join(map(str, paths))}: no record files (*.json) there; records are "
                             "entries/<domain>/<slug>.json")
    if changes is not None:
        changes = _settled(changes)
        changed = changed_targets(kb, changes)
        targets = changed if targets is None else targets & changed
    left_out: dict[str, int] = {}
    findings = check_knowledge_base(kb, settings, targets, base=changes.base if changes else None, baseline=baseline,
                                    matcher=matcher, progress=progress, left_out=left_out, cache=cache, recalled=recalled,
                                    facts=facts, found=found)
    linted = [record for record in kb.files if targets is None or record.relative_path in targets]
    keep(kb, facts, recalled, found)
    return LintResult(findings=findings, files=len(linted), entries=sum(1 for record in linted if record.data is not None),
                      root=settings.root, baselined=left_out.get("baseline", 0))

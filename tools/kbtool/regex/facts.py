"""The regex facts of one lint run: computed once, carried by the lint context, read by the rules.

What every record's regex does with its own signature and aliases, its static analysis (shape and
required literals), which regexes are too broad, and which match other records' messages. Rules
read these facts; none of them writes into the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbtool.cache import Cache, LookedUp, Uncached
from kbtool.kb import KnowledgeBase
from kbtool.records import RecordFile, as_dict, as_list, as_text
from kbtool.regex.broadness import too_broad_reasons
from kbtool.regex.collisions import BegunCandidates, CrossMatch, cross_match, may_meet
from kbtool.regex.literals import (cached_literal_sets, literal_filter_from_json, literal_filter_to_json, literal_sets_from_json,
                                   literal_sets_to_json)
from kbtool.regex.matcher import BoundedMatcher, SearchJob, Submitted
from kbtool.regex.shapes import RegexAnalysis, analyse_regex, shared_analysis


@dataclass(frozen=True, slots=True)
class RegexCheck:
    """What the record's regex does with the record's own texts."""

    error: str | None  # compile error
    timed_out: bool
    signature_matches: bool | None
    alias_matches: tuple[bool | None, ...]
    signature_matches_ignoring_case: bool | None = None
    cut_short: bool = False  # not searched to the end: the run's time budget for slow regexes was used up
    unsure: bool = False  # a search (the first, or the one ignoring case) overran a bound: the answer depends on the machine's load


def pattern_of(record: RecordFile) -> str:
    """The record's regex ("" when it has none)."""
    return as_text(record.data.get("regex")) if record.data is not None else ""


def own_texts(record: RecordFile) -> list[str]:
    """The record's signature and aliases: the messages of its own error."""
    data = record.data or {}
    return [as_text(data.get("signature")), *(alias for alias in as_list(data.get("aliases")) if isinstance(alias, str))]


class RegexFacts:
    """Regex results of one run over `kb`, searched through `matcher`. Results that `cache` holds from
    earlier runs (for the same regex and texts, with this kbtool) are reused.

    With `focus` (the records reported on), facts are worked out for those records first and for
    others only when a question needs them (a regex that may match a message of the focus), and
    which regexes match which messages is known only where a record of `focus` takes part: a run
    that reports on one record costs what that record touches, not what the KB holds.

    With `judging` (a lint whose rules ask the regex facts: `regex-too-broad` and the cross match judge broadness), the
    worker that checks a regex on its own texts, having compiled it, also searches the texts that name no error
    (`SearchJob.generic`): the first measure of broadness then costs no job of its own. (Once the run's time budget for
    slow regexes is used up, a search of the generic texts asked later is cut short and tells nothing; the one made
    beside the own texts, earlier, still tells.)"""

    def __init__(self, kb: KnowledgeBase, matcher: BoundedMatcher, cache: Cache | None = None,
                 focus: set[str] | None = None, judging: bool = False) -> None:
        self.matcher = matcher
        self.cache = cache if cache is not None else Cache(None)
        self.focus = focus
        self.judging = judging
        #: What the workers found of each regex in the generic texts (`SearchResult.generic`), until its broadness is judged.
        self._generic_hits: dict[str, int] = {}
        self.checks: dict[str, RegexCheck] = {}
        self.analyses: dict[str, RegexAnalysis] = {}
        self._held: dict = {}  # the literals the analyses share (shared_analysis)
        self._broad: dict[str, str | None] = {}
        self._cross: CrossMatch | None = None
        self._begun: BegunCandidates | None = None  # the cross match's first step, begun early (`begin_cross_match`)
        #: The records checked in one batch when a rule first asks (a run whose rules across records are
        #: remembered, and whose files' findings are too, asks nothing).
        self._unchecked: list[RecordFile] | None = None
        self._started: list[_OwnChecks] = []  # the batches started ahead (`start`), in order
        self._due = 0  # how many of them a question waits for: up to the last holding a record of `kb`
        self.take(kb)

    def take(self, kb: KnowledgeBase) -> None:
        """Go on over `kb` instead: the next files read, or the whole KB once every file is (a lint of the
        whole KB reads it part by part). What is known of the records seen before is kept; those of `kb`
        not checked yet (nor `start`ed) are checked in one batch when a rule first asks."""
        self.kb = kb
        paths = {record.relative_path for record in kb.records}
        self._due = max((number + 1 for number, batch in enumerate(self._started)
                         if any(record.relative_path in paths for record in batch.records)), default=0)
        started = {record.relative_path for batch in self._started for record in batch.records}
        self._unchecked = [record for record in kb.records if (self.focus is None or record.relative_path in self.focus)
                           and record.relative_path not in self.checks and record.relative_path not in started]

    def start(self, records: list[RecordFile]) -> None:
        """Start the checks of these records' regexes on their own texts now: the workers search while the
        caller goes on (reads more files, runs other rules); a question about the records of `kb` (`take`) waits
        for the batches holding them and those started before, not for those started after."""
        records = [record for record in records if record.data is not None
                   and (self.focus is None or record.relative_path in self.focus)]
        if records:
            self._started.append(self._start_own_checks(records))

    def shared_enough(self) -> None:
        """Let go of what the analyses share (`shared_analysis`), once the bulk of them is made: later ones
        are not shared with these."""
        self._held = {}

    def _finish_started(self) -> None:
        """Take the results of the batches started ahead that hold records of `kb` (`take`), and of those started
        before them: those started after (the next part of a lint of the whole KB) go on being searched."""
        due, self._started, self._due = self._started[:self._due], self._started[self._due:], 0
        for batch in due:
            self._finish_own_checks(batch)

    def _settle(self) -> None:
        if not self._due and self._unchecked is None:  # asked for every record a rule checks: mostly nothing to do
            return
        self._finish_started()
        if self._unchecked is not None:
            records, self._unchecked = self._unchecked, None
            self._check_own_texts(records)

    @property
    def seconds_per_job(self) -> float:
        return self.matcher.seconds_per_job

    def _check_own_texts(self, records: list[RecordFile]) -> None:
        """Match each record's regex against its signature and aliases (and analyse it), in one
        bounded batch, for the regexes the cache has no answer for."""
        self._finish_own_checks(self._start_own_checks(records))

    def _start_own_checks(self, records: list[RecordFile]) -> "_OwnChecks":
        """The first half of `_check_own_texts`: the answers the cache holds, and the searches of the others submitted."""
        candidates = [record for record in records if isinstance(record.data.get("regex"), str)
                      and record.relative_path not in self.checks]
        inputs = [(record.data["regex"], as_text(record.data.get("signature")), *map(as_text, as_list(record.data.get("aliases"))))
                  for record in candidates]  # every alias in its place, so that alias_matches[i] is aliases[i]
        found = self.cache.look_up("regex-own", inputs, valid=lambda value: isinstance(value, list) and len(value) == 2,
                                   load=lambda value: (_check_from_json(value[0]), _analysis_from_json(value[1])))
        jobs = [SearchJob(inputs[number][0], inputs[number][1:], analyse=True, first_ignoring_case=True, generic=self.judging)
                for number in found.missing]
        return _OwnChecks(candidates, found, jobs, self.matcher.submit(jobs) if jobs else None)

    def _finish_own_checks(self, started: "_OwnChecks") -> None:
        """The second half of `_check_own_texts`: the submitted searches' results, kept."""
        computed = self._own_checks(started.jobs, started.submitted.result()) if started.submitted is not None else []
        found = self.cache.keep(started.found, computed,
                                dump=lambda value: [_check_to_json(value[0]), _analysis_to_json(value[1])])
        for record, (check, analysis) in zip(started.records, found):
            self.checks[record.relative_path] = check
            self.analyses[record.relative_path] = shared_analysis(analysis, self._held)

    def _own_checks(self, jobs: list[SearchJob], results: list) -> list:
        """(RegexCheck, RegexAnalysis) of each job (pattern, signature, *aliases) from its results; a signature that
        does not match was tried again ignoring case (`SearchJob.first_ignoring_case`), to tell the user when that
        is the slip. Results of searches that overran a time bound are used but not cached (they depend on the
        machine's load). What each regex requires is also what the catalog keeps (for match and --changed-since):
        it is kept too."""
        analyses = [result.analysis or analyse_regex(job.pattern) for job, result in zip(jobs, results)]  # none after a timeout
        outcome = []
        for job, result, analysis in zip(jobs, results, analyses):
            if result.generic is not None:
                self._generic_hits[job.pattern] = result.generic
            unsure = result.timed_out or result.cut_short or result.ignoring_case_timed_out
            check = RegexCheck(result.error, result.timed_out, result.matches[0], tuple(result.matches[1:]),
                               result.first_ignoring_case, result.cut_short, unsure)
            outcome.append(Uncached((check, analysis)) if unsure else (check, analysis))
        if self.cache.enabled:
            kept = {}
            for job, analysis in zip(jobs, analyses):
                kept[self.cache.key("regex-literals", job.pattern)] = literal_sets_to_json(analysis.literal_sets)
                kept[self.cache.key("regex-filter", job.pattern)] = literal_filter_to_json(analysis.literal_filter)
            self.cache.put_many(kept)
        return outcome

    def check(self, record: RecordFile) -> RegexCheck | None:
        """What the record's regex does with its own texts; None when it has no regex."""
        self._settle()
        if record.relative_path not in self.checks and isinstance(as_dict(record.data).get("regex"), str):
            self._check_own_texts([record])
        return self.checks.get(record.relative_path)

    def compiles(self, record: RecordFile) -> bool:
        """The record has a regex that compiled and finished on its own texts."""
        check = self.check(record)
        return check is not None and not check.error and not check.timed_out

    def analysis(self, record: RecordFile) -> RegexAnalysis:
        """The static analysis of the record's regex (shape and required literals)."""
        self._settle()
        if record.relative_path not in self.analyses:
            self.analyses[record.relative_path] = (analyse_regex(pattern_of(record)) if self.compiles(record)
                                                   else RegexAnalysis(None, ()))
        return self.analyses[record.relative_path]

    def _literal_sets(self, records: list[RecordFile]) -> list[tuple[frozenset[str], ...]]:
        """The required literals of each record's regex: known from the catalog, from this run's analysis,
        or worked out (through the cache)."""
        self._settle()
        known = [record.literal_sets if record.literal_sets is not None else
                 self.analyses[record.relative_path].literal_sets if record.relative_path in self.analyses else None
                 for record in records]
        unknown = [number for number, sets in enumerate(known) if sets is None]
        for number, sets in zip(unknown, cached_literal_sets([pattern_of(records[number]) for number in unknown], self.cache)):
            known[number] = sets
        return known

    def _searchable(self, records: list[RecordFile]) -> list[RecordFile]:
        """Of `records`, those whose regex compiles, finished on its own texts and has no catastrophic shape."""
        self._settle()
        self._check_own_texts(records)
        return [record for record in records if self.compiles(record) and self.analysis(record).shape is None]

    def broad_reason(self, record: RecordFile) -> str | None:
        """Why the record's regex is too broad (None when it is not, or when it does not compile or has
        a catastrophic shape: other rules report those)."""
        if record.relative_path not in self._broad:
            first = self.focus is None or record.relative_path in self.focus
            self._judge_broadness([other for other in self.kb.records
                                   if self.focus is None or other.relative_path in self.focus] if first else [record])
        return self._broad.get(record.relative_path)

    def _judge_broadness(self, records: list[RecordFile]) -> None:
        records = [record for record in self._searchable(records) if record.relative_path not in self._broad]
        reasons = self.cache.through(
            "regex-broad", [(pattern_of(record), *own_texts(record)) for record in records],
            lambda missing: too_broad_reasons([pattern_of(records[n]) for n in missing], self.matcher,
                                              [self.analysis(records[n]).literal_sets for n in missing],
                                              [own_texts(records[n]) for n in missing],
                                              [self.analysis(records[n]).branches for n in missing],
                                              [self.analysis(records[n]).literal_filter for n in missing],
                                              [self._generic_hits.pop(pattern_of(records[n]), None) for n in missing]),
            valid=lambda value: value is None or isinstance(value, str))
        self._broad.update((record.relative_path, reason) for record, reason in zip(records, reasons))

    def begin_cross_match(self, records: list[RecordFile]) -> None:
        """Begin the cross match of `records`, every record of the KB as it will hold them, before the rules of its
        last records run: the regex workers look up the candidates of every regex that may take part (it compiles, is
        safe, and is not known to be too broad) while this process goes on, judging the broadness of the last records
        meanwhile; `cross_match` then takes those of the regexes that do take part."""
        if self.focus is not None or self._cross is not None:
            return
        regexes = self._searchable([record for record in records if isinstance(record.data.get("regex"), str)])
        may_take_part = [record for record in regexes if self._broad.get(record.relative_path) is None]
        self._begun = BegunCandidates(records, may_take_part, [self.analysis(record).literal_sets for record in may_take_part],
                                      [self.analysis(record).literal_filter for record in may_take_part], self.matcher, self.cache)

    def _taking_part(self, regexes: list[RecordFile]) -> list[RecordFile]:
        """Of the records with a regex, those whose regex takes part in the cross match: it compiles, is safe and is
        not too broad (judged now when it was not yet)."""
        self._judge_broadness(regexes)
        return [record for record in self._searchable(regexes) if self._broad.get(record.relative_path) is None]

    def cross_match(self) -> CrossMatch:
        """Which regexes (that compile, are safe and not too broad) match other records' messages."""
        if self._cross is None:
            regexes = [record for record in self.kb.records if isinstance(record.data.get("regex"), str)]
            if self.focus is not None:  # only the regexes that may match a message of the focus, and the focus's own
                regexes = may_meet(self.kb, regexes, self._literal_sets(regexes), self.focus)
            records = self._taking_part(regexes)
            self._cross = cross_match(self.kb, self.matcher, records,
                                      literal_sets={record.relative_path: self.analysis(record).literal_sets
                                                    for record in records},
                                      filters={record.relative_path: self.analysis(record).literal_filter
                                               for record in records}, cache=self.cache, focus=self.focus, begun=self._begun)
            self._begun = None
        return self._cross



@dataclass(frozen=True)
class _OwnChecks:
    """Checks of records' regexes on their own texts, started (`RegexFacts._start_own_checks`)."""

    records: list[RecordFile]
    found: LookedUp  # what the cache holds
    jobs: list[SearchJob]  # the searches of the others
    submitted: Submitted | None  # their results, once they are in


def _analysis_to_json(analysis: RegexAnalysis) -> list:
    return [analysis.shape, literal_sets_to_json(analysis.literal_sets),
            [literal_sets_to_json(branch) for branch in analysis.branches], literal_filter_to_json(analysis.literal_filter)]


def _analysis_from_json(value: list) -> RegexAnalysis:
    shape, literal_sets, branches, literal_filter = value
    if not (shape is None or isinstance(shape, str)) or not isinstance(branches, list):
        raise ValueError("not a regex analysis")
    return RegexAnalysis(shape, literal_sets_from_json(literal_sets), tuple(literal_sets_from_json(branch) for branch in branches),
                         literal_filter_from_json(literal_filter))


def _check_to_json(check: RegexCheck) -> list:
    return [check.error, check.signature_matches, list(check.alias_matches), check.signature_matches_ignoring_case]


def _check_from_json(value: list) -> RegexCheck:
    error, signature, aliases, ignoring_case = value
    if not (error is None or isinstance(error, str)) or not isinstance(aliases, list) or not all(
            item is None or isinstance(item, bool) for item in (signature, ignoring_case, *aliases)):
        raise ValueError("not a regex check")
    return RegexCheck(error, False, signature, tuple(aliases), ignoring_case)

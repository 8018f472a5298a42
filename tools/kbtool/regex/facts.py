"""The regex facts of one lint run: computed once, carried by the lint context, read by the rules.

What every record's regex does with its own signature and aliases, its static analysis (shape and
required literals), which regexes are too broad, and which match other records' messages. Rules
read these facts; none of them writes into the knowledge base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.kb import KnowledgeBase
from kbtool.records import RecordFile, as_list, as_text
from kbtool.regex.broadness import too_broad_reasons
from kbtool.regex.collisions import CrossMatch, cross_match
from kbtool.regex.matcher import CATASTROPHIC_SECONDS_PER_JOB, BoundedMatcher, SearchJob
from kbtool.regex.shapes import RegexAnalysis, analyse_regex


@dataclass(frozen=True)
class RegexCheck:
    """What the record's regex does with the record's own texts."""

    error: str | None  # compile error
    timed_out: bool
    signature_matches: bool | None
    alias_matches: tuple[bool | None, ...]
    signature_matches_ignoring_case: bool | None = None
    cut_short: bool = False  # not searched to the end: the run's time budget for slow regexes was used up


def pattern_of(record: RecordFile) -> str:
    """The record's regex ("" when it has none)."""
    return as_text(record.data.get("regex")) if record.data is not None else ""


def own_texts(record: RecordFile) -> list[str]:
    """The record's signature and aliases: the messages of its own error."""
    data = record.data or {}
    return [as_text(data.get("signature")), *(alias for alias in as_list(data.get("aliases")) if isinstance(alias, str))]


class RegexFacts:
    """Regex results of one run over `kb`, searched through `matcher` (computed on first use)."""

    def __init__(self, kb: KnowledgeBase, matcher: BoundedMatcher) -> None:
        self.kb = kb
        self.matcher = matcher
        self.checks: dict[str, RegexCheck] = {}
        self.analyses: dict[str, RegexAnalysis] = {}
        self._broad: dict[str, str | None] | None = None
        self._cross: CrossMatch | None = None
        self._check_own_texts()

    @property
    def seconds_per_job(self) -> float:
        return self.matcher.seconds_per_job

    def _check_own_texts(self) -> None:
        """Match every record's regex against its signature and aliases, in one bounded batch; retry
        a signature that does not match ignoring case, to tell the user when that is the slip."""
        candidates = [record for record in self.kb.records if isinstance(record.data.get("regex"), str)]
        jobs = [SearchJob(record.data["regex"],
                          (as_text(record.data.get("signature")), *map(as_text, as_list(record.data.get("aliases")))),
                          analyse=True)
                for record in candidates]
        retry: list[int] = []
        for number, (record, result) in enumerate(zip(candidates, self.matcher.run(jobs))):
            self.analyses[record.relative_path] = result.analysis or analyse_regex(record.data["regex"])  # none after a timeout
            self.checks[record.relative_path] = RegexCheck(result.error, result.timed_out, result.matches[0],
                                                           tuple(result.matches[1:]), cut_short=result.cut_short)
            if result.matches[0] is False:
                retry.append(number)
        ignoring_case = self.matcher.run([
            SearchJob(jobs[number].pattern, jobs[number].texts[:1], re.IGNORECASE,
                      CATASTROPHIC_SECONDS_PER_JOB if self.analyses[candidates[number].relative_path].shape else None)
            for number in retry])
        for number, result in zip(retry, ignoring_case):
            path = candidates[number].relative_path
            check = self.checks[path]
            self.checks[path] = RegexCheck(check.error, check.timed_out, check.signature_matches, check.alias_matches,
                                           result.matches[0], check.cut_short)

    def check(self, record: RecordFile) -> RegexCheck | None:
        """What the record's regex does with its own texts; None when it has no regex."""
        return self.checks.get(record.relative_path)

    def compiles(self, record: RecordFile) -> bool:
        """The record has a regex that compiled and finished on its own texts."""
        check = self.check(record)
        return check is not None and not check.error and not check.timed_out

    def analysis(self, record: RecordFile) -> RegexAnalysis:
        """The static analysis of the record's regex (shape and required literals)."""
        if record.relative_path not in self.analyses:
            self.analyses[record.relative_path] = (analyse_regex(pattern_of(record)) if self.compiles(record)
                                                   else RegexAnalysis(None, ()))
        return self.analyses[record.relative_path]

    def broad_reasons(self) -> dict[str, str | None]:
        """Record path -> why its regex is too broad (None when it is not), for regexes that compile
        and have no catastrophic shape."""
        if self._broad is None:
            records = [record for record in self.kb.records if self.compiles(record) and self.analysis(record).shape is None]
            reasons = too_broad_reasons([pattern_of(record) for record in records], self.matcher,
                                        [self.analysis(record).literal_sets for record in records],
                                        [own_texts(record) for record in records],
                                        [self.analysis(record).branches for record in records])
            self._broad = {record.relative_path: reason for record, reason in zip(records, reasons)}
        return self._broad

    def cross_match(self) -> CrossMatch:
        """Which regexes (that compile, are safe and not too broad) match other records' messages."""
        if self._cross is None:
            broad = self.broad_reasons()
            records = [record for record in self.kb.records if self.compiles(record)
                       and self.analysis(record).shape is None and broad.get(record.relative_path) is None]
            self._cross = cross_match(self.kb, self.matcher, records,
                                      literal_sets={record.relative_path: self.analysis(record).literal_sets
                                                    for record in records})
        return self._cross

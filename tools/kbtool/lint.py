"""The lint engine: knowledge base in, findings out. No printing, no clock, no git."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kbtool.findings import Finding, Problem, Severity
from kbtool.kb import KnowledgeBase, load_knowledge_base
from kbtool.records import RecordFile
from kbtool.revision import BaseRevision, ChangeSet, records_referencing
from kbtool.regexes import BoundedMatcher
from kbtool.rules import RULES, Rule
from kbtool.schema import schema_path_for
from kbtool.settings import Settings, UsageError
from kbtool.suppressions import CONFIG_FILE_NAME, apply_suppressions


@dataclass(frozen=True)
class LintContext:
    """What rules may look at besides the record: settings, the KB and the schema in force."""

    settings: Settings
    kb: KnowledgeBase
    schema_path: Path
    base: BaseRevision | None = None  # the base revision's records, with --changed-since (history rules)
    matcher: BoundedMatcher | None = None  # bounded matching of record regexes, open while rules run
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # KB-wide analyses shared by rules of one run


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    files: int  # files that were linted (got findings reported)
    entries: int  # of those, files that parsed into a record
    root: Path | None = None  # the KB root the paths are relative to

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.WARNING)

    @property
    def infos(self) -> int:
        return sum(1 for finding in self.findings if finding.severity is Severity.INFO)

    def failed(self, strict: bool) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def active_rules(settings: Settings) -> list[Rule]:
    return [rule for rule in RULES.values()
            if (not settings.select or rule.code in settings.select) and rule.code not in settings.ignore]


def _finding(rule: Rule, record: RecordFile, problem: Problem) -> Finding:
    line, column = (problem.line, problem.column or 1) if problem.line else record.locate(problem.pointer)
    return Finding(code=rule.code, name=rule.name, severity=rule.severity, path=record.relative_path,
                   entry_id=record.entry_id, pointer=problem.pointer, line=line, column=column,
                   message=problem.message, hint=problem.hint)


def _is_target(record: RecordFile, targets: set[str] | None) -> bool:
    return targets is None or record.relative_path in targets


def check_knowledge_base(kb: KnowledgeBase, settings: Settings, targets: set[str] | None = None,
                         matcher: BoundedMatcher | None = None, base: BaseRevision | None = None) -> list[Finding]:
    """Run every active rule; report findings only for files in `targets` (None: all files)."""
    rules = active_rules(settings)
    own_matcher = matcher is None
    matcher = matcher or BoundedMatcher()
    context = LintContext(settings=settings, kb=kb, schema_path=schema_path_for(settings.root), base=base,
                          matcher=matcher)
    try:
        kb.prepare_regexes(matcher)
        findings = _run_rules(rules, kb, context, targets)
    finally:
        if own_matcher:
            matcher.close()
    findings = _apply_configuration(findings, rules, context, targets)
    findings.sort(key=Finding.sort_key)
    return findings


def _run_rules(rules: list[Rule], kb: KnowledgeBase, context: LintContext, targets: set[str] | None) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        if rule.scope in ("config", "baseline"):
            continue  # judged below, from what the suppressions did; baseline rules by kbtool.baseline
        if rule.scope == "kb":
            for record, problem in rule.check(kb, context):
                if _is_target(record, targets):
                    findings.append(_finding(rule, record, problem))
            continue
        for record in kb.files:
            if not _is_target(record, targets) or (rule.scope == "record" and record.data is None):
                continue
            findings.extend(_finding(rule, record, problem) for problem in rule.check(record, context))
    return findings


def _apply_configuration(findings: list[Finding], rules: list[Rule], context: LintContext,
                         targets: set[str] | None) -> list[Finding]:
    """Suppressions, the configuration rules that account for them, then per-rule severities.

    Configuration findings sit in the KB root's pyproject.toml (entry_id None, a pointer into its
    TOML data). They are not subject to `targets`: the suppression report already says whether this
    run saw enough records to judge.
    """
    settings = context.settings
    active_codes = frozenset(rule.code for rule in rules)
    findings, reports = apply_suppressions(findings, settings.suppressions, settings.today, context.kb, targets, active_codes)
    for rule in rules:
        if rule.scope != "config":
            continue
        for line, problem in rule.check(reports, context):
            findings.append(Finding(code=rule.code, name=rule.name, severity=rule.severity, path=CONFIG_FILE_NAME,
                                    entry_id=None, pointer=problem.pointer, line=line, column=1,
                                    message=problem.message, hint=problem.hint))
    if settings.severities:
        findings = [dataclasses.replace(finding, severity=settings.severities[finding.code])
                    if finding.code in settings.severities else finding for finding in findings]
    return findings


def changed_targets(kb: KnowledgeBase, changes: ChangeSet) -> set[str]:
    """Files to report on for a change set: the changed files, plus surviving records whose graph
    names an id that the change removed (deleted, or renamed away), so `dangling-reference` shows."""
    removed_ids = {entry_id for entry_id in changes.base.by_id if entry_id not in kb.by_id}
    surviving = ((record.relative_path, record.data) for record in kb.records)
    return {path for path in changes.changed if path in kb.by_path} | records_referencing(surviving, removed_ids)


def lint(settings: Settings, paths: Iterable[Path] = (), changes: ChangeSet | None = None) -> LintResult:
    """Load the KB at `settings.root` and lint it, or only the files under `paths`,
    or (with `changes`) only the files changed since a base revision."""
    paths = [Path(os.path.abspath(path)) for path in paths]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
    kb = load_knowledge_base(settings.root, paths)
    targets: set[str] | None = None
    if paths:
        targets = set()
        for record in kb.files:
            absolute = str(record.path)
            if any(absolute == str(path) or absolute.startswith(str(path).rstrip(os.sep) + os.sep) for path in paths):
                targets.add(record.relative_path)
    if changes is not None:
        changed = changed_targets(kb, changes)
        targets = changed if targets is None else targets & changed
    findings = check_knowledge_base(kb, settings, targets, base=changes.base if changes else None)
    linted = [record for record in kb.files if _is_target(record, targets)]
    return LintResult(findings=findings, files=len(linted), entries=sum(1 for record in linted if record.data is not None),
                      root=settings.root)

"""What a lint run reports: one pipeline of filters over the rules' findings, in this order.

1. targets: only the files this run reports on (paths given, or `--changed-since`);
2. select / ignore: the rules that ran (`active_rules`; rules left out are not even run);
3. suppressions: `[[tool.kbtool.suppress]]` silence findings, then the configuration rules say
   which suppressions silenced nothing or expired;
4. baseline: `--baseline FILE` leaves out the findings it lists, then its rule says which entries
   matched nothing;
5. severities: `[tool.kbtool.severity]` overrides the rules' default severities.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from kbtool.baseline import Baseline, BaselineEntry, match_baseline
from kbtool.findings import Finding, to_finding
from kbtool.rules import RULES, Rule
from kbtool.settings import CONFIG_FILE_NAME, Settings, Suppression


def active_rules(settings: Settings) -> list[Rule]:
    """The rules `--select` / `--ignore` (and the configuration) leave in, in registration order."""
    return [rule for rule in RULES.values()
            if (not settings.select or rule.code in settings.select) and rule.code not in settings.ignore]


@dataclass(frozen=True)
class FilterPlan:
    """What the filters of one run need besides the findings."""

    rules: list[Rule]  # the active rules
    targets: set[str] | None  # files reported on; None: the whole KB
    baseline: Baseline | None = None
    whole_kb: bool = True  # the run covered every record, so it can tell that an entry or a suppression is unused
    left_out: dict[str, int] = field(default_factory=dict)  # filled in: filter name -> findings it left out


@dataclass
class SuppressionReport:
    """What one suppression did in one lint run (the input of the configuration rules)."""

    suppression: Suppression
    expired: bool
    suppressed: dict[str, int] = field(default_factory=dict)  # rule code → findings silenced
    # Whether this run saw every record the suppression names (a run over a few files cannot know
    # whether the suppression is used elsewhere), and whether it saw any of them.
    covers_all_matches: bool = True
    covers_some_match: bool = True
    active_codes: frozenset[str] = frozenset()  # rules that ran

    def unused_rules(self) -> list[tuple[int, str, str]]:
        """(position in `rules`, code, name as written) for each rule this suppression silenced nothing of."""
        if self.expired or not self.covers_all_matches:
            return []
        return [(position, code, self.suppression.rule_names[position])
                for position, code in enumerate(self.suppression.rules)
                if code in self.active_codes and not self.suppressed.get(code)]


@dataclass(frozen=True)
class BaselineReport:
    """What a baseline did in one run (the input of the `unused-baseline-entry` rule)."""

    baseline: Baseline
    unused: tuple[BaselineEntry, ...]


def in_targets(findings: list[Finding], targets: set[str] | None) -> list[Finding]:
    return findings if targets is None else [finding for finding in findings if finding.path in targets]


def _accounting(plan: FilterPlan, scope: str, report: Any, context: Any, path: str) -> list[Finding]:
    """The findings of the active rules of `scope` ("config" or "baseline") about `report`, placed in `path`."""
    return [to_finding(rule, problem, path=path)
            for rule in plan.rules if rule.scope == scope for problem in rule.check(report, context)]


def apply_suppressions(findings: list[Finding], plan: FilterPlan, context: Any) -> list[Finding]:
    """Drop the findings that a live suppression covers; add what the configuration rules say of the
    suppressions. Those are not subject to the targets: the report says whether the run saw enough."""
    settings, kb, targets = context.settings, context.kb, plan.targets
    active_codes = frozenset(rule.code for rule in plan.rules)
    reports = []
    for suppression in settings.suppressions:
        matched = [record.relative_path for record in kb.records if suppression.matches(record.entry_id)]
        covers_all = targets is None or (bool(matched) and all(path in targets for path in matched))
        covers_some = targets is None or any(path in targets for path in matched)
        reports.append(SuppressionReport(suppression=suppression, expired=suppression.expired(settings.today),
                                         covers_all_matches=covers_all, covers_some_match=covers_some,
                                         active_codes=active_codes))
    live = [report for report in reports if not report.expired]
    kept: list[Finding] = []
    for finding in findings:
        covering = [report for report in live
                    if finding.code in report.suppression.rules and report.suppression.matches(finding.entry_id)]
        if not covering:
            kept.append(finding)
        for report in covering:  # overlapping suppressions all count as used
            report.suppressed[finding.code] = report.suppressed.get(finding.code, 0) + 1
    return kept + _accounting(plan, "config", reports, context, CONFIG_FILE_NAME)


def apply_baseline(findings: list[Finding], plan: FilterPlan, context: Any) -> list[Finding]:
    """Leave out the findings the baseline lists; add an `unused-baseline-entry` finding per entry that
    matched nothing (runs over the whole KB only)."""
    if plan.baseline is None:
        return findings
    kept, unused = match_baseline(findings, plan.baseline, whole_kb=plan.whole_kb,
                                  active_codes=frozenset(rule.code for rule in plan.rules))
    plan.left_out["baseline"] = len(findings) - len(kept)
    report = BaselineReport(baseline=plan.baseline, unused=unused)
    return kept + _accounting(plan, "baseline", report, context, plan.baseline.display_path)


def apply_severities(findings: list[Finding], settings: Settings) -> list[Finding]:
    if not settings.severities:
        return findings
    return [dataclasses.replace(finding, severity=settings.severities[finding.code])
            if finding.code in settings.severities else finding for finding in findings]


def filter_findings(findings: list[Finding], plan: FilterPlan, context: Any) -> list[Finding]:
    """The whole pipeline, findings sorted by file, line, column and rule."""
    findings = in_targets(findings, plan.targets)
    findings = apply_suppressions(findings, plan, context)
    findings = apply_baseline(findings, plan, context)
    findings = apply_severities(findings, context.settings)
    findings.sort(key=Finding.sort_key)
    return findings

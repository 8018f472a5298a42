"""SARIF 2.1.0, for code-scanning tools such as GitHub's (`github/codeql-action/upload-sarif`).

One `reportingDescriptor` per registered kbtool rule (id = code, name, short
and full description, help from the rule's documentation and its failing and
passing examples, default level), and one result per finding with its physical
location. Columns count Unicode code points (`columnKind`), as kbtool's line
and column numbers do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from kbtool import __version__
from kbtool.display import write_json
from kbtool.findings import Finding, LintResult, Severity
from kbtool.reporters.github import repository_path
from kbtool.rules import RULES, Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
BASE_ID = "SRCROOT"


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    help_text = f"{rule.explanation}\n\nFails: {rule.fails.shown}\nPasses: {rule.passes.shown}"
    help_markdown = (f"{rule.explanation}\n\n**Fails:**\n\n```\n{rule.fails.shown}\n```\n\n"
                     f"**Passes:**\n\n```\n{rule.passes.shown}\n```\n\nDetails: `kbtool rules {rule.name}`")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": [rule.family]},
    }


def _base_folder(result: LintResult) -> Path | None:
    """The folder result URIs are relative to: the checked-out repository in a workflow, else the KB root."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace and result.root is not None:
        try:
            Path(os.path.abspath(result.root)).relative_to(os.path.abspath(workspace))
            return Path(os.path.abspath(workspace))
        except ValueError:
            pass
    return Path(os.path.abspath(result.root)) if result.root is not None else None


def uri_path(path: str) -> str:
    """A relative path as a URI reference (RFC 3986): each segment percent-encoded, so that a file named
    `a#b.json`, `100%41.json` or `with space.json` is that file, not a fragment or another name; a name that
    is not UTF-8 on disk is encoded as its bytes."""
    try:
        data = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape, not from the file system
        data = path.encode("utf-8", "surrogatepass")
    return quote(data, safe="/")


def fingerprint(finding: Finding) -> str:
    """Stable across unrelated edits: rule, record (id, else path) and pointer, not line numbers."""
    import hashlib  # here: it loads OpenSSL, which no other output needs (`kbtool.digests`)

    key = "\0".join((finding.code, finding.entry_id or finding.path, finding.pointer))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def result_object(result: LintResult, finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": uri_path(repository_path(result, finding.path))}
    if result.root is not None:
        artifact["uriBaseId"] = BASE_ID
    sarif_result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.full_message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": finding.line, "startColumn": finding.column},
            },
        }],
        "partialFingerprints": {"kbtoolFinding/v1": fingerprint(finding)},
        "properties": {"name": finding.name, "pointer": finding.pointer, "entryId": finding.entry_id},
    }
    if finding.code in rule_index:
        sarif_result["ruleIndex"] = rule_index[finding.code]
    return sarif_result


def as_document(result: LintResult) -> dict[str, Any]:
    rules = list(RULES.values())
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kbtool",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule) for rule in rules],
            },
        },
        "columnKind": "unicodeCodePoints",
        "results": (result_object(result, finding, rule_index) for finding in result.findings),  # made as they are written
    }
    base = _base_folder(result)
    if base is not None:
        run["originalUriBaseIds"] = {BASE_ID: {"uri": base.as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def report(result: LintResult, stream: TextIO) -> None:
    write_json(as_document(result), stream)
    stream.write("\n")

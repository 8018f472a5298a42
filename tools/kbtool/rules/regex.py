"""Regex: the record's regex compiles and recognises its own message."""

from __future__ import annotations

from kbtool.findings import Problem, Severity
from kbtool.rules.base import rule

FAMILY = "regex"


@rule(code="KB201", name="regex-invalid", family=FAMILY, severity=Severity.ERROR,
      summary="`regex` does not compile as a Python regular expression.",
      explanation="""
      The regex is what recognises a user's error message; one that does not compile recognises
      nothing. Regexes are Python `re` syntax. Remember that in JSON a backslash is written twice:
      `\\\\(` in the file is `\\(` in the regex.
      """,
      fails='"regex": "Quantization range (min, max"',
      passes='"regex": "Quantization range \\\\(min, max\\\\)"')
def regex_invalid(record, context):
    check = context.kb.regex_checks.get(record.relative_path)
    if check is not None and check.error:
        yield Problem("/regex", f"regex does not compile: {check.error}", "fix the syntax (Python `re`)")


@rule(code="KB202", name="regex-mismatch", family=FAMILY, severity=Severity.ERROR,
      summary="`regex` does not match the record's own `signature`.",
      explanation="""
      A regex that does not recognise the very message it was written for will not recognise the
      error for anyone else either. The regex is searched (not anchored) in the signature with
      Python `re`. When it would match ignoring case, the finding says so: add `(?i)` at the start
      or fix the capitalisation.
      """,
      fails='"signature": "... Op has no registered quantized kernel.", "regex": "Quantization not supported for op.*No registered quantized kernel"',
      passes='"signature": "... Op has no registered quantized kernel.", "regex": "Quantization not supported for op .*[Nn]o registered quantized kernel"')
def regex_mismatch(record, context):
    check = context.kb.regex_checks.get(record.relative_path)
    if check is None or check.error or check.signature_matches is not False:
        return
    if check.signature_matches_ignoring_case:
        yield Problem("/regex", "regex does not match the signature, but would match it ignoring case",
                      "fix the capitalisation in the regex, or start it with (?i)")
    else:
        yield Problem("/regex", "regex does not match the signature",
                      "test the regex against the signature and correct it (it is searched, not anchored)")

"""Output formats, looked up by name. Each reporter writes a LintResult to a stream."""

from __future__ import annotations

from typing import Callable, TextIO

from kbtool.findings import LintResult
from kbtool.reporters import github, json_format, sarif, text

Reporter = Callable[[LintResult, TextIO], None]

REPORTERS: dict[str, Reporter] = {
    "text": text.report,
    "json": json_format.report,
    "github": github.report,
    "sarif": sarif.report,
}

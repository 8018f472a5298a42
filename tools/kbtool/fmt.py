"""`kbtool fmt`: rewrite records in their one canonical form, losing nothing.

Each file is read with the same strict reader as `kbtool lint`. A file that is
not valid JSON, or that has duplicate keys (rewriting it would silently keep
only the last value), is reported and left untouched. Every other file is
rewritten atomically when its text differs from :func:`canonical_text` of its
data, which keeps every value exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kbtool.canonical import canonical_text
from kbtool.kb import ENTRIES_DIR, discover_record_files
from kbtool.records import read_record_file
from kbtool.errors import UsageError
from kbtool.writers import WriteRefused, atomic_write


@dataclass(frozen=True)
class Skipped:
    """A file left untouched, and why."""

    path: str
    line: int
    column: int
    message: str


@dataclass
class FormatResult:
    """What `fmt` did (or, with --check, would do) to each file."""

    changed: list[str] = field(default_factory=list)  # rewritten, or would be with --check
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.skipped)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def target_files(root: Path, paths: Iterable[Path]) -> list[Path]:
    """The record files named by `paths` (files, or folders searched for *.json), or all of entries/."""
    chosen = list(paths)
    if not chosen:
        entries = root / ENTRIES_DIR
        return [Path(os.path.abspath(path)) for path in discover_record_files(entries)] if entries.is_dir() else []
    files: list[Path] = []
    seen: set[str] = set()
    for path in chosen:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        for found in discover_record_files(path):
            absolute = os.path.abspath(found)
            if absolute not in seen:
                seen.add(absolute)
                files.append(Path(absolute))
    return files


def format_files(root: Path, files: Iterable[Path], *, check: bool) -> FormatResult:
    """Bring each file to canonical form (with `check`, only say which ones differ)."""
    result = FormatResult()
    for path in files:
        record = read_record_file(path, root)
        shown = _display(path, root)
        if record.data is None or record.problems:
            problem = record.problems[0] if record.problems else None
            message = problem.message if problem else "could not be read"
            result.skipped.append(Skipped(shown, problem.line if problem else 1, problem.column if problem else 1,
                                          f"{message}; left untouched: fix it by hand, then run kbtool fmt again"))
            continue
        text = canonical_text(record.data)
        if text == record.text:
            result.unchanged.append(shown)
            continue
        if not check:
            try:
                inside = os.path.commonpath([os.path.abspath(root), str(path)]) == os.path.abspath(root)
                atomic_write(path, text, confine_to=root if inside else path.parent)
            except (WriteRefused, OSError) as error:
                result.skipped.append(Skipped(shown, 1, 1, f"not rewritten ({error}); the file is unchanged: "
                                                          "remove the cause, then run kbtool fmt again"))
                continue
        result.changed.append(shown)
    return result


def report(result: FormatResult, check: bool, stream) -> None:
    """One line per file changed (or that would change) or skipped, then a summary line."""
    for path in result.changed:
        if check:
            stream.write(f"{path}: not in canonical form; run 'kbtool fmt {path}'\n")
        else:
            stream.write(f"{path}: formatted\n")
    for skipped in result.skipped:
        stream.write(f"{skipped.path}:{skipped.line}:{skipped.column}: {skipped.message}\n")
    verb = "would be reformatted" if check else "reformatted"
    total = len(result.changed) + len(result.unchanged) + len(result.skipped)
    stream.write(f"{len(result.changed)} of {total} file{'s' if total != 1 else ''} {verb}, "
                 f"{len(result.unchanged)} already canonical, {len(result.skipped)} left untouched\n")

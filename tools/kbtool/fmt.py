"""`kbtool fmt`: rewrite records in their one canonical form, losing nothing.

Each file is read with the same strict reader as `kbtool lint`. A file that is
not valid JSON, or that has duplicate keys (rewriting it would silently keep
only the last value), is reported and left untouched. Every other file is
rewritten atomically when its text differs from :func:`canonical_text` of its
data, which keeps every value exactly.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kbtool.canonical import canonical_text
from kbtool.display import visible
from kbtool.files import lies_in
from kbtool.kb import ENTRIES_DIR, discover_record_files
from kbtool.records import read_record_file
from kbtool.errors import UsageError
from kbtool.writers import WriteRefused, atomic_write, kb_lock


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
    diffs: dict[str, str] = field(default_factory=dict)  # path -> unified diff, with `diff`

    @property
    def failed(self) -> bool:
        return bool(self.skipped)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


#: Where a KB keeps record files: its records, and the candidates `kbtool extract` writes.
RECORD_FOLDERS = (ENTRIES_DIR, "candidates")


def target_files(root: Path, paths: Iterable[Path]) -> list[Path]:
    """The record files named by `paths` (files, or folders searched for *.json, in RECORD_FOLDERS or holding
    them), or all of entries/."""
    chosen = list(paths)
    if not chosen:
        entries = root / ENTRIES_DIR
        return [Path(os.path.abspath(path)) for path in discover_record_files(entries)] if entries.is_dir() else []
    files: list[Path] = []
    seen: set[str] = set()
    homes = [root / folder for folder in RECORD_FOLDERS]
    for path in chosen:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        # fmt puts keys in a record's order: any other JSON file would be rewritten for nothing. A folder above
        # the record folders (the KB's root) is searched in them only.
        searched = [path] if any(lies_in(path, home) for home in homes) else \
            [home for home in homes if lies_in(home, path) and home.is_dir()]
        if not searched:
            raise UsageError(f"{path}: not in the KB's entries/ or candidates/ folder; fmt rewrites record files only")
        for found in (found for folder in searched for found in discover_record_files(folder)):
            absolute = os.path.abspath(found)
            if absolute not in seen:
                seen.add(absolute)
                files.append(Path(absolute))
    return files


def unified_diff(before: str, after: str, path: str) -> str:
    """What formatting changes in one file, as a unified diff (`a/PATH` → `b/PATH`)."""
    lines = difflib.unified_diff(_patch_lines(before), _patch_lines(after), fromfile=f"a/{path}", tofile=f"b/{path}")
    # As diff(1) writes it, so that `git apply` takes the patch: a last line without a newline is marked.
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def format_files(root: Path, files: Iterable[Path], *, check: bool, diff: bool = False) -> FormatResult:
    """Bring each file to canonical form (with `check`, only say which ones differ; with `diff`, also
    keep the unified diff of each change, writing nothing)."""
    check = check or diff
    result = FormatResult()
    for path in files:
        if check:
            _format_one(root, path, result, check=True, diff=diff)
            continue
        first = FormatResult()  # a file already canonical (or unreadable) needs no lock
        _format_one(root, path, first, check=True, diff=False)
        if not first.changed:
            result.unchanged += first.unchanged
            result.skipped += first.skipped
            continue
        try:
            with kb_lock(root):  # read and rewrite under the KB's lock: no other kbtool run changes it meanwhile
                _format_one(root, path, result, check=False, diff=False)
        except WriteRefused as error:  # the lock could not be taken
            result.skipped.append(Skipped(_display(path, root), 1, 1, f"not rewritten ({error}); the file is unchanged"))
    return result


def _format_one(root: Path, path: Path, result: FormatResult, *, check: bool, diff: bool) -> None:
    record = read_record_file(path, root)
    shown = _display(path, root)
    if record.data is None or record.problems:
        problem = record.problems[0] if record.problems else None
        message = problem.message if problem else "could not be read"
        result.skipped.append(Skipped(shown, problem.line if problem else 1, problem.column if problem else 1,
                                      f"{message}; left untouched: fix it by hand, then run kbtool fmt again"))
        return
    text = canonical_text(record.data)
    if text == record.text:
        result.unchanged.append(shown)
        return
    if diff:
        result.diffs[shown] = unified_diff(record.text, text, shown)
    if not check:
        try:
            entries = os.path.abspath(root / ENTRIES_DIR)
            inside = os.path.commonpath([entries, str(path)]) == entries  # then no folder below entries/ may be a link
            atomic_write(path, text, confine_to=root / ENTRIES_DIR if inside else path.parent)
        except (WriteRefused, OSError) as error:
            result.skipped.append(Skipped(shown, 1, 1, f"not rewritten ({error}); the file is unchanged: "
                                                      "remove the cause, then run kbtool fmt again"))
            return
    result.changed.append(shown)


def _patch_lines(text: str) -> list[str]:
    """The lines of `text` as git counts them (ended by \\n alone: a U+2028 or a form feed inside a JSON string
    ends no line), each with its ending."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def report(result: FormatResult, check: bool, stream, diff: bool = False, summary_stream=None, terminal: bool = False) -> None:
    """One line per file changed (or that would change) or skipped, then a summary line; with
    `diff`, the unified diff of each file that would change instead of its line (a patch: the summary
    then goes to `summary_stream`). The patch is written byte for byte, for `git apply`, except on a
    `terminal`, where no raw control or direction character of a record reaches the screen."""
    check = check or diff
    for path in result.changed:
        if diff and not terminal:
            stream.write(result.diffs[path])
        elif diff:
            for line in result.diffs[path].split("\n")[:-1]:
                stream.write(visible(line) + "\n")
        elif check:
            stream.write(f"{visible(path)}: not in canonical form; run 'kbtool fmt {visible(path)}'\n")
        else:
            stream.write(f"{visible(path)}: formatted\n")
    for skipped in result.skipped:
        stream.write(f"{visible(skipped.path)}:{skipped.line}:{skipped.column}: {visible(skipped.message)}\n")
    verb = "would be reformatted" if check else "reformatted"
    total = len(result.changed) + len(result.unchanged) + len(result.skipped)
    stream = summary_stream or stream
    stream.write(f"{len(result.changed)} of {total} file{'s' if total != 1 else ''} {verb}, "
                 f"{len(result.unchanged)} already canonical, {len(result.skipped)} left untouched\n")

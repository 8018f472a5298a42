"""Git access for `kbtool lint --changed-since REF`. The only module that imports GitPython.

What counts as changed: every record file under `entries/` that differs
between the merge base of REF and HEAD and the working tree — so commits on
the branch, staged and unstaged edits — plus untracked record files. The diff
is taken with `--no-renames`, so a renamed record shows as its old path
deleted and its new path added: the new path is linted, and the old one is
known as deleted (its id, if no surviving record carries it, is "removed").

Every git failure becomes a :class:`~kbtool.settings.UsageError` that says
what to do: not a repository, an unknown ref, a shallow clone without the
base commit (check out with `fetch-depth: 0`), a repository git refuses to
read because another user owns it ("dubious ownership").
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Mapping

from kbtool.kb import ENTRIES_DIR
from kbtool.records import MAX_FILE_BYTES, RecordFile, parse_record_text
from kbtool.revision import BaseRevision, ChangeSet
from kbtool.errors import UsageError

# Without this, importing GitPython raises when no git executable is found; the commands below then
# raise GitCommandNotFound, which becomes a usage error that says to install git.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
import git  # noqa: E402  (GitPython)

AUTO = "auto"
BASE_REF_VARIABLE = "GITHUB_BASE_REF"
FETCH_ADVICE = ("check out the full history: `fetch-depth: 0` for actions/checkout, "
                "or `git fetch --unshallow` in an existing clone")


def base_ref_candidates(ref: str, environ: Mapping[str, str]) -> list[str]:
    """The refs to try for `--changed-since REF`; `auto` means the pull request's base branch."""
    if ref != AUTO:
        return [ref]
    base_branch = environ.get(BASE_REF_VARIABLE, "").strip()
    if not base_branch:
        raise UsageError(f"--changed-since auto: ${BASE_REF_VARIABLE} is not set (GitHub sets it in pull-request "
                         "workflows only); pass the base branch instead, e.g. --changed-since origin/main")
    return [f"origin/{base_branch}", base_branch]


class _Git:
    """Runs git commands in one repository and turns failures into usage errors."""

    def __init__(self, root: Path, option: str) -> None:
        self.option = option
        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise UsageError(f"{option}: {root} is not inside a git repository; run kbtool lint without "
                             "--changed-since, or in a clone of the KB") from None
        except git.GitCommandNotFound:
            raise UsageError(f"{option}: git is not installed or not on PATH; install git") from None
        if self.repo.bare or self.repo.working_tree_dir is None:
            raise UsageError(f"{option}: {self.repo.git_dir} is a bare repository; run kbtool in a checkout")
        self.top = Path(os.path.realpath(self.repo.working_tree_dir))

    def __call__(self, *args: str, quiet_failure: bool = False) -> str | None:
        """Output of `git ARGS`; None when it fails and `quiet_failure` (e.g. an unknown ref)."""
        try:
            return self.repo.git.execute(["git", *args], strip_newline_in_stdout=False)
        except git.GitCommandNotFound:
            raise UsageError(f"{self.option}: git is not installed or not on PATH; install git") from None
        except git.GitCommandError as error:
            stderr = str(error.stderr or "")
            if "dubious ownership" in stderr:
                raise UsageError(
                    f"{self.option}: git refuses to read {self.top} because the repository belongs to another "
                    f"user (\"dubious ownership\"); if you trust it, run `git config --global --add "
                    f"safe.directory {self.top}`, or run kbtool as the repository's owner") from None
            if quiet_failure:
                return None
            detail = " ".join(stderr.replace("stderr:", "").split()).strip("' ") or f"exit status {error.status}"
            raise UsageError(f"{self.option}: `git {' '.join(args[:3])}` failed in {self.top}: {detail}") from None

    def close(self) -> None:
        self.repo.close()


def _split_z(output: str) -> list[str]:
    return [part for part in output.split("\0") if part]


def _name_status(output: str) -> list[tuple[str, str]]:
    """(status letter, path) pairs from `git diff --name-status -z`; for a copy or rename, the new path."""
    parts = _split_z(output)
    pairs: list[tuple[str, str]] = []
    index = 0
    while index < len(parts):
        status = parts[index]
        if status[:1] in ("R", "C"):  # two paths follow: old, new (not produced with --no-renames; be safe)
            pairs.append(("D" if status[:1] == "R" else "A", parts[index + 1]))
            pairs.append(("A", parts[index + 2]))
            index += 3
        else:
            pairs.append((status[:1], parts[index + 1]))
            index += 2
    return pairs


def _parse_base_record(relative_path: str, raw: bytes) -> dict | None:
    record = RecordFile(path=Path(relative_path), relative_path=relative_path)
    parse_record_text(record, raw)
    return record.data


def start_changes_since(root: Path, ref: str, environ: Mapping[str, str] | None = None) -> Future[ChangeSet]:
    """The record files of the KB at `root` changed since the merge base of `ref` and HEAD, with their base
    versions. What can fail for the user's reasons (no repository, an unknown ref, a shallow clone, no common
    history) is done now; the rest (git comparing the working tree with the base, which stats every file) in a
    thread, while the caller goes on (e.g. reads the KB's catalog)."""
    option = f"--changed-since {ref}"
    candidates = base_ref_candidates(ref, os.environ if environ is None else environ)
    runner = _Git(Path(os.path.abspath(root)), option)
    try:
        real_root = Path(os.path.realpath(root))
        merge_base, pathspec = _merge_base(runner, real_root, ref, candidates)
    except BaseException:
        runner.close()
        raise
    executor = ThreadPoolExecutor(1)
    pending = executor.submit(_closing, runner, _changes, runner, real_root, ref, merge_base, pathspec)
    executor.shutdown(wait=False)
    return pending


def _closing(runner: _Git, work, *args):
    try:
        return work(*args)
    finally:
        runner.close()


def _merge_base(run: _Git, root: Path, ref: str, candidates: list[str]) -> tuple[str, str]:
    """The merge base of the first of `candidates` that names a commit and HEAD, and the KB's entries folder
    as a path in the repository."""
    shallow = (run("rev-parse", "--is-shallow-repository") or "").strip() == "true"
    base_commit = None
    for candidate in candidates:
        base_commit = run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}", quiet_failure=True)
        if base_commit:
            base_commit = base_commit.strip()
            break
    names = " or ".join(f"'{candidate}'" for candidate in candidates)
    if not base_commit:
        if shallow:
            raise UsageError(f"--changed-since {ref}: {names} is not in this shallow clone; {FETCH_ADVICE}")
        raise UsageError(f"--changed-since {ref}: no branch, tag or commit named {names} in {run.top}; name the base "
                         "branch as this clone knows it (e.g. origin/main; `git fetch origin` brings it in)")
    if run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", quiet_failure=True) is None:
        raise UsageError(f"--changed-since {ref}: the repository at {run.top} has no commit yet; commit first")
    merge_base = run("merge-base", base_commit, "HEAD", quiet_failure=True)
    if not merge_base or not merge_base.strip():
        if shallow:
            raise UsageError(f"--changed-since {ref}: this shallow clone does not hold the commit where HEAD branched "
                             f"off {names}; {FETCH_ADVICE}")
        raise UsageError(f"--changed-since {ref}: {names} and HEAD have no common history; name the branch this "
                         "one was started from")
    entries = root / ENTRIES_DIR
    try:
        pathspec = entries.relative_to(run.top).as_posix()
    except ValueError:
        raise UsageError(f"--changed-since {ref}: the KB root {root} is not inside the git checkout {run.top}") from None
    return merge_base.split()[0], pathspec


def _changes(run: _Git, root: Path, ref: str, merge_base: str, pathspec: str) -> ChangeSet:
    # Merge base against the working tree: commits since the branch point, staged and unstaged edits.
    diff = run("-c", "core.quotepath=off", "diff", "--name-status", "-z", "--no-renames", "--no-ext-diff",
               merge_base, "--", pathspec) or ""
    untracked = run("ls-files", "--others", "--exclude-standard", "-z", "--", pathspec) or ""

    top_to_root = root.relative_to(run.top).as_posix()
    prefix = "" if top_to_root == "." else top_to_root + "/"

    def kb_path(repository_path: str) -> str | None:
        if not repository_path.startswith(prefix) or not repository_path.endswith(".json"):
            return None
        return repository_path[len(prefix):]

    changed: set[str] = set()
    deleted: set[str] = set()
    repository_paths: dict[str, str] = {}
    for status, repository_path in _name_status(diff):
        path = kb_path(repository_path)
        if path is None:
            continue
        repository_paths[path] = repository_path
        (deleted if status == "D" else changed).add(path)
    for repository_path in _split_z(untracked):
        path = kb_path(repository_path)
        if path is not None:
            changed.add(path)

    base_records: dict[str, dict] = {}
    tree = run.repo.commit(merge_base).tree
    for path in sorted(changed | deleted):
        if path not in repository_paths:
            continue  # untracked: new since the base
        try:
            blob = tree / repository_paths[path]
        except KeyError:
            continue  # added since the base
        if blob.type != "blob" or blob.size > MAX_FILE_BYTES:
            continue
        data = _parse_base_record(path, blob.data_stream.read())
        if data is not None:
            base_records[path] = data
    return ChangeSet(changed=frozenset(changed), deleted=frozenset(deleted),
                     base=BaseRevision(ref=ref, commit=merge_base, records=base_records))

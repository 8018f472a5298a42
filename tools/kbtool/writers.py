"""Writers that never lose data: temporary file in the same folder, fsync, atomic rename.

They refuse to write through a symbolic link or outside the folder they are
confined to, and `write_new` refuses to replace a file that exists.

A named temporary file (needed to replace a file, and on platforms without O_TMPFILE) starts with
`TEMPORARY_PREFIX`; one that a killed writer left behind is removed by the next write in its folder.
Every read-modify-write of a record holds `kb_lock` (an exclusive lock on `<KB root>/.kbtool.lock`)
from reading the record to replacing it, so two kbtool runs never lose each other's changes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator

#: Every named temporary file kbtool makes starts with this (and ends with `.tmp`).
TEMPORARY_PREFIX = ".kbtool-tmp-"
#: A temporary file of ours older than this is left over from a writer that was killed.
STALE_AFTER_SECONDS = 60
#: The lock file in the KB root, held by every read-modify-write of a record.
LOCK_NAME = ".kbtool.lock"
_cleaned: set[str] = set()  # folders already rid of stale temporary files by this process


class WriteRefused(Exception):
    """The write would overwrite, escape the allowed folder, or follow a link."""


def _check_target(path: Path, confine_to: Path | None) -> None:
    """Refuse a target that is a link, or whose folder, or any folder up to and including
    `confine_to` (the folder the writer was given: entries/, candidates/, --out), is a link, or
    that resolves outside `confine_to`."""
    if path.is_symlink():
        raise WriteRefused(f"{path}: is a symbolic link; refusing to write through it")
    stop = Path(os.path.abspath(confine_to)) if confine_to is not None else None
    for parent in Path(os.path.abspath(path)).parents:
        if parent.is_symlink():
            raise WriteRefused(f"{path}: folder {parent} is a symbolic link; refusing to write through it "
                               "(replace the link with a real folder, or write elsewhere)")
        if stop is None or parent == stop:
            break
    if confine_to is not None:
        root = os.path.realpath(confine_to)
        parent = os.path.realpath(path.parent)
        if os.path.commonpath([root, parent]) != root:
            raise WriteRefused(f"{path}: refusing to write outside {confine_to}")


def _unnamed_file(directory: Path) -> int | None:
    """A descriptor of a new file in `directory` that has no name yet (Linux O_TMPFILE), or None.

    A writer killed before the file is linked leaves nothing behind: the kernel frees a file
    that no folder names.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:  # a file system without O_TMPFILE support
        return None


def _link_unnamed(source: str, target: Path) -> None:
    """Give the unnamed file behind /proc/self/fd/N the name `target` (linkat with AT_SYMLINK_FOLLOW)."""
    folder = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:  # a dst_dir_fd makes os.link call linkat(), which follows the /proc link to the file itself
        os.link(source, target.name, dst_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)


def remove_stale_temporary_files(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files kbtool left in `folder` when a writer was killed: regular files
    (never links) named `TEMPORARY_PREFIX...` and older than a minute. Returns what was removed."""
    removed: list[Path] = []
    limit = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if not entry.name.startswith(TEMPORARY_PREFIX) or not entry.name.endswith(".tmp"):
                    continue
                try:
                    status = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(status.st_mode) and status.st_mtime < limit:
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
                except OSError:  # gone meanwhile, or not ours to remove
                    continue
    except OSError:
        pass
    return removed


def _clean_once(folder: Path) -> None:
    key = os.path.abspath(folder)
    if key not in _cleaned:
        _cleaned.add(key)
        remove_stale_temporary_files(folder)


@contextlib.contextmanager
def kb_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<root>/.kbtool.lock` (created if missing) for a read-modify-write.

    Two kbtool runs that rewrite records of one KB wait for each other here; the record must be
    re-read inside the lock. A lock file that is a link, a FIFO or anything but a regular file is
    refused (WriteRefused), never followed or opened for writing.
    """
    path = Path(root) / LOCK_NAME
    flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP or path.is_symlink():
            raise WriteRefused(f"{path}: the lock file is a symbolic link; refusing to follow it "
                               "(remove the link; kbtool creates the lock file itself)") from None
        raise WriteRefused(f"{path}: cannot create the lock file ({error.strerror}); make the KB root "
                           "writable, then run the command again") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise WriteRefused(f"{path}: the lock file is not a regular file; remove it "
                               "(kbtool creates the lock file itself)")
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _temporary_name(path: Path) -> str:
    return os.path.join(path.parent, f"{TEMPORARY_PREFIX}{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def _write_all(descriptor: int, data: bytes) -> None:
    with os.fdopen(descriptor, "wb", closefd=False) as stream:
        stream.write(data)
        stream.flush()
        os.fsync(descriptor)


def atomic_write(path: Path, text: str, *, confine_to: Path | None = None, overwrite: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically: readers see the old file or the new one, never half of one.

    The text goes to a file without a name in the same folder (where the platform has them; else a
    hidden temporary file that is removed on any error), is synced, then linked and renamed over
    `path`. A writer that is killed at any point leaves the original file intact; a named temporary
    file it leaves (`TEMPORARY_PREFIX...`) is removed by the next write in that folder.
    """
    path = Path(path)
    _check_target(path, confine_to)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise WriteRefused(f"{path}: already exists; refusing to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a file where a folder of the path should be
        raise WriteRefused(f"{path}: cannot make its folder {path.parent}: a file of that name (or above it) is in "
                           "the way; rename or remove that file") from None
    _clean_once(path.parent)
    data = text.encode("utf-8")
    mode = None
    if overwrite:
        try:
            mode = stat.S_IMODE(os.lstat(path).st_mode)  # keep the permissions of the file being replaced
        except OSError:
            pass
    descriptor = _unnamed_file(path.parent)
    temporary: str | None = None
    try:
        if descriptor is not None:
            _write_all(descriptor, data)
            if mode is not None:
                os.fchmod(descriptor, mode)
            source = f"/proc/self/fd/{descriptor}"
            if not overwrite:
                # link() fails if the target appeared meanwhile: no race can make us clobber a file.
                try:
                    _link_unnamed(source, path)
                except FileExistsError:
                    raise WriteRefused(f"{path}: already exists; refusing to overwrite it") from None
                return
            temporary = _temporary_name(path)
            _link_unnamed(source, Path(temporary))
        else:
            descriptor, temporary = tempfile.mkstemp(prefix=f"{TEMPORARY_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
            _write_all(descriptor, data)
            os.fchmod(descriptor, mode if mode is not None else 0o666 & ~_umask())
            if not overwrite:
                try:
                    os.link(temporary, path)
                except FileExistsError:
                    raise WriteRefused(f"{path}: already exists; refusing to overwrite it") from None
                os.unlink(temporary)
                temporary = None
                return
        os.replace(temporary, path)
        temporary = None
    finally:
        if descriptor is not None:
            os.close(descriptor)
        if temporary is not None and os.path.lexists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_new(path: Path, text: str, *, confine_to: Path | None = None) -> None:
    """Create `path` with `text`; refuse if it exists."""
    atomic_write(path, text, confine_to=confine_to, overwrite=False)

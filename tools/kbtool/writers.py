"""Writers that never lose data: temporary file in the same folder, fsync, atomic rename.

They refuse to write through a symbolic link or outside the folder they are
confined to, and `write_new` refuses to replace a file that exists.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


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


def _write_all(descriptor: int, data: bytes) -> None:
    with os.fdopen(descriptor, "wb", closefd=False) as stream:
        stream.write(data)
        stream.flush()
        os.fsync(descriptor)


def atomic_write(path: Path, text: str, *, confine_to: Path | None = None, overwrite: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically: readers see the old file or the new one, never half of one.

    The text goes to a file without a name in the same folder (where the platform has them; else a
    hidden temporary file that is removed on any error), is synced, then linked and renamed over
    `path`. A writer that is killed at any point leaves the original file intact.
    """
    path = Path(path)
    _check_target(path, confine_to)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise WriteRefused(f"{path}: already exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
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
            temporary = os.path.join(path.parent, f".{path.name}.{os.getpid()}.{descriptor}.tmp")
            _link_unnamed(source, Path(temporary))
        else:
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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

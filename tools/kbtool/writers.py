"""Writers that never lose data: temporary file in the same folder, fsync, atomic rename.

They refuse to write through a symbolic link or outside the folder they are
confined to, and `write_new` refuses to replace a file that exists.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class WriteRefused(Exception):
    """The write would overwrite, escape the allowed folder, or follow a link."""


def _check_target(path: Path, confine_to: Path | None) -> None:
    if confine_to is not None:
        root = os.path.realpath(confine_to)
        parent = os.path.realpath(path.parent)
        if os.path.commonpath([root, parent]) != root:
            raise WriteRefused(f"{path}: refusing to write outside {confine_to}")
    if path.is_symlink():
        raise WriteRefused(f"{path}: is a symbolic link; refusing to write through it")
    for parent in path.parents:
        if confine_to is not None and Path(os.path.abspath(parent)) == Path(os.path.abspath(confine_to)):
            break
        if parent.is_symlink():
            raise WriteRefused(f"{path}: folder {parent} is a symbolic link; refusing to write through it")


def atomic_write(path: Path, text: str, *, confine_to: Path | None = None, overwrite: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically: readers see the old file or the new one, never half of one."""
    path = Path(path)
    _check_target(path, confine_to)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise WriteRefused(f"{path}: already exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            # link() fails if the target appeared meanwhile: no race can make us clobber a file.
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise WriteRefused(f"{path}: already exists; refusing to overwrite it") from None
            os.unlink(temporary)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_new(path: Path, text: str, *, confine_to: Path | None = None) -> None:
    """Create `path` with `text`; refuse if it exists."""
    atomic_write(path, text, confine_to=confine_to, overwrite=False)

"""Reading untrusted files: regular files only, never through a link, never more than a size cap."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """The file was not read; the message says why, starting with a verb ("is a symbolic link; ...")."""


def read_capped(path: Path, max_bytes: int, kind: str, refused: str = "refused") -> bytes:
    """The bytes of `path`, a regular file of at most `max_bytes`; else UnreadableFile.

    `kind` names what the file should be ("record", "article") and `refused` what happens to a
    file that is not ("refused", "skipped") in the messages.
    """
    try:
        info = os.lstat(path)
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UnreadableFile(f"is a symbolic link; {kind}s must be regular files inside the KB (links are not followed)")
    if stat.S_ISDIR(info.st_mode):
        article = "an" if kind[:1] in "aeiou" else "a"
        raise UnreadableFile(f"is a directory named like {article} {kind}; rename it or move its files out")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("is not a regular file")
    if info.st_size > max_bytes:
        raise UnreadableFile(f"is {info.st_size:,} bytes; {kind}s larger than {max_bytes:,} bytes are {refused} unread")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror}") from None
    if len(raw) > max_bytes:
        raise UnreadableFile(f"grew past {max_bytes:,} bytes while being read; {refused}")
    return raw

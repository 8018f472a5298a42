"""Reading untrusted files: regular files only, never through a link, never more than a size cap; and
listing a folder's files in a fixed order, here or, with each file's status, in another process."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from array import array
from pathlib import Path


class UnreadableFile(Exception):
    """The file was not read; the message says why, starting with a verb ("is a symbolic link; ...")."""


def real_location(path: Path | str) -> Path:
    """`path`, absolute, with the links among its folders resolved (`/tmp` → `/private/tmp`, a linked KB
    root) but not a link at its end: where a file is, to tell whether it lies in a folder."""
    absolute = os.path.abspath(path)
    return Path(os.path.realpath(os.path.dirname(absolute))) / os.path.basename(absolute)


def lies_in(path: Path | str, folder: Path | str) -> bool:
    """Whether `path` is `folder` or lies below it, wherever links among their folders lead."""
    location, folder = real_location(path), Path(os.path.realpath(folder))
    return location == folder or folder in location.parents


def file_status(path: Path) -> os.stat_result:
    """`os.lstat(path)` (a link is not followed); UnreadableFile when there is none."""
    try:
        return os.lstat(path)
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror}") from None


def status_key(info: os.stat_result) -> tuple[int, int, int, int]:
    """(size, modification and change times in ns, inode): what tells that a file may have changed."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def path_status_key(path: str) -> tuple[int, int, int, int]:
    """The `status_key` of the file at `path` (not following a link); all -1 when it cannot be looked at."""
    try:
        return status_key(os.lstat(path))
    except OSError:
        return (-1, -1, -1, -1)


def read_capped(path: Path, max_bytes: int, kind: str, refused: str = "refused", info: os.stat_result | None = None) -> bytes:
    """The bytes of `path`, a regular file of at most `max_bytes`; else UnreadableFile.

    `kind` names what the file should be ("record", "article") and `refused` what happens to a
    file that is not ("refused", "skipped") in the messages; `info` is the file's `file_status`, when
    the caller has taken it.
    """
    if info is None:
        info = file_status(path)
    if stat.S_ISLNK(info.st_mode):
        raise UnreadableFile(f"is a symbolic link; {kind}s must be regular files inside the KB (links are not followed)")
    if stat.S_ISDIR(info.st_mode) and not path.name.endswith((".json", ".md", ".markdown")):
        raise UnreadableFile(f"is a folder nested more than {MAX_FOLDER_DEPTH} levels deep; kbtool does not look "
                             f"inside it: move its {kind}s to a shallower folder")
    if stat.S_ISDIR(info.st_mode):
        article = "an" if kind[:1] in "aeiou" else "a"
        raise UnreadableFile(f"is a directory named like {article} {kind}; rename it or move its files out")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("is not a regular file")
    if info.st_size > max_bytes:
        raise UnreadableFile(f"is {info.st_size:,} bytes; {kind}s larger than {max_bytes:,} bytes are {refused} unread")
    try:
        with open(path, "rb") as handle:
            # The bytes the file had when looked at, and one more to see it grow: a buffer of `max_bytes` for each
            # file (a record is a few kilobytes) would cost more than the reading.
            raw = handle.read(info.st_size + 1)
            if len(raw) > info.st_size:  # it grew: read on, up to the cap
                raw += handle.read(max_bytes + 1 - len(raw))
    except OSError as error:
        raise UnreadableFile(f"cannot be read: {error.strerror}") from None
    if len(raw) > max_bytes:
        raise UnreadableFile(f"grew past {max_bytes:,} bytes while being read; {refused}")
    return raw


#: Folders nested deeper than this below the folder being searched are not descended into (a tree
#: 1,000 levels deep would otherwise exhaust Python's recursion or the run's time): each is listed
#: as a path of its own, and the reader reports it (`UnreadableFile`: "nested too deeply").
MAX_FOLDER_DEPTH = 32


def walk_files(folder: Path, suffixes: tuple[str, ...], *, hidden_files: bool = True,
               max_depth: int = MAX_FOLDER_DEPTH) -> list[Path]:
    """Every file under `folder` whose name ends with one of `suffixes`, walked without recursion
    and without following links, sorted; plus, so that the reader can report them instead of
    skipping them silently: links to folders, folders named like such files, and folders deeper
    than `max_depth`. Hidden folders (".name") are not entered; hidden files are left out unless
    `hidden_files`."""
    return [Path(name) for name in walk_file_names(str(folder), suffixes, hidden_files=hidden_files, max_depth=max_depth)]


def walk_file_names(folder: str, suffixes: tuple[str, ...], *, hidden_files: bool = True,
                    max_depth: int = MAX_FOLDER_DEPTH) -> list[str]:
    """`walk_files` as path strings, in the same order: by path component, which is the order of a walk that
    goes through each folder's entries by name and into each subfolder where its name comes (no sort of the
    whole list, and no Path object per file)."""
    found: list[str] = []
    stack = [(iter(_entries_by_name(folder)), 0)]
    while stack:
        entries, depth = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        try:
            is_link = entry.is_symlink()
            is_folder = not is_link and entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        named_like = entry.name.endswith(suffixes)
        if is_folder:
            if named_like:
                found.append(entry.path)
            elif entry.name.startswith("."):
                continue
            elif depth + 1 > max_depth:
                found.append(entry.path)
            else:
                stack.append((iter(_entries_by_name(entry.path)), depth + 1))
        elif is_link and not named_like:
            try:
                if os.path.isdir(entry.path):  # a link to a folder: reported, never entered
                    found.append(entry.path)
            except OSError:
                pass
        elif named_like and (hidden_files or not entry.name.startswith(".")):
            found.append(entry.path)
    return found


def _entries_by_name(directory: str) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return []  # an unreadable folder holds nothing kbtool can read


#: What a status walk's process runs: `walk_file_names` of a folder and each file's `status_key`, written to its
#: standard output as the count of files, their keys (four signed 64-bit integers each) and their paths (joined
#: by NUL, which no file name holds).
_STATUS_WALK_CODE = """
import array, sys
sys.path.insert(0, sys.argv[1])
from kbtool.files import path_status_key, walk_file_names
paths = walk_file_names(sys.argv[2], tuple(sys.argv[3:]))
keys = array.array("q")
for path in paths:
    keys.extend(path_status_key(path))
out = sys.stdout.buffer
out.write(len(paths).to_bytes(8, "little"))
out.write(keys.tobytes())
out.write("\\0".join(paths).encode("utf-8", "surrogateescape"))
"""
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


def start_python(code: str, *args: str, **options) -> subprocess.Popen:
    """A fresh interpreter running `code` with `sys.argv[1]` the folder holding kbtool (for `code` to put on its
    path) and `args` after it; never forked from this process, which may run threads. Its warnings are off and
    it writes no bytecode; `options` are `subprocess.Popen`'s."""
    return subprocess.Popen([sys.executable, "-c", code, _PACKAGE_PARENT, *args], close_fds=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONWARNINGS": "ignore"}, **options)


class StatusWalk:
    """`walk_file_names` of `folder` with each file's `status_key` (all -1 for a file that cannot be looked
    at), taken by another process while this one goes on: looking at 100,000 files costs half a second of
    system calls. The statuses are taken after the walk is started. `result` is None when the other process
    failed to give them (then the caller walks the folder itself)."""

    def __init__(self, folder: str, suffixes: tuple[str, ...]) -> None:
        self._output = b""
        try:
            self._process: subprocess.Popen | None = start_python(
                _STATUS_WALK_CODE, folder, *suffixes, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL)
        except (OSError, ValueError):  # no process to start (or a path it cannot be given)
            self._process = None
            return
        self._reader = threading.Thread(target=self._read, daemon=True)  # the pipe is emptied as it fills
        self._reader.start()

    def _read(self) -> None:
        self._output = self._process.stdout.read()

    def result(self) -> tuple[list[str], list[tuple[int, int, int, int]]] | None:
        """(paths, their status keys), or None."""
        if self._process is None:
            return None
        self._reader.join()
        if self._process.wait() != 0 or len(self._output) < 8:
            return None
        count = int.from_bytes(self._output[:8], "little")
        end = 8 + 32 * count
        if len(self._output) < end:
            return None
        keys = array("q")
        keys.frombytes(self._output[8:end])
        paths = self._output[end:].decode("utf-8", "surrogateescape").split("\0") if count else []
        if len(paths) != count:
            return None
        numbers = iter(keys)
        return paths, list(zip(numbers, numbers, numbers, numbers))

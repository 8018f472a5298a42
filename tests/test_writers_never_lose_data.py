"""kbtool.writers, used by fmt, new-entry, extract and import: no record is lost or half-written, and
nothing is written through a symbolic link or outside the KB.

Writers are killed for real (SIGKILL to a subprocess) at the moment the new text is complete on disk
but not yet in place, and made to fail part way through a write (a file-size limit), and each time the
original file must be intact and the folder must hold no temporary file.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kbtool.writers import WriteRefused, atomic_write, write_new

REPO_ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = '{"id": "a/b", "signature": "the original"}\n'
BIG_TEXT_CHARACTERS = 8 * 1024 * 1024

# The child writes a big record with atomic_write. Its fsync is wrapped so that, once the text is
# written and synced, the child says so and waits to be killed: the kill lands between the write and
# the rename, the moment a careless writer would lose or truncate the record.
_KILLED_CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from kbtool import writers

    real_fsync = os.fsync
    def fsync_then_wait(descriptor):
        real_fsync(descriptor)
        sys.stdout.write("written\\n")
        sys.stdout.flush()
        time.sleep(600)
    writers.os.fsync = fsync_then_wait
    writers.{function}(Path(sys.argv[1]), "x" * {size}, confine_to=Path(sys.argv[2]))
""")


def kill_writer_mid_write(path: Path, root: Path, function: str = "atomic_write") -> None:
    child = subprocess.Popen([sys.executable, "-c", _KILLED_CHILD.format(function=function, size=BIG_TEXT_CHARACTERS),
                              str(path), str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "written\n"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL


def test_a_writer_killed_mid_write_leaves_the_original_intact_and_no_temporary_file(tmp_path):
    record = tmp_path / "entries" / "a" / "b.json"
    record.parent.mkdir(parents=True)
    record.write_text(ORIGINAL, encoding="utf-8")
    kill_writer_mid_write(record, tmp_path)
    assert record.read_text(encoding="utf-8") == ORIGINAL
    assert sorted(item.name for item in record.parent.iterdir()) == ["b.json"]


def test_a_new_record_killed_mid_write_leaves_no_file_at_all(tmp_path):
    record = tmp_path / "entries" / "a" / "new.json"
    record.parent.mkdir(parents=True)
    kill_writer_mid_write(record, tmp_path, function="write_new")
    assert list(record.parent.iterdir()) == []


def test_a_write_that_fails_part_way_leaves_the_original_intact_and_no_temporary_file(tmp_path):
    record = tmp_path / "b.json"
    record.write_text(ORIGINAL, encoding="utf-8")
    program = ("import sys; from pathlib import Path; from kbtool.writers import atomic_write; "
               "atomic_write(Path(sys.argv[1]), 'y' * 1_000_000)")

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # make the write fail with EFBIG instead of killing

    completed = subprocess.run([sys.executable, "-c", program, str(record)], capture_output=True, text=True,
                               preexec_fn=limit_file_size, timeout=60)
    assert completed.returncode != 0 and "File too large" in completed.stderr
    assert record.read_text(encoding="utf-8") == ORIGINAL
    assert sorted(item.name for item in tmp_path.iterdir()) == ["b.json"]


def test_a_rewrite_keeps_the_file_permissions(tmp_path):
    record = tmp_path / "b.json"
    record.write_text(ORIGINAL, encoding="utf-8")
    record.chmod(0o640)
    atomic_write(record, "{}\n")
    assert (record.stat().st_mode & 0o777, record.read_text(encoding="utf-8")) == (0o640, "{}\n")


def test_a_write_through_a_link_to_a_file_outside_the_kb_is_refused(tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(ORIGINAL, encoding="utf-8")
    link = tmp_path / "kb" / "entries" / "a" / "b.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    with pytest.raises(WriteRefused, match="symbolic link"):
        atomic_write(link, "{}\n", confine_to=tmp_path / "kb")
    assert outside.read_text(encoding="utf-8") == ORIGINAL and link.is_symlink()


def test_a_write_into_a_linked_folder_that_leads_outside_the_kb_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "kb" / "entries").mkdir(parents=True)
    (tmp_path / "kb" / "entries" / "a").symlink_to(outside, target_is_directory=True)
    with pytest.raises(WriteRefused):
        write_new(tmp_path / "kb" / "entries" / "a" / "b.json", "{}\n", confine_to=tmp_path / "kb")
    assert list(outside.iterdir()) == []


def test_a_write_to_a_path_outside_the_confining_folder_is_refused(tmp_path):
    (tmp_path / "kb").mkdir()
    with pytest.raises(WriteRefused, match="outside"):
        atomic_write(tmp_path / "kb" / ".." / "escaped.json", "{}\n", confine_to=tmp_path / "kb")
    assert not (tmp_path / "escaped.json").exists()


def test_write_new_never_replaces_an_existing_file(tmp_path):
    record = tmp_path / "b.json"
    record.write_text(ORIGINAL, encoding="utf-8")
    with pytest.raises(WriteRefused, match="already exists"):
        write_new(record, "{}\n")
    assert record.read_text(encoding="utf-8") == ORIGINAL
    assert sorted(item.name for item in tmp_path.iterdir()) == ["b.json"]


def _kbtool(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kbtool", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "KBTOOL_TODAY": "2026-11-23", "COLUMNS": "200"})


def test_new_entry_does_not_write_through_a_linked_domain_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    kb = tmp_path / "kb"
    (kb / "entries").mkdir(parents=True)
    (kb / "entries" / "pytorch").symlink_to(outside, target_is_directory=True)
    completed = _kbtool("new-entry", "--root", kb, "--domain", "pytorch", "--category", "runtime_error",
                        "--signature", "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", cwd=kb)
    assert completed.returncode in (1, 2) and "Traceback" not in completed.stdout + completed.stderr
    assert "refusing to write" in completed.stdout + completed.stderr
    assert list(outside.iterdir()) == []


def test_import_does_not_write_through_a_linked_domain_folder(tmp_path):
    canon = REPO_ROOT / "tests" / "fixtures" / "deadends-sample" / "android" / "aapt2-resource-linking-failed" / "agp8-linux.json"
    domain = json.loads(canon.read_text(encoding="utf-8"))["id"].split("/")[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    kb = tmp_path / "kb"
    (kb / "entries").mkdir(parents=True)
    (kb / "entries" / domain).symlink_to(outside, target_is_directory=True)
    source = tmp_path / "canons"
    source.mkdir()
    (source / canon.name).write_bytes(canon.read_bytes())
    completed = _kbtool("import", "deadends", source, "--out", kb, cwd=tmp_path)
    assert completed.returncode == 1 and "Traceback" not in completed.stdout + completed.stderr
    assert "refusing to write" in completed.stdout + completed.stderr
    assert list(outside.iterdir()) == []

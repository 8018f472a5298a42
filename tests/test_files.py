"""Reading a file with a cap on its size (`kbtool.files.read_capped`), as the KB's records and articles are read."""

from __future__ import annotations

import os

import pytest

from kbtool.files import UnreadableFile, read_capped


def test_a_file_is_read_whole(tmp_path):
    path = tmp_path / "a.json"
    for content in (b"", b"{}", "{\"signature\": \"caf\u00e9\"}\n".encode() * 1000):
        path.write_bytes(content)
        assert read_capped(path, 1 << 20, "record") == content


def test_a_file_that_grows_after_it_was_looked_at_is_read_up_to_the_cap(tmp_path):
    """The bytes added since its size was taken are read too; past the cap, the file is refused."""
    path = tmp_path / "a.json"
    path.write_bytes(b"0123456789")
    info = os.lstat(path)
    with open(path, "ab") as handle:
        handle.write(b"abcdefghijklmnopqrst")
    assert read_capped(path, 100, "record", info=info) == b"0123456789abcdefghijklmnopqrst"
    assert read_capped(path, 30, "record", info=info) == b"0123456789abcdefghijklmnopqrst"
    with pytest.raises(UnreadableFile, match="grew past 25 bytes while being read"):
        read_capped(path, 25, "record", info=info)


def test_a_file_larger_than_the_cap_is_refused_unread(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b"x" * 101)
    with pytest.raises(UnreadableFile, match="is 101 bytes; records larger than 100 bytes are refused unread"):
        read_capped(path, 100, "record")

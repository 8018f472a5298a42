"""Reading a file with a cap on its size (`kbtool.files.read_capped`), as the KB's records and articles are read."""

from __future__ import annotations

import os

import pytest

from kbtool.files import StatusWalk, UnreadableFile, path_status_key, read_capped, status_key, walk_file_names


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


def _listing_oracle(folder: str, suffixes: tuple[str, ...], max_depth: int) -> list[str]:
    """What `walk_file_names` lists, found by recursion and sorted by path component afterwards."""
    found = []

    def visit(directory: str, depth: int) -> None:
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            named_like = name.endswith(suffixes)
            if os.path.islink(path):
                if named_like or os.path.isdir(path):
                    found.append(path)
            elif os.path.isdir(path):
                if named_like:
                    found.append(path)
                elif not name.startswith("."):
                    if depth + 1 > max_depth:
                        found.append(path)
                    else:
                        visit(path, depth + 1)
            elif named_like:
                found.append(path)

    visit(folder, 0)
    return sorted(found, key=lambda path: path.split(os.sep))


def test_the_walk_lists_files_in_the_order_of_their_path_components(tmp_path):
    """Names that sort differently as whole paths than by component ("a" against "a-b", "a.json" against "a0"),
    hidden folders, folders named like files, links and folders past the depth limit, in random trees."""
    import random

    names = ["a", "a-b", "a0", "a.json", "b.json", "A.json", ".h", ".h.json", "é.json", "z", "a b.json", "x.txt"]
    for seed in range(30):
        rng = random.Random(seed)
        root = tmp_path / str(seed)
        folders = [root]
        root.mkdir()
        for _ in range(60):
            parent = rng.choice(folders)
            path = parent / rng.choice(names)
            if path.exists() or path.is_symlink():
                continue
            kind = rng.random()
            if kind < 0.4:
                path.mkdir()
                folders.append(path)
            elif kind < 0.9:
                path.write_text("{}")
            else:
                path.symlink_to(rng.choice(folders))
        for max_depth in (1, 2, 32):
            listed = walk_file_names(str(root), (".json",), max_depth=max_depth)
            assert listed == _listing_oracle(str(root), (".json",), max_depth), (seed, max_depth)
        if seed % 10 == 0:  # the same listing, with each file's status, from a walk in another process
            assert StatusWalk(str(root), (".json",)).result() == (listed, [path_status_key(path) for path in listed])


def test_a_status_walk_lists_names_that_are_not_utf8_and_says_when_it_failed(tmp_path):
    (tmp_path / "a").mkdir()
    names = [os.fsdecode(b"caf\xe9.json"), "\u00e9t\u00e9.json", "z.json"]
    for name in names:
        (tmp_path / "a" / name).write_text("{}")
    listed, statuses = StatusWalk(str(tmp_path), (".json",)).result()
    assert listed == walk_file_names(str(tmp_path), (".json",)) and len(listed) == 3
    assert statuses == [status_key(os.lstat(path)) for path in listed]
    assert StatusWalk(str(tmp_path / "empty"), (".json",)).result() == ([], [])
    assert StatusWalk(str(tmp_path) + "\0", (".json",)).result() is None  # no process: the caller walks itself

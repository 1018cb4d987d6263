"""read_bytes reads a local file sized by its length, with the same bytes and limit as a plain read."""

from __future__ import annotations

import io

import pytest

from transforms.read.files import _read_at_most, read_bytes
from transforms.read.jsonl import RecordTooLarge


class _Growing(io.BytesIO):
    """A handle whose file is longer than fstat said (the file grew after the stat)."""

    def __init__(self, data: bytes, stat_fd: int):
        super().__init__(data)
        self.stat_fd = stat_fd

    def fileno(self) -> int:
        return self.stat_fd


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 5000])
def test_read_bytes_limit(tmp_path, size):
    path = tmp_path / "page.html"
    path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    settings = {"max_record_bytes": 100, "max_inflated_bytes": 1000}
    if size > 100:
        with pytest.raises(RecordTooLarge):
            read_bytes(str(path), settings)
    else:
        assert read_bytes(str(path), settings) == path.read_bytes()
        assert read_bytes(f"file://{path}", settings) == path.read_bytes()


def test_read_at_most_matches_plain_read(tmp_path):
    short = tmp_path / "short"
    short.write_bytes(b"abc")
    data = b"0123456789" * 10
    with open(short, "rb") as stat_source:
        grown = _Growing(data, stat_source.fileno())  # fstat says 3 bytes, the file holds 100
        assert _read_at_most(grown, 50) == data[:50]
    for count in (1, 3, 99, 100, 101, 10_000):
        assert _read_at_most(io.BytesIO(data), count) == data[:count]  # no fileno: a plain read
        with open(tmp_path / "f", "wb") as out:
            out.write(data)
        with open(tmp_path / "f", "rb") as handle:
            assert _read_at_most(handle, count) == data[:count]

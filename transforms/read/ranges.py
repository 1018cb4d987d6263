"""Splitting large JSONL files into byte ranges, so that several workers read one file.

A range starts at a line start and ends just after a newline (or at the end of the file), and
knows the number of its first line: a range's records get the same `path:LINE` refs as when
the file is read whole. The split is one sequential pass counting newlines (bytes.count and
bytes.find run in C, at memory speed, into one reused buffer): cheap beside extracting the
records. It runs in the driver (`plan`), which gets the file's number of lines from the same
pass for the progress log, so a large file is scanned once before the run and no stage waits
for the scan. Compressed files cannot be entered in the middle and are read whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from transforms.common import fs
from transforms.common.rejects import reject_from_exception
from transforms.read.expand import display_ref, from_element
from transforms.read.files import STAGE, kind_of, parse_line_guarded
from transforms.read.jsonl import jsonl_lines

# About this many bytes per range: a few pages of HTML or a thousand short text records. Small
# enough that two workers get an even share of a file of a few MB, large enough that the
# per-range cost (an element through a shuffle, one open and seek) is nothing.
SPLIT_BYTES = 1 << 21
BLOCK_BYTES = 1 << 24

Range = tuple[int, int, int]  # (start offset, end offset, number of the first line)


def plan(elements: list[bytes | str], settings: dict,
         target: int = SPLIT_BYTES) -> tuple[list[bytes | str | tuple], dict[str, int]]:
    """The read stage's elements for the expanded files (`expand.to_element`'s), and the number
    of lines of each file that was split (the progress log's total needs no second pass)."""
    out: list[bytes | str | tuple] = []
    lines: dict[str, int] = {}
    for element in elements:
        path = from_element(element)
        ranges = _ranges_of(path, settings, target, lines)
        out.extend([(element, *piece) for piece in ranges] if ranges else [element])
    return out, lines


def _ranges_of(path: str, settings: dict, target: int, lines: dict[str, int]) -> list[Range]:
    if kind_of(path, settings) != "jsonl" or path.lower().endswith(".gz") or "://" in path:
        return []
    try:
        if os.path.getsize(path) <= target:
            return []
        ranges, lines[path] = scan(path, target)
    except OSError:  # the reader makes it a reject
        return []
    return ranges


def scan(path: str, target: int) -> tuple[list[Range], int]:
    """(line-aligned ranges of about `target` bytes covering the file, its number of lines: a
    last line without a newline counts)."""
    ranges: list[Range] = []
    start, first_line, newlines, offset = 0, 1, 0, 0
    block = bytearray(BLOCK_BYTES)  # one buffer: a fresh 16 MB bytes per read costs page faults
    last = b"\n"
    with open(path, "rb", buffering=0) as handle:
        while size := handle.readinto(block):
            i = 0
            while True:
                # the range may end at the first newline at least `target` bytes after its start
                j = block.find(b"\n", max(i, start + target - offset), size)
                if j < 0:
                    break
                newlines += block.count(b"\n", i, j + 1)
                i = j + 1
                ranges.append((start, offset + i, first_line))
                start, first_line = offset + i, newlines + 1
            newlines += block.count(b"\n", i, size)
            offset += size
            last = bytes(block[size - 1:size])
    if offset > start:
        ranges.append((start, offset, first_line))
    return ranges, newlines + (last != b"\n")


class _Window:
    """read() of a binary file that stops at `end` (ranges end at a line end)."""

    def __init__(self, handle, end: int):
        self.handle, self.end = handle, end

    def read(self, size: int = -1) -> bytes:
        left = self.end - self.handle.tell()
        if left <= 0:
            return b""
        return self.handle.read(left if size is None or size < 0 else min(size, left))


def read_jsonl_range(path: str, settings: dict, piece: Range) -> Iterator:
    """The records (or rejects) of one range, numbered as in the whole file (files.read_jsonl)."""
    start, end, first_line = piece
    ref = display_ref(path)
    try:
        with fs.open_raw(path) as handle:  # only uncompressed local files are split
            handle.seek(start)
            for number, line in jsonl_lines(_Window(handle, end), settings["max_record_bytes"]):
                yield parse_line_guarded(f"{ref}:{first_line + number - 1}", line)
    except (OSError, EOFError) as error:
        yield reject_from_exception(ref, STAGE, error)

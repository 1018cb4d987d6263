"""No input stops a run: each poison input is a reject with a reason, and the records around it
still read (unit level, on the reader core; tests/read/test_poison_run.py runs the CLI)."""

from __future__ import annotations

import gzip
import json
import os
import threading

import pytest

from transforms.common.config import load_config
from transforms.common.records import RawRecord
from transforms.read import jsonl
from transforms.read.expand import display_ref, expand_inputs, from_element, to_element
from transforms.read.files import read_file
from transforms.read.jsonl import jsonl_lines

SETTINGS = load_config()["input"]
GOOD = json.dumps({"id": "good", "text": "A story long enough to be an article body."})


def read(path, **overrides) -> list:
    return [item for item in read_file(str(path), dict(SETTINGS, **overrides)) if item is not None]


def test_lone_surrogate_is_a_reject_and_the_next_line_reads(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "bad", "text": "broken \\ud800 text"}\n' + GOOD + "\n")
    bad, good = read(path)
    assert bad["error_type"] == "invalid_encoding" and "surrogate" in bad["error_message"]
    assert bad["input_ref"].endswith("s.jsonl:1")
    assert isinstance(good, RawRecord) and good.source_id == "good"


def test_surrogate_pair_is_fine(tmp_path):
    path = tmp_path / "pair.jsonl"
    path.write_text('{"text": "an emoji \\ud83d\\ude00 in a story long enough"}\n')
    [record] = read(path)
    assert record.text == "an emoji \U0001f600 in a story long enough"


@pytest.mark.parametrize("bomb", ["[" * 100_000, '{"a":' * 100_000])
def test_json_depth_bomb_is_one_reject(tmp_path, bomb):
    path = tmp_path / "deep.jsonl"
    path.write_text(GOOD + "\n" + bomb + "\n" + GOOD.replace("good", "after") + "\n")
    first, bad, after = read(path)
    assert first.source_id == "good" and after.source_id == "after"
    assert bad["error_type"] == "invalid_json" and bad["input_ref"].endswith("deep.jsonl:2")


def test_non_utf8_file_name_reads_with_an_escaped_ref(tmp_path):
    name = os.fsdecode(b"caf\xe9.txt")  # latin-1 byte in the name: surrogate-escaped by os
    (tmp_path / name).write_text("A story whose file name is not UTF-8 at all.")
    files, _ = expand_inputs([str(tmp_path)])
    [path] = files
    assert from_element(to_element(path)) == path
    [record] = read(path)
    assert record.input_ref == str(tmp_path / "caf\\xe9.txt") == display_ref(path)
    record.input_ref.encode("utf-8")  # a valid string column value


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_fifo_is_rejected_without_opening_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    os.mkfifo(folder / "pipe.xml")
    (folder / "story.txt").write_text("A story next to a FIFO, long enough to count.")
    files, _ = expand_inputs([str(folder)])
    results = {}

    def work():  # a blocking open would hang this thread, not the test run
        results["items"] = [item for path in files for item in read_file(path, SETTINGS)]

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "reading blocked on a FIFO"
    by_name = {(i.input_ref if isinstance(i, RawRecord) else i["input_ref"]).rsplit("/", 1)[-1]: i
               for i in results["items"]}
    assert by_name["pipe.txt"]["error_type"] == "not_a_file"
    assert "FIFO" in by_name["pipe.txt"]["error_message"]
    assert by_name["pipe.xml"]["error_type"] == "not_a_file"
    assert isinstance(by_name["story.txt"], RawRecord)
    assert expand_inputs([str(folder / "pipe.txt")])[0] == [str(folder / "pipe.txt")]  # named: a reject


def multi_member_gzip(member: bytes, copies: int) -> bytes:
    """A valid gzip file of `copies` members: inflates to copies x len(member) bytes."""
    return gzip.compress(member, compresslevel=9) * copies


def test_jsonl_gz_of_newlines_stops_at_the_inflation_cap(tmp_path):
    path = tmp_path / "newlines.jsonl.gz"
    data = gzip.compress(GOOD.encode() + b"\n") + multi_member_gzip(b"\n" * 10_000_000, 30)
    path.write_bytes(data)  # 300 MB of newlines after one record
    good, bomb = read(path, max_inflated_bytes=50_000_000)
    assert good.source_id == "good"
    assert bomb["error_type"] == "too_large" and "max_inflated_bytes" in bomb["error_message"]
    assert bomb["input_ref"] == str(path)


def test_jsonl_gz_of_newlines_under_the_cap_is_read_to_the_end(tmp_path):
    path = tmp_path / "blank.jsonl.gz"
    path.write_bytes(multi_member_gzip(b"\n" * 10_000_000, 5) + gzip.compress(GOOD.encode() + b"\n"))
    [good] = read(path)
    assert good.input_ref == f"{path}:50000001"


@pytest.mark.parametrize("name", ["bomb.txt.gz", "bomb.html.gz"])
def test_text_and_html_gz_bombs_are_capped(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(multi_member_gzip(b"a" * 10_000_000, 10))
    [reject] = read(path, max_record_bytes=1_000_000)
    assert reject["error_type"] == "too_large"


def test_truncated_gzip_keeps_the_lines_before(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    lines = [json.dumps({"id": str(n), "text": f"Story {n} " * 20}) for n in range(5000)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    path.write_bytes(whole[: len(whole) // 2])
    items = read(path)
    assert all(isinstance(item, RawRecord) for item in items[:-1]) and len(items) > 1
    assert items[-1]["input_ref"] == str(path) and "the rest not" in items[-1]["error_message"]


class Chunks:
    """A stream returning fixed small reads, to cut lines across chunk boundaries."""

    def __init__(self, data: bytes, size: int):
        self.data, self.size, self.at = data, size, 0

    def read(self, _n: int = -1) -> bytes:
        piece = self.data[self.at : self.at + self.size]
        self.at += len(piece)
        return piece


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 20])
def test_line_numbers_and_limits_across_chunks(size, monkeypatch):
    data = b"\n  \n{\"a\": 1}\n\n" + b"x" * 30 + b"\n {\"b\": 2}  \n\n\n{\"c\": 3}"
    monkeypatch.setattr(jsonl, "CHUNK_BYTES", size)
    got = [(n, line if isinstance(line, bytes) else "too_large")
           for n, line in jsonl_lines(Chunks(data, size), limit=20)]
    got = [(n, line.strip() if isinstance(line, bytes) else line) for n, line in got]
    assert got == [(3, b'{"a": 1}'), (5, "too_large"), (6, b'{"b": 2}'), (9, b'{"c": 3}')]

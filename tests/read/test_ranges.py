"""Large JSONL files split into line-aligned byte ranges: the ranges' records are the whole file's,
with the same `path:LINE` refs, and the read stage spreads them over workers."""

from __future__ import annotations

import gzip
import itertools
import json

import apache_beam as beam
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from pipeline.estimate import count_lines
from transforms.common.config import load_config
from transforms.common.rejects import REJECTS
from transforms.read.beam import ReadFiles
from transforms.read.files import read_file
from transforms.read.ranges import plan, read_jsonl_range, scan

SETTINGS = load_config()["input"]


def write_lines(path, count: int) -> list[str]:
    lines = []
    for i in range(count):
        if i % 7 == 3:
            lines.append("")  # blank lines count in the numbering
        elif i % 11 == 5:
            lines.append("{broken")
        else:
            lines.append(json.dumps({"id": f"r{i}", "text": f"Body of record {i}. " * (i % 5 + 1)}))
    path.write_text("\n".join(lines) + "\n")
    return lines


def refs(items) -> list[tuple]:
    return [(item["input_ref"], item["error_type"]) if isinstance(item, dict) else (item.input_ref, item.text)
            for item in items if item is not None]


def test_ranges_cover_the_file_on_line_starts(tmp_path):
    path = tmp_path / "big.jsonl"
    write_lines(path, 200)
    data = path.read_bytes()
    for target in (1, 50, 333, 4096):
        ranges, _ = scan(str(path), target)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        for (_, end, _), (start, _, first_line) in itertools.pairwise(ranges):
            assert end == start and data[start - 1:start] == b"\n"
            assert first_line == data[:start].count(b"\n") + 1


def test_ranges_read_as_the_whole_file(tmp_path):
    path = tmp_path / "big.jsonl"
    write_lines(path, 200)
    whole = refs(read_file(str(path), SETTINGS))
    for target in (1, 97, 1000):
        parts = [item for piece in scan(str(path), target)[0]
                 for item in read_jsonl_range(str(path), SETTINGS, piece)]
        assert refs(parts) == whole


def test_last_line_without_newline_and_long_lines(tmp_path):
    path = tmp_path / "tail.jsonl"
    path.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "fine"}) + "\n"
                    + json.dumps({"text": "last"}))
    small = dict(SETTINGS, max_record_bytes=100)
    whole = refs(read_file(str(path), small))
    parts = [item for piece in scan(str(path), 10)[0]
             for item in read_jsonl_range(str(path), small, piece)]
    assert refs(parts) == whole and whole[0][1] == "too_large" and whole[-1] == (f"{path}:3", "last")


def test_small_compressed_and_other_files_are_read_whole(tmp_path):
    big = tmp_path / "big.jsonl"
    write_lines(big, 50)
    packed = tmp_path / "big.jsonl.gz"
    packed.write_bytes(gzip.compress(big.read_bytes()))
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>" * 1000)
    assert plan([str(big)], SETTINGS) == ([str(big)], {})  # under the default range size
    assert plan([str(packed), str(page)], SETTINGS, target=100) == ([str(packed), str(page)], {})
    split, lines = plan([str(big)], SETTINGS, target=100)
    assert len(split) > 5 and all(piece[0] == str(big) for piece in split)
    assert lines == {str(big): 50}


def test_plan_counts_lines_as_the_estimate(tmp_path):
    """The split's line count is the progress total's: a last line without a newline counts."""
    for text in ("a\n" * 30, "a\n" * 30 + "tail", "\n" * 40, "x" * 300 + "\n"):
        path = tmp_path / "f.jsonl"
        path.write_text(text)
        _, lines = plan([str(path)], SETTINGS, target=10)
        assert lines == {str(path): count_lines(str(path))}


def test_read_stage_takes_ranges_and_paths(tmp_path):
    path = tmp_path / "big.jsonl"
    write_lines(path, 40)
    whole = refs(read_file(str(path), SETTINGS))
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        read = (pipeline | beam.Create(plan([str(path)], SETTINGS, 200)[0])
                | beam.Reshuffle()
                | beam.ParDo(ReadFiles(SETTINGS)).with_outputs(REJECTS, main="records"))
        records = read.records | "Refs" >> beam.Map(lambda r: (r["input_ref"], r["text"]))
        rejects = read[REJECTS] | "Why" >> beam.Map(lambda r: (r["input_ref"], r["error_type"]))
        assert_that((records, rejects) | beam.Flatten(), equal_to(whole))

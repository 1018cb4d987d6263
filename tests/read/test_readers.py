"""Readers: input expansion, formats, and bad records as rejects; the read stage on a TestPipeline."""

from __future__ import annotations

import gzip
import json

import apache_beam as beam
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.common.config import load_config
from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS
from transforms.read.beam import ReadFiles
from transforms.read.files import InputError, expand_inputs, read_file, sniff_kind

SETTINGS = load_config()["input"]


def records(path) -> list:
    return [item for item in read_file(str(path), SETTINGS) if item is not None]


def test_expand_files_folders_globs_and_urls(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / ".hidden.txt").write_text("x")
    (tmp_path / "two.html").write_text("x")
    files, urls = expand_inputs([str(tmp_path / "a"), str(tmp_path / "*.html"), "https://example.org/x",
                                 str(tmp_path / "two.html")])
    assert [f.rsplit("/", 1)[-1] for f in files] == ["one.txt", "two.html"]
    assert urls == ["https://example.org/x"]
    with pytest.raises(InputError, match="input not found"):
        expand_inputs([str(tmp_path / "missing*")])


def test_names_with_glob_characters_are_taken_literally(tmp_path):
    folder = tmp_path / "[2024] archive"
    folder.mkdir()
    (folder / "a [draft].txt").write_text("x")
    (folder / ".hidden").write_text("x")
    assert expand_inputs([str(folder / "a [draft].txt")])[0] == [str(folder / "a [draft].txt")]
    assert expand_inputs([str(folder)])[0] == [str(folder / "a [draft].txt")]
    assert expand_inputs([str(tmp_path / "*" / "*.txt")])[0] == [str(folder / "a [draft].txt")]


def test_nested_folders_and_double_star(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.jsonl").write_text("{}")
    (tmp_path / "a" / "top.jsonl").write_text("{}")
    (tmp_path / "a" / ".git").mkdir()
    (tmp_path / "a" / ".git" / "x.jsonl").write_text("{}")
    names = lambda refs: [f.removeprefix(str(tmp_path)) for f in expand_inputs(refs)[0]]  # noqa: E731
    assert names([str(tmp_path / "a")]) == ["/a/b/deep.jsonl", "/a/top.jsonl"]
    assert names([str(tmp_path / "a" / "*.jsonl")]) == ["/a/top.jsonl"]
    assert names([str(tmp_path / "**.jsonl")]) == ["/a/b/deep.jsonl", "/a/top.jsonl"]
    assert names([str(tmp_path / "*")]) == ["/a/b/deep.jsonl", "/a/top.jsonl"]  # a matched folder: whole


def test_text_and_html_files(tmp_path):
    (tmp_path / "story.txt").write_text("\ufeffHeadline\n\nBody.")
    (tmp_path / "page.htm.gz").write_bytes(gzip.compress(b"<html><body><p>Hi</p></body></html>"))
    [text] = records(tmp_path / "story.txt")
    assert text == RawRecord(input_ref=str(tmp_path / "story.txt"), text="Headline\n\nBody.")
    [page] = records(tmp_path / "page.htm.gz")
    assert page.html.startswith("<html>")


def test_jsonl_fields_and_line_refs(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": 7, "url": "https://x.org/a", "source": "X", "title": "T", "text": "Body",
                    "published": "2024-01-02T03:04:05+02:00"}),
        "",
        "{broken",
        json.dumps({"id": "h", "html": "<p>Page</p>"}),
    ]))
    first, bad, html = records(path)
    assert first.source_id == "7" and first.input_ref == f"{path}:1" and first.text == "Body"
    assert first.published == "2024-01-02T03:04:05+02:00"
    assert bad["input_ref"] == f"{path}:3" and bad["error_type"] == "invalid_json"
    assert html.html == "<p>Page</p>" and html.text is None


def test_long_jsonl_line_is_rejected_without_loading_it(tmp_path):
    path = tmp_path / "long.jsonl"
    small = dict(SETTINGS, max_record_bytes=100)
    path.write_text(json.dumps({"text": "x" * 500}) + "\n" + json.dumps({"text": "fine"}) + "\n")
    items = [item for item in read_file(str(path), small) if item is not None]
    assert items[0]["error_type"] == "too_large" and items[0]["input_ref"].endswith(":1")
    assert items[1].text == "fine" and items[1].input_ref.endswith(":2")


def test_gzip_bomb_is_capped(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    [reject] = records_with(path, max_record_bytes=1_000_000)
    assert reject["error_type"] == "too_large"


def records_with(path, **overrides) -> list:
    return [item for item in read_file(str(path), dict(SETTINGS, **overrides)) if item is not None]


def test_fallback_encoding_overrides_detection(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café au lait".encode("latin-1"))
    assert records_with(path, fallback_encoding="cp1252")[0].text == "Café au lait"
    assert records_with(path, fallback_encoding="cp1251")[0].text == "Cafй au lait"  # as told


def test_unknown_extension_is_sniffed(tmp_path):
    assert sniff_kind(b"  <!doctype html><html>") == "html"
    assert sniff_kind(b'<?xml version="1.0"?><rss version="2.0">') == "feed"
    assert sniff_kind(b'{"text": "x"}') == "jsonl"
    assert sniff_kind(b"Plain words") == "text"
    path = tmp_path / "noext"
    path.write_text("<html><body><p>x</p></body></html>")
    assert records(path)[0].html


def test_read_files_stage_sends_records_and_rejects_to_their_outputs(tmp_path):
    (tmp_path / "story.txt").write_text("Headline\n\nBody.")
    (tmp_path / "batch.jsonl").write_text(json.dumps({"id": "j1", "text": "Line body"}) + "\n{broken\n")
    (tmp_path / "empty.txt").write_text("")
    paths = [str(tmp_path / name) for name in ("story.txt", "batch.jsonl", "empty.txt")]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        read = (pipeline | beam.Create(paths)
                | beam.ParDo(ReadFiles(SETTINGS)).with_outputs(REJECTS, main="records"))
        assert_that(read.records | "Refs" >> beam.Map(lambda r: (r["input_ref"], r["source_id"], r["text"])),
                    equal_to([(paths[0], None, "Headline\n\nBody."), (f"{paths[1]}:1", "j1", "Line body")]),
                    label="records")
        why = read[REJECTS] | "Why" >> beam.Map(lambda r: (r["input_ref"], r["stage"], r["error_type"]))
        assert_that(why,
                    equal_to([(f"{paths[1]}:2", "read", "invalid_json"), (paths[2], "read", "empty")]),
                    label="rejects")

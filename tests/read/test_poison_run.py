"""The real CLI on a folder of poison inputs: the run exits 0, every good record is an article,
every poison input is one reject row (each of these once failed or hung the whole run)."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers import read_rows, run_cli

STORY = ("The harbour authority approved the new ferry timetable on Monday after a long debate. "
         "Services to the islands will run every hour from the spring.")


@pytest.fixture(scope="module")
def poison_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("poison")
    lines = [json.dumps({"id": "ok1", "text": STORY}),
             '{"id": "surrogate", "text": "broken \\ud800 text in a story long enough to be one"}',
             "[" * 50_000,
             json.dumps({"id": "ok2", "text": STORY.replace("Monday", "Tuesday")}),
             json.dumps({"id": "short", "text": "Hi there"})]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n")
    (folder / os.fsdecode(b"r\xe9sum\xe9.txt")).write_text(STORY.replace("ferry", "bus"))
    (folder / "short.txt").write_text("Hello")  # issue 14: five characters are no article
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")
    out = tmp_path_factory.mktemp("poison-out")
    result = run_cli("run", "--input", str(folder), "--output", str(out), "--run-id", "poison", timeout=240)
    return folder, out, result


def test_poison_run_exits_zero(poison_run):
    _, _, result = poison_run
    assert result.returncode == 0, result.stderr


def test_good_records_land_around_the_poison(poison_run):
    folder, out, _ = poison_run
    articles = {row["input_ref"]: row for row in read_rows(out, "articles")}
    assert {row["source_id"] for row in articles.values()} >= {"ok1", "ok2"}
    assert str(folder / "r\\xe9sum\\xe9.txt") in articles  # the non-UTF-8 name, escaped
    assert len(articles) == 3


def test_each_poison_input_is_one_reject(poison_run):
    _, out, _ = poison_run
    rejects = {row["input_ref"].rsplit("/", 1)[-1]: row for row in read_rows(out, "rejects")}
    assert rejects["batch.jsonl:2"]["error_type"] == "invalid_encoding"
    assert rejects["batch.jsonl:3"]["error_type"] == "invalid_json"
    for short in ("batch.jsonl:5", "short.txt"):
        assert (rejects[short]["stage"], rejects[short]["error_type"]) == ("extract", "too_short")
    expected = {"batch.jsonl:2", "batch.jsonl:3", "batch.jsonl:5", "short.txt"}
    if hasattr(os, "mkfifo"):
        assert rejects["pipe.txt"]["error_type"] == "not_a_file"
        expected.add("pipe.txt")
    assert set(rejects) == expected

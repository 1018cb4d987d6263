"""Bad input never crashes a run: each bad record is one reject, the good ones all land."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.helpers import SEEDS, read_rows, run_cli

STORY = ("The city council approved the new budget on Tuesday after a long debate. "
         "The plan raises spending on schools and public transport.\n\n"
         "Council members said the vote was the closest in a decade.")


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "latin1.txt").write_bytes("Caf\xe9 society returns to the old town square.".encode("latin-1"))
    (folder / "truncated.html").write_text("<html><head><title>Budget vote</title><sty")
    (folder / "good.html").write_text(
        "<html><head><title>Budget approved</title></head><body><article><h1>Budget approved</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")) + "</article></body></html>")
    lines = [json.dumps({"id": "a1", "title": "Budget approved", "text": STORY}),
             "{not json",
             json.dumps({"id": "a2", "title": "Second story", "text": "A second story about rain. " * 5}),
             "",
             json.dumps(["not", "an", "object"]),
             json.dumps({"id": "a3", "title": "Nothing"})]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n")
    with gzip.open(folder / "more.jsonl.gz", "wt") as handle:
        handle.write(json.dumps({"id": "g1", "text": "Gzipped story about the harbour. " * 5}) + "\n")
    with open(folder / "huge.txt", "wb") as handle:  # 50 MB: over input.max_record_bytes
        chunk = b"All work and no play makes a very long article indeed. " * 1000
        for _ in range(50_000_000 // len(chunk) + 1):
            handle.write(chunk)
    return folder


@pytest.fixture(scope="module")
def bad_run(bad_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-out")
    result = run_cli("run", "--input", str(bad_folder), "--output", str(out), "--run-id", "bad")
    return result, out


def test_run_finishes_with_exit_zero(bad_run):
    result, _ = bad_run
    assert result.returncode == 0, result.stderr
    assert "rejects:" in result.stdout


def test_good_records_are_articles(bad_run):
    _, out = bad_run
    articles = read_rows(out, "articles")
    ids = {row["source_id"] for row in articles}
    assert {"a1", "a2", "g1"} <= ids
    assert any(row["input_ref"].endswith("good.html") for row in articles)
    latin1 = [row for row in articles if row["input_ref"].endswith("latin1.txt")]  # cp1252, detected
    assert "Café society" in latin1[0]["text"]
    assert len(articles) == 5


def test_each_bad_record_is_one_reject(bad_run):
    _, out = bad_run
    rejects = {row["input_ref"].rsplit("/", 1)[-1]: row for row in read_rows(out, "rejects")}
    assert rejects["empty.txt"]["error_type"] == "empty"
    assert rejects["binary.txt"]["error_type"] == "binary"
    assert rejects["truncated.html"]["stage"] == "extract"
    assert rejects["batch.jsonl:2"]["error_type"] == "invalid_json"
    assert rejects["batch.jsonl:5"]["error_type"] == "invalid_json"
    assert rejects["batch.jsonl:6"]["error_type"] == "missing_content"
    assert rejects["huge.txt"]["error_type"] == "too_large"
    assert len(rejects) == 7
    for row in rejects.values():
        assert row["error_message"]
        assert row["run_id"] == "bad"
        assert row["excerpt"] is None or len(row["excerpt"].encode()) <= 1024


def test_run_record_counts_rejects_by_type(bad_run):
    _, out = bad_run
    record = json.loads((out / "_runs" / "bad.json").read_text())
    assert record["counts"]["rejects"] == 7
    assert record["counts"]["articles"] == 5
    assert record["rejects_by_type"]["read.invalid_json"] == 2


def test_missing_input_stops_with_one_line(tmp_path):
    result = run_cli("run", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "o"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "input not found" in result.stderr


@pytest.mark.parametrize("content, message", [
    ("output: [", "invalid YAML"),
    ("outptu: {}", "unknown config key 'outptu'"),
    ("lang: {max_chars: many}", "lang.max_chars"),
])
def test_bad_config_stops_with_one_line(tmp_path, content, message):
    config = tmp_path / "bad.yaml"
    config.write_text(content)
    result = run_cli("run", "--input", str(SEEDS), "--output", str(tmp_path / "o"), "--config", str(config))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_option_and_unwritable_output(tmp_path):
    result = run_cli("run", "--input", str(SEEDS), "--ouptut", str(tmp_path))
    assert result.returncode == 2 and "unknown option --ouptut" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("run", "--input", str(SEEDS), "--output", str(blocker / "out"))
    assert result.returncode == 2 and "not writable" in result.stderr

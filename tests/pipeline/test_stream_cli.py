"""`python -m pipeline stream` and `compact` as a user runs them (the streaming job itself needs
an unbounded source and a streaming runner: its graph is tested in test_stream.py)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.helpers import read_rows, run_cli
from transforms.common.config import ConfigError, load_config
from transforms.write import windows


def test_stream_help_documents_the_sources_and_runners():
    done = run_cli("stream", "--help")
    assert done.returncode == 0
    for words in ("--pubsub-subscription", "--pubsub-topic", "--watch-input", "--feed", "--window",
                  "--allowed-lateness", "DataflowRunner", "FlinkRunner", "gs://"):
        assert words in done.stdout, words


def test_stream_without_a_source_or_with_a_bad_duration_stops_with_one_line(tmp_path):
    for args in ([], ["--feed", "feed.xml", "--window", "ten minutes"],
                 ["--feed", "feed.xml", "--window", "2d"],  # over the config's range (a day at most)
                 ["--watch-input", str(tmp_path / "*")]):  # a local runner, no --stop-after
        done = run_cli("stream", "--output", str(tmp_path / "out"), *args)
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_stream_section_is_validated_like_the_others(tmp_path):
    assert load_config()["stream"]["window_s"] > 0
    for text, key in (("stream:\n  window_s: 0\n", "stream.window_s"),
                      ("stream:\n  dedup_ttl_s: '2d'\n", "stream.dedup_ttl_s"),
                      ("stream:\n  window: 600\n", "stream.window")):
        path = tmp_path / "c.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_config(path)


def test_compact_merges_small_files_once(tmp_path):
    when = datetime(2024, 5, 1, tzinfo=timezone.utc)
    for window in range(3):
        rows = [{"input_ref": f"in:{window}", "stage": "read", "error_type": "empty", "error_message": None,
                 "excerpt": None, "rejected_at": when, "run_id": "r", "date": "2024-05-01"}]
        files = windows.table_files("rejects", rows, ("date",), 100, "zstd", f"w{window}")
        windows.commit_files(str(tmp_path), f"w{window}", files, {})
    done = run_cli("compact", "--output", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["merged"][0]["files_in"] == 3
    assert len(list((tmp_path / "rejects").rglob("*.parquet"))) == 1
    assert sorted(row["input_ref"] for row in read_rows(tmp_path, "rejects")) == ["in:0", "in:1", "in:2"]


def test_local_trial_reads_a_folder_and_commits_its_window(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    words = " ".join(f"word{i}" for i in range(80))
    (inbox / "one.txt").write_text(f"First story\n\nMOSCOW, May 1. {words}.\n")
    line = json.dumps({"id": "j1", "text": f"Second story text here. {words}"})
    (inbox / "two.jsonl").write_text(f"{line}\nnot json\n")
    output = tmp_path / "out"
    done = run_cli("stream", "--watch-input", f"{inbox}/*", "--output", str(output), "--stop-after", "2s",
                   "--poll-every", "1s")
    assert done.returncode == 0, done.stderr
    assert sorted(row["source_id"] or "" for row in read_rows(output, "articles")) == ["", "j1"]
    assert [row["error_type"] for row in read_rows(output, "rejects")] == ["invalid_json"]
    records = [json.loads(p.read_text()) for p in (output / "_commits").glob("*.json")]
    assert records and all(r["status"] == "committed" for r in records)

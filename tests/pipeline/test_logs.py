"""Operations: log lines carry ISO 8601 UTC timestamps (or are JSON objects), and progress
names the expected total and an ETA."""

from __future__ import annotations

import gzip
import json
import logging
import re

from pipeline.estimate import expected_records
from tests.helpers import SEEDS, run_cli
from transforms.articles import progress
from transforms.articles.progress import Progress

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def test_text_logs_have_iso_timestamps_and_json_logs_parse(tmp_path):
    text = run_cli("run", "--input", str(SEEDS), "--output", str(tmp_path / "a"))
    assert text.returncode == 0, text.stderr
    lines = text.stderr.strip().splitlines()
    assert lines and all(ISO.match(line) for line in lines), lines
    assert "~2 records" in text.stderr
    as_json = run_cli("run", "--input", str(SEEDS), "--output", str(tmp_path / "b"), "--log-format", "json")
    assert as_json.returncode == 0, as_json.stderr
    entries = [json.loads(line) for line in as_json.stderr.strip().splitlines()]
    assert entries and all(ISO.match(entry["time"] + " ") and entry["level"] for entry in entries)


def test_expected_records_count_jsonl_lines(tmp_path):
    plain, packed, page = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz", tmp_path / "c.html"
    plain.write_text('{"text": "x"}\n' * 3 + '{"text": "no newline at the end"}')
    with gzip.open(packed, "wt") as handle:
        handle.write('{"text": "y"}\n' * 5)
    page.write_text("<p>x</p>")
    assert expected_records([str(plain), str(packed), str(page)], ["http://x.invalid/"]) == 4 + 5 + 1 + 1


def test_progress_logs_total_rate_and_eta(caplog, monkeypatch):
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 10)
    tracker = Progress.shared("progress-test", 40)
    with caplog.at_level(logging.INFO, logger="newspipe.progress"):
        for _ in range(20):
            tracker.tick()
    messages = [r.getMessage() for r in caplog.records if r.name == "newspipe.progress"]
    assert len(messages) == 2
    assert messages[-1].startswith("processed 20 of ~40 records (50%")
    assert re.search(r"ETA \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 \(in \d+ s\)", messages[-1])

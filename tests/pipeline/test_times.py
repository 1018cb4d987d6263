"""Publication times through the whole job: a page's time of day and zone are kept; a date
outside a sane range (before 1900, more than a day ahead) becomes null and is counted, and the
row is partitioned by its ingestion date."""

from __future__ import annotations

import glob
import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from tests.helpers import read_rows, run_cli

BODY = ("The port authority said on Monday that the northern terminal would reopen next month after "
        "repairs to the quay wall, which was damaged in a winter storm.\n\nOfficials said the work "
        "had cost less than planned and that shipping lines had been told of the new timetable.")


def page(published: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
    return (f'<html><head><meta property="article:published_time" content="{published}">'
            f"<title>Terminal reopens</title></head><body><article><h1>Terminal reopens</h1>"
            f"{paragraphs}</article></body></html>")


def test_times_kept_whole_or_dropped_when_implausible(tmp_path):
    lines = [
        {"id": "page", "html": page("2024-03-05T14:30:00+01:00")},
        {"id": "year1", "text": BODY + " One.", "published": "0001-01-01T00:00:00Z"},
        {"id": "future", "text": BODY + " Two.", "published": "2999-06-01T00:00:00Z"},
        {"id": "old-but-fine", "text": BODY + " Three.", "published": "1999-12-31T23:00:00-05:00"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(source), "--output", str(out))
    assert result.returncode == 0, result.stderr
    rows = {row["source_id"]: row for row in read_rows(out, "articles")}
    assert rows["page"]["published_at"] == datetime(2024, 3, 5, 13, 30, tzinfo=timezone.utc)
    assert rows["old-but-fine"]["published_at"] == datetime(2000, 1, 1, 4, 0, tzinfo=timezone.utc)
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    for name in ("year1", "future"):
        assert rows[name]["published_at"] is None
        assert rows[name]["date"] == today or rows[name]["date"] < today  # ingestion date, not 0001/2999
    assert sorted({row["date"] for row in rows.values()}) == sorted(
        {"2024-03-05", "2000-01-01", rows["year1"]["date"]})
    record = json.loads(Path(glob.glob(str(out / "_runs" / "*.json"))[0]).read_text())
    assert record["counts"]["published_out_of_range"] == 2
    pattern = str(out / "articles" / "**" / "*.parquet")
    kinds = duckdb.sql(f"SELECT typeof(date) FROM read_parquet('{pattern}', hive_partitioning=true) "
                       "LIMIT 1").fetchall()
    assert kinds == [("DATE",)]

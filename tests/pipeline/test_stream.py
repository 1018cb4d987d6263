"""The streaming job's graph (pipeline/stream.py) on the BundleBasedDirectRunner, its source
swapped for a TestStream and nothing else: ProcessRecords, StreamingDedup's keyed state and
timers, event-time windows with lateness, and the window commits, read back with DuckDB."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import apache_beam as beam
import duckdb
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipeline import stream
from transforms.common.config import load_config
from transforms.write import windows

T0 = 1714550400  # 2024-05-01T08:00:00Z, a window boundary
WINDOW, LATENESS, TTL = 600, 3600, 7200
VOCABULARY = [f"{a}{b}" for a in ("tal", "mer", "sun", "dor", "kev", "lis", "pra", "gon", "vel", "rim")
              for b in ("ano", "esta", "ivor", "ulla", "ember", "oda", "ingas", "orth", "ane", "ister")]


def story(seed: int, words: int = 160) -> list[str]:
    """A made-up story: paragraphs of words drawn from a fixed vocabulary (distinct per seed)."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(VOCABULARY) for _ in range(40)).capitalize() + "."
            for _ in range(words // 40)]


def record(ident: str, paragraphs: list[str], source: str, published: str) -> dict:
    return {"input_ref": f"test:{ident}", "source_id": ident, "url": f"https://{source}/{ident}",
            "source": source, "title": f"Story {ident}", "summary": None,
            "text": "\n\n".join(paragraphs), "html": None, "published": published,
            "from_feed_content": False}


def at(element: dict, seconds: int) -> TimestampedValue:
    return TimestampedValue(element, T0 + seconds)


def run_stream(tmp_path: Path, events: test_stream.TestStream, fault=None) -> Path:
    config = load_config()
    config["stream"].update(window_s=WINDOW, allowed_lateness_s=LATENESS, dedup_ttl_s=TTL,
                            late_firing_delay_s=0)
    output = tmp_path / "out"
    request = stream.StreamRequest(output=str(output), config=config, state_dir=str(output / "_state"),
                                   run_id="stream-test")
    options = PipelineOptions(["--runner=BundleBasedDirectRunner"])
    options.view_as(StandardOptions).streaming = True
    with beam.Pipeline(options=options) as pipeline:
        stream.build(pipeline, request, source=events, fault=fault)
    return output


def rows(output: Path, table: str) -> list[dict]:
    con = duckdb.connect()
    pattern = str(output / table / "**" / "*.parquet")
    relation = con.sql(f"SELECT * FROM read_parquet('{pattern}', hive_partitioning = true)")
    return [dict(zip(relation.columns, values, strict=True)) for values in relation.fetchall()]


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


A, B = story(1), story(2)
A_ORIGINAL = record("a0", A, "tass.ru", "2024-05-01T07:50:00Z")
A_COPY1 = record("a1", A[:3], "urdupoint.com", "2024-05-01T08:01:00Z")
A_COPY2 = record("a2", [*A[:3], "Reporting by a desk."], "example.org", "2024-05-01T08:02:00Z")
B_FIRST = record("b1", B, "reuters.com", "2024-05-01T08:12:00Z")
B_COPY = record("b2", B[:3], "example.net", "2024-05-01T08:25:00Z")
B_LATE = record("b3", B[1:], "example.com", "2024-05-01T08:03:00Z")
EMPTY = record("e1", ["   "], "example.com", "2024-05-01T08:04:00Z")
A_AFTER_TTL = record("a9", A[:3], "example.info", "2024-05-01T12:00:00Z")
UNDATED = record("n1", story(3), "example.com", None)


def events() -> test_stream.TestStream:
    return (
        test_stream.TestStream()
        .advance_watermark_to(T0)
        .add_elements([at(A_COPY2, 120), at(A_COPY1, 60), at(EMPTY, 200), at(UNDATED, 300)])  # out of order
        .advance_watermark_to(T0 + WINDOW + 1)  # window 0 closes: its on-time commit
        .add_elements([at(A_ORIGINAL, 700), at(B_FIRST, 720)])  # the original after its copies
        .advance_watermark_to(T0 + 2 * WINDOW + 1)
        .add_elements([at(B_COPY, 1300)])
        .advance_watermark_to(T0 + 3 * WINDOW + 1)
        .add_elements([at(B_LATE, 200)])  # window 0 again, after it closed: a late pane
        .advance_watermark_to(T0 + 3 * WINDOW + TTL + 100)  # every fingerprint so far expires
        .add_elements([at(A_AFTER_TTL, 3 * WINDOW + TTL + 200)])
        .advance_watermark_to_infinity()
    )


@pytest.fixture(scope="module")
def streamed(tmp_path_factory) -> Path:
    return run_stream(tmp_path_factory.mktemp("stream"), events())


def by_id(output: Path) -> dict[str, dict]:
    articles = rows(output, "articles")
    assert len(articles) == len({a["article_id"] for a in articles})
    return {a["source_id"]: a for a in articles}


def test_every_record_written_once_and_readable(streamed):
    articles = by_id(streamed)
    assert sorted(articles) == ["a0", "a1", "a2", "a9", "b1", "b2", "b3", "n1"]
    # no publication time: ingested at its event time (not the job's start), partitioned by it
    assert articles["n1"]["ingested_at"].timestamp() == T0 + 300
    assert str(articles["n1"]["date"]) == "2024-05-01"
    rejects = rows(streamed, "rejects")
    assert [(r["input_ref"], r["error_type"]) for r in rejects] == [("test:e1", "no_text")]
    for table in ("articles", "rejects", "clusters"):
        for path in files_under(streamed / table):
            assert path.suffix == ".parquet" and not path.name.startswith(".")
    assert files_under(streamed / "_staging") == []


def test_copies_over_windows_join_one_cluster_and_the_original_revises_the_canonical(streamed):
    articles = by_id(streamed)
    a_cluster = {articles[i]["cluster_id"] for i in ("a0", "a1", "a2")}
    b_cluster = {articles[i]["cluster_id"] for i in ("b1", "b2", "b3")}
    assert len(a_cluster) == 1 and len(b_cluster) == 1 and a_cluster != b_cluster
    # rows already written keep their first decision; the clusters table records the revision
    assert articles["a0"]["is_canonical"] and articles["a0"]["canonical_id"] == articles["a0"]["article_id"]
    first = [articles[i] for i in ("a1", "a2") if articles[i]["is_canonical"]]
    assert len(first) == 1
    changes = [c for c in rows(streamed, "clusters") if c["cluster_id"] in a_cluster]
    revised = [c for c in changes if c["canonical_id"] == articles["a0"]["article_id"]]
    assert len(revised) == 1 and revised[0]["previous_canonical_id"] == first[0]["article_id"]
    assert revised[0]["members"] == 3


def test_late_copy_written_in_a_late_pane_of_its_window(streamed):
    records = [json.loads(p.read_text()) for p in files_under(streamed / "_commits")]
    assert {r["status"] for r in records} == {"committed"}
    window0 = [r for r in records if r["run"]["window"]["start"].startswith("2024-05-01T08:00")]
    # late_firing_delay_s 0: a pane per late row (the b3 article, its quotes, its cluster change);
    # the processing-time delay that gathers them cannot run on this runner (README)
    assert sorted({r["run"]["window"]["timing"] for r in window0}) == ["LATE", "ON_TIME"]
    assert [r["run"]["window"]["timing"] for r in window0].count("ON_TIME") == 1
    late = [r["run"]["counts"]["articles"] for r in window0 if r["run"]["window"]["timing"] == "LATE"]
    assert sum(late) == 1  # b3
    runs = [json.loads(p.read_text()) for p in files_under(streamed / "_runs")]
    assert sum(r["counts"]["articles"] for r in runs) == 8
    assert len(runs) == len(records)


def test_state_expires_after_the_ttl(streamed):
    articles = by_id(streamed)
    assert articles["a9"]["cluster_id"] != articles["a1"]["cluster_id"]
    assert articles["a9"]["is_canonical"]


class FailOnce:
    """Crashes the first window commit once, after its first file was published (a retry must
    roll it forward without duplicating or losing a file)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __call__(self, step: str, number: int) -> None:
        if step == "published" and number == 0 and not os.path.exists(self.marker):
            Path(self.marker).write_text("failed once")
            raise RuntimeError("injected failure inside a window commit")


def test_interrupted_window_commit_leaves_no_partial_file_and_no_duplicate(tmp_path):
    events = (
        test_stream.TestStream()
        .advance_watermark_to(T0)
        .add_elements([at(A_COPY1, 60), at(B_FIRST, 70), at(EMPTY, 80)])
        .advance_watermark_to_infinity()
    )
    marker = tmp_path / "failed"
    output = run_stream(tmp_path, events, fault=FailOnce(str(marker)))
    assert marker.exists()  # the writer did fail once; the runner retried the bundle
    assert sorted(by_id(output)) == ["a1", "b1"]
    assert len(rows(output, "rejects")) == 1
    assert files_under(output / "_staging") == []
    names = [p.name for p in files_under(output / "articles")]
    assert len(names) == len(set(names))


def test_compact_after_the_stream_keeps_every_row_once(streamed, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(streamed, copy)
    before = {table: sorted(map(str, rows(copy, table))) for table in ("articles", "rejects", "clusters")}
    files_before = len(files_under(copy / "articles"))
    done = windows.compact(str(copy))
    assert done["merged"] and len(files_under(copy / "articles")) < files_before
    assert {table: sorted(map(str, rows(copy, table))) for table in before} == before

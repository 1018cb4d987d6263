"""The window commit protocol and compaction (transforms/write/windows.py) on a local folder:
crashes injected between the steps, then retried or recovered; tables read back with DuckDB."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from transforms.write import windows

WHEN = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def reject(number: int) -> dict:
    return {"input_ref": f"in:{number}", "stage": "read", "error_type": "invalid_json",
            "error_message": "bad", "excerpt": None, "rejected_at": WHEN, "run_id": "r", "date": "2024-05-01"}


def pending(numbers, prefix="w1") -> list[windows.PendingFile]:
    return windows.table_files("rejects", [reject(n) for n in numbers], ("date",), 2, "zstd", prefix)


class Crash(Exception):
    pass


def crash_at(step: str, number: int):
    def fault(at_step, at_number):
        if (at_step, at_number) == (step, number):
            raise Crash(f"{step} {number}")
    return fault


def refs(output: Path) -> list[str]:
    pattern = f"{output}/rejects/**/*.parquet"
    return sorted(r for (r,) in duckdb.sql(f"SELECT input_ref FROM read_parquet('{pattern}', "
                                           "hive_partitioning = true)").fetchall())


def visible(output: Path) -> list[str]:
    return sorted(p.name for p in (output / "rejects").rglob("*") if p.is_file())


def test_commit_publishes_every_file_once_with_its_records(tmp_path):
    files = pending(range(5))
    assert len(files) == 3  # max_rows 2: a bounded number of files per window and partition
    record, did = windows.commit_files(str(tmp_path), "run.w1", files, {"run": {"run_id": "run.w1"}})
    assert did and record["status"] == "committed" and len(record["files"]) == 3
    assert refs(tmp_path) == [f"in:{n}" for n in range(5)]
    assert json.loads((tmp_path / "_runs" / "run.w1.json").read_text()) == {"run_id": "run.w1"}
    assert not (tmp_path / "_staging" / "run.w1").exists()
    assert windows.commit_files(str(tmp_path), "run.w1", files, {})[1] is False  # a retry: nothing


def test_crash_while_staging_shows_nothing_and_the_retry_publishes_once(tmp_path):
    with pytest.raises(Crash):
        windows.commit_files(str(tmp_path), "c", pending(range(5)), {}, crash_at("staged", 1))
    assert not (tmp_path / "rejects").exists() and windows.read_record(str(tmp_path), "c") is None
    windows.commit_files(str(tmp_path), "c", pending(range(5)), {})
    assert refs(tmp_path) == [f"in:{n}" for n in range(5)]


def test_crash_while_publishing_is_rolled_forward_from_the_record(tmp_path):
    with pytest.raises(Crash):
        windows.commit_files(str(tmp_path), "c", pending(range(5)), {}, crash_at("published", 0))
    assert windows.read_record(str(tmp_path), "c")["status"] == "staged"
    assert len(visible(tmp_path)) == 1  # whole files only; the rest waits in _staging
    # the retry's rows are ignored: the record decides what the commit holds
    record, did = windows.commit_files(str(tmp_path), "c", pending(range(9)), {})
    assert did and record["status"] == "committed"
    assert refs(tmp_path) == [f"in:{n}" for n in range(5)] and len(visible(tmp_path)) == 3


def test_recover_finishes_commits_a_dead_job_left_staged(tmp_path):
    with pytest.raises(Crash):
        windows.commit_files(str(tmp_path), "dead", pending(range(3)), {}, crash_at("published", 0))
    assert windows.recover(str(tmp_path)) == ["dead"]
    assert refs(tmp_path) == ["in:0", "in:1", "in:2"] and windows.recover(str(tmp_path)) == []


def test_compact_merges_a_partitions_small_files_exactly_once(tmp_path):
    output = str(tmp_path)
    for window, numbers in enumerate(([0, 1], [2], [3, 4], [5])):
        windows.commit_files(output, f"w{window}", pending(numbers, f"w{window}"), {})
    assert len(visible(tmp_path)) == 4
    done = windows.compact(output, ("rejects",), max_rows=100)
    assert done["merged"] == [{"table": "rejects", "partition": "date=2024-05-01", "files_in": 4,
                               "files_out": 1, "rows": 6}]
    assert refs(tmp_path) == [f"in:{n}" for n in range(6)] and len(visible(tmp_path)) == 1
    assert windows.compact(output, ("rejects",), max_rows=100)["merged"] == []


def test_interrupted_compaction_is_finished_without_duplicates(tmp_path):
    output = str(tmp_path)
    for window, numbers in enumerate(([0], [1], [2])):
        windows.commit_files(output, f"w{window}", pending(numbers, f"w{window}"), {})
    paths = windows.partition_files(output, "rejects")["date=2024-05-01"]
    with pytest.raises(Crash):
        windows.compact_partition(output, "rejects", "date=2024-05-01", paths, 100, "zstd",
                                  crash_at("published", 0))
    assert len(visible(tmp_path)) == 4  # merged file in place, the small ones not yet deleted
    done = windows.compact(output, ("rejects",), max_rows=100)
    assert done["recovered"] and refs(tmp_path) == ["in:0", "in:1", "in:2"] and len(visible(tmp_path)) == 1

"""Exactly once (issue 11): runs killed with SIGKILL at each step of the commit, then rerun with
and without new input; full refresh; a second run refused; run ids; corrupt state; empty tables.

The crash is real: NEWSPIPE_FAULT=<point>:<n> makes the run kill itself (transforms.common.faults)
at a named step, so the rerun meets exactly what a dead machine leaves behind."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from bench.faults import invariants, make_batch, merge, pipeline_command, run, violations
from bench.faults import main as faults_main
from tests.helpers import ROOT, read_rows, run_cli

TABLES = ("articles", "quotes", "rejects", "clusters")


def counts(output: Path) -> dict[str, int]:
    return {table: len(read_rows(output, table)) for table in TABLES}


@pytest.fixture
def corpus(tmp_path):
    """A folder of 30 records (copies of stories, an invalid line per file, a line in two files,
    a copied file, a symlink), and a function adding a new file of 12 records."""
    rng = random.Random(5)
    inputs = tmp_path / "in"
    inputs.mkdir()
    stories: list = []
    expected = {"valid": set(), "bad": set()}
    merge(expected, make_batch(inputs, 0, 60, rng, stories))  # two files of 50 and 10
    os.symlink(inputs / "batch0000-000.jsonl", inputs / "link.jsonl")
    bad_line = next(r for r in expected["bad"] if "batch0000-000.jsonl:" in r and "copy" not in r)
    expected["bad"].add(str(inputs / "link.jsonl") + ":" + bad_line.rsplit(":", 1)[1])
    batches = iter(range(1, 100))

    def add_file():
        merge(expected, make_batch(inputs, next(batches), 12, rng, stories))

    return inputs, tmp_path / "out", expected, add_file


def clean_run(inputs: Path, output: Path, *extra: str) -> None:
    assert run(pipeline_command(inputs, output, *extra)) == 0


STEPS = ["write:2", "staged:1", "committed:1", "publish:1", "publish:3", "delete:1", "published:1"]


def test_killed_at_every_step_in_turn_then_rerun_keeps_every_invariant(corpus):
    """A new file arrives before each run and each run is killed at the next step: each run
    first finishes or discards what the one before left (recovery of a recovery), and the
    copies in the new file move canonicals (articles files rewritten, old ones deleted)."""
    inputs, output, expected, add_file = corpus
    clean_run(inputs, output)
    assert not violations(invariants(output, expected))
    for step in STEPS:
        add_file()
        assert run(pipeline_command(inputs, output), fault=step) == -9, step
    clean_run(inputs, output)
    found = invariants(output, expected)
    assert not violations(found), found
    assert read_rows(output, "clusters"), "the new files should have joined earlier stories"
    records = [json.loads(p.read_text()) for p in (output / "_runs").glob("*.json")]
    rewritten = [f for r in records if r["status"] == "committed" for f in r["files"]["removed"]]
    assert any("/articles/" in f for f in rewritten), "a canonical should have moved"
    assert sum(r["status"] == "failed" for r in records) >= 2  # killed before their commit
    before = counts(output)
    clean_run(inputs, output)  # the same input again: no row of any table
    assert counts(output) == before


@pytest.mark.slow
def test_random_kills_bench_small(tmp_path):
    """bench/faults.py with a small N (NEWSPIPE_FAULT_KILLS, default 2)."""
    kills = os.environ.get("NEWSPIPE_FAULT_KILLS", "2")
    assert faults_main(["--kills", kills, "--records", "40", "--new-records", "8",
                        "--work", str(tmp_path / "bench")]) == 0


def test_full_refresh_replaces_what_the_output_held(corpus):
    inputs, output, expected, _ = corpus
    clean_run(inputs, output)
    first = counts(output)
    # killed between two deletes of the old files: the next run finishes the refresh first
    assert run(pipeline_command(inputs, output, "--full-refresh"), fault="delete:2") == -9
    clean_run(inputs, output)
    assert counts(output) == first  # was 13 -> 18 rows with 8 distinct ids
    assert not violations(invariants(output, expected))


def test_failed_run_leaves_the_last_commit_and_a_failed_record(corpus):
    inputs, output, expected, add_file = corpus
    clean_run(inputs, output, "--run-id", "first")
    before = counts(output)
    add_file()
    result = run_cli("run", "--input", str(inputs), "--output", str(output), "--run-id", "second",
                     env={"NEWSPIPE_FAULT": "staged:1:raise"})
    assert result.returncode == 1 and "fault injected" in result.stderr
    assert counts(output) == before
    assert not list(output.glob("_staging/*/*"))
    record = json.loads((output / "_runs" / "second.json").read_text())
    assert record["status"] == "failed"
    clean_run(inputs, output, "--run-id", "second")  # the retry takes the failed record's place
    assert json.loads((output / "_runs" / "second.json").read_text())["status"] == "committed"
    assert not violations(invariants(output, expected))


def test_reused_run_id_keeps_the_earlier_commit(corpus):
    inputs, output, expected, add_file = corpus
    clean_run(inputs, output, "--run-id", "daily")
    add_file()
    clean_run(inputs, output, "--run-id", "daily")  # a scheduler's retry keeps its run id
    records = sorted(p.name for p in (output / "_runs").iterdir())
    assert records == ["daily.g00000002.json", "daily.json"]
    before = counts(output)
    clean_run(inputs, output, "--run-id", "daily")
    assert counts(output) == before  # the first attempt's ingested set was not overwritten
    assert not violations(invariants(output, expected))


def test_second_run_while_one_runs_is_refused(corpus):
    inputs, output, _, _ = corpus
    (output / "_lock").mkdir(parents=True)
    lock = output / "_lock" / "00000000000000000001-other.json"
    lock.write_text(json.dumps({"run_id": "busy", "pid": os.getpid(), "host": socket.gethostname(),
                                "created": 1.0}))
    result = run_cli("run", "--input", str(inputs), "--output", str(output))
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("pipeline: error:") and "in use by run busy" in last
    assert "Traceback" not in result.stderr
    lock.unlink()


def test_two_runs_at_once_one_is_refused(corpus):
    """Was: both exit 0 and the dedup index loses entries."""
    inputs, output, expected, _ = corpus
    release = output.parent / "release"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSPIPE_FAULT": f"staged:1:wait={release}"}
    first = subprocess.Popen(pipeline_command(inputs, output), cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # the first run holds its lock, then waits at the end of its pipeline until released
    while not list(output.glob("_staging/*/_pending.json")) and first.poll() is None:
        time.sleep(0.1)
    second = run_cli("run", "--input", str(inputs), "--output", str(output))
    release.write_text("")
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert second.returncode == 2 and "in use by run" in second.stderr.strip().splitlines()[-1]
    assert not violations(invariants(output, expected))


@pytest.fixture(scope="module")
def committed_once(tmp_path_factory):
    """Inputs and an output after one clean run, shared: tests work on a copy of the output
    (commit records hold relative paths, so a copied output is a whole one)."""
    folder = tmp_path_factory.mktemp("committed")
    inputs = folder / "in"
    inputs.mkdir()
    make_batch(inputs, 0, 20, random.Random(3), [])
    clean_run(inputs, folder / "out")
    return inputs, folder / "out"


@pytest.mark.parametrize("damage", ["empty_record", "dangling_part", "dedup_shard"])
def test_corrupt_state_stops_the_run_with_exit_2(committed_once, tmp_path, damage):
    inputs, base = committed_once
    output = tmp_path / "out"
    shutil.copytree(base, output)
    state = output / "_state"
    if damage == "empty_record":
        (state / "_log" / "g00000001.json").write_text("")
    elif damage == "dangling_part":
        next((state / "ingested").iterdir()).unlink()
    else:
        next((state / "dedup").rglob("fp-003.parquet")).write_bytes(b"PAR1 not parquet")
    before = counts(output)
    result = run_cli("run", "--input", str(inputs), "--output", str(output))
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("pipeline: error:") and "corrupt" in last and "Traceback" not in result.stderr
    assert counts(output) == before


def test_a_copied_output_carries_on(committed_once, tmp_path):
    inputs, base = committed_once
    output = tmp_path / "moved"
    shutil.copytree(base, output)
    before = counts(output)
    clean_run(inputs, output)  # the copy's state says everything was ingested
    assert counts(output) == before


@pytest.mark.parametrize("run_id", ["../escape", "a/b"])
def test_bad_run_id_is_exit_2(tmp_path, run_id):
    result = run_cli("run", "--output", str(tmp_path / "out"), "--run-id", run_id)
    assert result.returncode == 2 and "invalid --run-id" in result.stderr


def test_empty_tables_exist_and_read(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("A plain article with enough words to be kept as one. " * 4)
    clean_run(tmp_path / "in", tmp_path / "out")
    assert read_rows(tmp_path / "out", "rejects") == [] and read_rows(tmp_path / "out", "clusters") == []
    pattern = str(tmp_path / "out" / "rejects" / "**" / "*.parquet")
    sql = f"select count(*) from read_parquet('{pattern}', hive_partitioning=true)"
    assert duckdb.sql(sql).fetchall() == [(0,)]

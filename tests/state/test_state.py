"""Cross-run state and the commit log: generations, recovery, lock, corrupt state."""

from __future__ import annotations

import json
import os
import socket

import pytest

from transforms.state import log
from transforms.state.ingested import State, StateError, ingest_items, stage_state, write_pending


def commit_run(state_dir: str, output: str, items: list, full_refresh: bool = False) -> log.Commit:
    head = log.recover(state_dir, output)
    generation = (head.generation if head else 0) + 1
    attempt = f"g{generation:08d}-test"
    pending = f"{output}/_staging/{attempt}/_pending.json"
    write_pending(items, pending)
    state = State.load(state_dir, full_refresh)
    section, _ = stage_state(state, pending, attempt)
    commit = log.Commit(generation=generation, run_id=f"r{generation}", attempt=attempt, output=output,
                        state=section)
    log.write_commit(state_dir, commit)
    log.publish(state_dir, commit)
    log.collect_garbage(state_dir, commit)
    return commit


def article(article_id: str, url: str | None = None):
    return next(ingest_items("article", {"article_id": article_id, "url": url, "input_ref": "/x"}))


def test_empty_then_committed_then_loaded(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    assert State.load(st).head is None
    reject = {"input_ref": "/in/bad.jsonl:3", "stage": "read", "error_type": "bad_json"}
    items = [article("a1", "HTTP://News.test/x?utm_source=rss#top"), article("a2"),
             *ingest_items("reject", reject), ("cursor", ["http://f.test/rss", {"etag": '"1"'}])]
    commit_run(st, out, items)
    loaded = State.load(st)
    assert loaded.is_ingested(article_id="a2") and loaded.is_ingested(url="http://news.test/x")
    assert loaded.is_reported(reject) and not loaded.is_reported({**reject, "input_ref": "/other"})
    assert loaded.cursor("http://f.test/rss") == {"etag": '"1"'}
    commit_run(st, out, [article("a3")])
    again = State.load(st)
    assert {"a1", "a2", "a3"} <= again.article_ids and again.cursor("http://f.test/rss")
    parts = sorted(p.name for p in (tmp_path / "st" / "ingested").iterdir())
    assert parts == ["part-g00000001-test.jsonl", "part-g00000002-test.jsonl"]
    header = json.loads((tmp_path / "st" / "ingested" / parts[0]).read_text().splitlines()[0])
    assert header["schema_version"] == 1


def test_full_refresh_ignores_then_replaces(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    commit_run(st, out, [article("a1"), ("cursor", ["http://f.test/", {"etag": "x"}])])
    fresh = State.load(st, full_refresh=True)
    assert not fresh.is_ingested(article_id="a1") and fresh.cursor("http://f.test/") == {}
    commit_run(st, out, [article("b1")], full_refresh=True)
    after = State.load(st)
    assert after.article_ids == {"b1"} and after.cursors == {}
    assert [p.name for p in (tmp_path / "st" / "ingested").iterdir()] == ["part-g00000002-test.jsonl"]


def test_uncommitted_state_files_are_ignored_then_removed(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    commit_run(st, out, [article("a1")])
    stray = tmp_path / "st" / "ingested" / "part-g00000002-crashed.jsonl"
    stray.write_text('{"schema_version": 1}\n["article", "zz"]\n')
    assert not State.load(st).is_ingested(article_id="zz")
    commit_run(st, out, [article("a2")])
    assert not stray.exists()


@pytest.mark.parametrize("damage", ["empty", "garbage", "missing_part", "old_version"])
def test_corrupt_state_is_one_line_error_never_a_reset(tmp_path, damage):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    commit_run(st, out, [article("a1")])
    record = tmp_path / "st" / "_log" / "g00000001.json"
    part = tmp_path / "st" / "ingested" / "part-g00000001-test.jsonl"
    if damage == "empty":
        record.write_text("")
    elif damage == "garbage":
        part.write_text("{not json")
    elif damage == "missing_part":
        part.unlink()
    else:
        record.write_text(json.dumps({**json.loads(record.read_text()), "schema_version": 99}))
    with pytest.raises(StateError) as error:
        State.load(st)
    assert "\n" not in str(error.value)


def test_recovery_finishes_a_publish_cut_between_two_renames(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    staging = tmp_path / "out" / "_staging" / "g00000001-x"
    (staging / "t").mkdir(parents=True)
    for name in "ab":
        (staging / "t" / name).write_text(name)
    (tmp_path / "out" / "t").mkdir()
    (tmp_path / "out" / "t" / "old").write_text("old")
    commit = log.Commit(generation=1, run_id="r", attempt="g00000001-x", output=out,
                        publish=[[str(staging / "t" / n), f"{out}/t/{n}"] for n in "ab"],
                        delete=[f"{out}/t/old"])
    log.write_commit(st, commit)
    os.rename(staging / "t" / "a", tmp_path / "out" / "t" / "a")  # the crash came after one rename
    assert log.recover(st, out).generation == 1
    assert sorted(p.name for p in (tmp_path / "out" / "t").iterdir()) == ["a", "b"]
    assert not staging.exists() and (tmp_path / "st" / "_log" / "g00000001.published").exists()
    log.recover(st, out)  # idempotent
    assert sorted(p.name for p in (tmp_path / "out" / "t").iterdir()) == ["a", "b"]


def test_uncommitted_staging_is_discarded_and_recorded_failed(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    staging = tmp_path / "out" / "_staging" / "g00000001-y"
    (staging / "articles").mkdir(parents=True)
    (staging / "articles" / "part.parquet").write_text("x")
    (staging / "_attempt.json").write_bytes(log.attempt_info("nightly", 1, "g00000001-y"))
    assert log.recover(st, out) is None
    assert not staging.exists()
    assert json.loads((tmp_path / "out" / "_runs" / "nightly.json").read_text())["status"] == "failed"


def test_a_streaming_window_commit_in_flight_is_left_alone(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    window = tmp_path / "out" / "_staging" / "stream-1.w20240501T101000Z-600s-p0" / "articles"
    window.mkdir(parents=True)
    (window / "part.parquet").write_text("x")
    assert log.recover(st, out) is None
    assert (window / "part.parquet").exists()  # the streaming job finishes its own commits


def test_staging_left_by_a_published_commit_is_not_recorded_failed(tmp_path):
    st, out = str(tmp_path / "st"), str(tmp_path / "out")
    commit = commit_run(st, out, [article("a1")])
    staging = tmp_path / "out" / "_staging" / commit.attempt
    staging.mkdir(parents=True)  # the crash came after the marker, before the cleanup
    (staging / "_attempt.json").write_bytes(log.attempt_info("r1", 1, commit.attempt))
    log.recover(st, out)
    assert not staging.exists() and not (tmp_path / "out" / "_runs").exists()


def test_lock_refuses_a_second_run_and_takes_over_a_dead_one(tmp_path):
    folder = str(tmp_path / "out")
    first = log.acquire([folder], "one")
    with pytest.raises(log.LockError, match="in use by run one"):
        log.acquire([folder], "two")
    first.release()
    dead = tmp_path / "out" / "_lock" / "00000000000000000001-dead.json"
    dead.write_text(json.dumps({"run_id": "old", "pid": 2 ** 22 + 12345, "host": socket.gethostname(),
                                "created": 1.0}))
    lock = log.acquire([folder], "three")
    assert not dead.exists()
    lock.release()
    assert not list((tmp_path / "out" / "_lock").iterdir())


@pytest.mark.parametrize("run_id", ["../x", "a/b", "", ".hidden", "a" * 200, "x\\y"])
def test_bad_run_ids_are_refused(run_id):
    with pytest.raises(StateError):
        log.check_run_id(run_id)


def test_reused_run_id_never_overwrites_a_committed_record(tmp_path):
    out = str(tmp_path)
    first = log.run_record_path(out, "daily", 1)
    (tmp_path / "_runs").mkdir()
    (tmp_path / "_runs" / "daily.json").write_text(json.dumps({"status": "committed"}))
    assert log.run_record_path(out, "daily", 2) != first
    (tmp_path / "_runs" / "daily.json").write_text(json.dumps({"status": "failed"}))
    assert log.run_record_path(out, "daily", 2) == first

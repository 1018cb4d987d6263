"""Cross-run state: ingested ids and URLs, feed cursors, full refresh, atomic files."""

from __future__ import annotations

import pytest

from transforms.state.ingested import State, StateError


def test_empty_then_recorded_then_loaded(tmp_path):
    state = State.load(tmp_path / "st")
    assert not state.is_ingested(article_id="a1") and state.cursor("http://f.test/rss") == {}
    state.record_run(
        "r1",
        ["a1", "a2"],
        ["HTTP://News.test/x?utm_source=rss#top", "not a url"],
        {"http://f.test/rss": {"etag": '"1"'}},
        done_urls=["http://news.test/gone"],
    )
    loaded = State.load(tmp_path / "st")
    assert loaded.is_ingested(article_id="a2")
    assert loaded.is_ingested(url="http://news.test/x") and loaded.is_ingested(url="http://NEWS.test/x#other")
    assert loaded.is_ingested(url="http://news.test/gone")
    assert not loaded.is_ingested(url="http://news.test/y") and not loaded.is_ingested()
    assert loaded.cursor("http://f.test/rss") == {"etag": '"1"'}
    loaded.record_run("r2", ["a3"], [], {"http://g.test/rss": {"etag": '"9"'}})
    again = State.load(tmp_path / "st")
    assert {"a1", "a3"} <= again.article_ids
    assert set(again.cursors) == {"http://f.test/rss", "http://g.test/rss"}
    assert not list((tmp_path / "st").rglob("*.tmp"))


def test_full_refresh_ignores_then_replaces(tmp_path):
    State.load(tmp_path).record_run("old", ["a1"], ["http://n.test/1"], {"http://f.test/": {"etag": "x"}})
    fresh = State.load(tmp_path, full_refresh=True)
    assert not fresh.is_ingested(article_id="a1") and fresh.cursor("http://f.test/") == {}
    fresh.record_run("new", ["b1"], [], {})
    after = State.load(tmp_path)
    assert after.article_ids == {"b1"} and after.cursors == {}
    assert [p.name for p in (tmp_path / "ingested").iterdir()] == ["part-new.json"]


def test_corrupt_state_is_one_line_error(tmp_path):
    (tmp_path / "ingested").mkdir()
    (tmp_path / "ingested" / "part-x.json").write_text("{not json")
    with pytest.raises(StateError, match="--full-refresh"):
        State.load(tmp_path)
    assert State.load(tmp_path, full_refresh=True).article_ids == set()

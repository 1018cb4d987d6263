"""Polling a feed on 127.0.0.1 (conditional GET, cursors) and what an entry becomes when its
page fails."""

from __future__ import annotations

from tests.helpers import LocalServer, Reply, html_page, rss
from transforms.feeds.polling import entry_tasks, read_feed_source
from transforms.feeds.specs import FeedSpec
from transforms.fetch.client import Fetcher
from transforms.fetch.settings import FetchSettings
from transforms.fetch.tasks import run_task

LONG = "<p>" + " ".join(["The minister said the talks would continue next week."] * 8) + "</p>"


def test_conditional_get_and_entry_fallbacks():
    items = [
        {"link": "/ok", "title": "OK"},
        {"link": "/gone", "title": "Gone long", "content": LONG},
        {"link": "/gone2", "title": "Gone short", "summary": "too short"},
        {"link": "file:///etc/passwd", "title": "File", "summary": "x"},
    ]
    with LocalServer() as server:
        feed_url = server.add(
            "/feed",
            lambda handler: (
                Reply(304)
                if handler.headers.get("If-None-Match") == '"v1"'
                else Reply(200, rss(items), {"Content-Type": "application/rss+xml", "ETag": '"v1"'})
            ),
        )
        server.add("/ok", Reply(200, html_page("OK"), {"Content-Type": "text/html"}))
        fetcher = Fetcher(FetchSettings(allow_private_networks=True, max_retries=0, per_host_min_delay_s=0))
        spec = FeedSpec(url=feed_url, name="Local")
        feed, cursor = read_feed_source(spec, fetcher, {})
        assert cursor["etag"] == '"v1"' and len(feed.entries) == 4
        again, cursor2 = read_feed_source(spec, fetcher, cursor)
        assert again is None and cursor2["etag"] == '"v1"'
        outcomes = [run_task(fetcher, task) for task in entry_tasks(spec, feed, 200)]
    tags = [tag for tag, _ in outcomes]
    assert tags == ["record", "record", "reject", "reject"]
    page, fallback = outcomes[0][1], outcomes[1][1]
    assert page["html"] and not page["from_feed_content"] and page["source"] == "Local"
    assert fallback["from_feed_content"] and fallback["text"].startswith("The minister said")
    assert outcomes[2][1]["error_type"] == "http_404" and "too short" in outcomes[2][1]["error_message"]
    assert outcomes[3][1]["error_type"] == "blocked_scheme"



def test_last_modified_cursor_and_bad_tasks_do_not_crash():
    stamp = "Tue, 10 Jun 2025 04:00:00 GMT"
    items = [{"link": "http://[::1/bad", "title": "malformed"}, {"link": "/x", "title": "x"}]
    with LocalServer() as server:
        feed_url = server.add("/feed", lambda handler: (
            Reply(304) if handler.headers.get("If-Modified-Since") == stamp else
            Reply(200, rss(items), {"Content-Type": "application/rss+xml", "Last-Modified": stamp})))
        fetcher = Fetcher(FetchSettings(allow_private_networks=True, max_retries=0, per_host_min_delay_s=0))
        spec = FeedSpec(url=feed_url)
        feed, cursor = read_feed_source(spec, fetcher, {})
        assert cursor["last_modified"] == stamp and cursor.get("etag") is None
        assert read_feed_source(spec, fetcher, cursor)[0] is None
        outcomes = [run_task(fetcher, task) for task in entry_tasks(spec, feed, 200)]
    assert [tag for tag, _ in outcomes] == ["reject", "reject"]
    assert outcomes[1][1]["error_type"] == "http_404"

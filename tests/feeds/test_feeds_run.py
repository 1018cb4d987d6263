"""Feeds through the real pipeline (`python -m pipeline run`) against a server on 127.0.0.1:
a feed with one broken entry gives one reject and the articles of its other entries."""

from __future__ import annotations

from tests.helpers import LocalServer, Reply, html_page, read_rows, rss, run_cli

CONFIG = "fetch:\n  allow_private_networks: true\n  per_host_min_delay_s: 0.0\n  max_retries: 0\n"


def test_one_bad_entry_is_one_reject_and_the_others_go_on(tmp_path):
    with LocalServer() as server:
        items = [
            {"link": server.url("/one"), "title": "One"},
            {"link": server.url("/two"), "title": "Two &#xD800; broken"},
            {"link": server.url("/three"), "title": "Three"},
        ]
        feed = server.add("/feed.xml", Reply(200, rss(items), {"Content-Type": "application/rss+xml"}))
        for name in ("one", "two", "three"):
            page = html_page(f"Story {name} of the harvest")
            server.add(f"/{name}", Reply(200, page, {"Content-Type": "text/html"}))
        config = tmp_path / "config.yaml"
        config.write_text(CONFIG)
        result = run_cli("run", "--config", str(config), "--output", str(tmp_path / "out"), "--feed", feed)
    assert result.returncode == 0, result.stderr
    articles = sorted(a["input_ref"].rsplit("/", 1)[-1] for a in read_rows(tmp_path / "out", "articles"))
    rejects = read_rows(tmp_path / "out", "rejects")
    assert articles == ["one", "three"]
    assert [(r["input_ref"], r["stage"], r["error_type"]) for r in rejects] == [
        (f"{feed}#entry-2", "feeds", "feed_entry")
    ]
    assert server.hits("/two") == 0

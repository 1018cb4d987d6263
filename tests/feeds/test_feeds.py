"""Feed parsing (RSS 0.91/1.0/2.0, Atom, wrong charsets, broken XML, entity attacks), the
feed list of the config and OPML, and what an entry becomes when its page fails."""

from __future__ import annotations

import time

import pytest

from tests.helpers import LocalServer, Reply, html_page, rss
from transforms.common.config import ConfigError
from transforms.feeds.feeds import FeedError, FeedSpec, entry_tasks, feed_specs, parse_feed, read_feed_source
from transforms.fetch.client import Fetcher, FetchSettings, run_task

LONG = "<p>" + " ".join(["The minister said the talks would continue next week."] * 8) + "</p>"


def test_rss2_twenty_entries():
    items = [
        {
            "link": f"http://news.test/a/{n}?utm_source=rss",
            "title": f"Story {n}",
            "summary": "Short",
            "content": LONG,
        }
        for n in range(20)
    ]
    feed = parse_feed(rss(items))
    assert len(feed.entries) == 20 and feed.warning is None
    first = feed.entries[0]
    assert first.link == "http://news.test/a/0?utm_source=rss" and first.title == "Story 0"
    assert first.published == "2025-06-10T04:00:00Z" and first.summary == "Short"
    assert "minister said" in first.content
    tasks = entry_tasks(FeedSpec(url="http://news.test/feed", name="News"), feed, 300)
    assert tasks[0]["url"] == "http://news.test/a/0" and tasks[0]["source"] == "News"


RSS091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>http://o.test/</link>
<description>x</description><item><title>One</title><link>http://o.test/1</link><description>D</description></item>
</channel></rss>"""
RSS10 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://r.test/"><title>RDF</title><link>http://r.test/</link><description>x</description></channel>
<item rdf:about="http://r.test/1"><title>One</title><link>http://r.test/1</link><dc:date>2025-06-10T04:00:00Z</dc:date>
</item></rdf:RDF>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<id>urn:x</id><updated>2025-06-10T04:00:00Z</updated><entry><title>One</title><id>urn:1</id>
<link rel="alternate" href="/story/1"/><updated>2025-06-10T05:00:00+01:00</updated>
<summary>Sum</summary><content type="html">&lt;p&gt;Body text&lt;/p&gt;</content></entry></feed>"""


@pytest.mark.parametrize(("body", "link"), [(RSS091, "http://o.test/1"), (RSS10, "http://r.test/1")])
def test_old_rss_versions(body, link):
    feed = parse_feed(body)
    assert [e.link for e in feed.entries] == [link] and feed.entries[0].title == "One"


def test_atom_relative_link_and_times():
    feed = parse_feed(ATOM, base_url="http://atom.test/feed.xml")
    entry = feed.entries[0]
    assert entry.link == "http://atom.test/story/1"
    assert entry.published == "2025-06-10T04:00:00Z"
    assert entry.summary == "Sum" and "Body text" in entry.content


def test_wrong_or_missing_charset_declarations():
    items = [{"link": "http://c.test/1", "title": "Президент России", "summary": "Переговоры"}]
    utf8_declared_latin1 = rss(items, encoding="utf-8", declared="iso-8859-1")
    cp1251_declared_utf8 = rss(items * 5, encoding="cp1251", declared="utf-8")
    cp1251_header_only = rss(items, encoding="cp1251").replace(b' encoding="cp1251"', b"")
    assert parse_feed(utf8_declared_latin1).entries[0].title == "Президент России"
    assert parse_feed(cp1251_declared_utf8).entries[0].title == "Президент России"
    assert parse_feed(cp1251_header_only, "application/rss+xml; charset=windows-1251").entries[0].title == (
        "Президент России"
    )


def test_broken_xml():
    good = rss([{"link": "http://b.test/1", "title": "One"}, {"link": "http://b.test/2", "title": "Two"}])
    truncated = good[: good.index(b"<item>", 200) + 60]  # cut inside the second item
    feed = parse_feed(truncated)
    assert feed.warning and feed.entries[0].link == "http://b.test/1"
    with pytest.raises(FeedError) as caught:
        parse_feed(b"<html><body>Not a feed <b>at all</body></html>")
    assert caught.value.error_type == "feed_parse"
    with pytest.raises(FeedError):
        parse_feed(b"\x00\x01 garbage")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>http://e.test/1</link>
<description>&lol9;</description></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&xxe;</title><link>http://e.test/2</link>
<description>&xxe;</description></item></channel></rss>"""


def test_entity_attacks_are_harmless():
    started = time.monotonic()
    feed = parse_feed(BILLION_LAUGHS)
    assert time.monotonic() - started < 2
    assert [e.link for e in feed.entries] == ["http://e.test/1"]
    assert "lollol" not in (feed.entries[0].title or "") + (feed.entries[0].content or "")
    feed = parse_feed(XXE)
    assert "root:" not in (feed.entries[0].title or "") + (feed.entries[0].content or "")


def test_feed_list_from_config_cli_and_opml(tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        '<outline text="Wire" xmlUrl="https://wire.test/rss"/>'
        '<outline text="Bad" xmlUrl="file:///etc/passwd"/></outline></body></opml>'
    )
    specs = feed_specs(
        [
            "https://a.test/feed",
            {"url": "https://b.test/rss", "name": "B News", "fetch_pages": False},
            {"opml": str(opml)},
        ],
        ["https://a.test/feed", "local/feed.xml"],
    )
    assert [(s.url, s.name) for s in specs] == [
        ("https://a.test/feed", None),
        ("https://b.test/rss", "B News"),
        ("https://wire.test/rss", "Wire"),
        ("local/feed.xml", None),
    ]
    assert specs[1].fetch_pages is False
    for bad, words in [
        ({"feeds": 3}, "must be a list"),
        ([{"name": "x"}], "url' is required"),
        ([{"url": "x", "nme": 1}], "nme"),
        ([{"url": "x", "max_entries": "5"}], "max_entries"),
        (["file:///etc/passwd"], "http(s) or a local path"),
    ]:
        with pytest.raises(ConfigError, match=words.replace("(", r"\(").replace(")", r"\)")):
            feed_specs(bad.get("feeds") if isinstance(bad, dict) else bad)


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


def test_feed_files_by_extension_gzip_and_sniffing(tmp_path):
    import gzip

    from transforms.common.config import load_config
    from transforms.feeds.feeds import split_feed_files

    (tmp_path / "a.feed").write_bytes(rss([{"link": "http://x.test/1"}]))
    (tmp_path / "b.xml.gz").write_bytes(gzip.compress(rss([{"link": "http://x.test/2"}])))
    (tmp_path / "c.dat").write_bytes(b"plain text article")
    (tmp_path / "d.txt").write_bytes(b"<rss> a text file stays text")
    files = sorted(str(p) for p in tmp_path.iterdir())
    others, feeds = split_feed_files(files, load_config()["input"])
    assert [p.rsplit("/", 1)[1] for p in feeds] == ["a.feed", "b.xml.gz"]
    assert [p.rsplit("/", 1)[1] for p in others] == ["c.dat", "d.txt"]
    feed, _ = read_feed_source(FeedSpec(url=str(tmp_path / "b.xml.gz")), None, {})
    assert feed.entries[0].link == "http://x.test/2"

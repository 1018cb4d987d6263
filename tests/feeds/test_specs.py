"""Which feeds: the config's list, --feed values, OPML, and input files that are feeds."""

from __future__ import annotations

import gzip

import pytest

from tests.helpers import rss
from transforms.common.config import ConfigError, load_config
from transforms.feeds.polling import read_feed_source
from transforms.feeds.specs import FeedSpec, feed_specs, split_feed_files


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



def test_feed_files_by_extension_gzip_and_sniffing(tmp_path):
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

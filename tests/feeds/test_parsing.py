"""Feed parsing: RSS 0.91/1.0/2.0, Atom, wrong charsets, broken XML, entity attacks."""

from __future__ import annotations

import time

import pytest

from tests.helpers import rss
from transforms.feeds.parsing import FeedError, parse_feed, safe_feed_bytes
from transforms.feeds.polling import entry_tasks
from transforms.feeds.specs import FeedSpec

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
    assert tasks[0].url == "http://news.test/a/0" and tasks[0].source == "News"



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


def test_decoy_doctype_in_a_comment_does_not_hide_the_real_one():
    """The DOCTYPE is found by a parser, not a pattern: a decoy inside a comment (and padding
    past any scan window) does not let the real one's entities through."""
    laughs = BILLION_LAUGHS.split(b"\n", 1)[1].split(b"<rss", 1)[0].replace(b"<!DOCTYPE rss [", b"")
    decoy = (
        b'<?xml version="1.0"?><!-- <!DOCTYPE decoy> ' + b"pad " * 80_000 + b"-->\n"
        b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">' + laughs + b"\n"
        b'<rss version="2.0"><channel><title>T</title><item><title>&lol9; &xxe;</title>'
        b"<link>http://e.test/3</link><description>Caf&#233; &amp; bar</description></item></channel></rss>"
    )
    safe = safe_feed_bytes(decoy)
    assert b"<!ENTITY" not in safe and b"<!DOCTYPE rss" not in safe  # what feedparser sees
    feed = parse_feed(decoy)
    entry = feed.entries[0]
    assert entry.link == "http://e.test/3" and entry.content == "Café & bar"
    assert "lollol" not in (entry.title or "") and "root:" not in (entry.title or "")


def test_one_bad_character_reference_rejects_one_entry():
    items = [
        {"link": "http://b.test/1", "title": "One"},
        {"link": "http://b.test/2", "title": "Two &#xD800; broken"},
        {"link": "http://b.test/3", "title": "Three &amp; more"},
    ]
    feed = parse_feed(rss(items))
    assert [e.link for e in feed.entries] == ["http://b.test/1", "http://b.test/3"]
    assert feed.entries[1].title == "Three & more"
    assert [(bad.position, bad.error_type) for bad in feed.bad_entries] == [(2, "feed_entry")]
    assert "b.test/2" in feed.bad_entries[0].excerpt

"""Parsing RSS 0.9x/1.0/2.0 and Atom into entries.

Feed bytes are made safe before feedparser sees them: the DOCTYPE (and with it every entity
declaration: billion laughs, external entities) is removed, and the text is transcoded to
UTF-8 after our own charset detection, since feeds often declare the wrong charset.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import feedparser

from transforms.common.rejects import RejectError
from transforms.common.urls import is_http_url
from transforms.fetch.bodies import html_to_text
from transforms.fetch.charset import detect_charset


class FeedError(RejectError):
    """A feed that cannot be read or parsed."""


@dataclass
class FeedEntry:
    link: str | None
    entry_id: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601 UTC when parseable, else as given
    summary: str | None = None  # plain text
    content: str | None = None  # the longest HTML body the entry carries


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # what feedparser tolerated (bozo), if anything


_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.I | re.S)
_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?)\bencoding\s*=\s*[\"'][^\"']*[\"']", re.I)


def sanitize_feed_bytes(body: bytes, content_type: str | None = None) -> bytes:
    """UTF-8 bytes without DOCTYPE; raises FeedError when entity declarations remain."""
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace").lstrip("\ufeff")
    data = _DOCTYPE.sub(b"", text.encode("utf-8"), count=1)
    if re.search(rb"<!ENTITY", data[:200_000], re.I):
        raise FeedError("feed_entities", "feed declares XML entities outside a DOCTYPE; refused", body[:512])
    return _XML_DECL.sub(rb'\1encoding="utf-8"', data, count=1)


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return None


def parse_feed(body: bytes, content_type: str | None = None, base_url: str | None = None) -> ParsedFeed:
    """Entries of an RSS/Atom document. Tolerates what feedparser tolerates (reported as
    warning); raises FeedError when nothing feed-like is in it."""
    data = sanitize_feed_bytes(body, content_type)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=True, sanitize_html=True)
    warning = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else None
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FeedError("feed_parse", f"not a readable RSS/Atom feed ({warning or 'no entries'})", body[:512])
    entries = [_entry(item, base_url) for item in parsed.entries]
    return ParsedFeed(title=parsed.feed.get("title"), entries=entries, warning=warning)


def _entry(item: Any, base_url: str | None) -> FeedEntry:
    link = item.get("link") or next(
        (ln.get("href") for ln in item.get("links", []) if ln.get("rel") == "alternate"), None
    )
    if not link and is_http_url(item.get("id") or ""):
        link = item.get("id")  # RSS guid isPermaLink / Atom id that is a URL
    contents = [c.get("value") or "" for c in item.get("content", [])]
    summary_html = item.get("summary") or ""
    content = max([*contents, summary_html], key=len) or None
    summary = html_to_text(summary_html) if summary_html and summary_html != content else None
    published = _iso(item.get("published_parsed") or item.get("updated_parsed")) or item.get("published")
    return FeedEntry(
        link=link.strip() if link else None,
        entry_id=item.get("id"),
        title=item.get("title"),
        published=published,
        summary=summary or None,
        content=content,
    )


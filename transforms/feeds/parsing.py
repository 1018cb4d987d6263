"""Parsing RSS 0.9x/1.0/2.0 and Atom into entries.

Feed bytes are made safe before feedparser sees them (transforms.feeds.safexml): UTF-8 by our
own charset detection (feeds often declare the wrong charset), and no DOCTYPE, so no entity is
ever expanded or loaded. An entry that breaks the parser is isolated: one bad entry, the
others go on.
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
from transforms.feeds.safexml import UnsafeFeed, safe_bytes
from transforms.fetch.bodies import html_to_text


class FeedError(RejectError):
    """A feed that cannot be read or parsed."""


@dataclass
class FeedEntry:
    link: str | None
    position: int = 0  # 1-based, in document order
    entry_id: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601 UTC when parseable, else as given
    summary: str | None = None  # plain text
    content: str | None = None  # the longest HTML body the entry carries


@dataclass
class BadEntry:
    """An entry the parser could not read: one reject, the feed's other entries go on."""

    position: int  # 1-based, in document order
    error_type: str
    message: str
    excerpt: str


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # what feedparser tolerated (bozo), if anything
    bad_entries: list[BadEntry] = field(default_factory=list)


# An entry's element, for the per-entry fallback: items and entries do not nest
_ENTRY = re.compile(rb"<((?:[\w.-]+:)?(?:item|entry))\b[^>]*>.*?</\1\s*>", re.S)


def safe_feed_bytes(body: bytes, content_type: str | None = None) -> bytes:
    """UTF-8 bytes without DOCTYPE (transforms.feeds.safexml); raises FeedError when a
    DOCTYPE cannot be delimited."""
    try:
        return safe_bytes(body, content_type)[0]
    except UnsafeFeed as error:
        raise FeedError("feed_entities", f"feed refused: {error}", body[:512]) from error


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return None


def parse_feed(body: bytes, content_type: str | None = None, base_url: str | None = None) -> ParsedFeed:
    """Entries of an RSS/Atom document. Tolerates what feedparser tolerates (reported as
    warning); an entry that breaks the parser is a bad entry and the others go on; raises
    FeedError when nothing feed-like is in it."""
    data = safe_feed_bytes(body, content_type)
    try:
        parsed = _feedparser(data, base_url)
        items, bad = list(enumerate(parsed.entries, 1)), []
    except Exception:  # feedparser fails on some broken entries (e.g. &#xD800;): isolate them
        parsed, items, bad = _parse_entry_by_entry(data, base_url)
    warning = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else None
    if not items and not bad and (parsed.bozo or not parsed.version):
        raise FeedError("feed_parse", f"not a readable RSS/Atom feed ({warning or 'no entries'})", body[:512])
    entries = []
    for position, item in items:
        try:
            entries.append(_entry(item, position))
        except Exception as error:
            bad.append(BadEntry(position, "feed_entry", f"{type(error).__name__}: {error}", ""))
    return ParsedFeed(title=parsed.feed.get("title"), entries=entries, warning=warning, bad_entries=bad)


def _feedparser(data: bytes, base_url: str | None) -> Any:
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    return feedparser.parse(data, response_headers=headers, resolve_relative_uris=True, sanitize_html=True)


def _parse_entry_by_entry(data: bytes, base_url: str | None) -> tuple[Any, list, list[BadEntry]]:
    """The feed parsed without its entries, then each entry in a copy of it alone."""
    spans = [match.span() for match in _ENTRY.finditer(data)]
    if not spans:
        raise FeedError("feed_parse", "the feed parser failed on a feed without entries", data[:512])
    head, tail = data[: spans[0][0]], data[spans[-1][1] :]
    parsed = _feedparser(head + tail, base_url)
    items, bad = [], []
    for position, (start, end) in enumerate(spans, 1):
        try:
            alone = _feedparser(head + data[start:end] + tail, base_url)
            items.extend((position, item) for item in alone.entries[:1])
        except Exception as error:
            excerpt = data[start:end][:1024].decode("utf-8", "replace")
            message = f"entry {position}: {type(error).__name__}: {error}"
            bad.append(BadEntry(position, "feed_entry", message, excerpt))
    return parsed, items, bad


def _entry(item: Any, position: int) -> FeedEntry:
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
        position=position,
        link=link.strip() if link else None,
        entry_id=item.get("id"),
        title=item.get("title"),
        published=published,
        summary=summary or None,
        content=content,
    )


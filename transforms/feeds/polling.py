"""Polling feeds (conditional GET with the cursor's ETag / Last-Modified, or a local file)
and the fetch tasks their entries become."""

from __future__ import annotations

import gzip
from email.utils import formatdate

from transforms.common.records import FetchTask
from transforms.common.urls import InvalidURL, normalize_url, try_normalize
from transforms.feeds.parsing import FeedError, ParsedFeed, parse_feed
from transforms.feeds.specs import FeedSpec
from transforms.fetch.client import Fetcher


def read_feed_source(
    spec: FeedSpec, fetcher: Fetcher | None, cursor: dict | None, max_bytes: int = 10_000_000
) -> tuple[ParsedFeed | None, dict]:
    """Fetch (conditional GET with the cursor's ETag / Last-Modified) or read the feed.
    Returns (None, cursor) when the feed is unchanged since the cursor, else (feed, new cursor).
    Raises FetchError / FeedError."""
    cursor = dict(cursor or {})
    polled_at = formatdate(usegmt=True)
    if spec.is_remote:
        if fetcher is None:
            raise FeedError("feed_fetch", "no fetcher for a remote feed")
        result = fetcher.fetch(
            spec.url, kind="feed", etag=cursor.get("etag"), last_modified=cursor.get("last_modified")
        )
        cursor["polled_at"] = polled_at
        if result.not_modified:
            return None, cursor
        body, content_type, base = result.body, result.headers.get("content-type"), result.final_url
        cursor["etag"] = result.headers.get("etag")
        cursor["last_modified"] = result.headers.get("last-modified")
    else:
        if "://" in spec.url:
            raise FeedError("blocked_scheme", f"feeds are http(s) URLs or local paths, not {spec.url[:200]}")
        opener = gzip.open if spec.url.lower().endswith(".gz") else open
        try:
            with opener(spec.url, "rb") as handle:
                body = handle.read(max_bytes + 1)
        except (OSError, EOFError) as error:
            raise FeedError(
                "read_error", f"cannot read feed {spec.url}: {error.strerror or error}"
            ) from error
        if len(body) > max_bytes:
            raise FeedError("body_too_large", f"feed file larger than {max_bytes} bytes: {spec.url}")
        content_type, base = None, None
        cursor["polled_at"] = polled_at
    feed = parse_feed(body, content_type, base)
    cursor["entries_seen"] = len(feed.entries)
    return feed, cursor


def entry_tasks(spec: FeedSpec, feed: ParsedFeed, default_min_chars: int) -> list[FetchTask]:
    """One fetch task per entry."""
    entries = feed.entries[: spec.max_entries] if spec.max_entries else feed.entries
    min_chars = spec.min_content_chars if spec.min_content_chars is not None else default_min_chars
    tasks = []
    for position, entry in enumerate(entries, 1):
        position = entry.position or position
        link = entry.link
        try:
            url = normalize_url(link) if link else None
        except InvalidURL:
            url = None
        tasks.append(
            FetchTask(
                kind="entry",
                input_ref=link or entry_ref(spec, position),
                fetch_url=link if url else None,  # None: nothing fetchable (no link, file://...)
                bad_link=link if link and not url else None,
                url=url,
                source=spec.name,
                title=entry.title,
                summary=entry.summary,
                published=entry.published,
                content=entry.content,
                min_content_chars=min_chars,
                fetch_page=spec.fetch_pages,
                feed=spec.url,
            )
        )
    return tasks


def entry_ref(spec: FeedSpec, position: int) -> str:
    """The input_ref of an entry without a link: its feed and its place in it."""
    return f"{spec.url}#entry-{position}"


def page_task(url: str) -> FetchTask:
    """A fetch task for an `--input https://...` page."""
    normalized = try_normalize(url)
    return FetchTask(
        kind="page",
        input_ref=url,
        fetch_url=url if normalized else None,
        bad_link=None if normalized else url,
        url=normalized,
    )

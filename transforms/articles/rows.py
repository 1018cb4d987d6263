"""Building an article's row: the pieces that are not extraction, cleaning or language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit


def partition_date(published_at: datetime | None, ingested_at: datetime) -> str:
    return (published_at or ingested_at).strftime("%Y-%m-%d")


EARLIEST_PUBLISHED = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST_AHEAD = timedelta(days=1)  # clock skew and zone slips; beyond that a date is a misreading


def sane_published(published_at: datetime | None, now: datetime) -> datetime | None:
    """The publication time if plausible, else None: a year-0001 or next-year date read from a
    page must not become a partition (nor make readers type the date column as text)."""
    if published_at is None or not EARLIEST_PUBLISHED <= published_at <= now + LATEST_AHEAD:
        return None
    return published_at


def source_of(source: str | None, url: str | None) -> str:
    """The outlet named by cleaning, else the URL's domain, else 'unknown'."""
    if source:
        return source
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else "unknown"

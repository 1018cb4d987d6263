"""Building an article's row: the pieces that are not extraction, cleaning or language."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit


def partition_date(published_at: datetime | None, ingested_at: datetime) -> str:
    return (published_at or ingested_at).strftime("%Y-%m-%d")


def source_of(source: str | None, url: str | None) -> str:
    """The outlet named by cleaning, else the URL's domain, else 'unknown'."""
    if source:
        return source
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else "unknown"

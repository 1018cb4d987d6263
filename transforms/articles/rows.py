"""Building an article's row and its quotes' rows: the pieces that are not extraction, cleaning or
language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from transforms.common import ids
from transforms.common.records import ArticleRow, Cleaned, Quote, QuoteRow, RawRecord


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


def article_row(record: RawRecord, cleaned: Cleaned, lang: str, confidence: float, run_id: str,
                ingested_at: datetime) -> ArticleRow:
    return ArticleRow(
        article_id=ids.article_id(record.url, record.source_id, record.html or record.text),
        source_id=record.source_id,
        input_ref=record.input_ref,
        url=record.url,
        source=source_of(cleaned.source, record.url),
        credited_agency=cleaned.credited_agency,
        title=cleaned.title,
        summary=cleaned.summary,
        text=cleaned.text,
        dateline_place=cleaned.dateline_place,
        authors=list(cleaned.authors),
        published_at=cleaned.published_at,
        lang=lang,
        lang_confidence=confidence,
        from_feed_content=record.from_feed_content,
        republished=cleaned.republished,
        agency_text=cleaned.agency_text,
        self_named=cleaned.self_named,
        origin=cleaned.origin,
        standfirst=cleaned.standfirst,
        wrapped=cleaned.wrapped,
        ingested_at=ingested_at,
        run_id=run_id,
        date=partition_date(cleaned.published_at, ingested_at),
    )


def quote_row(article: ArticleRow, quote: Quote) -> QuoteRow:
    return QuoteRow(
        quote_id=ids.quote_id(article["article_id"], quote.start, quote.end),
        article_id=article["article_id"],
        text=quote.text,
        speaker=quote.speaker,
        speaker_mention=quote.speaker_mention,
        cue=quote.cue,
        start_char=quote.start,
        end_char=quote.end,
        run_id=article["run_id"],
        kind=quote.kind,
        quoted=quote.quoted or quote.text,
        # partition values of the article, so a story's quotes sit beside it
        date=article["date"],
        lang=article["lang"],
        source=article["source"],
    )

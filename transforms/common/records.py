"""The records that flow between stages.

Beam moves plain dicts between stages (cheap to pickle, schema-free), but each stage's
pure-Python core speaks these small dataclasses, so the fields are named in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class RawRecord:
    """One input article as read or fetched, before extraction."""

    input_ref: str  # absolute path, "path:LINE" for JSONL (1-based), or the URL
    source_id: str | None = None  # the record's own id (JSONL), else None
    url: str | None = None
    source: str | None = None  # outlet name given by the input (JSONL `source`, feed name)
    title: str | None = None
    summary: str | None = None  # feed summary / standfirst given by the input
    text: str | None = None  # plain text, taken as is then cleaned
    html: str | None = None  # a whole page, extracted with trafilatura
    published: str | None = None  # raw publication time as given (ISO 8601 or free text)
    from_feed_content: bool = False  # True when a feed entry's own content stands in for its page


@dataclass
class Draft:
    """What extraction hands to cleaning: a body text plus metadata hints."""

    text: str  # body, paragraphs separated by blank lines (may still hold furniture)
    title: str | None = None  # headline hint (input title, page metadata)
    url: str | None = None
    source: str | None = None  # outlet hint (input source, page site name)
    published: str | None = None  # raw publication time hint
    authors: list[str] = field(default_factory=list)  # author hints from page metadata
    summary: str | None = None  # standfirst hint (input summary, page description)
    from_html: bool = False


@dataclass
class Cleaned:
    """The story and what its furniture told: the cleaning stage's result."""

    text: str
    title: str | None = None
    summary: str | None = None
    source: str | None = None
    credited_agency: str | None = None
    dateline_place: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None  # timezone-aware, UTC
    republisher: bool = False  # the outlet is an aggregator / wire republisher (its profile says)
    agency_text: bool = False  # no outlet known, and the text opens with an agency's own dateline


@dataclass
class Quote:
    """One direct quotation found in an article's clean text."""

    text: str  # the words inside the marks; fragments of an interrupted quote joined by a space
    start: int  # offset of the quote text in the article's text
    end: int
    speaker: str | None = None  # resolved speaker ("Vladimir Putin"), else the mention
    speaker_mention: str | None = None  # words that attribute it ("the Russian president", "he")
    cue: str | None = None  # speech verb or phrase ("said", "told Sputnik", "according to")

"""The records that flow between stages.

Beam moves plain dicts between stages (cheap to pickle, schema-free), but each stage's
pure-Python core speaks these small dataclasses, so the fields are named in one place. The
rows handed to the writer are named too (TypedDicts, still plain dicts at run time): their
columns are the tables' of transforms.common.schemas, plus the partition values and the
fields a later stage fills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NotRequired, TypedDict


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
    republished: bool = False  # a line names another outlet as the story's origin (dedup hint)
    agency_text: bool = False  # no outlet known, and the text opens with an agency's own dateline
    self_named: bool = False  # the story names this copy's outlet ("told the Example Times")
    origin: str | None = None  # the outlet an attribution line names ("first appeared on Example Daily")
    standfirst: bool = False  # a standfirst stood between headline and story (copies often drop it)
    wrapped: bool = False  # share/follow lines, teasers or ads stood inside or after the story


@dataclass
class Quote:
    """One direct quotation found in an article's clean text."""

    text: str  # the words inside the marks; fragments of an interrupted quote joined by a space
    start: int  # offset of the quote text in the article's text
    end: int
    speaker: str | None = None  # resolved speaker ("Vladimir Putin"), else the mention
    speaker_mention: str | None = None  # words that attribute it ("the Russian president", "he")
    cue: str | None = None  # speech verb or phrase ("said", "told Sputnik", "according to")
    kind: str = "direct"  # "direct": text is the quoted words; "partial": woven into the writer's sentence
    quoted: str | None = None  # only the words inside the marks (fragments joined by " … "); None: text

    def __post_init__(self) -> None:
        if self.quoted is None:
            self.quoted = self.text


class ArticleRow(TypedDict):
    """One `articles` row as the articles stage builds it; dedup adds the NotRequired fields."""

    article_id: str
    source_id: str | None
    input_ref: str
    url: str | None
    source: str
    credited_agency: str | None
    title: str | None
    summary: str | None
    text: str
    dateline_place: str | None
    authors: list[str]
    published_at: datetime | None
    lang: str
    lang_confidence: float
    from_feed_content: bool
    ingested_at: datetime
    run_id: str
    date: str  # partition value (publication date, else ingestion date)
    # Hints for the canonical choice, not columns (the writer keeps only the schema's columns):
    republished: bool  # a line names another outlet as the story's origin
    agency_text: bool  # no outlet known, and the text opens with an agency's own dateline
    self_named: bool  # the story names this copy's outlet
    origin: str | None  # the outlet an attribution line names as the story's origin
    standfirst: bool  # the text had a standfirst of its own
    wrapped: bool  # reader-engagement furniture stood inside or after the story
    content_hash: NotRequired[str]  # from here on: filled by the dedup stage
    cluster_id: NotRequired[str]
    is_canonical: NotRequired[bool]
    canonical_id: NotRequired[str]


class QuoteRow(TypedDict):
    """One `quotes` row; date, lang and source are its article's partition values."""

    quote_id: str
    article_id: str
    text: str
    speaker: str | None
    speaker_mention: str | None
    cue: str | None
    start_char: int
    end_char: int
    run_id: str
    kind: str
    quoted: str
    date: str
    lang: str
    source: str


class RejectRow(TypedDict):
    """One `rejects` row as a stage emits it; the run stamps the NotRequired fields."""

    input_ref: str
    stage: str
    error_type: str
    error_message: str
    excerpt: str | None
    run_id: NotRequired[str]
    rejected_at: NotRequired[datetime]
    date: NotRequired[str]


@dataclass
class FetchTask:
    """One URL for the fetch stage: a feed entry (written by feeds) or an `--input https://`
    page. Beam carries it as a dict (to_dict / FetchTask(**d))."""

    kind: str  # "entry" or "page"
    input_ref: str  # the entry's link (else FEED#entry-N) or the URL as given
    fetch_url: str | None = None  # what to GET; None when nothing is fetchable
    bad_link: str | None = None  # a link that is not a fetchable URL (file://..., malformed)
    url: str | None = None  # the normalised URL
    source: str | None = None  # the feed's outlet name
    title: str | None = None
    summary: str | None = None  # plain text
    published: str | None = None
    content: str | None = None  # the entry's own HTML body, which may stand in for its page
    min_content_chars: int = 0  # content at least this long stands in when the page fails
    fetch_page: bool = True  # False: the entry's own content is the article
    feed: str | None = None  # the feed's URL or path

    def to_dict(self) -> dict:
        """A shallow copy of the fields (dataclasses.asdict deep-copies, ten times slower)."""
        return dict(self.__dict__)

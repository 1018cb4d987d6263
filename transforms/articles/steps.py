"""The named steps that turn a raw record into an article row and its quote rows.

Each step is a pure function `(Work, Tools) -> Work` (in the shape of datatrove's filters): it
reads what the steps before it left on the Work and returns a new Work with its own part added,
or raises Rejected when the record cannot become an article. The Beam wrapper
(transforms.articles.beam.ProcessRecords) runs STEPS in order and owns what is common to all of
them: counting, and turning a Rejected or an unexpected error into a rejects row that names the
step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from transforms.articles.rows import article_row, quote_row, sane_published
from transforms.clean.cleaner import Cleaner
from transforms.common.records import ArticleRow, Cleaned, Draft, QuoteRow, RawRecord
from transforms.extract import html
from transforms.extract.html import ExtractionError, draft_from_record
from transforms.lang.detector import LanguageDetector
from transforms.quotes import russian
from transforms.quotes.extractor import QuoteExtractor


class Rejected(Exception):
    """A step's verdict that the record cannot become an article: a rejects row of this type."""

    def __init__(self, error_type: str, message: str, content: str | bytes | None = None):
        super().__init__(message)
        self.error_type = error_type
        self.content = content


@dataclass(frozen=True)
class Tools:
    """What the steps share, set up once per worker (trafilatura settings, outlet profiles,
    langdetect profiles, cue lists) and the run's stamps."""

    extract: dict
    cleaner: Cleaner
    detector: LanguageDetector
    quoter: QuoteExtractor
    run_id: str
    ingested_at: datetime

    @classmethod
    def from_config(cls, config: dict, run_id: str, ingested_at: datetime) -> Tools:
        return cls(extract=config["extract"], cleaner=Cleaner.from_config(config["clean"]),
                   detector=LanguageDetector(config["lang"]),
                   quoter=QuoteExtractor.from_config(config["quotes"]),
                   run_id=run_id, ingested_at=ingested_at)

    @staticmethod
    def release() -> None:
        """Drop what the libraries keep process-wide for the steps (rebuilt on next use)."""
        html.release_caches()
        russian.release_caches()


@dataclass(frozen=True)
class Work:
    """One record on its way through the steps; each step fills its part."""

    record: RawRecord
    draft: Draft | None = None
    cleaned: Cleaned | None = None
    lang: str | None = None
    confidence: float = 0.0
    article: ArticleRow | None = None
    quotes: list[QuoteRow] = field(default_factory=list)
    counts: tuple[str, ...] = ()  # counters a step asks the wrapper to add one to (run record)

    def counted(self, name: str) -> Work:
        return replace(self, counts=(*self.counts, name))

    def content(self) -> str | None:
        """What a reject's excerpt is cut from."""
        return self.record.html or self.record.text


def extract(work: Work, tools: Tools) -> Work:
    try:
        draft = draft_from_record(work.record, tools.extract)
    except ExtractionError as error:
        raise Rejected(error.error_type, str(error), work.content()) from error
    return replace(work, draft=draft)


def clean(work: Work, tools: Tools) -> Work:
    cleaned = tools.cleaner.clean(work.draft)
    if not cleaned.text.strip():
        raise Rejected("no_text", "nothing left after cleaning", work.draft.text)
    return replace(work, cleaned=cleaned)


def detect_language(work: Work, tools: Tools) -> Work:
    lang, confidence = tools.detector.detect(work.cleaned.text)
    return replace(work, lang=lang, confidence=confidence)


def build(work: Work, tools: Tools) -> Work:
    published_at = sane_published(work.cleaned.published_at, tools.ingested_at)
    if work.cleaned.published_at and not published_at:
        work = work.counted("published_out_of_range")  # nulled, noted in the run record
    cleaned = replace(work.cleaned, published_at=published_at)
    row = article_row(work.record, cleaned, work.lang, work.confidence, tools.run_id, tools.ingested_at)
    return replace(work, article=row)


def find_quotes(work: Work, tools: Tools) -> Work:
    quotes = [quote_row(work.article, quote) for quote in tools.quoter.extract(work.cleaned.text, work.lang)]
    return replace(work, quotes=quotes)


Step = Callable[[Work, Tools], Work]

# (name, step): the name is the `stage` of the rejects rows the step causes.
STEPS: list[tuple[str, Step]] = [
    ("extract", extract),
    ("clean", clean),
    ("lang", detect_language),
    ("build", build),
    ("quotes", find_quotes),
]

"""From a raw record to an article row and its quote rows.

One DoFn runs extraction, cleaning, language detection and quote extraction on a record:
each stage's core is its own module; running them in one step lets them share the parsed
text and the per-worker set-up (trafilatura, langdetect profiles, outlet profiles, cue
lists) without moving records between stages. A failure in any stage makes the record a
reject naming that stage.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.articles.rows import partition_date, source_of
from transforms.clean.cleaner import Cleaner
from transforms.common import ids
from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, make_reject, reject_from_exception
from transforms.extract.html import ExtractionError, draft_from_record
from transforms.lang.detector import LanguageDetector
from transforms.quotes.extractor import QuoteExtractor

LOG = logging.getLogger("newspipe.progress")
QUOTES = "quotes"
NAMESPACE = "newspipe"
PROGRESS_EVERY = 500


class ProcessRecords(beam.DoFn):
    """raw record dict -> article row (main), quote rows (QUOTES), rejects (REJECTS)."""

    def __init__(self, config: dict, run_id: str, ingested_at: datetime):
        self.config = config
        self.run_id = run_id
        self.ingested_at = ingested_at

    def setup(self):
        self.cleaner = Cleaner.from_config(self.config["clean"])
        self.detector = LanguageDetector(self.config["lang"])
        self.quoter = QuoteExtractor.from_config(self.config["quotes"])
        self.articles = Metrics.counter(NAMESPACE, "articles")
        self.quotes = Metrics.counter(NAMESPACE, "quotes")
        self.seen = 0
        self.started = time.monotonic()

    def process(self, raw: dict):
        record = RawRecord(**raw)
        stage = "extract"
        try:
            draft = draft_from_record(record, self.config["extract"])
            stage = "clean"
            cleaned = self.cleaner.clean(draft)
            if not cleaned.text.strip():
                yield beam.pvalue.TaggedOutput(REJECTS, make_reject(
                    record.input_ref, stage, "no_text", "nothing left after cleaning", draft.text))
                return
            stage = "lang"
            lang, confidence = self.detector.detect(cleaned.text)
            stage = "build"
            article = self.article_row(record, cleaned, lang, confidence)
            stage = "quotes"
            quotes = [self.quote_row(article, quote) for quote in self.quoter.extract(cleaned.text)]
        except ExtractionError as error:
            yield beam.pvalue.TaggedOutput(REJECTS, make_reject(
                record.input_ref, "extract", "no_text", str(error), record.html))
            return
        except Exception as error:  # never crash on input: the record becomes a reject
            LOG.debug("stage %s failed for %s", stage, record.input_ref, exc_info=True)
            yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(
                record.input_ref, stage, error, record.html or record.text))
            return
        self.articles.inc()
        self.quotes.inc(len(quotes))
        self.progress()
        yield article
        for quote in quotes:
            yield beam.pvalue.TaggedOutput(QUOTES, quote)

    def article_row(self, record: RawRecord, cleaned, lang: str, confidence: float) -> dict:
        article_id = ids.article_id(record.url, record.source_id, record.html or record.text)
        return {
            "article_id": article_id,
            "source_id": record.source_id,
            "input_ref": record.input_ref,
            "url": record.url,
            "source": source_of(cleaned.source, record.url),
            "credited_agency": cleaned.credited_agency,
            "title": cleaned.title,
            "summary": cleaned.summary,
            "text": cleaned.text,
            "dateline_place": cleaned.dateline_place,
            "authors": list(cleaned.authors),
            "published_at": cleaned.published_at,
            "lang": lang,
            "lang_confidence": confidence,
            "from_feed_content": record.from_feed_content,
            "republisher": cleaned.republisher,  # for the canonical choice; not a column
            "agency_text": cleaned.agency_text,  # likewise
            "ingested_at": self.ingested_at,
            "run_id": self.run_id,
            "date": partition_date(cleaned.published_at, self.ingested_at),
        }

    def quote_row(self, article: dict, quote) -> dict:
        return {
            "quote_id": ids.quote_id(article["article_id"], quote.start, quote.end),
            "article_id": article["article_id"],
            "text": quote.text,
            "speaker": quote.speaker,
            "speaker_mention": quote.speaker_mention,
            "cue": quote.cue,
            "start": quote.start,
            "end": quote.end,
            "run_id": self.run_id,
            # partition values of the article, so a story's quotes sit beside it
            "date": article["date"],
            "lang": article["lang"],
            "source": article["source"],
        }

    def progress(self):
        self.seen += 1
        if self.seen % PROGRESS_EVERY == 0:
            rate = self.seen / max(time.monotonic() - self.started, 1e-9)
            LOG.info("processed %d articles in this worker (%.1f/s)", self.seen, rate)

"""Extraction stage: a RawRecord becomes a Draft (body text plus metadata hints).

HTML pages go through trafilatura once (body and metadata from the same parse); plain texts are
taken as they are. The record's own url/title/source/published/summary win over what the page
says: they come from the feed or the caller, which knows better than page metadata.
"""

from __future__ import annotations

import re

import trafilatura

from transforms.records import Draft, RawRecord

_LINE_BREAKS = re.compile(r"\n+")


class ExtractionError(ValueError):
    """An HTML page that yields no usable text (the pipeline makes it a rejects row)."""


def draft_from_record(record: RawRecord, settings: dict) -> Draft:
    if record.html is not None and not (record.text and not record.html.strip()):
        return _draft_from_html(record, settings)
    return Draft(
        text=record.text or "",
        title=record.title,
        url=record.url,
        source=record.source,
        published=record.published,
        summary=record.summary,
        from_html=False,
    )


def _draft_from_html(record: RawRecord, settings: dict) -> Draft:
    try:
        document = trafilatura.bare_extraction(
            record.html,
            url=record.url,
            with_metadata=True,
            include_comments=False,  # reader comments are not the article
            include_tables=bool(settings.get("include_tables", False)),
            favor_precision=bool(settings.get("favor_precision", False)),
            deduplicate=False,  # its cache is process-wide: results would depend on bundle order
            # htmldate's extensive search costs ~30% of the whole extraction for a few more dates
            date_extraction_params={"extensive_search": bool(settings.get("extensive_date_search", False))},
        )
    except Exception as error:
        raise ExtractionError(f"trafilatura failed: {type(error).__name__}: {error}") from error
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if len(text) < int(settings.get("min_text_chars", 40)):
        raise ExtractionError(f"no usable text in page ({len(text)} characters extracted)")
    # trafilatura puts one paragraph per line; the Draft contract is blank-line separated.
    text = "\n\n".join(_LINE_BREAKS.split(text))
    author = getattr(document, "author", None)
    return Draft(
        text=text,
        title=record.title or getattr(document, "title", None),
        url=record.url or getattr(document, "url", None),
        source=record.source or getattr(document, "sitename", None),
        published=record.published or getattr(document, "date", None),
        authors=[a.strip() for a in author.split(";") if a.strip()] if author else [],
        summary=record.summary or getattr(document, "description", None),
        from_html=True,
    )

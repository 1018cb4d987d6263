"""Extraction: a raw record becomes a Draft (body text plus metadata hints).

HTML pages go through trafilatura once (body and metadata from one parse); plain text is
passed on as is for the cleaning stage.
"""

from __future__ import annotations

import trafilatura

from transforms.records import Draft, RawRecord


class ExtractionError(ValueError):
    """A page that yields no usable text."""


def draft_from_record(record: RawRecord, settings: dict) -> Draft:
    if record.html is None:
        return Draft(
            text=record.text or "",
            title=record.title,
            url=record.url,
            source=record.source,
            published=record.published,
            summary=record.summary,
        )
    doc = trafilatura.bare_extraction(
        record.html,
        url=record.url,
        with_metadata=True,
        include_comments=False,
        include_tables=settings["include_tables"],
        favor_precision=settings["favor_precision"],
        deduplicate=False,  # its cache is process-wide: non-deterministic under retries
    )
    text = (doc.text if doc else "") or ""
    if len(text.strip()) < settings["min_text_chars"]:
        raise ExtractionError("no extractable article text in the page")
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    return Draft(
        text="\n\n".join(paragraphs),
        title=record.title or doc.title,
        url=record.url or doc.url,
        source=record.source or doc.sitename,
        published=record.published or doc.date,
        authors=[a.strip() for a in (doc.author or "").split(";") if a.strip()],
        summary=record.summary or doc.description,
        from_html=True,
    )

"""Cleaning: the story without its furniture, and what the furniture told as fields."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import ftfy

from transforms.records import Cleaned, Draft

BLANK_LINES = re.compile(r"\n\s*\n")


class Cleaner:
    def __init__(self, settings: dict):
        self.settings = settings

    @classmethod
    def from_config(cls, section: dict) -> Cleaner:
        return cls(section)

    def clean(self, draft: Draft) -> Cleaned:
        text = ftfy.fix_text(draft.text.replace("\r\n", "\n"))
        paragraphs = [" ".join(p.split()) for p in BLANK_LINES.split(text) if p.strip()]
        title = draft.title
        if title is None and len(paragraphs) > 1 and looks_like_headline(paragraphs[0]):
            title = paragraphs.pop(0)
        if title:
            paragraphs = [p for p in paragraphs if p.casefold() != title.casefold()]
        return Cleaned(
            text="\n\n".join(paragraphs),
            title=title,
            summary=draft.summary,
            source=draft.source,
            authors=list(draft.authors),
            published_at=parse_time(draft.published),
        )


def looks_like_headline(line: str) -> bool:
    return len(line) <= 200 and not line.rstrip().endswith((".", "!", "?", ":", '"', "”"))


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)

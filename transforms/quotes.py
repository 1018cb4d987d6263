"""Direct quotes: text inside quotation marks, with a first speaker/cue heuristic."""

from __future__ import annotations

import re

from transforms.records import Quote

QUOTED = re.compile(r"[\"“]([^\"“”]{20,}?)[\"”]")
AFTER = re.compile(
    r"^\W*\s*(?P<who>(?:the\s+)?[\w .-]{1,40}?)\s+(?P<cue>said|told \w+|stressed|noted|added)\b"
)


class QuoteExtractor:
    def __init__(self, settings: dict):
        self.settings = settings

    @classmethod
    def from_config(cls, section: dict) -> QuoteExtractor:
        return cls(section)

    def extract(self, text: str) -> list[Quote]:
        quotes = []
        for match in QUOTED.finditer(text):
            attribution = AFTER.match(text[match.end() : match.end() + 80])
            who = attribution.group("who") if attribution else None
            quotes.append(
                Quote(
                    text=match.group(1),
                    start=match.start(1),
                    end=match.end(1),
                    speaker=who,
                    speaker_mention=who,
                    cue=attribution.group("cue") if attribution else None,
                )
            )
        return quotes

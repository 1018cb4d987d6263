"""Cleaning stage: furniture out, metadata in.

From a Draft (a body that may still hold headline, bylines, timestamps, share lines, teasers,
datelines, signoffs...) to a Cleaned record: the story alone, paragraphs separated by one blank
line, plus what the furniture told (title, standfirst, outlet, credited agency, dateline place,
authors, publication time). Generic rules are in transforms/clean/furniture.py and
transforms/clean/dateline.py; per-outlet knowledge is data in configs/sources.yaml.

Conservative by design: a paragraph is removed only when a rule is sure of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from transforms.clean.dateline import Dateline, find_credit, parse_dateline
from transforms.clean.dates import FoundDate, find_date, parse_iso
from transforms.clean.encoding import repair_encoding
from transforms.clean.furniture import (
    NOTE_ZONE,
    furniture_kind,
    is_end_note,
    is_timestamp,
    parse_byline,
    strip_tails,
    strip_trailing_promo,
)
from transforms.clean.paragraphs import join_paragraphs, normalise_line, split_paragraphs
from transforms.clean.profiles import Profile, ProfileSet, domain_of
from transforms.common.records import Cleaned, Draft

HEADER_ZONE = 8  # the header (title, byline, standfirst, dateline) lies within this many paragraphs
MAX_STANDFIRST_CHARS = 400
MAX_TITLE_CHARS = 200
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛`´"} | {c: '"' for c in "“”„‟«»"})


def comparable(text: str) -> str:
    """For equality tests between headline copies: case, quotes, dashes and spacing ignored."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(re.sub(r"[^\w\s'\"-]", " ", text).split())


@dataclass
class _Findings:
    """What furniture paragraphs told while being removed."""

    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    stamps: list[str] = field(default_factory=list)
    dateline: Dateline | None = None


class Cleaner:
    """Cleans drafts; holds the compiled profiles (built once per worker)."""

    def __init__(self, profiles: ProfileSet):
        self.profiles = profiles

    @classmethod
    def from_config(cls, section: dict) -> Cleaner:
        return cls(ProfileSet.from_config(section))

    def clean(self, draft: Draft) -> Cleaned:
        try:
            return self._clean(draft)
        except Exception:
            return self._fallback(draft)

    def _fallback(self, draft: Draft) -> Cleaned:
        paragraphs = split_paragraphs(repair_encoding(draft.text or ""))
        return Cleaned(text=join_paragraphs(paragraphs), title=draft.title, summary=draft.summary,
                       source=draft.source or domain_of(draft.url) or None, authors=list(draft.authors),
                       published_at=parse_iso(draft.published))

    def _clean(self, draft: Draft) -> Cleaned:
        raw = split_paragraphs(repair_encoding(draft.text or ""))
        paragraphs = [strip_tails(p, self.profiles) for p in raw]
        paragraphs = [p for p in paragraphs if p]
        title = _clean_hint(draft.title)
        found = _Findings()
        kinds = [self._kind(p, i, len(paragraphs), found) for i, p in enumerate(paragraphs)]

        if title is None and not draft.from_html:
            title = _detect_title(paragraphs, kinds)
        if title:
            key = comparable(title)
            for i, paragraph in enumerate(paragraphs[:HEADER_ZONE]):
                if kinds[i] == "body" and comparable(paragraph) == key:
                    kinds[i] = "title"

        header_text = "\n".join(paragraphs[:HEADER_ZONE])  # before the dateline is cut off
        standfirst = self._strip_header(paragraphs, kinds, found)
        body = [p for p, kind in zip(paragraphs, kinds, strict=True) if kind == "body"]
        body = _drop_adjacent_duplicates(body)
        if body:
            body[-1] = strip_trailing_promo(body[-1])
            body = [p for p in body if p]

        url_profile = self.profiles.by_url(draft.url)
        own_profile = url_profile or self.profiles.by_signature(header_text)
        source = self._source(draft, own_profile)
        profile = own_profile or self.profiles.by_name(source)
        agency = self._agency(found, body, draft.authors, own_profile)
        summary = _clean_hint(draft.summary) or (" ".join(standfirst) if standfirst else None)
        return Cleaned(
            text=join_paragraphs(body),
            title=title,
            summary=summary,
            source=source,
            credited_agency=agency,
            dateline_place=found.dateline.place if found.dateline else None,
            authors=found.authors or _clean_authors(draft.authors, self.profiles),
            published_at=_published(draft.published, found, profile),
        )

    def _kind(self, paragraph: str, index: int, count: int, found: _Findings) -> str:
        """Classify one paragraph; furniture that carries metadata is recorded in `found`."""
        if furniture_kind(paragraph) or any(p.match(paragraph) for _, p in self.profiles.junk_lines):
            return "furniture"
        if is_timestamp(paragraph):
            found.stamps.append(paragraph)
            return "stamp"
        byline = parse_byline(paragraph, self.profiles)
        if byline:
            found.authors.extend(a for a in byline.authors if a not in found.authors)
            found.agency = found.agency or byline.agency
            if byline.stamp:
                found.stamps.append(byline.stamp)
            return "byline"
        if index >= count - NOTE_ZONE and index > 0 and is_end_note(paragraph):
            return "furniture"
        return "body"

    def _strip_header(self, paragraphs: list[str], kinds: list[str], found: _Findings) -> list[str]:
        """Find the dateline, cut it from its paragraph, and take the standfirst out of the body.

        The standfirst is what stands between the headline and the dateline, or between the
        headline and the last byline/timestamp line of the header. Returns it."""
        dateline_at = None
        for i in range(min(HEADER_ZONE, len(paragraphs))):
            if kinds[i] != "body":
                continue
            dateline = parse_dateline(paragraphs[i], self.profiles)
            if dateline:
                found.dateline, dateline_at = dateline, i
                paragraphs[i] = dateline.rest
                break
        markers = [i for i in range(min(HEADER_ZONE, len(kinds))) if kinds[i] in ("title", "byline", "stamp")]
        end = dateline_at if dateline_at is not None else (markers[-1] if markers else 0)
        candidates = [i for i in range(end) if kinds[i] == "body"]
        if not candidates or len(candidates) > 2:
            return []
        if any(len(paragraphs[i]) > MAX_STANDFIRST_CHARS for i in candidates):
            return []
        if dateline_at is None and not any(m < candidates[0] for m in markers):
            return []  # no headline above it: the paragraph opens the story
        for i in candidates:
            kinds[i] = "standfirst"
        return [paragraphs[i] for i in candidates]

    def _agency(
        self, found: _Findings, body: list[str], author_hints: list[str], own: Profile | None
    ) -> str | None:
        """The credited agency: dateline, else byline or credit line, else page metadata, else a
        credit in the text, else the outlet itself when it is an agency (its own page)."""
        if found.dateline and found.dateline.agency:
            return found.dateline.agency
        if found.agency:
            return found.agency
        for hint in author_hints or []:
            if agency := self.profiles.agency(hint):
                return agency
        text = "\n\n".join(body)
        agency = self.profiles.credit_in(text) or find_credit(text, self.profiles)
        if agency:
            return agency
        return own.name if own and own.agency else None

    def _source(self, draft: Draft, own: Profile | None) -> str | None:
        if own:
            return own.name
        if draft.source:
            named = self.profiles.by_name(draft.source)
            return named.name if named else draft.source.strip()
        return domain_of(draft.url) or None


def _clean_hint(value: str | None) -> str | None:
    if not value:
        return None
    value = normalise_line(repair_encoding(value).replace("\n", " "))
    return value or None


def _detect_title(paragraphs: list[str], kinds: list[str]) -> str | None:
    """A plain text's headline: its first story-looking paragraph when that is short and has
    no sentence end (headlines end with no full stop), and more text follows."""
    for i, (paragraph, kind) in enumerate(zip(paragraphs, kinds, strict=True)):
        if kind != "body":
            continue
        if i + 1 < len(paragraphs) and len(paragraph) <= MAX_TITLE_CHARS and not paragraph.endswith(".") \
                and len(paragraph.split()) >= 2:
            return paragraph
        return None
    return None


def _drop_adjacent_duplicates(paragraphs: list[str]) -> list[str]:
    kept: list[str] = []
    for paragraph in paragraphs:
        if not kept or comparable(kept[-1]) != comparable(paragraph):
            kept.append(paragraph)
    return kept


def _clean_authors(authors: list[str], profiles: ProfileSet) -> list[str]:
    """Author hints from page metadata, split, without agencies, handles or times."""
    cleaned: list[str] = []
    for entry in authors or []:
        for name in re.split(r";|\||\band\b", entry):
            name = re.sub(r"\(?@[\w.]+\)?", "", name).strip(" ,")
            if not name or name in cleaned or profiles.agency(name) or any(ch.isdigit() for ch in name):
                continue
            cleaned.append(name)
    return cleaned


def _published(hint: str | None, found: _Findings, profile: Profile | None) -> datetime | None:
    """The given time if any; else a full date from the header's stamps or the dateline, read
    in the outlet's time zone."""
    given = parse_iso(hint)
    if given:
        return given
    zone = profile.timezone if profile else None
    candidates: list[FoundDate | None] = [find_date(stamp) for stamp in found.stamps]
    if found.dateline:
        candidates.append(found.dateline.date)
    for date in candidates:
        when = date.to_utc(zone) if date else None
        if when:
            return when
    return None

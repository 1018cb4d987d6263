"""Cleaning stage: furniture out, metadata in.

From a Draft (a body that may still hold headline, bylines, timestamps, share lines, teasers,
datelines, signoffs...) to a Cleaned record: the story alone, paragraphs separated by one blank
line, plus what the furniture told (title, standfirst, outlet, credited agency, dateline place,
authors, publication time). Generic rules are in transforms/clean/furniture.py and
transforms/clean/dateline.py; per-outlet knowledge is data in configs/sources.yaml.

Conservative by design: a paragraph is removed only when a rule is sure of it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from transforms.clean.dateline import Dateline, find_credit, parse_dateline
from transforms.clean.dates import FoundDate, find_date, parse_iso
from transforms.clean.encoding import repair_encoding
from transforms.clean.families import Families
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
from transforms.common.config import project_path
from transforms.common.names import name_key
from transforms.common.records import Cleaned, Draft
from transforms.common.urls import host_names

HEADER_ZONE = 8  # the header (title, byline, standfirst, dateline) lies within this many paragraphs
MAX_STANDFIRST_CHARS = 400
MAX_TITLE_CHARS = 200
_MARK_OF = {c: "'" for c in "‘’‚‛`´"} | {c: '"' for c in "“”„‟«»"} \
    | {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015"}
_MARKS = re.compile("[" + "".join(_MARK_OF) + "]")
_NOT_KEPT = re.compile(r"[^\w\s'\"-]")


def _plain_mark(match: re.Match) -> str:
    return _MARK_OF[match[0]]


def comparable(text: str) -> str:
    """For equality tests between headline copies: case, quotes, dashes and spacing ignored."""
    # Quotes and dashes are uncased and case folding makes none: they are mapped after it, by one
    # search (str.translate looked each character up in a dict, 2x the cost of the whole).
    text = _MARKS.sub(_plain_mark, unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_NOT_KEPT.sub(" ", text).split())


@dataclass
class _Findings:
    """What furniture paragraphs told while being removed."""

    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    stamps: list[str] = field(default_factory=list)
    dateline: Dateline | None = None
    credit: str | None = None  # agency named by a credit or attribution line ("Via: Kyodo")
    attributed: bool = False  # a line names another outlet as the story's origin: a republished copy
    origin: str | None = None  # the outlet that line names ("Example Daily")


_BULLET = re.compile(r"^\s*[*•·▪‣◦–-]\s+\S")
_EMPTY_FAMILIES = Families([])


class Cleaner:
    """Cleans drafts; holds the compiled profiles and furniture families (built once per worker)."""

    def __init__(self, profiles: ProfileSet, families: Families = _EMPTY_FAMILIES):
        self.profiles = profiles
        self.families = families

    @classmethod
    def from_config(cls, section: dict) -> Cleaner:
        profiles = ProfileSet.from_config(section)
        families = Families.from_file(project_path(section.get("furniture_file") or "configs/furniture.yaml"))
        return cls(profiles, families)

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
        paragraphs = [self.families.strip_cue_runs(strip_tails(p, self.profiles)) for p in raw]
        paragraphs = [p for p in paragraphs if p]
        title = _clean_hint(draft.title)
        found = _Findings()
        kinds = [self._kind(p, i, len(paragraphs), found) for i, p in enumerate(paragraphs)]

        if title is None and not draft.from_html:
            title = _detect_title(paragraphs, kinds)
        keys: dict[str, str] = {}  # comparable() of the paragraphs, computed once each
        if title:
            key = comparable(title)
            for i, paragraph in enumerate(paragraphs[:HEADER_ZONE]):
                if kinds[i] == "body" and _comparable(paragraph, keys) == key:
                    kinds[i] = "title"

        header_text = "\n".join(paragraphs[:HEADER_ZONE])  # before the dateline is cut off
        _drop_lead_bullets(paragraphs, kinds)
        standfirst = self._strip_header(paragraphs, kinds, found)
        wrapped = _wrapped(paragraphs, kinds)
        body = [p for p, kind in zip(paragraphs, kinds, strict=True) if kind == "body"]
        body = _drop_adjacent_duplicates(body, keys)
        if body:
            body[-1], tails = self.families.strip_last_sentences(strip_trailing_promo(body[-1]))
            found.credit = found.credit or next(
                (a for a in (self._credit_agency(m.credit) for m in tails) if a), None)
            found.attributed = found.attributed or any(m.family == "republished_from" for m in tails)
            found.origin = found.origin or next(
                (m.credit for m in tails if m.family == "republished_from" and m.credit), None)
            body = [p for p in body if p]

        url_profile = self.profiles.by_url(draft.url)
        signed = None if url_profile else self.profiles.by_signature(header_text)
        own_profile = url_profile or signed
        source = self._source(draft, url_profile, signed)
        profile = own_profile or self.profiles.by_name(source)
        agency = self._agency(found, body, draft.authors, own_profile, draft.url)
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
            republished=found.attributed,
            origin=found.origin,
            agency_text=_agency_text(source, found.dateline),
            self_named=self._names_outlet(source, body),
            standfirst=bool(standfirst),
            wrapped=wrapped,
        )

    def _kind(self, paragraph: str, index: int, count: int, found: _Findings) -> str:
        """Classify one paragraph; furniture that carries metadata is recorded in `found`."""
        if furniture_kind(paragraph) or any(p.match(paragraph) for _, p in self.profiles.junk_lines):
            return "furniture"
        family = self.families.match(paragraph)
        if family:
            if not found.credit:
                found.credit = self._credit_agency(family.credit)
            # "First appeared on Example Daily": this copy names another outlet as its origin
            found.attributed |= family.family == "republished_from" and bool(family.credit)
            if family.family == "republished_from" and not found.origin:
                found.origin = family.credit
            return "summary" if family.kind == "summary" else "furniture"
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

    def _credit_agency(self, credit: str | None) -> str | None:
        """The agency a credit slot names: the whole text, else its first words ("DHA Haber")."""
        words = (credit or "").split()
        for size in range(len(words), 0, -1):
            if agency := self.profiles.agency(" ".join(words[:size])):
                return agency
        return None

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
        self, found: _Findings, body: list[str], author_hints: list[str], own: Profile | None,
        url: str | None = None,
    ) -> str | None:
        """The credited agency: dateline, else byline or credit line, else page metadata, else a
        credit in the text, else the outlet itself when it is an agency (its own page)."""
        if found.dateline and found.dateline.agency:
            return found.dateline.agency
        if found.agency:
            return found.agency
        if found.credit:
            return found.credit
        for hint in author_hints or []:
            if agency := self.profiles.agency(hint):
                return agency
        text = "\n\n".join(body)
        agency = self.profiles.credit_in(text) or find_credit(text, self.profiles)
        if agency:
            return agency
        if own:
            return own.name if own.agency else None
        return self.profiles.agency_by_host(url)

    def _source(self, draft: Draft, url_profile: Profile | None, signed: Profile | None) -> str | None:
        """The outlet of this copy: its URL's profile; else the outlet whose house style the text
        is written in (signature), unless the URL's host or the input's source names another
        outlet (a republisher copies the agency's style verbatim); else the input's source;
        else the URL's domain."""
        if url_profile:
            return url_profile.name
        if signed and self._may_sign(signed, draft):
            return signed.name
        if draft.source:
            named = self.profiles.by_name(draft.source)
            return named.name if named else draft.source.strip()
        return domain_of(draft.url) or None

    def _names_outlet(self, source: str | None, body: list[str]) -> bool:
        """Whether the story names the outlet of this copy ("told the Example Times", "a question
        from TASS", "a Reuters reporter"): the mark of the outlet's own copy, which republishers
        carry only as someone else's name."""
        profile = self.profiles.by_name(source)
        names = [source, *(profile.aliases if profile else [])] if source else []
        patterns = [_outlet_mention(name) for name in names if name and "." not in name and len(name) > 1]
        return any(p.search(paragraph) for p in patterns for paragraph in body)

    def _may_sign(self, signed: Profile, draft: Draft) -> bool:
        """Whether a text in `signed`'s house style may be `signed`'s own copy: nothing else names
        its outlet, or what does names `signed` (a host such as tass.ru that no profile lists)."""
        if draft.url and not any(host_names(draft.url, name_key(n)) for n in (signed.name, *signed.aliases)):
            return False
        return not draft.source or self.profiles.by_name(draft.source) is signed


@functools.lru_cache(maxsize=4096)
def _outlet_mention(name: str) -> re.Pattern:
    """An outlet's name as a story mentions it: case as written ("The" or "the" when the name
    has it), and not the start of a longer proper name ("the Independent Electoral Commission")."""
    core = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    # (?<!\w) comes after the first word, as a look-behind over it: a pattern that opens with
    # that word is searched for it directly (one opening with a look-behind tries every position)
    first = r"[Tt]he" if core != name.strip() else re.escape(core)
    rest = r"\s+" + re.escape(core) if core != name.strip() else ""
    return re.compile(first + r"(?<!\w" + first + ")" + rest + r"(?!\w)(?![ \t]+[A-Z])")


# Furniture that engages the reader (share and follow lines, teasers of other stories, ads, a
# feed's disclaimer): an aggregator wraps the story in it; a publisher's own header (byline,
# time, breadcrumb) and an agency's signoff are not of this kind.
WRAPPER_KINDS = frozenset({"share", "teaser", "ad", "disclaimer"})


def _wrapped(paragraphs: list[str], kinds: list[str]) -> bool:
    """Reader-engagement furniture stood inside or after the story (after its first paragraph)."""
    first = next((i for i, kind in enumerate(kinds) if kind == "body"), len(kinds))
    return any(kinds[i] == "furniture" and furniture_kind(paragraphs[i]) in WRAPPER_KINDS
               for i in range(first + 1, len(kinds)))


def _agency_text(source: str | None, dateline: Dateline | None) -> bool:
    """No outlet is known (no URL, source or signature) and the text opens with an agency's own
    dateline, not a syndicator's credit: the mark an agency's own copy carries without a URL."""
    return source is None and bool(dateline and dateline.agency and not dateline.syndicator)


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


def _drop_lead_bullets(paragraphs: list[str], kinds: list[str]) -> None:
    """The bullet summary atop some wire stories: bullet paragraphs in the header zone after a
    summary heading, or a run of them that a story paragraph follows, are not body."""
    zone = min(HEADER_ZONE, len(paragraphs))
    bullets = [i for i in range(zone) if kinds[i] == "body" and _BULLET.match(paragraphs[i])]
    if not bullets:
        return
    headed = any(kind == "summary" for kind in kinds[:bullets[0]])
    run = [i for i in bullets if i - bullets[0] == bullets.index(i)]  # the first contiguous run
    after = run[-1] + 1
    story_follows = after < len(paragraphs) and kinds[after] == "body" \
        and not _BULLET.match(paragraphs[after])
    story_before = any(kind == "body" for kind in kinds[:run[0]])
    if headed or (len(run) >= 2 and story_follows and not story_before):
        for i in run:
            kinds[i] = "furniture"


def _comparable(text: str, keys: dict[str, str]) -> str:
    key = keys.get(text)
    if key is None:
        key = keys[text] = comparable(text)
    return key


def _drop_adjacent_duplicates(paragraphs: list[str], keys: dict[str, str] | None = None) -> list[str]:
    kept: list[str] = []
    last = None  # comparable(kept[-1]), computed once per paragraph
    keys = {} if keys is None else keys
    for paragraph in paragraphs:
        key = _comparable(paragraph, keys)
        if not kept or key != last:
            kept.append(paragraph)
            last = key
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

"""Wire datelines at the start of a paragraph: where, when, and which agency is credited.

Styles understood (all generic; agency names are normalised through the profiles):
  MOSCOW, June 6. /TASS/.                       IGORA /Leningrad Region/, December 26. /TASS/.
  MOSCOW (UrduPoint News / Sputnik - 13th June, 2019)
  MEXICO CITY (AP) —      LA CROSSE, Wis. (AP) —      Berlin (dpa) -      Bagdad/Washington (dpa) -
  KATHMANDU, April 25 (Reuters) -               STOCKHOLM, Aug 29, 2014 (AFP) -
  SAITAMA, Japan, Dec. 9 Kyodo -                Jan. 12 (BusinessDesk) -
  (MENAFN - TASS) ...   (a syndicator's credit, optionally followed by the agency's own dateline)
  DUBLIN —    PUTRAJAYA, Nov 22 —    BHOPAL:    (a place with no agency)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.clean.dates import MONTH_WORD, FoundDate, find_date
from transforms.clean.profiles import ProfileSet

_UPPER_WORD = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’.\-]*"
_CAPS_PLACE = rf"{_UPPER_WORD}(?:[ /]{_UPPER_WORD}){{0,4}}"
_TITLE_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’.\-]*"
_ANY_PLACE = rf"{_TITLE_WORD}(?:[ /]{_TITLE_WORD}){{0,3}}"
_REGION = r"(?:\s*/[^/\n]{2,40}/)?(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,2}(?=,|\s*\(|\s+Kyodo))?"
_DATE = rf"(?:,\s*(?:{MONTH_WORD}\s+\d{{1,2}}|\d{{1,2}}\s+{MONTH_WORD})(?:,?\s+\d{{4}})?\.?)?"
_DASH = r"(?:—|–|--|-|:)"

_SYNDICATOR = re.compile(r"^\((?P<syndicator>[A-Z][\w.&' ]{1,30}?)\s+[-–—]\s+(?P<agency>[^()]{1,40}?)\)\s*")
_SLASH_CREDIT = re.compile(
    rf"^(?P<place>{_CAPS_PLACE})\s*\((?P<syndicator>[^()/]{{2,40}}?)\s*/\s*(?P<agency>[^()]{{1,40}}?)"
    rf"\s*[-–—]\s*(?P<date>[^()]{{4,40}})\)\s*"
)
_TASS_STYLE = re.compile(
    rf"^(?P<place>{_CAPS_PLACE}){_REGION}(?P<date>{_DATE})\s*/(?P<agency>[A-Za-z\-]{{2,20}})/\.?\s*"
)
_PAREN_CREDIT = re.compile(
    rf"^(?P<place>{_ANY_PLACE})?{_REGION}(?P<date>{_DATE})\s*\((?P<agency>[^()]{{1,40}})\)\s*{_DASH}?\s*"
)
_DATE_ONLY_CREDIT = re.compile(
    rf"^(?P<date>{MONTH_WORD}\s+\d{{1,2}}(?:,?\s+\d{{4}})?)\s*\((?P<agency>[^()]{{1,40}})\)\s*{_DASH}\s*"
)
_BARE_CREDIT = re.compile(  # Kyodo prints its name without brackets
    rf"^(?P<place>{_CAPS_PLACE}){_REGION}(?P<date>{_DATE})\s+(?P<agency>\w+)\s+{_DASH}\s+"
)
_DASH_END = re.compile(rf"{_DASH}\s*$")
_NO_AGENCY = re.compile(rf"^(?P<place>{_CAPS_PLACE}){_REGION}(?P<date>{_DATE})\s*(?:—|–|--|:)\s*(?=\S)")
# Capitalised words that open a paragraph with a colon or dash but are no place.
_NOT_PLACES = {
    "UPDATE", "UPDATED", "NOTE", "BREAKING", "EXCLUSIVE", "WATCH", "READ", "PHOTOS", "PHOTO", "VIDEO",
    "LIVE", "ANALYSIS", "OPINION", "EDITOR'S NOTE", "Q", "A", "FILE", "CORRECTION", "WARNING", "ALSO",
}


@dataclass
class Dateline:
    rest: str  # the paragraph without its dateline prefix
    place: str | None = None
    agency: str | None = None  # normalised credited agency
    date: FoundDate | None = None
    syndicator: str | None = None  # who credits the agency: "MENAFN", "UrduPoint News"


def parse_dateline(paragraph: str, profiles: ProfileSet) -> Dateline | None:
    """The dateline opening `paragraph`, or None when it opens with none."""
    syndicated = _SYNDICATOR.match(paragraph)
    if syndicated:
        agency = profiles.agency(syndicated["agency"]) or syndicated["agency"].strip()
        rest = paragraph[syndicated.end():]
        inner = _parse_plain(rest, profiles) if rest else None
        if inner:
            inner.agency = inner.agency or agency
            inner.syndicator = syndicated["syndicator"]
            return inner
        return Dateline(rest=rest, agency=agency, syndicator=syndicated["syndicator"])
    return _parse_plain(paragraph, profiles)


def _parse_plain(paragraph: str, profiles: ProfileSet) -> Dateline | None:
    match = _SLASH_CREDIT.match(paragraph)
    if match:
        agency = profiles.agency(match["agency"]) or match["agency"].strip()
        return _result(paragraph, match, agency, syndicator=match["syndicator"].strip())
    for pattern in (_TASS_STYLE, _PAREN_CREDIT, _DATE_ONLY_CREDIT, _BARE_CREDIT):
        match = pattern.match(paragraph)
        if not match or not (agency := profiles.agency(match["agency"])):
            continue
        place = match.groupdict().get("place") or ""
        # "Berlin (dpa) -" needs its dash; a title-case phrase before "(AP)" with none is prose.
        if pattern is _PAREN_CREDIT and place and not place.isupper() and not _DASH_END.search(match[0]):
            continue
        return _result(paragraph, match, agency)
    match = _PAREN_CREDIT.match(paragraph)
    if match and (match["place"] or "").isupper() and _DASH_END.search(match[0]):
        return _result(paragraph, match, None)  # "NEW YORK (Some Service) --": a dateline, no agency
    match = _NO_AGENCY.match(paragraph)
    if match and match["place"].strip() not in _NOT_PLACES and len(match["place"]) >= 3:
        return _result(paragraph, match, None)
    return None


def _result(
    paragraph: str, match: re.Match, agency: str | None, syndicator: str | None = None
) -> Dateline | None:
    rest = paragraph[match.end():].lstrip()
    if len(rest) < 2:
        return None  # nothing follows: a headline or a name, not a dateline
    place = match.groupdict().get("place")
    date_text = match.groupdict().get("date") or ""
    return Dateline(
        rest=rest,
        place=place.strip() if place else None,
        agency=agency,
        date=find_date(date_text) if date_text.strip(" ,.") else None,
        syndicator=syndicator,
    )


# A dateline that lost its paragraph break ("Headline Berlin (dpa) - Text"), seen in scraped
# texts: a capitalised place then a bracketed agency, near the start of the text.
_INLINE_CREDIT = re.compile(rf"(?:^|\s){_ANY_PLACE}\s*\((?P<agency>[^()]{{1,30}})\)(?=\s)")
# An agency's name opening the text's first lines with a date: "AA 17 Nisan 2020".
_NAME_AND_DATE = re.compile(r"(?:^|\s)(?P<agency>[A-Z][A-Za-z]{1,10})\s+\d{1,2}[ .]\s*\w+[ .]\s*\d{4}\b")
# A credit closing the text: "... slows to the weakest pace in 30 years. - Reuters"
_TRAILING_CREDIT = re.compile(r"\s[-–—]\s*\(?(?P<agency>[A-Za-z][\w.\- ]{1,30}?)\)?\s*$")
HEAD_CHARS = 400


def find_credit(text: str, profiles: ProfileSet) -> str | None:
    """An agency credited in a text whose dateline is not at a paragraph start (scraped texts)."""
    head = text[:HEAD_CHARS]
    for pattern in (_INLINE_CREDIT, _NAME_AND_DATE):
        for match in pattern.finditer(head):
            agency = profiles.agency(match["agency"])
            if agency:
                return agency
    match = _TRAILING_CREDIT.search(text[-80:])
    if match:
        return profiles.agency(match["agency"])
    return None

"""Dates written in article furniture: "Thu 13th June 2019 | 02:52 PM", "Updated 10:09 AM EST,
November 13, 2013", "Published: 16 Jul 2014, 05:36", "13th June, 2019", "Aug 29, 2014".

Only what wire and outlet furniture uses: a month name is required (numeric-only dates are
ambiguous between day-first and month-first outlets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_WORD = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
WEEKDAY_WORD = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|urday|rsday)?\.?"
# Fixed offsets of the zone abbreviations furniture prints (hours).
ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "ET": -5, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7, "PKT": 5, "IST": 5.5, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10,
    "AEDT": 11, "NZST": 12, "NZDT": 13,
}
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = rf"(?P<month>{MONTH_WORD})"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DATE_PATTERNS = [
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I),  # 13th June, 2019 / 16 Jul 2014
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),  # Aug 29, 2014
    re.compile(rf"\b{_DAY}\s+{_MONTH}(?!\w)", re.I),  # 26 December (no year)
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b", re.I),  # June 6 (no year)
]
_TIME = re.compile(
    r"\b(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2})?\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?P<zone>[A-Z]{1,4})\b)?",
    re.I,
)


@dataclass(frozen=True)
class FoundDate:
    """A date read from text; `year` may be missing (TASS datelines print none)."""

    year: int | None
    month: int
    day: int
    hour: int | None = None
    minute: int | None = None
    utc_offset_hours: float | None = None  # from a printed zone abbreviation

    def to_utc(self, zone: tzinfo | None) -> datetime | None:
        """UTC instant, or None without a year. A date without a time is taken at local noon,
        so that its UTC date is the printed date in every zone within +-12 hours."""
        if self.year is None:
            return None
        try:
            hour = 12 if self.hour is None else self.hour
            local = datetime(self.year, self.month, self.day, hour, self.minute or 0)
        except ValueError:
            return None
        if self.utc_offset_hours is not None:
            local = local.replace(tzinfo=timezone(timedelta(hours=self.utc_offset_hours)))
        else:
            local = local.replace(tzinfo=zone or timezone.utc)
        return local.astimezone(timezone.utc)


def find_date(text: str) -> FoundDate | None:
    """The first month-named date in `text`, with the time of day if one is printed."""
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        month = MONTHS.get(match.group("month").lower()[:3])
        day = int(match.group("day"))
        if not month or not 1 <= day <= 31:
            continue
        year = int(match.group("year")) if "year" in pattern.groupindex else None
        hour, minute, offset = _find_time(text)
        return FoundDate(year, month, day, hour, minute, offset)
    return None


def _find_time(text: str) -> tuple[int | None, int | None, float | None]:
    match = _TIME.search(text)
    if not match:
        return None, None, None
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    ampm = (match.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None, None, None
    zone = match.group("zone")
    offset = ZONE_OFFSETS.get(zone.upper()) if zone else None
    return hour, minute, offset


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime (naive ones are taken as UTC), else None."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00") if value.strip().endswith("Z") else value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        found = find_date(value)
        return found.to_utc(None) if found else None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def zone_named(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None

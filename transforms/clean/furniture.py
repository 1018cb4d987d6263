"""Generic furniture rules: paragraphs that are page or wire furniture, never story.

Each rule matches a whole paragraph (after whitespace normalisation) and is deliberately
narrow: a story sentence must not match. Outlet-specific furniture is in configs/sources.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transforms.clean.dates import MONTH_WORD, WEEKDAY_WORD, ZONE_OFFSETS
from transforms.clean.families import any_of
from transforms.clean.profiles import ProfileSet
from transforms.clean.spellings import Sieve, lowered_sure

# --- timestamps ------------------------------------------------------------------------------
_TIME_LABEL = re.compile(
    r"^(?:(?:last\s+|first\s+)?(?:updated|published|posted|modified|created|date|updated on|published on"
    r"|aktualisiert|veröffentlicht|actualizado|publicado|mis à jour|publié)\b\s*(?:on|at)?\s*:?\s*)+",
    re.I,
)
_TIME_TOKEN = re.compile(r"[^\W\d_]+\.?|\d+(?:st|nd|rd|th)?|\d{1,2}:\d{2}(?::\d{2})?|\S", re.I)
_TIME_WORDS = re.compile(
    rf"^(?:{MONTH_WORD}|{WEEKDAY_WORD}|[ap]\.?m\.?|ago|just|now|today|yesterday|at|on|and|"
    r"(?:sec|second|min|minute|hr|hour|day|week|month|year)s?|mins?\.?|read|et|local|time)$",
    re.I,
)
_RELATIVE = re.compile(r"\b(?:ago|today|yesterday)\b", re.I)
_TIME_PUNCT = set(",.|/-–—:·•()[]")


def is_timestamp(paragraph: str) -> bool:
    """A paragraph that is only a date/time stamp: "Updated 4 hours ago", "5 Min Read",
    "Published: Aug 29, 2014 11:43 pm", "Updated 10:09 AM EST, November 13, 2013"."""
    if len(paragraph) > 100:
        return False
    rest = _TIME_LABEL.sub("", paragraph).strip()
    tokens = _TIME_TOKEN.findall(rest)
    if not tokens:
        return False
    if not any(t[0].isdigit() for t in tokens) and not _RELATIVE.search(rest):
        return False
    for token in tokens:
        if token[0].isdigit() or token in _TIME_PUNCT or token.upper() in ZONE_OFFSETS:
            continue
        if not _TIME_WORDS.match(token):
            return False
    return True


# --- bylines ----------------------------------------------------------------------------------
_HANDLE = re.compile(r"\s*\(?@[\w.]+\)?")
_BY = re.compile(r"^(?:by|written by|posted by|von|por|par)\s+(?P<names>.+)$", re.I)
# "Name (@handle) 5 hours ago Thu 13th June 2019 | 02:52 PM"
_HANDLE_BYLINE = re.compile(r"^(?P<names>[^\W\d][^()@|\n]{1,60}?)\s*\(@[\w.]+\)\s*(?P<rest>.*)$")
_NAME_JOINERS = {
    "and", "&", "de", "da", "van", "von", "der", "den", "al", "el", "bin", "ibn", "la", "le", "du", "y",
}
_ROLE_WORDS = re.compile(
    r"\b(?:staff|writer|reporter|correspondent|editor|journalist|contributor|bureau|business|sports|"
    r"political|chief|senior|special|national|foreign|news|desk|team|in|for)\b",
    re.I,
)


@dataclass
class Byline:
    authors: list[str] = field(default_factory=list)
    agency: str | None = None
    stamp: str | None = None  # a timestamp printed on the byline line


def parse_byline(paragraph: str, profiles: ProfileSet) -> Byline | None:
    """A byline paragraph ("By Jane Doe, Reuters", "By The Associated Press",
    "Fahad Shabbir (@FahadShabbir) 5 hours ago ...") as authors and credited agency."""
    if len(paragraph) > 160:
        return None
    handle = _HANDLE_BYLINE.match(paragraph)
    if handle:
        rest = handle["rest"].strip()
        if rest and not is_timestamp(rest):
            return None
        byline = _names(handle["names"], profiles)
        if byline:
            byline.stamp = rest or None
        return byline
    match = _BY.match(paragraph)
    if match:
        return _names(match["names"], profiles)
    agency = profiles.agency(paragraph.strip(" ()=-—–"))
    if agency and paragraph.strip(" ()=-—–").casefold() != "aa":
        return Byline(agency=agency)
    return None


def _names(text: str, profiles: ProfileSet) -> Byline | None:
    """Names of a byline, or None when the words do not look like names (then it is prose)."""
    text = _HANDLE.sub("", text).strip(" ,.|")
    stamp_split = re.split(r"\s*[|·•]\s*", text, maxsplit=1)
    text = stamp_split[0]
    byline = Byline()
    parts = [p.strip() for p in re.split(r",|\band\b|&", text) if p.strip()]
    if not parts or len(parts) > 8:
        return None
    for part in parts:
        agency = profiles.agency(part) or profiles.agency(_ROLE_WORDS.sub("", part).strip())
        if agency:
            byline.agency = byline.agency or agency
            continue
        if _ROLE_WORDS.search(part) and not _looks_like_name(part):
            # "AP Business Writer": a role, with maybe the agency in it
            for word in part.split():
                byline.agency = byline.agency or profiles.agency(word)
            continue
        if not _looks_like_name(part):
            return None
        byline.authors.append(_tidy_name(part))
    return byline if byline.authors or byline.agency else None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    return all(w[0].isupper() or w.lower() in _NAME_JOINERS for w in words) and not any(
        ch.isdigit() for ch in text
    )


def _tidy_name(name: str) -> str:
    """Upper-case bylines ("STEVE PEOPLES") in title case; others as printed."""
    if name.isupper():
        return " ".join("-".join(part.capitalize() for part in word.split("-")) for word in name.split())
    return name


# --- furniture lines --------------------------------------------------------------------------
_SOCIAL = (
    r"(?:facebook|twitter|x|instagram|linkedin|whatsapp|telegram|youtube|tiktok|threads|bluesky|reddit"
    r"|google news|email|e-mail|newsletter|newsletters|channel|rss)"
)
_SYNDICATED = (
    r"\(?(?:this|the) (?:story|article|report) has not been edited by .{1,60}? staff"
    r" and is (?:auto-?generated|published) from a syndicated feed\.?\)?\.?"
)
_FURNITURE_SOURCES = [
    ("share", rf"^(?:share|share this(?: article| story)?|share on|share via|tweet|email|print|copy link)"
              rf"(?:\s*(?:on|via|:)?\s*{_SOCIAL}?)?[.!]?$"),
    ("share", rf"^(?:share|follow|subscribe|like|join|sign up|find|connect with)\b"
              rf".{{0,80}}\b{_SOCIAL}\b.{{0,60}}$"),
    ("teaser", r"^(?:read more|read also|also read|see also|related|related stories|related articles|more"
               r"|recommended|watch|listen|read|read next|must read|don'?t miss)"
               r"\s*(?::|\||-|–|—|»)\s*\S.{0,240}$"),
    ("ad", r"^(?:advertisement|advertising|sponsored(?: content)?|ad|anzeige|publicidad|reklama|publicité"
           r"|story continues below(?: advertisement)?|continue reading below"
           r"|scroll to continue(?: with content)?)$"),
    ("crumb", r"^(?:all|latest|top|more) (?:news|stories|articles)$"),
    ("crumb", r"^(?:[\w&'’.\- ]{1,25}\s*[›»>]\s*){1,5}[\w&'’.\- ]{1,25}$"),
    ("copyright", r"^(?:©|\(c\)|copyright\b|all rights reserved).{0,200}$"),
    ("signoff", r"^\((?:additional |further )?(?:reporting|writing|editing|compiled|research|translated"
                r"|translation|production|graphics)\b[^()]*(?:\([^()]*\)[^()]*)*\)\.?$"),
    ("signoff", r"^={1,3}\s*[\w .\-]{1,30}$"),  # ==Kyodo
    ("signoff", r"^[a-z]{1,4}(?:/[a-z]{1,4}){1,6}$"),  # AFP desk initials: hh/ph/ts
    ("signoff", r"^(?:_{3,}|-{3,}|\*{3,}|#{1,3})$"),  # AP "___" note separator, "###"
    ("disclaimer", rf"^{_SYNDICATED}$"),
    ("disclaimer", r"^\(?(?:the )?views and opinions expressed in (?:the|this) article .{0,120}\)?$"),
]
_FURNITURE = [(kind, re.compile(source, re.I)) for kind, source in _FURNITURE_SOURCES]
_ANY_FURNITURE = any_of([pattern for _, pattern in _FURNITURE])  # most paragraphs match none
# Agency notes that end a story: "Jane Doe contributed to this report."
_NOTE = re.compile(
    r"(?:contributed (?:to )?(?:this|the) (?:report|story|article)|helped with this (?:report|story)"
    r"|can be reached at\b|this (?:story|article) has been (?:corrected|updated)|contributed reporting\b)",
    re.I,
)
NOTE_ZONE = 3  # how many paragraphs from the end agency notes are looked for
_TAILS = [Sieve(re.compile(rf"\s*{_SYNDICATED}$", re.I))]  # each searched only where its word is


def furniture_kind(paragraph: str) -> str | None:
    """The kind of furniture a paragraph is ("share", "teaser", ...), or None for story text."""
    if len(paragraph) > 300 or (_ANY_FURNITURE is not None and not _ANY_FURNITURE.match(paragraph)):
        return None
    for kind, pattern in _FURNITURE:
        if pattern.match(paragraph):
            return kind
    return None


def is_end_note(paragraph: str) -> bool:
    return len(paragraph) < 300 and bool(_NOTE.search(paragraph))


# A form's option list scraped into the text (countries, regions, languages: "Afghanistan
# Albania Algeria ..."): a long run of title-case names with nothing but separators and name
# joiners between them. Prose, even German with its capitalised nouns, has verbs and articles.
_CAPITAL = "[A-ZÀ-ÖØ-ÞĄĆĘŁŃŚŹŻÇĞİŞ]"
_NOT_CAPITAL = "[^A-ZÀ-ÖØ-ÞĄĆĘŁŃŚŹŻÇĞİŞ]"
_NAME_ITEM = rf"{_CAPITAL}[a-zà-öø-ÿąćęłńóśźżçğışü'’.\-]+"
_JOINER = r"(?:and|of|the|und|de|del|la|y|i|et|e|do|da|ve)"
_NAME_LIST = re.compile(
    rf"(?:(?<=\s)|^)(?:{_NAME_ITEM}(?:\s+{_JOINER}\s+{_NAME_ITEM})*(?:\s*[,;|/•·]\s*|\s+)){{{12},}}"
    rf"{_NAME_ITEM}\b(?!\s+[a-zà-ÿ])"  # the last item does not open a sentence
)


# 13 capitals, the least such a list holds: most paragraphs have fewer, and this is much
# cheaper to rule out than _NAME_LIST's search
_THIRTEEN_CAPITALS = re.compile(rf"{_NOT_CAPITAL}*+(?:{_CAPITAL}{_NOT_CAPITAL}*+){{12}}{_CAPITAL}")


def strip_name_lists(paragraph: str) -> str:
    """The paragraph without runs of 13 or more title-case names (a form's country list)."""
    if not _THIRTEEN_CAPITALS.match(paragraph) or not _NAME_LIST.search(paragraph):
        return paragraph
    return re.sub(r"\s{2,}", " ", _NAME_LIST.sub(" ", paragraph)).strip()


def strip_tails(paragraph: str, profiles: ProfileSet) -> str:
    """A paragraph without generic or outlet furniture glued to its end (or a name list in it)."""
    paragraph = strip_name_lists(paragraph)
    lowered: str | bool | None = False  # the paragraph's lowered_sure, once a case-blind sieve needs it
    for sieve in (*_TAILS, *profiles.junk_tail_sieves):
        if sieve.ignores_case and lowered is False:
            lowered = lowered_sure(paragraph)
        if not sieve.rules_out(paragraph, lowered):
            paragraph, lowered = sieve.pattern.sub("", paragraph), False
    return paragraph.rstrip()


# --- promotions glued to the end of a scraped text --------------------------------------------
# A sentence is a promotion when it has a call to action and a channel: "Follow us on Twitter",
# "Puedes seguir ... en Facebook", "Click to get this free report". Only looked for at the very
# end of a text, where scraped pages leave them.
_CALL = re.compile(
    r"\b(?:follow|subscribe|suscr[ií]b|seguir|síguenos|obserwuj|kliknij|abonn|folgen|suivez|sign up"
    r"|click|download|read this article|delivered to your inbox)",
    re.I,
)
_CHANNEL = re.compile(
    r"\b(?:facebook|twitter|instagram|google news?|telegram|youtube|whatsapp|tiktok|linkedin|newsletters?"
    r"|inbox|free report|click here|here)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_PROMO_CHARS = 400
TRUNCATED_FRAGMENT = 40  # a scrape cut off mid-sentence leaves a short unterminated tail


def _is_promo(sentence: str) -> bool:
    return bool(_CALL.search(sentence)) and bool(_CHANNEL.search(sentence))


def _is_truncated(fragment: str) -> bool:
    return len(fragment) < TRUNCATED_FRAGMENT and not fragment.endswith((".", "!", "?", '"', "”"))


def strip_trailing_promo(paragraph: str) -> str:
    """The paragraph without promotion sentences at its end (at most MAX_PROMO_CHARS cut)."""
    sentences = _SENTENCE_END.split(paragraph)
    cut = 0
    while sentences:
        last = sentences[-1]
        if _is_promo(last):
            dropped = 1
        elif len(sentences) > 1 and _is_truncated(last) and _is_promo(sentences[-2]):
            dropped = 2
        else:
            break
        size = sum(len(s) + 1 for s in sentences[-dropped:])
        if cut + size > MAX_PROMO_CHARS:
            break
        cut += size
        del sentences[-dropped:]
    return " ".join(sentences)

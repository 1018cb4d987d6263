"""Charsets: which codec a body's bytes are in, decided by evidence.

The BOM wins; then bytes that are valid UTF-8 with non-ASCII characters are UTF-8 (multi-byte
sequences do not arise by accident). Otherwise the declarations (header, <?xml encoding?>,
<meta charset>) are candidates like any other: a declaration the bytes do not decode under
loses, and a single-byte one loses to another single-byte codec whose reading is far more
plausible. Plausibility is the likelihood of the non-ASCII characters under the letter
frequencies of the language that fits them best (langdetect's 55 profiles): "crème" is
French, "crčme" is nobody's, and Cyrillic read as Latin-1 ("Ïðåçèäåíò") fits no language.
Bytes with no usable declaration go to charset-normalizer for the multi-byte codecs (CJK),
else to the same single-byte vote.
"""

from __future__ import annotations

import codecs
import functools
import json
import math
import re
import unicodedata
from collections import Counter
from importlib import resources

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']""", re.I)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# The single-byte codecs that news on the web is written in (Windows code pages first: they
# are what "latin-1" labels mean in practice, WHATWG maps them so), tried against each other.
SINGLE_BYTE = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "cp1255", "cp1256", "koi8-r")
_WHATWG_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}
# A declaration stands unless another reading is this much likelier (nats, over the document:
# e^8, about 3,000 times; one letter no language uses costs about 10)
_OVERRULE_NATS = 8.0
_FLOOR = math.log(1e-7)  # a letter no language uses, a control or private-use character
_PUNCTUATION = math.log(1e-2)  # typographic quotes, dashes, no-break space: neutral evidence
_SYMBOL = math.log(1e-4)  # currency and other symbols: possible, less likely than letters
_SAMPLE = 200_000


def header_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(codec, codec)


def _single_byte(codec: str) -> bool:
    return codec in SINGLE_BYTE or codec.startswith(("iso8859", "cp12", "koi8", "mac-", "cp8"))


def _decoded(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


@functools.cache
def _letter_logs() -> dict[str, dict[str, float]]:
    """Per language, log frequency of each (lower-case) letter among its letters."""
    tables: dict[str, dict[str, float]] = {}
    folder = resources.files("langdetect") / "profiles"
    for profile in folder.iterdir():
        data = json.loads(profile.read_text(encoding="utf-8"))
        counts: Counter[str] = Counter()
        for gram, count in data["freq"].items():
            if len(gram) == 1 and gram.isalpha():
                counts[gram.lower()] += count
        total = sum(counts.values()) or 1
        tables[profile.name] = {letter: math.log(count / total) for letter, count in counts.items()}
    return tables


def _char_log(char: str, table: dict[str, float]) -> float:
    if char.isalpha():
        return table.get(char.lower(), _FLOOR)
    category = unicodedata.category(char)
    if category.startswith("P") or category == "Zs":
        return _PUNCTUATION
    if category.startswith("S") or category == "No":
        return _SYMBOL
    return _FLOOR


# Runs of letters and non-ASCII characters: ASCII bytes read the same in every candidate, so
# every candidate cuts the same runs and their scores compare
_RUN = re.compile(r"[^\x00-@\[-`{-\x7f]+")


def plausibility(text: str) -> float:
    """Log-likelihood of the characters of the runs that hold a non-ASCII character, ASCII
    letters included (French read as Cyrillic gives "crиme": Latin and Cyrillic in a word),
    under the language that fits best (0.0 for ASCII text)."""
    counts = Counter(ch for run in _RUN.findall(text) if not run.isascii() for ch in run)
    if not counts:
        return 0.0
    return max(sum(n * _char_log(ch, table) for ch, n in counts.items()) for table in _letter_logs().values())


def _vote(body: bytes, declared: str | None, sniffed: str | None = None) -> tuple[str, str] | None:
    """The reading of `body` that is most plausible among the declared codec, the single-byte
    ones and charset-normalizer's guess; the declared codec stands unless another is clearly
    likelier. Ties go to the earlier candidate (declared, then SINGLE_BYTE's order)."""
    scores: dict[str, float] = {}
    for codec in dict.fromkeys([c for c in (declared, *SINGLE_BYTE, sniffed) if c]):
        text = _decoded(body, codec)
        if text is not None:
            scores[codec] = plausibility(text[:_SAMPLE])
    if not scores:
        return None
    best = max(scores, key=lambda codec: scores[codec])
    if declared in scores and scores[best] - scores[declared] < _OVERRULE_NATS:
        return declared, "declared"
    return best, "evidence"


def _declarations(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    head = body[:4096]
    found = [("header", _codec(header_charset(content_type)))]
    for how, pattern in (("xml", _XML_ENCODING), ("meta", _META_CHARSET)):
        match = pattern.search(head)
        found.append((how, _codec(match.group(1).decode("ascii", "ignore")) if match else None))
    return [(how, codec) for how, codec in found if codec]


def detect_charset(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(codec, how): how is "bom", "utf-8", a declaration ("header", "xml", "meta"), one
    overruled by evidence ("header-overruled"...), "sniffed" or "fallback"."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, "bom"
    declared = _declarations(body, content_type)
    if body.isascii():
        return (declared[0][1] if declared else "utf-8"), (declared[0][0] if declared else "ascii")
    if _decoded(body, "utf-8") is not None:
        overruled = [how for how, codec in declared if codec not in ("utf-8", "utf-8-sig")]
        return "utf-8", (f"{overruled[0]}-overruled" if overruled else "utf-8")
    for how, codec in declared:
        if codec in ("utf-8", "utf-8-sig") or _decoded(body, codec) is None:
            continue  # a declaration the bytes contradict
        if not _single_byte(codec):
            return codec, how
        chosen, why = _vote(body, codec, _sniff(body)) or (codec, "declared")
        return chosen, (how if why == "declared" else f"{how}-overruled")
    voted = _vote(body, None, _sniff(body))
    return (voted[0], "sniffed") if voted else ("cp1252", "fallback")


def _sniff(body: bytes) -> str | None:
    """charset-normalizer's guess: the candidate for multi-byte codecs (CJK)."""
    guess = charset_normalizer.from_bytes(body[:_SAMPLE]).best()
    return _codec(guess.encoding) if guess is not None else None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec

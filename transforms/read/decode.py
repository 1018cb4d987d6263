"""Bytes of a text or HTML file to str: byte-order marks, BOM-less UTF-16, UTF-8, and legacy
single-byte encodings (cp1252, cp1251...) detected with charset_normalizer.

A file that no encoding explains is an error (the file becomes a reject), never silent garbage.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 4096
# BOM-less UTF-16: zero bytes on one side of the code units only (Latin text: nearly every
# high byte; Cyrillic or Greek: the spaces and punctuation), and a decoding into printable text.
UTF16_MIN_ZERO_SHARE = 0.05
MAX_UNPRINTABLE_SHARE = 0.01
# charset_normalizer reads this much; the verdict is then applied to the whole file.
DETECT_BYTES = 200_000
# Legacy code pages preferred when charset_normalizer finds several equally good: the web's
# commonest (WHATWG reads "latin-1" labels as cp1252 too).
PREFERRED = ("cp1252", "cp1251")
TIE = 0.01


class DecodeError(ValueError):
    """No encoding explains the bytes."""


def bom_encoding(data: bytes) -> str | None:
    return next((name for bom, name in BOMS if data.startswith(bom)), None)


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the zero bytes fall in the pattern UTF-16 text makes and
    the head decodes into printable text."""
    sample = data[: SNIFF_BYTES - SNIFF_BYTES % 2]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    minimum = UTF16_MIN_ZERO_SHARE * len(sample) / 2
    if not even and odd >= minimum:
        encoding = "utf-16-le"
    elif not odd and even >= minimum:
        encoding = "utf-16-be"
    else:
        return None
    text = sample.decode(encoding, errors="replace")
    unprintable = sum(1 for char in text if not char.isprintable() and not char.isspace())
    return encoding if unprintable <= MAX_UNPRINTABLE_SHARE * len(text) else None


def unicode_encoding(data: bytes) -> str | None:
    """The UTF-16/32 (or UTF-8 with BOM) encoding the bytes announce or show, else None."""
    return bom_encoding(data) or utf16_without_bom(data)


def decode(data: bytes, fallback: str = "") -> tuple[str, str]:
    """(text, encoding used). UTF-8 first; else `fallback` when configured, else the encoding
    charset_normalizer finds. Raises DecodeError when nothing fits."""
    announced = unicode_encoding(data)
    if announced:
        try:
            return data.decode(announced), announced
        except UnicodeDecodeError as error:
            raise DecodeError(f"not valid {announced}: {error.reason} at byte {error.start}") from error
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = f"not valid UTF-8 ({error.reason} at byte {error.start})"
    if fallback:
        return data.decode(fallback, errors="replace"), fallback
    encoding = detect(data[:DETECT_BYTES])
    if encoding is None:
        raise DecodeError(f"{utf8_error}, and no other encoding fits")
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as error:  # the verdict on the head misread the tail
        raise DecodeError(f"{utf8_error}; {encoding} fits its start only") from error


def detect(data: bytes) -> str | None:
    """charset_normalizer's verdict; among verdicts it finds equally good (cp1250 and cp1252 often
    tie on French or Spanish text), the commoner code page wins."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding in ("ascii", "utf_8"):
        return None
    tied = [match for match in matches
            if match.chaos <= best.chaos + TIE and match.coherence >= best.coherence - TIE]
    for name in PREFERRED:
        if any(name in match.could_be_from_charset for match in tied):
            return name
    return best.encoding

"""Charsets: which codec a body's bytes are in, from the BOM, the declarations (header,
<?xml encoding?>, <meta charset>) and the bytes themselves."""

from __future__ import annotations

import codecs
import re

import charset_normalizer


def header_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']""", re.I)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def _single_byte(codec: str) -> bool:
    return codec in ("latin-1", "iso8859-1", "cp1252", "ascii") or codec.startswith(("iso8859", "cp125"))


def _valid(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_charset(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(codec, how): BOM, then the header's charset, then <meta>/<?xml encoding?>, then sniffing.
    A declaration the bytes contradict is overruled: bytes that are valid UTF-8 with non-ASCII
    characters under a single-byte declaration are UTF-8, and bytes invalid in the declared
    codec are sniffed."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, "bom"
    head = body[:4096]
    declared = [("header", _codec(header_charset(content_type)))]
    for how, pattern in (("xml", _XML_ENCODING), ("meta", _META_CHARSET)):
        match = pattern.search(head)
        declared.append((how, _codec(match.group(1).decode("ascii", "ignore")) if match else None))
    is_utf8 = _valid(body, "utf-8")
    for how, codec in declared:
        if not codec:
            continue
        if _single_byte(codec) and is_utf8 and not body.isascii():
            return "utf-8", f"{how}-overruled"
        if _valid(body, codec):
            return codec, how
    if is_utf8:
        return "utf-8", "sniffed"
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return _codec(best.encoding) or "cp1252", "sniffed"
    return "cp1252", "fallback"


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec


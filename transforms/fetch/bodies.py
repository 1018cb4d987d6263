"""Response bodies: bounded inflation of gzip / deflate, binary sniffing, and the plain text
of an HTML fragment (feed entries)."""

from __future__ import annotations

import codecs
import re
import zlib

import lxml.etree
import lxml.html

from transforms.fetch.settings import FetchError


class Inflater:
    """gzip / deflate decoding that never produces more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.size = 0
        self._raw_deflate_tried = False
        self._encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._d = zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped; raw deflate tried on error
        else:
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes) -> bytes:
        try:
            out = self._d.decompress(data, self.limit - self.size + 1)
        except zlib.error as error:
            if self.size == 0 and self._encoding == "deflate" and not self._raw_deflate_tried:
                self._raw_deflate_tried = True  # servers that send raw deflate without zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data)
            raise FetchError("bad_encoding", f"corrupt compressed body: {error}") from error
        self.size += len(out)
        if self.size > self.limit or self._d.unconsumed_tail:
            raise FetchError("inflated_too_large", f"body inflates beyond {self.limit} bytes")
        return out


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_binary(body: bytes, text: str | None = None) -> bool:
    """NUL bytes (outside UTF-16/32) or many control characters: an image, PDF or archive."""
    head = body[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = b""
    if b"\x00" in head:
        return True
    sample = (text if text is not None else head.decode("latin-1"))[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\x0b")
    return controls > max(4, len(sample) // 100)



_BLOCK_TAGS = re.compile(
    r"(?i)<\s*(/?)(p|div|br|h[1-6]|li|ul|ol|blockquote|tr|table|section|article|pre)\b[^>]*>"
)


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment, one paragraph per block, paragraphs separated by a
    blank line (the shape the cleaning stage expects)."""
    if not fragment or not fragment.strip():
        return ""
    marked = _BLOCK_TAGS.sub("\n\n", fragment)
    try:
        text = lxml.html.fromstring(f"<div>{marked}</div>").text_content()
    except (lxml.etree.ParserError, ValueError):
        text = re.sub(r"<[^>]+>", " ", marked)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


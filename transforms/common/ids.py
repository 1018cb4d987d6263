"""Deterministic ids: the same input gives the same id on every run and machine."""

from __future__ import annotations

import hashlib

import xxhash

ID_HEX = 32  # 128 bits: collisions are out of reach at any news volume


def digest(*parts: str) -> str:
    joined = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(joined).hexdigest()[:ID_HEX]


def content_digest(content: str | None) -> str:
    """Fast fingerprint of a raw payload (pages can be large; xxh3 is ~10x sha256)."""
    return xxhash.xxh3_128_hexdigest((content or "").encode("utf-8", "surrogatepass"))


def article_id(url: str | None, source_id: str | None, content: str | None) -> str:
    """A page is identified by its URL (its content changes between fetches); a record without
    URL by its own id and content (ids are only unique per file), else by its content."""
    if url:
        return digest("url", url.strip(), source_id or "")
    return digest("content", source_id or "", content_digest(content))


def quote_id(article: str, start: int, end: int) -> str:
    return digest("quote", article, str(start), str(end))

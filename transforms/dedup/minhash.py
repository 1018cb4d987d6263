"""Text fingerprints for near-duplicate detection: normalised tokens, word shingles, MinHash.

Language-agnostic: tokens are runs of letters/digits (Han, kana and Thai characters count one
each), case-folded after NFKC and mojibake repair, so curly/straight quotes, whitespace, hard
wraps and re-casing do not change a fingerprint. Hashes are xxhash with fixed seeds and numpy
with a fixed generator: the same text gives the same fingerprint on every machine and run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ftfy
import numpy as np
import xxhash

from transforms.common.mojibake import looks_mojibaked
from transforms.dedup import xxh3

_CHAR_TOKEN_SCRIPTS = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(rf"[{_CHAR_TOKEN_SCRIPTS}]|[^\W_{_CHAR_TOKEN_SCRIPTS}]+")
CHAR_TOKEN_RE = re.compile(rf"[{_CHAR_TOKEN_SCRIPTS}]")
# Words shorter than this carry little evidence that two texts tell the same story
# (articles, pronouns, prepositions in most alphabetic languages).
CONTENT_WORD_CHARS = 4


def tokens(text: str | None) -> list[str]:
    """Normalised word tokens of a text."""
    text = text or ""
    if looks_mojibaked(text):  # ftfy is slow: only where UTF-8 read as cp1252 is likely
        text = ftfy.fix_text(text)
    text = unicodedata.normalize("NFKC", text)
    return TOKEN_RE.findall(text.casefold())


def content_hash(text: str | None) -> str:
    """Hash of the normalised text: equal for copies that differ only in case, marks, spacing."""
    return hash_tokens(tokens(text))


def hash_tokens(words: list[str]) -> str:
    """content_hash of already tokenised text."""
    return hash_joined(joined_tokens(words))


def joined_tokens(words: list[str]) -> bytes:
    """The tokens joined by spaces, UTF-8: what content_hash and the shingle hashes hash."""
    return " ".join(words).encode("utf-8")


def hash_joined(joined: bytes) -> str:
    """content_hash of joined_tokens."""
    return xxhash.xxh3_128_hexdigest(joined)


def shingle_hashes(words: list[str], size: int) -> np.ndarray:
    """64-bit hash of every word `size`-shingle, in text order (one shingle for short texts):
    xxh3_64 of the shingle's words joined by spaces, UTF-8."""
    return joined_shingle_hashes(joined_tokens(words), len(words), size)


def joined_shingle_hashes(joined: bytes, count: int, size: int) -> np.ndarray:
    """shingle_hashes of `count` words given as their space-joined UTF-8 bytes (no word holds a
    space byte: tokens are word characters, and no UTF-8 multi-byte sequence holds 0x20). A
    shingle is then a slice of the joined bytes, and most (17 to 64 bytes) are hashed at once
    by xxh3.xxh3_64_17to64 in numpy; the others by xxhash itself, one call each."""
    if count == 0:
        return np.zeros(0, dtype=np.uint64)
    if count < size:
        return np.array([xxhash.xxh3_64_intdigest(joined)], dtype=np.uint64)
    spaces = np.flatnonzero(np.frombuffer(joined, dtype=np.uint8) == 32)
    starts = np.empty(count, dtype=np.int64)
    starts[0] = 0
    starts[1:] = spaces + 1
    ends = np.empty(count, dtype=np.int64)
    ends[:-1] = spaces
    ends[-1] = len(joined)
    starts, ends = starts[:count - size + 1], ends[size - 1:]
    lengths = ends - starts
    hashes = xxh3.xxh3_64_17to64(joined, starts, lengths)
    others = np.flatnonzero((lengths < 17) | (lengths > 64))
    if others.size:
        hashes[others] = np.fromiter(
            map(xxhash.xxh3_64_intdigest, map(joined.__getitem__, map(
                slice, starts[others].tolist(), ends[others].tolist()))),
            dtype=np.uint64, count=others.size)
    return hashes


def content_word_hashes(words: list[str]) -> np.ndarray:
    """32-bit hash per token: odd for content words, even (non-zero) for numbers of two or more
    digits (the marks that tell template stories apart), 0 for short words, which are ignored."""
    cache = {word: _content_word_hash(word) for word in set(words)}
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint32, count=len(words))


def _content_word_hash(word: str) -> int:
    if word.isdigit():
        return (xxhash.xxh32_intdigest(word.encode("utf-8")) & ~1 or 2) if len(word) >= 2 else 0
    if len(word) >= CONTENT_WORD_CHARS or CHAR_TOKEN_RE.match(word):
        return xxhash.xxh32_intdigest(word.encode("utf-8")) | 1
    return 0


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-D array (sorted distinct values, same dtype), without np.unique's
    generic set-up, which cost ten times the sort on the ~800 shingles of an article."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class MinHasher:
    """MinHash with `num_perm` multiply-shift hash functions, vectorised with numpy."""

    def __init__(self, num_perm: int, seed: int = 1):
        rng = np.random.default_rng(seed)
        # Odd multipliers: a*x mod 2^64 is then a bijection; the top 32 bits are the hash.
        self.a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
        self.b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
        self._a_column, self._b_column = self.a[:, None], self.b[:, None]

    def signature(self, unique_shingles: np.ndarray) -> np.ndarray:
        if unique_shingles.size == 0:
            return np.full(self.a.size, 2**32, dtype=np.uint64)
        # one row per hash function, in place: (a*x + b) mod 2^64 (uint64 wraps), top 32 bits
        mixed = self._a_column * unique_shingles.astype(np.uint64, copy=False)
        mixed += self._b_column
        mixed >>= np.uint64(32)
        return mixed.min(axis=1)


def band_keys(signature: np.ndarray, rows: int) -> list[int]:
    """One LSH key per band of `rows` signature values (64-bit; the band index is hashed in)."""
    raw, width = signature.astype(np.uint64).tobytes(), 8 * rows  # one conversion, sliced per band
    return [xxhash.xxh3_64_intdigest(raw[band * width:(band + 1) * width], seed=band)
            for band in range(signature.size // rows)]


@dataclass
class Fingerprint:
    """What verification needs of one article: shingles in text order and content words."""

    shingles: np.ndarray  # uint64 (uint32 after pack/unpack), one per position (text order)
    unique: np.ndarray  # sorted distinct shingles, same dtype
    words: np.ndarray  # uint32 per token, 0 for short words
    size: int  # shingle size used


def pack(fp: Fingerprint) -> bytes:
    """One bytes object for Beam's coders and grouping buffers (a dataclass of arrays would be
    pickled, slowly; a tuple is several Python objects per element): uint32 token count, the
    content-word hashes, then the low 32 bits of each shingle hash in text order. Verification
    compares shingles only within a candidate pair, so 32 bits are plenty there (MinHash and
    the band keys are computed from the full 64-bit hashes before packing)."""
    count = np.array([fp.words.size], dtype=np.uint32)
    return b"".join((count.tobytes(), fp.words.astype(np.uint32).tobytes(),
                     fp.shingles.astype(np.uint32).tobytes()))


def packed_shingles(packed: bytes) -> np.ndarray:
    """The shingles of a packed fingerprint (uint32, text order), without unpacking the rest."""
    values = np.frombuffer(packed, dtype=np.uint32)
    return values[1 + int(values[0]):] if values.size else values


def unpack(packed: bytes, size: int) -> Fingerprint:
    values = np.frombuffer(packed, dtype=np.uint32)
    count = int(values[0]) if values.size else 0
    shingles = values[1 + count:]
    return Fingerprint(shingles, sorted_unique(shingles), values[1:1 + count], size)


def fingerprint(text: str | None, size: int) -> Fingerprint:
    return fingerprint_tokens(tokens(text), size)


def fingerprint_tokens(words: list[str], size: int, joined: bytes | None = None) -> Fingerprint:
    """`joined`: joined_tokens(words), when the caller has it."""
    shingles = joined_shingle_hashes(joined_tokens(words) if joined is None else joined, len(words), size)
    return Fingerprint(shingles, sorted_unique(shingles), content_word_hashes(words), size)


def fingerprint_and_hash(text: str | None, size: int) -> tuple[Fingerprint, str]:
    """The fingerprint and content_hash of a text, tokenised and joined once for both."""
    words = tokens(text)
    joined = joined_tokens(words)
    return fingerprint_tokens(words, size, joined), hash_joined(joined)

"""XXH3-64 (seed 0, the default secret) of many short byte strings at once, in numpy.

Word shingles are hashed with xxhash.xxh3_64; one Python call per shingle was most of an
article's fingerprint. Shingles of 17 to 64 bytes (97% of them) take XXH3's "17to128" path,
written here from the XXH3 specification for that range: acc = len * PRIME64_1, plus, per
16-byte pair (the first and last 16 bytes, then bytes 16-31 and len-32..len-16 past 32 bytes),
mul128_fold64(read64(in) ^ secret_lo, read64(in + 8) ^ secret_hi), then the XXH3 avalanche.
All arithmetic is uint64 modulo 2^64 (numpy wraps); the 64x64 -> 128-bit product is built from
32-bit halves as in xxhash's portable XXH_mult64to128. tests/dedup/test_fast_paths.py checks it
against xxhash on every length and on random bytes.
"""

from __future__ import annotations

import numpy as np

PRIME64_1 = np.uint64(0x9E3779B185EBCA87)
PRIME_MX1 = np.uint64(0x165667919E3779F9)
# the first 64 bytes of XXH3's default secret, as little-endian 64-bit words
SECRET = np.frombuffer(bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c"), dtype="<u8").astype(np.uint64)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT32, _SHIFT37 = np.uint64(32), np.uint64(37)


def _fold64(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Low 64 bits xor high 64 bits of the 128-bit products (XXH3_mul128_fold64)."""
    lhs_lo, lhs_hi = lhs & _LOW32, lhs >> _SHIFT32
    rhs_lo, rhs_hi = rhs & _LOW32, rhs >> _SHIFT32
    lo_lo = lhs_lo * rhs_lo
    hi_lo = lhs_hi * rhs_lo
    cross = (lo_lo >> _SHIFT32) + (hi_lo & _LOW32) + lhs_lo * rhs_hi
    upper = (hi_lo >> _SHIFT32) + (cross >> _SHIFT32) + lhs_hi * rhs_hi
    lower = (cross << _SHIFT32) | (lo_lo & _LOW32)
    return lower ^ upper


# read offsets of XXH3's 16-byte blocks in the order of the secret's words: bytes 0-15 of the
# input, its last 16, then (past 32 bytes) bytes 16-31 and the 16 before the last 16
_FROM = np.array([0, 0, 1, 1, 0, 0, 1, 1])  # 0: from the start, 1: from the end
_OFFSET = np.array([0, 8, -16, -8, 16, 24, -32, -24], dtype=np.int64)[:, None]


def xxh3_64_17to64(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """xxh3_64 of data[start:start + length] for each pair; exact where 17 <= length <= 64
    (other lengths get some value: the caller hashes those itself)."""
    padded = data + bytes(32)  # reads of short inputs (results not used) may pass the end
    # read64[i]: the little-endian 64-bit word at byte i (an unaligned strided view, no copy)
    read64 = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts = starts.astype(np.int64, copy=False)
    lengths = np.maximum(lengths, 16)  # a shorter input (hashed by the caller) reads 16 bytes
    at = np.stack((starts, starts + lengths))[_FROM]  # (8, n): every 64-bit word read
    at += _OFFSET
    np.maximum(at, 0, out=at)  # the 2nd pair of short inputs (not used) may point before byte 0
    words = np.take(read64, at)  # (np.take: fancy indexing of an unaligned view is 4x slower)
    words ^= SECRET[:, None]
    folded = _fold64(words[0::2], words[1::2])  # (4, n): mul128_fold64 of each block
    folded[2:] *= (lengths > 32).astype(np.uint64)  # the 2nd pair only past 32 bytes
    acc = lengths.astype(np.uint64) * PRIME64_1 + folded.sum(axis=0, dtype=np.uint64)
    acc ^= acc >> _SHIFT37
    acc *= PRIME_MX1
    acc ^= acc >> _SHIFT32
    return acc

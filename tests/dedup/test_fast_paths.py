"""The dedup cores' fast paths give what the straightforward numpy/Python forms give."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash

from transforms.dedup import xxh3
from transforms.dedup.minhash import MinHasher, shingle_hashes, sorted_unique


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
@pytest.mark.parametrize("size", [0, 1, 2, 7, 800])
def test_sorted_unique_is_np_unique(dtype, size):
    rng = np.random.default_rng(size)
    values = rng.integers(0, 50 if size > 7 else 2**32, size=size).astype(dtype)
    got = sorted_unique(values)
    assert got.dtype == np.unique(values).dtype
    assert np.array_equal(got, np.unique(values))


@pytest.mark.parametrize("size", [0, 1, 5, 900])
def test_signature_is_the_outer_product_form(size):
    hasher = MinHasher(32, seed=1)
    unique = np.unique(np.random.default_rng(size).integers(0, 2**64, size=size, dtype=np.uint64))
    if size == 0:
        expected = np.full(32, 2**32, dtype=np.uint64)
    else:
        expected = ((np.outer(unique, hasher.a) + hasher.b) >> np.uint64(32)).min(axis=0)
    got = hasher.signature(unique)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_xxh3_17to64_is_xxhash_on_every_length_and_offset():
    rng = np.random.default_rng(7)
    data = rng.integers(0, 256, size=400, dtype=np.uint8).tobytes()
    starts, lengths = [], []
    for length in range(17, 65):
        for start in (0, 1, 3, 7, 8, 200, 400 - length):
            starts.append(start)
            lengths.append(length)
    got = xxh3.xxh3_64_17to64(data, np.array(starts), np.array(lengths))
    expected = [xxhash.xxh3_64_intdigest(data[s:s + n]) for s, n in zip(starts, lengths, strict=True)]
    assert got.dtype == np.uint64 and got.tolist() == expected


def test_xxh3_17to64_on_random_inputs():
    rng = np.random.default_rng(8)
    data = rng.integers(0, 256, size=5000, dtype=np.uint8).tobytes()
    starts = rng.integers(0, 4900, size=5000)
    lengths = rng.integers(17, 65, size=5000)
    got = xxh3.xxh3_64_17to64(data, starts, lengths)
    expected = [xxhash.xxh3_64_intdigest(data[s:s + n]) for s, n in zip(starts, lengths, strict=True)]
    assert got.tolist() == expected


def _words(rng, count: int, alphabet: str, longest: int) -> list[str]:
    return ["".join(rng.choice(list(alphabet), size=int(rng.integers(1, longest + 1))))
            for _ in range(count)]


@pytest.mark.parametrize("alphabet,longest", [("abc", 3), ("abcdefghij0123456789", 12),
                                               ("abcdеёжзий中文ß", 9), ("x", 40), ("ab", 70)])
@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 300])
def test_shingle_hashes_are_xxhash_of_each_joined_shingle(alphabet, longest, count):
    """Every length class (under 17 bytes, 17-64, past 64, past 128), multi-byte characters."""
    words = _words(np.random.default_rng(count), count, alphabet, longest)
    expected = [xxhash.xxh3_64_intdigest(" ".join(words[i:i + 5]).encode("utf-8"))
                for i in range(max(1, count - 4))] if words else []
    got = shingle_hashes(words, 5)
    assert got.dtype == np.uint64 and got.tolist() == expected

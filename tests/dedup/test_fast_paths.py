"""The dedup cores' fast paths give what the straightforward numpy/Python forms give."""

from __future__ import annotations

import numpy as np
import pytest
import xxhash

from transforms.dedup import frequency, xxh3
from transforms.dedup.minhash import MinHasher, band_keys, shingle_hashes, sorted_unique


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


def _reference_split(unique: np.ndarray, shards: int) -> list[tuple[int, bytes]]:
    keys = np.unique(unique.astype(np.uint32))
    return [(shard, keys[keys % shards == shard].tobytes()) for shard in range(shards)
            if (keys % shards == shard).any()]


@pytest.mark.parametrize("size", [0, 1, 3, 800])
def test_split_by_shard_is_a_mask_per_shard(size):
    rng = np.random.default_rng(size)
    shingles = rng.integers(0, 2**64, size=size, dtype=np.uint64)
    shingles = np.concatenate([shingles, shingles[: size // 3]])  # repeats, any order
    assert frequency.split_by_shard(shingles, 16) == _reference_split(shingles, 16)
    packed32 = shingles.astype(np.uint32)
    assert frequency.split_by_shard(packed32, 16) == _reference_split(packed32, 16)


def _reference_merge(parts):
    keys = np.concatenate([keys for keys, _ in parts])
    counts = np.concatenate([counts for _, counts in parts])
    distinct, inverse = np.unique(keys, return_inverse=True)
    return distinct, np.bincount(inverse, weights=counts, minlength=distinct.size).astype(np.uint32)


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64])
def test_merge_counts_sums_counts_per_key(dtype):
    rng = np.random.default_rng(3)
    parts = []
    for n in (0, 1, 300, 4000):
        keys = np.unique(rng.integers(0, 5000, size=n)).astype(dtype)
        parts.append((keys, rng.integers(1, 9, size=keys.size).astype(np.uint32)))
    got, expected = frequency.merge_counts(parts), _reference_merge(parts)
    assert got[0].dtype == expected[0].dtype and got[1].dtype == expected[1].dtype
    assert np.array_equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])
    empty = frequency.merge_counts([(np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32))])
    assert empty[0].dtype == np.uint32 and empty[0].size == empty[1].size == 0


@pytest.mark.parametrize("rows", [1, 2, 3, 4])
def test_band_keys_hash_each_band_of_rows(rows):
    signature = MinHasher(32, seed=2).signature(np.arange(1, 500, dtype=np.uint64))
    expected = [xxhash.xxh3_64_intdigest(signature[b * rows:(b + 1) * rows].astype(np.uint64).tobytes(),
                                         seed=b) for b in range(signature.size // rows)]
    assert band_keys(signature, rows) == expected

"""The dedup cores' fast paths give what the straightforward numpy/Python forms give."""

from __future__ import annotations

import numpy as np
import pytest

from transforms.dedup.minhash import MinHasher, sorted_unique


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

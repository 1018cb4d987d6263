"""Pure-Python core of corpus document frequency (DF) of shingles, for pair verification.

A shingle found in many documents of a run (a consent banner, a newsletter promo, paywall text,
a template sentence of automated reports) says little about which story a text tells. The Beam
stage counts, per shingle, the documents holding it, and keeps only the frequent ones (DF at
least `df_threshold`) with a weight below 1: (threshold / DF) ** power. Verification then weighs shared and
own shingles by it (transforms.dedup.verify). Copies of one story raise its shingles' DF too, but
they lower all of a copy's shingles alike, so the containment between copies (a ratio) barely
moves, while a frequent block shared by two stories loses its weight against their own text.

Shingles are the low 32 bits of the shingle hashes, as in packed fingerprints (minhash.pack).
The table is one bytes object (sorted uint32 keys, then float32 weights): small, a side input.
"""

from __future__ import annotations

import math

import numpy as np

from transforms.dedup.minhash import sorted_unique

EMPTY_TABLE = b""
Table = tuple[np.ndarray, np.ndarray]  # sorted uint32 keys, float32 weights


def df_threshold(n_docs: int, share: float, min_docs: int) -> int:
    """A shingle is frequent in at least this many documents: a share of the corpus, with a floor
    (in a small corpus, a story's own copies must not make its text frequent)."""
    return max(min_docs, math.ceil(share * n_docs))


def unique32(unique: np.ndarray) -> np.ndarray:
    """Distinct low-32-bit shingle keys (packed fingerprints already hold 32 bits)."""
    return sorted_unique(unique.astype(np.uint32))


def split_by_shard(unique: np.ndarray, shards: int) -> list[tuple[int, bytes]]:
    """One document's distinct shingle keys, split by key % shards (each shard counted apart),
    keys sorted within a shard: one sort of (shard, key) pairs packed in 64 bits, which also
    drops the repeats (`unique` may hold repeats and be in any order)."""
    keys = unique.astype(np.uint32).astype(np.uint64)
    tagged = sorted_unique(((keys % np.uint64(shards)) << np.uint64(32)) | keys)
    counts = np.bincount((tagged >> np.uint64(32)).astype(np.intp), minlength=shards).tolist()
    keys = tagged.astype(np.uint32)  # the low 32 bits: the key
    parts, start = [], 0
    for shard, count in enumerate(counts):
        if count:
            parts.append((shard, keys[start:start + count].tobytes()))
            start += count
    return parts


def merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum (keys, counts) pairs into one (sorted distinct keys, counts)."""
    if not parts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
    keys = np.concatenate([keys for keys, _ in parts])
    counts = np.concatenate([counts for _, counts in parts])
    if keys.size == 0:
        return keys, counts.astype(np.uint32)
    if keys.dtype.kind == counts.dtype.kind == "u" and max(keys.itemsize, counts.itemsize) <= 4:
        # one direct sort of (key, count) packed in 64 bits: several times faster than argsort
        packed = (keys.astype(np.uint64) << np.uint64(32)) | counts.astype(np.uint64)
        packed.sort()
        keys, counts = (packed >> np.uint64(32)).astype(keys.dtype), packed & np.uint64(0xFFFFFFFF)
    else:
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
    first = np.empty(keys.size, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return keys[starts], np.add.reduceat(counts.astype(np.uint64), starts).astype(np.uint32)


def frequent_table(keys: np.ndarray, counts: np.ndarray, threshold: int, power: float = 1.0) -> bytes:
    """The frequent shingles (DF >= threshold) and their weights (threshold / DF) ** power."""
    keep = counts >= threshold
    weights = ((threshold / counts[keep]) ** power).astype(np.float32)
    return keys[keep].astype(np.uint32).tobytes() + weights.tobytes()


def join_tables(tables: list[bytes]) -> bytes:
    """Tables of disjoint key sets (shards) -> one table, keys sorted."""
    read = [read_table(table) for table in tables if table]
    if not read:
        return EMPTY_TABLE
    all_keys = np.concatenate([keys for keys, _ in read])
    all_weights = np.concatenate([weights for _, weights in read])
    order = np.argsort(all_keys, kind="stable")
    return all_keys[order].tobytes() + all_weights[order].tobytes()


def read_table(table: bytes) -> Table:
    values = np.frombuffer(table, dtype=np.uint32)
    half = values.size // 2
    return values[:half], values[half:].view(np.float32)


def weights_of(unique: np.ndarray, table: Table | None) -> np.ndarray:
    """Weight of each shingle: 1, or threshold / DF for a frequent one."""
    weights = np.ones(unique.size, dtype=np.float64)
    if table is None or table[0].size == 0 or unique.size == 0:
        return weights
    keys, frequent_weights = table
    lookup = unique.astype(np.uint32)
    at = np.minimum(np.searchsorted(keys, lookup), keys.size - 1)
    hit = keys[at] == lookup
    weights[hit] = frequent_weights[at[hit]]
    return weights


def table_from_texts(uniques: list[np.ndarray], settings: dict) -> bytes:
    """The whole computation in process (benches, tests): DF over these documents' shingles."""
    parts = [(unique32(unique), np.ones(unique32(unique).size, dtype=np.uint32)) for unique in uniques]
    keys, counts = merge_counts(parts)
    threshold = df_threshold(len(uniques), settings["frequent_share"], settings["frequent_min_docs"])
    return frequent_table(keys, counts, threshold, settings["frequent_power"])

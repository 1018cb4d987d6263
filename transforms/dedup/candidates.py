"""Pure-Python core of candidate search: LSH band entries, bucket pairs, candidate components.

Each article's band keys go through one grouping as small bytes entries (band key + old flag +
article_id) under BAND_SHARDS coarse keys; a bucket's members become candidate pairs (never all
pairs of a huge bucket); the distinct pairs become one small partner index that sends each
fingerprint once to the component where its pairs are verified (transforms.dedup.verify).
"""

from __future__ import annotations

import itertools
from datetime import datetime

import numpy as np

from transforms.common.names import name_key
from transforms.dedup.clusters import UnionFind

# Band keys go through the GroupByKey under this many coarse keys (band key mod BAND_SHARDS),
# each value one small bytes object: the local runner's grouping buffer holds every value as a
# Python object, and one dict entry plus list per distinct band key (millions) cost far more.
BAND_SHARDS = 512


def article_meta(article: dict, words: int, republishers: frozenset[str] = frozenset()) -> dict:
    """What the canonical choice needs of an article (kept in the state index too). `republishers`:
    the name keys of the outlets whose profile marks them aggregators or wire republishers
    (clean.profiles.ProfileSet.republisher_keys), matched against the row's `source`."""
    published = article.get("published_at")
    return {
        "article_id": article["article_id"],
        "source": article.get("source"),
        "url": article.get("url"),
        "credited_agency": article.get("credited_agency"),
        "published_at": published.timestamp() if isinstance(published, datetime) else published,
        "text_len": words,
        "republisher": name_key(article.get("source")) in republishers or bool(article.get("republished")),
        "agency_text": bool(article.get("agency_text")),
        "self_named": bool(article.get("self_named")),
        "origin": article.get("origin"),
        "standfirst": bool(article.get("standfirst")),
        "wrapped": bool(article.get("wrapped")),
    }


def band_entries(kv):
    """(article_id, (fp, bands, old)) -> (shard, band key + old flag + article_id) per band."""
    article_id, (_, bands, old) = kv
    tail = (b"\x01" if old else b"\x00") + article_id.encode("utf-8")
    for key in np.frombuffer(bands, dtype=np.uint64).tolist():
        yield key % BAND_SHARDS, key.to_bytes(8, "little") + tail


def shard_pairs(shard_and_entries, max_bucket: int):
    """Candidate pairs of every LSH bucket in one band shard."""
    _, entries = shard_and_entries
    buckets: dict[bytes, list] = {}
    for entry in entries:
        buckets.setdefault(entry[:8], []).append((entry[9:].decode("utf-8"), entry[8] == 1))
    for key in sorted(buckets):
        yield from bucket_pairs((key, buckets[key]), max_bucket)


def bucket_pairs(key_and_members, max_bucket: int):
    """Candidate pairs of one LSH bucket. A huge bucket (a phrase or boilerplate many texts
    share) yields only a chain of neighbours: linear, and true copies meet in other bands."""
    _, members = key_and_members
    members = sorted(set(members))
    if len(members) < 2:
        return
    if len(members) <= max_bucket:
        pairs = ((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    else:
        pairs = itertools.pairwise(members)
    for (a, a_old), (b, b_old) in pairs:
        if a != b and not (a_old and b_old):  # earlier runs' pairs are already resolved
            yield a, b


def partner_index(pairs: list) -> dict:
    """Distinct candidate pairs (a, b), a < b -> {x: (component, lower partners of x)}, where
    component is the smallest id connected to x through candidate pairs."""
    uf = UnionFind()
    lowers: dict[str, list[str]] = {}
    for a, b in pairs:
        uf.union(a, b)
        lowers.setdefault(a, [])
        lowers.setdefault(b, []).append(a)
    return {x: (uf.find(x), sorted(found)) for x, found in lowers.items()}


def forward_fingerprint(kv, partners: dict):
    """(x, (fp_x, old)) -> (component of x, (x, fp_x, lower partners of x)): each fingerprint
    goes once, to where all candidate pairs of its component are verified; articles without
    a candidate pair are dropped."""
    x, (packed, old) = kv
    if x in partners:
        component, lowers = partners[x]
        yield component, (x, old, packed, lowers)

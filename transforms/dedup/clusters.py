"""Pure-Python core of clustering: pair verification, connected components, canonical choice.

Verification is what keeps two stories apart. Sharing shingles is not enough at low
containment: boilerplate (a newsletter promo, a paywall or map-widget text, a press-office
footer) is shared verbatim by unrelated stories. A trimmed or edited copy, unlike such a pair,
also shares its *other* words with the original (names, places, numbers paraphrased or cut
differently), so below `strong_containment` a pair must also show that residual overlap.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import numpy as np
import xxhash

from transforms.dedup.minhash import Fingerprint


def covered(fp: Fingerprint, shared: np.ndarray) -> np.ndarray:
    """Mask of the token positions covered by at least one shared shingle."""
    n_words = fp.words.size
    if n_words == 0 or shared.size == 0:
        return np.zeros(n_words, dtype=bool)
    hits = np.isin(fp.shingles, shared).astype(np.int32)
    spread = np.convolve(hits, np.ones(fp.size, dtype=np.int32))[:n_words]
    return spread > 0


def residual_overlap(a: Fingerprint, b: Fingerprint, shared: np.ndarray) -> float:
    """Share of content words outside the shared passages that the two texts still have in common."""
    rest_a = np.unique(a.words[~covered(a, shared)])
    rest_b = np.unique(b.words[~covered(b, shared)])
    rest_a, rest_b = rest_a[rest_a != 0], rest_b[rest_b != 0]
    smaller = min(rest_a.size, rest_b.size)
    if smaller == 0:
        return 1.0  # nothing left outside the shared passages: a copy
    return np.intersect1d(rest_a, rest_b, assume_unique=True).size / smaller


def pair_scores(a: Fingerprint, b: Fingerprint) -> tuple[int, float]:
    """Number of shared shingles and containment (over the smaller text)."""
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True).size
    smaller = min(a.unique.size, b.unique.size)
    return shared, (shared / smaller if smaller else 0.0)


def contained_shares(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Share of a's shingles found in b, and of b's found in a (who holds whom: completeness)."""
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True).size
    return shared / max(a.unique.size, 1), shared / max(b.unique.size, 1)


def same_story(a: Fingerprint, b: Fingerprint, settings: dict) -> bool:
    """Verify a candidate pair: enough shared material, and not only shared boilerplate."""
    shared_count, containment = pair_scores(a, b)
    if shared_count < settings["min_shared_shingles"] or containment < settings["min_containment"]:
        return False
    if containment >= settings["strong_containment"]:
        return True
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True)
    return residual_overlap(a, b, shared) >= settings["min_residual_overlap"]


class UnionFind:
    """Connected components with a deterministic representative: the smallest key."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))
            self.parent[high] = low

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in sorted(self.parent):
            out.setdefault(self.find(key), []).append(key)
        return out


def new_cluster_id(member_ids: list[str]) -> str:
    """Id of a cluster first seen in this run: derived from its smallest member id."""
    return "c" + xxhash.xxh3_64_hexdigest(min(member_ids).encode("utf-8"))


# --- canonical choice ------------------------------------------------------------------------

# Spellings of one agency, and the web hosts of its own pages, mapped to one key.
def agency_key(name: str | None) -> str | None:
    """Comparison key of an outlet or agency name. `source` and `credited_agency` already hold
    the canonical names of configs/sources.yaml (the cleaning stage maps "Associated Press",
    apnews.com and "A.P." to "AP"), so case, dots, hyphens and spaces are all that differ."""
    key = re.sub(r"[\s.\-_'’]+", "", name.casefold()) if name else ""
    return key or None


def cluster_agency(members: list[dict]) -> str | None:
    """The agency the copies credit most often (ties: alphabetical), else None."""
    credited = Counter(k for k in (agency_key(m.get("credited_agency")) for m in members) if k)
    if not credited:
        return None
    return min(credited, key=lambda key: (-credited[key], key))


def is_agency_copy(member: dict, agency: str | None) -> bool:
    """The agency's own page: its outlet (named from its URL's domain by the cleaning stage) is the
    credited agency."""
    return agency is not None and agency == agency_key(member.get("source"))


def _timestamp(value) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return None


# A member holding at least (best - this) of its neighbours' text counts as complete.
COMPLETE_MARGIN = 0.03


def canonical_rank(member: dict, agency: str | None, best_completeness: float) -> tuple:
    """Smaller is better: the credited agency's own copy; then a copy by an outlet that is not
    an aggregator or wire republisher (their copies are never the original, whatever their
    timestamp says); then, among the complete copies (a trimmed copy cannot be the original),
    the earliest; then the most complete text."""
    published = _timestamp(member.get("published_at"))
    completeness = float(member.get("completeness", 1.0))
    # A time of exactly midnight UTC is usually a date without a time ("Published: Aug 28"):
    # within its day it ranks after the stamps that carry a real time.
    day, seconds = divmod(published or 0.0, 86400)
    return (
        not is_agency_copy(member, agency),
        bool(member.get("republisher")),
        completeness < best_completeness - COMPLETE_MARGIN,
        published is None,
        day,
        seconds == 0,
        seconds,
        -completeness,
        -int(member.get("text_len") or 0),
        member["article_id"],
    )


def choose_canonical(members: list[dict]) -> str:
    """article_id of the cluster's canonical member (members: article_id, source, url,
    credited_agency, published_at, text_len, completeness = least share of a neighbour's
    shingles it holds, 1.0 when unknown)."""
    agency = cluster_agency(members)
    best = max(float(m.get("completeness", 1.0)) for m in members)
    return min(members, key=lambda m: canonical_rank(m, agency, best))["article_id"]

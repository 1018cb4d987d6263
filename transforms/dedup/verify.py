"""Pure-Python core of pair verification: is a candidate pair the same story?

Verification is what keeps two stories apart. Sharing shingles is not enough at low
containment: boilerplate (a newsletter promo, a paywall or map-widget text, a press-office
footer) is shared verbatim by unrelated stories. A trimmed or edited copy, unlike such a pair,
also shares its *other* words with the original (names, places, numbers paraphrased or cut
differently), so below `strong_containment` a pair must also show that residual overlap.
Shingles frequent across the corpus (transforms.dedup.frequency: a table of them and their
weights, None for none) weigh less in the containment and are no evidence in the residual test.
"""

from __future__ import annotations

import numpy as np

from transforms.dedup.frequency import Table, read_table, weights_of
from transforms.dedup.minhash import Fingerprint, sorted_unique, unpack


def covered(fp: Fingerprint, shared: np.ndarray) -> np.ndarray:
    """Mask of the token positions covered by at least one shared shingle."""
    n_words = fp.words.size
    if n_words == 0 or shared.size == 0:
        return np.zeros(n_words, dtype=bool)
    hits = np.isin(fp.shingles.astype(np.uint32), shared.astype(np.uint32)).astype(np.int32)
    spread = np.convolve(hits, np.ones(fp.size, dtype=np.int32))[:n_words]
    return spread > 0


def residual_overlap(a: Fingerprint, b: Fingerprint, shared: np.ndarray,
                     frequent: Table | None = None) -> float:
    """Share of content words outside the shared passages (and the corpus-frequent ones, which
    are no evidence either way) that the two texts still have in common."""
    if frequent is not None and frequent[0].size:
        shared = np.union1d(shared.astype(np.uint32), frequent[0])
    rest_a = sorted_unique(a.words[~covered(a, shared)])
    rest_b = sorted_unique(b.words[~covered(b, shared)])
    rest_a, rest_b = rest_a[rest_a % 2 == 1], rest_b[rest_b % 2 == 1]  # content words only
    smaller = min(rest_a.size, rest_b.size)
    if smaller == 0:
        return 1.0  # nothing left outside the shared passages: a copy
    return np.intersect1d(rest_a, rest_b, assume_unique=True).size / smaller


def pair_scores(a: Fingerprint, b: Fingerprint) -> tuple[int, float]:
    """Number of shared shingles and containment (over the smaller text)."""
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True).size
    smaller = min(a.unique.size, b.unique.size)
    return shared, (shared / smaller if smaller else 0.0)


def weighted_containment(a: Fingerprint, b: Fingerprint, frequent: Table | None) -> float:
    """Containment with each shingle weighted by its corpus frequency (1 when not frequent):
    weight of the shared shingles over the smaller weight of the two texts."""
    _, in_a, _ = np.intersect1d(a.unique, b.unique, assume_unique=True, return_indices=True)
    weights_a, weights_b = weights_of(a.unique, frequent), weights_of(b.unique, frequent)
    smaller = min(weights_a.sum(), weights_b.sum())
    return float(weights_a[in_a].sum() / smaller) if smaller > 0 else 0.0


def contained_shares(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Share of a's shingles found in b, and of b's found in a (who holds whom: completeness)."""
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True).size
    return shared / max(a.unique.size, 1), shared / max(b.unique.size, 1)


def numbers_differ(a: Fingerprint, b: Fingerprint, settings: dict) -> bool:
    """Stories generated from one template (earnings reports, results tables) share their
    sentences but not their figures; copies of one story keep them (a trimmed copy a subset).
    True when both texts hold enough numbers and few of the smaller set are in the other."""
    numbers_a = sorted_unique(a.words[(a.words % 2 == 0) & (a.words != 0)])
    numbers_b = sorted_unique(b.words[(b.words % 2 == 0) & (b.words != 0)])
    smaller = min(numbers_a.size, numbers_b.size)
    if smaller < settings.get("min_numbers", 3):
        return False
    common = np.intersect1d(numbers_a, numbers_b, assume_unique=True).size
    return common / smaller < settings.get("min_number_overlap", 0.5)


def same_story(a: Fingerprint, b: Fingerprint, settings: dict, frequent: Table | None = None) -> bool:
    """Verify a candidate pair: enough shared material, not only shared boilerplate, and not
    one template filled with other figures. `frequent`: the corpus-frequent shingles' table."""
    shared_count, containment = pair_scores(a, b)
    if frequent is not None and frequent[0].size:
        containment = weighted_containment(a, b, frequent)
    if shared_count < settings["min_shared_shingles"] or containment < settings["min_containment"]:
        return False
    if numbers_differ(a, b, settings):
        return False
    if containment >= settings["strong_containment"]:
        return True
    shared = np.intersect1d(a.unique, b.unique, assume_unique=True)
    return residual_overlap(a, b, shared, frequent) >= settings["min_residual_overlap"]


def verify_component(key_and_members, settings: dict, frequent_table: bytes = b""):
    """(component, [(x, old, fp_x, lower partners of x)...]) -> verified edges (a, b, share of b in
    a, share of a in b) for the candidate pairs (a, b), a < b. `frequent_table`: the run's
    corpus-frequent shingles (transforms.dedup.frequency), empty for none."""
    _, members = key_and_members
    frequent = read_table(frequent_table) if frequent_table else None
    size = settings["shingle_size"]
    packed, lowers_of = {}, {}
    for x, _, fp_x, lowers in sorted(members, key=lambda member: member[:2]):
        packed.setdefault(x, fp_x)  # in this run and an earlier one: this run's fingerprint
        lowers_of.setdefault(x, lowers)
    unpacked: dict[str, object] = {}

    def get(article_id):
        if article_id not in unpacked:
            unpacked[article_id] = unpack(packed[article_id], size)
        return unpacked[article_id]

    for b in sorted(lowers_of):
        for a in lowers_of[b]:
            fp_a, fp_b = get(a), get(b)
            if same_story(fp_a, fp_b, settings, frequent):
                b_in_a, a_in_b = contained_shares(fp_b, fp_a)
                yield a, b, b_in_a, a_in_b  # how much of the other each one holds

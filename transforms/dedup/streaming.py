"""Pure core of the streaming dedup: the same fingerprints, band keys, verification and canonical
choice as the batch job, applied to articles one at a time against recent state.

Three keyed steps (their Beam side is StreamingDedup in transforms/dedup/beam.py):
- per LSH band key: the recent fingerprints that fell in that bucket. A new article is verified
  (verify.same_story) against them, then joins them until its expiry (event time + ttl);
- per article: the answers of all its bands gathered into one list of verified edges;
- one cluster index (recent articles: cluster, canonical, what the canonical choice needs): an
  article joins the cluster of its verified partners (merging clusters it links), the canonical
  is chosen again over the members, and a change row is emitted exactly as the batch job's
  `clusters` table records it (the cluster existed and gained a member, merged, or changed
  canonical). Whole clusters expire when their newest member does.
"""

from __future__ import annotations

import math

from transforms.dedup.clusters import choose_canonical, new_cluster_id
from transforms.dedup.minhash import unpack
from transforms.dedup.verify import contained_shares, same_story

# A band entry: (article_id, packed fingerprint, expires at: event-time seconds).
BandEntry = tuple[str, bytes, float]
# Runners keep timers at millisecond precision (the FnApiRunner fires a timer set at .229089 at
# .229): an expiry within this much of the firing time counts as reached, else a timer set again
# at the same instant would fire for ever.
TIMER_PRECISION_S = 0.001


def expiry_of(event_time_s: float, ttl_s: float) -> float:
    """Expiry on a whole second (exact in every runner's timer precision)."""
    return float(math.ceil(event_time_s + ttl_s))


def band_answer(entries: list[BandEntry], article_id: str, packed: bytes, settings: dict
                ) -> tuple[bool, list[tuple[str, float, float]]]:
    """(already in this band, verified edges) of a new article against one band's entries.

    An edge is (other_id, share of the other's text the new article holds, share of the new
    article's text the other holds). Only the newest `max_bucket` entries are compared: a band
    key that boilerplate shares gets big, and true copies meet in their other bands."""
    if any(entry[0] == article_id for entry in entries):
        return True, []  # a redelivered message: its answer was given the first time
    size = settings["shingle_size"]
    new = unpack(packed, size)
    edges = []
    for other_id, other_packed, _ in sorted(entries, key=lambda e: (-e[2], e[0]))[: settings["max_bucket"]]:
        other = unpack(other_packed, size)
        if same_story(new, other, settings):
            other_in_new, new_in_other = contained_shares(other, new)
            edges.append((other_id, other_in_new, new_in_other))
    return False, edges


def newest_entries(entries: list[BandEntry], limit: int) -> list[BandEntry]:
    """At most `limit` entries, the latest to expire (the newest articles): a band key that
    boilerplate shares would otherwise hold every article carrying it for the whole ttl."""
    return sorted(entries, key=lambda e: (-e[2], e[0]))[:limit]


def live_entries(entries: list[BandEntry], now: float) -> list[BandEntry]:
    """Entries not expired at event time `now`."""
    return [entry for entry in entries if entry[2] > now + TIMER_PRECISION_S]


def next_expiry(expiries) -> float | None:
    expiries = list(expiries)
    return min(expiries) if expiries else None


def merge_edges(answers: list[list]) -> list[tuple[str, float, float]]:
    """One edge per partner from the answers of an article's bands (a pair meets in several)."""
    best: dict[str, tuple[str, float, float]] = {}
    for edges in answers:
        for edge in edges:
            best.setdefault(edge[0], tuple(edge))
    return [best[other] for other in sorted(best)]


def prune_index(index: dict[str, dict], now: float) -> dict[str, dict]:
    """Drop the clusters whose newest member expired at event time `now` (a cluster goes whole:
    dropping only its old members would let a later copy become its canonical)."""
    newest: dict[str, float] = {}
    for entry in index.values():
        newest[entry["cluster_id"]] = max(newest.get(entry["cluster_id"], 0.0), entry["expires"])
    return {aid: entry for aid, entry in index.items()
            if newest[entry["cluster_id"]] > now + TIMER_PRECISION_S}


def cluster_expiries(index: dict[str, dict]) -> list[float]:
    newest: dict[str, float] = {}
    for entry in index.values():
        newest[entry["cluster_id"]] = max(newest.get(entry["cluster_id"], 0.0), entry["expires"])
    return list(newest.values())


def resolve_article(index: dict[str, dict], meta: dict, edges: list, expires: float
                    ) -> tuple[tuple[str, str], dict | None]:
    """Place one new article (its meta as dedup.beam.article_meta gives it) in the index,
    updating it in place. Returns ((cluster_id, canonical_id), change row or None)."""
    article_id = meta["article_id"]
    known = [edge for edge in edges if edge[0] in index]  # partners that expired meanwhile: gone
    holds = min((edge[1] for edge in known), default=1.0)
    covered = max((edge[2] for edge in known), default=0.0)  # most of it that one partner holds
    entry = {**meta, "completeness": holds, "covered": covered, "expires": expires}
    if not known:
        cluster_id = new_cluster_id([article_id])
        index[article_id] = {**entry, "cluster_id": cluster_id, "is_canonical": True}
        return (cluster_id, article_id), None
    for other_id, other_in_new, new_in_other in known:  # the partner's new neighbour: held whole?
        index[other_id]["completeness"] = min(index[other_id].get("completeness", 1.0), new_in_other)
        index[other_id]["covered"] = max(index[other_id].get("covered", 0.0), other_in_new)
    linked = sorted({index[edge[0]]["cluster_id"] for edge in known})
    cluster_id = linked[0]
    previous = sorted(aid for aid, e in index.items() if e["cluster_id"] == cluster_id and e["is_canonical"])
    index[article_id] = {**entry, "cluster_id": cluster_id, "is_canonical": False}
    members = sorted(aid for aid, e in index.items() if e["cluster_id"] in linked)
    canonical = choose_canonical([index[m] for m in members])
    for m in members:
        index[m]["cluster_id"] = cluster_id
        index[m]["is_canonical"] = m == canonical
    change = {"cluster_id": cluster_id, "canonical_id": canonical,
              "previous_canonical_id": previous[0] if previous else None,
              "members": len(members), "merged_cluster_ids": linked[1:]}
    return (cluster_id, canonical), change

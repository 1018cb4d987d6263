"""Pure-Python core of clustering: connected components of verified pairs, cluster ids, the
canonical choice, and the resolution of this run's edges against the earlier runs' index.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import xxhash

from transforms.common.names import name_key
from transforms.common.urls import host_label, host_names


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

def agency_key(name: str | None) -> str | None:
    """Comparison key of an outlet or agency name. `source` and `credited_agency` already hold
    the canonical names of configs/sources.yaml (the cleaning stage maps "Associated Press",
    apnews.com and "A.P." to "AP"), so case, dots, hyphens and spaces are all that differ."""
    return name_key(name) or None


def cluster_agency(members: list[dict]) -> str | None:
    """The agency the copies credit most often (ties: alphabetical), else None."""
    credited = Counter(k for k in (agency_key(m.get("credited_agency")) for m in members) if k)
    if not credited:
        return None
    return min(credited, key=lambda key: (-credited[key], key))


def is_agency_copy(member: dict, agency: str | None) -> bool:
    """The agency's own page: its outlet (named from its URL's domain by the cleaning stage) is the
    credited agency; or, for an agency no profile knows the web host of, the host is the
    agency's name with at most a generic word added (tass.com, apnews.com for "AP")."""
    if agency is None:
        return False
    if agency == agency_key(member.get("source")):
        return True
    return host_names(member.get("url"), agency)


def own_copy_evidence(member: dict, agency: str | None) -> int:
    """How surely this is the agency's own copy: 2 on its URL (the page is on the agency's
    site); 1 on its text alone (no URL: the agency's house style named its outlet, or no outlet
    is known and it opens with the agency's own dateline), which a republisher's verbatim copy
    can show as well; 0 otherwise."""
    if is_agency_copy(member, agency):
        return 2 if member.get("url") else 1
    if member.get("agency_text") and agency_key(member.get("credited_agency")) == agency:
        return 1
    return 0


_DOMAIN_ENDS = re.compile(r"^www\.|\.(?:com|org|net|info|news|(?:co|com)\.[a-z]{2}|[a-z]{2})$", re.IGNORECASE)


def outlet_keys(name: str | None) -> set[str]:
    """Comparison keys of an outlet as a credit or a `source` spells it: the name, without a
    leading "The", without "www." and a top-level domain ("sample-news.com" -> "samplenews")."""
    key = name_key(_DOMAIN_ENDS.sub("", (name or "").strip()))
    # "theharbourreview.org" is "The Harbour Review", which a credit may spell without "The"
    return {key, key.removeprefix("the")} - {""} if len(key) > 6 else {key} - {""}


def named_origins(members: list[dict]) -> set[str]:
    """Keys of the outlets that the copies' attribution lines name as the story's origin."""
    return set().union(*(outlet_keys(m.get("origin")) for m in members))


def is_named_origin(member: dict, named: set[str]) -> bool:
    """This copy is on the outlet that other copies credit ("first appeared on Example Daily"):
    by its `source`, or by its URL's host (exampledaily.com, example-daily.co.uk)."""
    if not named:
        return False
    if outlet_keys(member.get("source")) & named:
        return True
    url = member.get("url")
    label = host_label(url)
    return bool(label) and bool(outlet_keys(label) & named or any(host_names(url, k) for k in named))


def _timestamp(value) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return None


# A member holding at least (best - this) of its neighbours' text counts as complete.
COMPLETE_MARGIN = 0.03


def is_wrapped_copy(member: dict) -> bool:
    """Another copy holds this one's story whole, and this one came wrapped in share lines,
    teasers or ads of its own: what an aggregator does to a story, not what its writer does."""
    return bool(member.get("wrapped")) and float(member.get("covered", 0.0)) >= 1.0 - COMPLETE_MARGIN


def canonical_rank(member: dict, agency: str | None, best_completeness: float, named: set[str]) -> tuple:
    """Smaller is better: the credited agency's own page (by its URL); then a copy by an outlet
    that is not an aggregator or wire republisher (their copies are never the original,
    whatever their timestamp says); then the complete copies (a trimmed copy cannot be the
    original); then the agency's own copy by its text alone; then the copy on the outlet that
    other copies credit as the origin; then a copy whose story names its own outlet ("told the
    Example Times"); then one that kept its standfirst (republishers drop it); then one that
    is not a wrapped copy of another (is_wrapped_copy); only then the earliest (a republisher's
    time is its re-publication time, or made up), then the most complete text."""
    published = _timestamp(member.get("published_at"))
    completeness = float(member.get("completeness", 1.0))
    own = own_copy_evidence(member, agency)
    # A time of exactly midnight UTC is usually a date without a time ("Published: Aug 28"):
    # within its day it ranks after the stamps that carry a real time.
    day, seconds = divmod(published or 0.0, 86400)
    return (
        own < 2,
        bool(member.get("republisher")),
        completeness < best_completeness - COMPLETE_MARGIN,
        own < 1,
        not is_named_origin(member, named),
        not member.get("self_named"),
        not member.get("standfirst"),
        is_wrapped_copy(member),
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
    named = named_origins(members)
    return min(members, key=lambda m: canonical_rank(m, agency, best, named))["article_id"]


# --- resolution against the earlier runs -----------------------------------------------------

def resolve_clusters(edges: list, metas: list, index: dict):
    """Union-find over this run's verified edges and the earlier clusters of the articles they
    touch; `index` is the earlier runs' index (article_id -> meta, cluster_id, is_canonical) and
    is not modified. Yields ("assign", {article_id: (cluster_id, canonical_id)}), ("index", the
    new index) and ("change", row) for each cluster that gained members, merged or changed
    canonical."""
    index = dict(index)
    new_ids = sorted(meta["article_id"] for meta in metas)
    for meta in metas:
        previous = index.get(meta["article_id"], {})
        index[meta["article_id"]] = {**previous, **meta}

    uf = UnionFind()
    holds: dict[str, float] = {}  # least share of a neighbour's text that an article holds
    covered: dict[str, float] = {}  # most of an article's text that one neighbour holds
    for a, b, b_in_a, a_in_b in sorted(edges):
        uf.union(a, b)
        holds[a] = min(holds.get(a, 1.0), b_in_a)
        holds[b] = min(holds.get(b, 1.0), a_in_b)
        covered[a] = max(covered.get(a, 0.0), a_in_b)
        covered[b] = max(covered.get(b, 0.0), b_in_a)
    for article_id, completeness in holds.items():
        entry = index[article_id]
        index[article_id] = {**entry, "completeness": completeness,
                             "covered": max(covered[article_id], entry.get("covered", 0.0))}
    for article_id in new_ids:
        uf.find(article_id)
    # Earlier members of the touched clusters join through their cluster id.
    touched = {index[n]["cluster_id"] for n in uf.parent if index.get(n, {}).get("cluster_id")}
    members_of: dict[str, list[str]] = {}
    for article_id, entry in index.items():
        if entry.get("cluster_id") in touched:
            members_of.setdefault(entry["cluster_id"], []).append(article_id)
    for cluster_id in sorted(members_of):
        for article_id in members_of[cluster_id]:
            uf.union("~" + cluster_id, article_id)  # "~" sorts after ids: never a root by accident

    assign = {}
    for _root, members in uf.groups().items():
        ids = sorted(m for m in members if not m.startswith("~"))
        old_cluster_ids = sorted({index[m]["cluster_id"] for m in ids if index[m].get("cluster_id")})
        cluster_id = old_cluster_ids[0] if old_cluster_ids else new_cluster_id(ids)
        previous_cluster = {m: index[m].get("cluster_id") for m in ids}
        previous_canonical = sorted(
            index[m]["article_id"] for m in ids if index[m].get("is_canonical")) or [None]
        canonical = choose_canonical([index[m] for m in ids])
        for m in ids:
            index[m] = {**index[m], "cluster_id": cluster_id, "is_canonical": m == canonical}
            assign[m] = (cluster_id, canonical)
        new_members = [m for m in ids if previous_cluster[m] is None]
        changed = len(old_cluster_ids) > 1 or previous_canonical[0] != canonical or new_members
        if old_cluster_ids and changed:
            yield "change", {"cluster_id": cluster_id, "canonical_id": canonical,
                             "previous_canonical_id": previous_canonical[0], "members": len(ids),
                             "merged_cluster_ids": old_cluster_ids[1:]}
    yield "assign", {m: assign[m] for m in new_ids}
    yield "index", index


def add_cluster_fields(article: dict, assign: dict) -> dict:
    cluster_id, canonical = assign[article["article_id"]]
    return {**article, "cluster_id": cluster_id, "is_canonical": article["article_id"] == canonical,
            "canonical_id": canonical}

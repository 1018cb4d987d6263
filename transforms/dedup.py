"""Deduplication: copies of one story share a cluster_id; one canonical row per cluster.

First version: exact duplicates by normalised-content hash.
"""

from __future__ import annotations

import hashlib
import re

import apache_beam as beam

WORDS = re.compile(r"\w+")


def content_hash(text: str) -> str:
    normalised = " ".join(WORDS.findall(text.casefold()))
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def canonical_rank(article: dict) -> tuple:
    """Smaller is better: the agency's own copy, then the earliest, then the longest."""
    own = bool(article.get("credited_agency")) and article.get("source") == article.get("credited_agency")
    published = article.get("published_at")
    return (not own, published is None, published.timestamp() if published else 0.0,
            -len(article.get("text") or ""), article["article_id"])


def assign_cluster(key_and_members: tuple[str, list[dict]]):
    cluster_key, members = key_and_members
    members = sorted(members, key=canonical_rank)
    canonical = members[0]["article_id"]
    for member in members:
        yield {**member, "cluster_id": cluster_key, "is_canonical": member["article_id"] == canonical,
               "canonical_id": canonical}


class Deduplicate(beam.PTransform):
    def __init__(self, settings: dict, state_dir: str | None = None, full_refresh: bool = False):
        super().__init__()
        self.settings = settings

    def expand(self, articles):
        return (
            articles
            | "Hash" >> beam.Map(lambda a: {**a, "content_hash": content_hash(a["text"])})
            | "KeyByHash" >> beam.Map(lambda a: (a["content_hash"], a))
            | "GroupByHash" >> beam.GroupByKey()
            | "Assign" >> beam.FlatMap(lambda kv: assign_cluster((kv[0], list(kv[1]))))
        )

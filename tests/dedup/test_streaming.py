"""The streaming dedup's pure core (transforms/dedup/streaming.py): band answers, the cluster
index's decisions and expiry, with the batch job's fingerprints and canonical choice."""

from __future__ import annotations

import random

from transforms.dedup import streaming
from transforms.dedup.minhash import fingerprint, pack
from transforms.dedup.verify import same_story

SETTINGS = {"shingle_size": 5, "min_shared_shingles": 10, "min_containment": 0.18,
            "strong_containment": 0.5, "min_residual_overlap": 0.13, "max_bucket": 50}


def text(seed: int, words: int = 150) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(400)}" for _ in range(words))


def packed(body: str) -> bytes:
    return pack(fingerprint(body, 5))


def meta(article_id: str, published: float, source: str = "example.com") -> dict:
    return {"article_id": article_id, "source": source, "url": None, "credited_agency": None,
            "published_at": published, "text_len": 100, "republisher": False}


def test_band_answer_verifies_against_the_bands_entries_only():
    story, other = text(1), text(2)
    copy = " ".join(story.split()[:100])
    entries = [("orig", packed(story), 100.0), ("other", packed(other), 100.0)]
    seen, edges = streaming.band_answer(entries, "copy", packed(copy), SETTINGS)
    assert not seen and [e[0] for e in edges] == ["orig"]
    _, copy_holds, orig_holds = edges[0]
    assert copy_holds < 0.8 and orig_holds == 1.0  # the copy holds part of the original, not vice versa
    assert same_story(fingerprint(story, 5), fingerprint(copy, 5), SETTINGS)


def test_redelivered_article_is_answered_once():
    entries = [("a", packed(text(1)), 100.0)]
    assert streaming.band_answer(entries, "a", packed(text(1)), SETTINGS) == (True, [])


def test_index_joins_copies_and_the_later_original_revises_the_canonical():
    index: dict = {}
    (c1, canon1), change = streaming.resolve_article(index, meta("b-copy", 2000.0), [], 9000.0)
    assert change is None and canon1 == "b-copy"
    # the original holds all of the copy (1.0), the copy 70% of the original
    edges = [("b-copy", 1.0, 0.7)]
    (c2, canon2), change = streaming.resolve_article(index, meta("a-orig", 1000.0), edges, 9100.0)
    assert c2 == c1 and canon2 == "a-orig"  # the earlier, complete copy wins
    assert change == {"cluster_id": c1, "canonical_id": "a-orig", "previous_canonical_id": "b-copy",
                      "members": 2, "merged_cluster_ids": []}
    assert index["b-copy"]["is_canonical"] is False and index["b-copy"]["completeness"] == 0.7


def test_an_article_linking_two_clusters_merges_them():
    index: dict = {}
    (x, _), _ = streaming.resolve_article(index, meta("x", 1000.0), [], 9000.0)
    (y, _), _ = streaming.resolve_article(index, meta("y", 1100.0), [], 9000.0)
    edges = [("x", 1, 1), ("y", 1, 1)]
    (kept, _), change = streaming.resolve_article(index, meta("z", 1200.0), edges, 9000.0)
    assert kept == min(x, y) and change["merged_cluster_ids"] == [max(x, y)] and change["members"] == 3
    assert {entry["cluster_id"] for entry in index.values()} == {kept}


def test_clusters_expire_whole_when_their_newest_member_does():
    index: dict = {}
    streaming.resolve_article(index, meta("o1", 1.0), [], 100.0)
    streaming.resolve_article(index, meta("o2", 2.0), [("o1", 1, 1)], 300.0)
    streaming.resolve_article(index, meta("n1", 3.0), [], 150.0)
    assert sorted(streaming.prune_index(index, 200.0)) == ["o1", "o2"]  # o1 stays with its cluster
    assert streaming.prune_index(index, 300.0) == {}
    assert streaming.live_entries([("a", b"", 100.0), ("b", b"", 101.0)], 100.0) == [("b", b"", 101.0)]
    assert streaming.expiry_of(10.2, 5) == 16.0


def test_a_hot_band_keeps_only_its_newest_entries():
    entries = [(f"a{n}", b"", float(100 + n)) for n in range(5)]
    assert [e[0] for e in streaming.newest_entries(entries, 3)] == ["a4", "a3", "a2"]

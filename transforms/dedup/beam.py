"""Deduplication of syndicated copies: copies of one story share a cluster_id, one canonical row.

Steps (Beam): fingerprint each article (word shingles, MinHash) -> LSH band keys through a
GroupByKey give candidate pairs (never all pairs) -> the distinct pairs become one small dict
(side input): each article's fingerprint goes once to its candidate component (the articles
connected through candidate pairs), where the pairs are verified on their shingles
(transforms.dedup.clusters.same_story) -> connected components of verified pairs (union-find over
the edges, which are few) -> canonical choice. The large collections (fingerprints, band keys)
are single bytes objects and each sits in one grouping at a time: the local runner holds a
grouping's values as Python objects. With a state folder, earlier runs' fingerprints take part
in the banding, so a copy arriving
later joins its story's cluster; see docs/dedup.md.
"""

from __future__ import annotations

import itertools
import os
import uuid
from datetime import datetime

import apache_beam as beam
import numpy as np

from transforms.dedup import index as state
from transforms.dedup.clusters import (
    UnionFind,
    choose_canonical,
    contained_shares,
    new_cluster_id,
    same_story,
)
from transforms.dedup.minhash import (
    MinHasher,
    band_keys,
    fingerprint_tokens,
    hash_tokens,
    pack,
    tokens,
    unpack,
)


def article_meta(article: dict, words: int) -> dict:
    """What the canonical choice needs of an article (kept in the state index too)."""
    published = article.get("published_at")
    return {
        "article_id": article["article_id"],
        "source": article.get("source"),
        "url": article.get("url"),
        "credited_agency": article.get("credited_agency"),
        "published_at": published.timestamp() if isinstance(published, datetime) else published,
        "text_len": words,
        "republisher": bool(article.get("republisher")),
    }


# Band keys go through the GroupByKey under this many coarse keys (band key mod BAND_SHARDS),
# each value one small bytes object: the local runner's grouping buffer holds every value as a
# Python object, and one dict entry plus list per distinct band key (millions) cost far more.
BAND_SHARDS = 512


class Fingerprinter(beam.DoFn):
    """article -> (article_id, (fingerprint, band keys, old=False)); tagged output "meta": what
    the canonical choice needs. The fingerprint is minhash.pack's bytes, band keys uint64 bytes."""

    META = "meta"
    ARTICLES = "articles"  # the article with its content_hash, from the same tokens

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        self.hasher = MinHasher(self.settings["num_perm"], self.settings["seed"])

    def process(self, article: dict):
        words = tokens(article.get("text"))  # tokenised once: fingerprint and content hash
        fp = fingerprint_tokens(words, self.settings["shingle_size"])
        bands = band_keys(self.hasher.signature(fp.unique), self.settings["band_rows"])
        yield article["article_id"], (pack(fp), np.array(bands, dtype=np.uint64).tobytes(), False)
        yield beam.pvalue.TaggedOutput(self.META, article_meta(article, int(fp.words.size)))
        yield beam.pvalue.TaggedOutput(self.ARTICLES, {**article, "content_hash": hash_tokens(words)})


def read_old_shard(shard: int, generation: str | None):
    """Fingerprints of earlier runs' articles in one shard of the live generation."""
    path = os.path.join(generation, state.shard_name(shard)) if generation else None
    for article_id, record in sorted(state.read_pickle(path, {}).items()):
        yield article_id, (record["fp"], record["bands"], True)


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


def verify_component(key_and_members, settings: dict):
    """(component, [(x, old, fp_x, lower partners of x)...]) -> verified edges (a, b, share of b in
    a, share of a in b) for the candidate pairs (a, b), a < b."""
    _, members = key_and_members
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
            if same_story(fp_a, fp_b, settings):
                b_in_a, a_in_b = contained_shares(fp_b, fp_a)
                yield a, b, b_in_a, a_in_b  # how much of the other each one holds


def resolve_clusters(_, edges: list, metas: list, generation: str | None):
    """Union-find over this run's verified edges and the earlier clusters of the articles they
    touch. Yields ("assign", {article_id: (cluster_id, canonical_id)}), ("index", index) and
    ("change", row) for each cluster that gained members, merged or changed canonical."""
    index: dict[str, dict] = dict(state.read_pickle(
        os.path.join(generation, "index.pkl") if generation else None, {}))
    new_ids = sorted(meta["article_id"] for meta in metas)
    for meta in metas:
        previous = index.get(meta["article_id"], {})
        index[meta["article_id"]] = {**previous, **meta}

    uf = UnionFind()
    holds: dict[str, float] = {}  # least share of a neighbour's text that an article holds
    for a, b, b_in_a, a_in_b in sorted(edges):
        uf.union(a, b)
        holds[a] = min(holds.get(a, 1.0), b_in_a)
        holds[b] = min(holds.get(b, 1.0), a_in_b)
    for article_id, completeness in holds.items():
        index[article_id] = {**index[article_id], "completeness": completeness}
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


class WriteShard(beam.DoFn):
    """Writes one fingerprint shard of the new generation: earlier entries plus this run's.
    Input (shard, [(article_id, fingerprint, band keys)...]); or, with `skip_written`, a bare
    shard number, written (earlier entries only) unless it is in that side input."""

    def __init__(self, state_dir: str, token: str, generation: str | None):
        self.state_dir, self.token, self.generation = state_dir, token, generation

    def process(self, element, skip_written=None):
        if skip_written is None:
            shard, records = element
        elif element in set(skip_written):
            return
        else:
            shard, records = element, []
        entries = {} if self.generation is None else dict(
            state.read_pickle(os.path.join(self.generation, state.shard_name(shard)), {}))
        for article_id, packed, bands in records:
            entries[article_id] = {"fp": packed, "bands": bands}
        folder = state.staging_generation(self.state_dir, self.token)
        state.write_atomic(os.path.join(folder, state.shard_name(shard)), entries)
        yield shard


def write_index(index: dict, state_dir: str, token: str) -> int:
    folder = state.staging_generation(state_dir, token)
    state.write_atomic(os.path.join(folder, "index.pkl"), index)
    return len(index)


def commit_generation(_, shards_written: list, other_shards_written: list, index_written: list,
                      state_dir: str, token: str, shards: int) -> str:
    if len(set(shards_written) | set(other_shards_written)) != shards or len(index_written) != 1:
        raise RuntimeError("dedup state incomplete; keeping the previous generation")
    state.commit(state_dir, token)
    return token


BandEntry = tuple[int, bytes]


class Deduplicate(beam.PTransform):
    """articles -> the same dicts plus cluster_id, is_canonical, canonical_id, content_hash.

    After expand(), `self.cluster_changes` holds one row per earlier cluster that this run
    changed (new members, a merge, or a new canonical): see docs/dedup.md.
    """

    def __init__(self, settings: dict, state_dir: str | None = None, full_refresh: bool = False):
        super().__init__()
        self.settings = settings
        self.state_dir = state_dir
        self.full_refresh = full_refresh
        self.cluster_changes = None

    def expand(self, articles):
        settings = self.settings
        shards = settings["state_shards"]
        generation = None if self.full_refresh else state.live_generation(self.state_dir)
        fingerprinted = articles | "Fingerprint" >> beam.ParDo(Fingerprinter(settings)).with_outputs(
            Fingerprinter.META, Fingerprinter.ARTICLES, main="records")
        new, metas = fingerprinted.records, fingerprinted[Fingerprinter.META]
        hashed = fingerprinted[Fingerprinter.ARTICLES]
        # Each large collection feeds one grouping with no multi-input Flatten in between:
        # the local runner materialises a Flatten's inputs in a stage of its own.
        fps = new | "KeepFingerprint" >> beam.Map(lambda kv: (kv[0], (kv[1][0], kv[1][2])))
        band_entries_ = new | "BandKeys" >> beam.FlatMap(band_entries).with_output_types(BandEntry)
        if generation:
            old = (
                articles.pipeline
                | "OldShards" >> beam.Create(list(range(shards)))
                | "ReadOldShards" >> beam.FlatMap(read_old_shard, generation)
            )
            band_entries_ = (band_entries_, old | "OldBandKeys" >> beam.FlatMap(band_entries)
                             .with_output_types(BandEntry)) | "AllBandKeys" >> beam.Flatten()
            fps = (fps, old | "KeepOldFingerprint" >> beam.Map(lambda kv: (kv[0], (kv[1][0], kv[1][2])))
                   ) | "AllFingerprints" >> beam.Flatten()
        pairs = (
            band_entries_
            | "GroupByBandShard" >> beam.GroupByKey()
            | "BucketPairs" >> beam.FlatMap(shard_pairs, settings["max_bucket"])
            | "DistinctPairs" >> beam.Distinct()
        )
        # The pairs are few and small: one dict in a side input; the fingerprints wait for it
        # as encoded bytes and each goes once into the grouping of its pairs.
        partners = pairs | "AllPairs" >> beam.combiners.ToList() | "PartnerIndex" >> beam.Map(partner_index)
        edges = (
            fps
            | "Forward" >> beam.FlatMap(forward_fingerprint, beam.pvalue.AsSingleton(partners))
            | "GroupByComponent" >> beam.GroupByKey()
            | "Verify" >> beam.FlatMap(verify_component, settings)
        )
        resolved = (
            articles.pipeline
            | "Once" >> beam.Create([None])
            | "Resolve" >> beam.FlatMap(resolve_clusters, beam.pvalue.AsList(edges),
                                        beam.pvalue.AsList(metas), generation)
        )
        assign = resolved | "Assignments" >> beam.Filter(lambda kv: kv[0] == "assign") | beam.Values()
        self.cluster_changes = (
            resolved | "Changes" >> beam.Filter(lambda kv: kv[0] == "change") | "ChangeRows" >> beam.Values()
        )
        if self.state_dir:
            self._write_state(new, resolved, shards, generation)
        return hashed | "AddClusterFields" >> beam.Map(add_cluster_fields, beam.pvalue.AsSingleton(assign))

    def _write_state(self, new, resolved, shards: int, generation: str | None) -> None:
        token = uuid.uuid4().hex[:12]  # names the staging folder only; no effect on rows
        state_dir = self.state_dir
        by_shard = new | "KeyByShard" >> beam.Map(
            lambda kv: (state.shard_of(kv[0], shards), (kv[0], kv[1][0], kv[1][1])))
        # No Flatten with shard markers (the local runner would buffer every fingerprint once
        # more for it): shards that got no new article are written after the others.
        written = (
            by_shard
            | "GroupByShard" >> beam.GroupByKey()
            | "WriteShards" >> beam.ParDo(WriteShard(state_dir, token, generation))
        )
        others = (
            new.pipeline
            | "ShardNumbers" >> beam.Create(list(range(shards)))
            | "WriteOtherShards" >> beam.ParDo(WriteShard(state_dir, token, generation),
                                               beam.pvalue.AsList(written))
        )
        index_written = (
            resolved
            | "Index" >> beam.Filter(lambda kv: kv[0] == "index")
            | "WriteIndex" >> beam.Map(lambda kv: write_index(kv[1], state_dir, token))
        )
        _ = (
            new.pipeline
            | "CommitOnce" >> beam.Create([None])
            | "Commit" >> beam.Map(commit_generation, beam.pvalue.AsList(written), beam.pvalue.AsList(others),
                                   beam.pvalue.AsList(index_written), state_dir, token, shards)
        )


def keep_canonical_only(articles):
    """For --drop-duplicates: only the canonical row of each cluster."""
    return articles | "CanonicalOnly" >> beam.Filter(lambda article: bool(article.get("is_canonical")))

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

import apache_beam as beam
import numpy as np

from transforms.dedup import index as state
from transforms.dedup.candidates import (
    article_meta,
    band_entries,
    forward_fingerprint,
    partner_index,
    shard_pairs,
)
from transforms.dedup.clusters import add_cluster_fields, resolve_clusters
from transforms.dedup.minhash import MinHasher, band_keys, fingerprint_tokens, hash_tokens, pack, tokens
from transforms.dedup.verify import verify_component


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
    """Fingerprints of earlier runs' articles in one shard of the committed generation."""
    for article_id, record in sorted(state.read_shard(generation, shard).items()):
        yield article_id, (record["fp"], record["bands"], True)


def resolve(_, edges: list, metas: list, generation: str | None):
    """clusters.resolve_clusters against the committed generation's index."""
    index = state.read_index(generation)
    yield from resolve_clusters(edges, metas, index)


class WriteShard(beam.DoFn):
    """Writes one fingerprint shard of the new generation: earlier entries plus this run's.
    Input (shard, [(article_id, fingerprint, band keys)...]); or, with `skip_written`, a bare
    shard number, written (earlier entries only) unless it is in that side input."""

    def __init__(self, folder: str, generation: str | None):
        self.folder, self.generation = folder, generation

    def process(self, element, skip_written=None):
        if skip_written is None:
            shard, records = element
        elif element in set(skip_written):
            return
        else:
            shard, records = element, []
        entries = state.read_shard(self.generation, shard)
        for article_id, packed, bands in records:
            entries[article_id] = {"fp": packed, "bands": bands}
        state.write_shard(self.folder, shard, entries)
        yield shard


def mark_generation(_, shards_written: list, other_shards_written: list, index_written: list,
                    folder: str, shards: int) -> str:
    """The new generation is whole: mark it so the run's commit can name it."""
    if len(set(shards_written) | set(other_shards_written)) != shards or len(index_written) != 1:
        raise RuntimeError("dedup state incomplete; the run fails and commits nothing")
    state.mark_complete(folder, shards)
    return folder


BandEntry = tuple[int, bytes]


class Deduplicate(beam.PTransform):
    """articles -> {"articles": the same dicts plus cluster_id, is_canonical, canonical_id,
    content_hash; "clusters": one row per earlier cluster that this run changed (new members,
    a merge, or a new canonical): see docs/dedup.md}. `generation`: the committed index folder
    to read (None: none); `new_generation`: the folder to write this run's index to (None: keep
    no state); the run's commit record makes it live."""

    def __init__(self, settings: dict, generation: str | None = None, new_generation: str | None = None):
        super().__init__()
        self.settings = settings
        self.generation = generation
        self.new_generation = new_generation

    def expand(self, articles):
        settings = self.settings
        shards = settings["state_shards"]
        generation = self.generation
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
            | "Resolve" >> beam.FlatMap(resolve, beam.pvalue.AsList(edges),
                                        beam.pvalue.AsList(metas), generation)
        )
        assign = resolved | "Assignments" >> beam.Filter(lambda kv: kv[0] == "assign") | beam.Values()
        changes = (
            resolved | "Changes" >> beam.Filter(lambda kv: kv[0] == "change") | "ChangeRows" >> beam.Values()
        )
        if self.new_generation:
            self._write_state(new, resolved, shards, generation)
        clustered = hashed | "AddClusterFields" >> beam.Map(
            add_cluster_fields, beam.pvalue.AsSingleton(assign))
        return {"articles": clustered, "clusters": changes}

    def _write_state(self, new, resolved, shards: int, generation: str | None) -> None:
        folder = self.new_generation
        by_shard = new | "KeyByShard" >> beam.Map(
            lambda kv: (state.shard_of(kv[0], shards), (kv[0], kv[1][0], kv[1][1])))
        # No Flatten with shard markers (the local runner would buffer every fingerprint once
        # more for it): shards that got no new article are written after the others.
        written = (
            by_shard
            | "GroupByShard" >> beam.GroupByKey()
            | "WriteShards" >> beam.ParDo(WriteShard(folder, generation))
        )
        others = (
            new.pipeline
            | "ShardNumbers" >> beam.Create(list(range(shards)))
            | "WriteOtherShards" >> beam.ParDo(WriteShard(folder, generation),
                                               beam.pvalue.AsList(written))
        )
        index_written = (
            resolved
            | "Index" >> beam.Filter(lambda kv: kv[0] == "index")
            | "WriteIndex" >> beam.Map(lambda kv: state.write_index(folder, kv[1]))
        )
        _ = (
            new.pipeline
            | "MarkOnce" >> beam.Create([None])
            | "MarkComplete" >> beam.Map(mark_generation, beam.pvalue.AsList(written),
                                         beam.pvalue.AsList(others), beam.pvalue.AsList(index_written),
                                         folder, shards)
        )


def keep_canonical_only(articles):
    """For --drop-duplicates: only the canonical row of each cluster."""
    return articles | "CanonicalOnly" >> beam.Filter(lambda article: bool(article.get("is_canonical")))

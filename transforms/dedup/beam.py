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
import typing

import apache_beam as beam
import numpy as np
from apache_beam.transforms.window import GlobalWindows

from transforms.common.beam import Compact
from transforms.common.views import per_side_input
from transforms.dedup import frequency, streaming
from transforms.dedup import index as state
from transforms.dedup.candidates import (
    article_meta,
    band_entries,
    forward_fingerprint,
    partner_index,
    shard_pairs,
)
from transforms.dedup.clusters import add_cluster_fields, resolve_clusters
from transforms.dedup.minhash import (
    MinHasher,
    band_keys,
    fingerprint_and_hash,
    pack,
    packed_shingles,
)
from transforms.dedup.verify import verify_component


class Fingerprinter(beam.DoFn):
    """article -> (article_id, (fingerprint, band keys, old=False)); tagged output "meta": what
    the canonical choice needs. The fingerprint is minhash.pack's bytes, band keys uint64 bytes."""

    META = "meta"
    ARTICLES = "articles"  # the article with its content_hash, from the same tokens

    def __init__(self, settings: dict, republishers: frozenset[str] = frozenset()):
        self.settings = settings
        self.republishers = republishers

    def setup(self):
        self.hasher = MinHasher(self.settings["num_perm"], self.settings["seed"])

    def process(self, article: dict):
        fp, content_hash = fingerprint_and_hash(article.get("text"), self.settings["shingle_size"])
        bands = band_keys(self.hasher.signature(fp.unique), self.settings["band_rows"])
        yield article["article_id"], (pack(fp), np.array(bands, dtype=np.uint64).tobytes(), False)
        meta = article_meta(article, int(fp.words.size), self.republishers)
        yield beam.pvalue.TaggedOutput(self.META, meta)
        yield beam.pvalue.TaggedOutput(self.ARTICLES, {**article, "content_hash": content_hash})


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


BandPack = tuple[int, list[bytes]]


class PackBandEntries(beam.DoFn):
    """(article_id, (fp, bands, old)) -> (band shard, [entries...]): a bundle's band entries
    (32 per article) leave as one list per shard (up to FLUSH_AT held at once), not one
    element each: the runner's cost per element was most of the banding."""

    FLUSH_AT = 100_000

    def start_bundle(self):
        self.held: dict[int, list[bytes]] = {}
        self.count = 0

    def process(self, kv):
        for shard, entry in band_entries(kv):
            self.held.setdefault(shard, []).append(entry)
            self.count += 1
        if self.count >= self.FLUSH_AT:
            yield from self._packs()

    def finish_bundle(self):
        for shard_and_entries in self._packs():
            yield GlobalWindows.windowed_value(shard_and_entries)

    def _packs(self):
        held, self.held, self.count = self.held, {}, 0
        yield from sorted(held.items())


def packed_shard_pairs(shard_and_packs, max_bucket: int):
    """candidates.shard_pairs over the packs of one band shard."""
    shard, packs = shard_and_packs
    yield from shard_pairs((shard, itertools.chain.from_iterable(packs)), max_bucket)


DF_SHARDS = 16  # shingle key ranges counted apart (in parallel), each a few arrays in memory


class CountShingles(beam.CombineFn):
    """Documents per shingle key: numpy (keys, counts) accumulators, 8 bytes per distinct key
    (a dict of Python ints would take ~100); each document's keys arrive as uint32 bytes."""

    COMPACT_AT = 1 << 20  # pending keys merged into the counts past this many

    def create_accumulator(self):
        return [frequency.merge_counts([]), [], 0]  # (keys, counts), pending key arrays, their size

    def add_input(self, accumulator, keys: bytes):
        pending = np.frombuffer(keys, dtype=np.uint32)
        accumulator[1].append(pending)
        accumulator[2] += pending.size
        return self.compact(accumulator) if accumulator[2] >= self.COMPACT_AT else accumulator

    def merge_accumulators(self, accumulators):
        return [frequency.merge_counts([self.compact(acc)[0] for acc in accumulators]), [], 0]

    def compact(self, accumulator):
        if not accumulator[1]:
            return [accumulator[0], [], 0]
        pending = np.concatenate(accumulator[1])  # one document per key in each pending array
        ones = np.ones(pending.size, dtype=np.uint32)
        return [frequency.merge_counts([accumulator[0], (pending, ones)]), [], 0]

    def extract_output(self, accumulator):
        return self.compact(accumulator)[0]


def document_keys(kv, size: int):
    """(article_id, (fingerprint, old)) -> (shard, its distinct shingle keys) per shard (the
    shingles straight from the packed bytes; `size` is kept for the callers)."""
    return frequency.split_by_shard(packed_shingles(kv[1][0]), DF_SHARDS)


def frequent_part(kv, n_docs: int, settings: dict) -> bytes:
    threshold = frequency.df_threshold(n_docs, settings["frequent_share"], settings["frequent_min_docs"])
    return frequency.frequent_table(*kv[1], threshold, settings["frequent_power"])


class Deduplicate(beam.PTransform):
    """articles -> {"articles": the same dicts plus cluster_id, is_canonical, canonical_id,
    content_hash; "clusters": one row per earlier cluster that this run changed (new members,
    a merge, or a new canonical): see docs/dedup.md}. `generation`: the committed index folder
    to read (None: none); `new_generation`: the folder to write this run's index to (None: keep
    no state); the run's commit record makes it live. With cluster_fields=False the articles
    come without the cluster fields and "assign" is added: one dict article_id -> (cluster_id,
    canonical_id) for clusters.add_cluster_fields in the caller's next pass over the rows."""

    def __init__(self, settings: dict, generation: str | None = None, new_generation: str | None = None,
                 republishers: frozenset[str] = frozenset(), cluster_fields: bool = True):
        super().__init__()
        self.settings, self.generation, self.new_generation = settings, generation, new_generation
        self.republishers = republishers  # name keys of republishing outlets: never canonical
        self.cluster_fields = cluster_fields

    def expand(self, articles):
        settings = self.settings
        shards = settings["state_shards"]
        generation = self.generation
        fingerprinter = Fingerprinter(settings, self.republishers)
        fingerprinted = articles | "Fingerprint" >> beam.ParDo(fingerprinter).with_outputs(
            Fingerprinter.META, Fingerprinter.ARTICLES, main="records")
        new, metas = fingerprinted.records, fingerprinted[Fingerprinter.META]
        # the rows wait in the runner for the assignments (AddClusterFields, StripCopyLines)
        hashed = fingerprinted[Fingerprinter.ARTICLES] | "CompactArticles" >> Compact()
        # Each large collection feeds one grouping with no multi-input Flatten in between:
        # the local runner materialises a Flatten's inputs in a stage of its own.
        fps = new | "KeepFingerprint" >> beam.Map(lambda kv: (kv[0], (kv[1][0], kv[1][2])))
        band_entries_ = new | "BandKeys" >> beam.ParDo(PackBandEntries()).with_output_types(BandPack)
        if generation:
            old = (
                articles.pipeline
                | "OldShards" >> beam.Create(list(range(shards)))
                | "ReadOldShards" >> beam.FlatMap(read_old_shard, generation)
            )
            band_entries_ = (band_entries_, old | "OldBandKeys" >> beam.ParDo(PackBandEntries())
                             .with_output_types(BandPack)) | "AllBandKeys" >> beam.Flatten()
            fps = (fps, old | "KeepOldFingerprint" >> beam.Map(lambda kv: (kv[0], (kv[1][0], kv[1][2])))
                   ) | "AllFingerprints" >> beam.Flatten()
        pairs = (
            band_entries_
            | "GroupByBandShard" >> beam.GroupByKey()
            | "BucketPairs" >> beam.FlatMap(packed_shard_pairs, settings["max_bucket"])
            | "DistinctPairs" >> beam.Distinct()
        )
        # The pairs are few and small: one dict from a side input (per bundle); the fingerprints
        # wait for it as encoded bytes and each goes once into the grouping of its pairs.
        edges = (
            fps
            | "Forward" >> beam.FlatMap(per_side_input(forward_fingerprint, partner_index),
                                        beam.pvalue.AsList(pairs))
            | "GroupByComponent" >> beam.GroupByKey()
            | "Verify" >> beam.FlatMap(per_side_input(verify_component, frequency.join_tables), settings,
                                       beam.pvalue.AsList(self._frequent(fps)))
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
        if not self.cluster_fields:
            return {"articles": hashed, "clusters": changes, "assign": assign}
        fields = beam.Map(add_cluster_fields, beam.pvalue.AsSingleton(assign))
        return {"articles": hashed | "AddClusterFields" >> fields, "clusters": changes}

    def _frequent(self, fps):
        """The corpus-frequent shingles of this run (its articles and the earlier ones in the
        banding): a small table per key shard (frequency.join_tables makes them one), only keys
        at or above the DF threshold leave the counting."""
        n_docs = fps | "CountDocuments" >> beam.combiners.Count.Globally()
        return (
            fps
            | "ShingleKeys" >> beam.FlatMap(document_keys, self.settings["shingle_size"])
            | "CountShingles" >> beam.CombinePerKey(CountShingles())
            | "FrequentShingles" >> beam.Map(frequent_part, beam.pvalue.AsSingleton(n_docs), self.settings)
        )

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


# --- streaming dedup (pure logic in transforms/dedup/streaming.py) ---------------------------

STREAM_CLUSTERS = "clusters"  # tag of StreamingDedup's change rows
_BAND_ENTRY = beam.coders.TupleCoder([beam.coders.StrUtf8Coder(), beam.coders.BytesCoder(),
                                      beam.coders.FloatCoder()])
_userstate = beam.transforms.userstate
_BAND_ENTRIES = _userstate.BagStateSpec("entries", _BAND_ENTRY)
_BAND_EXPIRY = _userstate.TimerSpec("expiry", _userstate.TimeDomain.WATERMARK)
_GATHER_ARTICLE = _userstate.ReadModifyWriteStateSpec("article", beam.coders.FastPrimitivesCoder())
_GATHER_ANSWERS = _userstate.BagStateSpec("answers", beam.coders.FastPrimitivesCoder())
_GATHER_EXPIRY = _userstate.TimerSpec("expiry", _userstate.TimeDomain.WATERMARK)
_INDEX = _userstate.ReadModifyWriteStateSpec("index", beam.coders.FastPrimitivesCoder())
_INDEX_EXPIRY = _userstate.TimerSpec("expiry", _userstate.TimeDomain.WATERMARK)
# DoFn parameters (module-level: Beam reads them from the signature's defaults)
BAND_ENTRIES, BAND_EXPIRY = beam.DoFn.StateParam(_BAND_ENTRIES), beam.DoFn.TimerParam(_BAND_EXPIRY)
ARTICLE, ANSWERS = beam.DoFn.StateParam(_GATHER_ARTICLE), beam.DoFn.StateParam(_GATHER_ANSWERS)
GATHER_EXPIRY = beam.DoFn.TimerParam(_GATHER_EXPIRY)
INDEX, INDEX_EXPIRY = beam.DoFn.StateParam(_INDEX), beam.DoFn.TimerParam(_INDEX_EXPIRY)


class StreamFingerprint(beam.DoFn):
    """article -> (article_id, ("article", row + content_hash, meta, bands)) for the gathering,
    and (band key, (article_id, fingerprint, expires)) per distinct band key (tag "bands")."""

    BANDS = "bands"

    def __init__(self, settings: dict, ttl_s: float, republishers: frozenset[str] = frozenset()):
        self.settings, self.ttl_s, self.republishers = settings, ttl_s, republishers

    def setup(self):
        self.hasher = MinHasher(self.settings["num_perm"], self.settings["seed"])

    def process(self, article: dict, timestamp=beam.DoFn.TimestampParam):
        fp, content_hash = fingerprint_and_hash(article.get("text"), self.settings["shingle_size"])
        keys = sorted(set(band_keys(self.hasher.signature(fp.unique), self.settings["band_rows"])))
        meta = article_meta(article, int(fp.words.size), self.republishers)
        row = {**article, "content_hash": content_hash}
        yield article["article_id"], ("article", (row, meta, len(keys)))
        packed, expires = pack(fp), streaming.expiry_of(float(timestamp), self.ttl_s)
        for key in keys:
            band = key.to_bytes(8, "little")  # uint64: past the int64 of Beam's integer coder
            yield beam.pvalue.TaggedOutput(self.BANDS, (band, (article["article_id"], packed, expires)))


class BandState(beam.DoFn):
    """Keyed by LSH band key: the band's recent fingerprints (expiring on an event-time timer).
    Each article's answer (verified edges to them) goes to its gathering."""

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        self.verified = beam.metrics.Metrics.counter("newspipe", "dedup.band_edges")
        self.expired = beam.metrics.Metrics.counter("newspipe", "dedup.band_entries_expired")
        self.evicted = beam.metrics.Metrics.counter("newspipe", "dedup.band_entries_evicted")

    def process(self, element, entries=BAND_ENTRIES, expiry=BAND_EXPIRY):
        _, (article_id, packed, expires) = element
        current = list(entries.read())
        seen, edges = streaming.band_answer(current, article_id, packed, self.settings)
        self.verified.inc(len(edges))
        yield article_id, ("band", edges)
        if seen:
            return
        new_entry = (article_id, packed, expires)
        kept = streaming.newest_entries([*current, new_entry], self.settings["max_bucket"])
        if len(kept) <= len(current):  # a hot key (shared boilerplate): the oldest entry leaves
            self.evicted.inc(len(current) + 1 - len(kept))
            entries.clear()
            for entry in kept:
                entries.add(entry)
        else:
            entries.add(new_entry)
        expiry.set(streaming.next_expiry(entry[2] for entry in kept))

    @_userstate.on_timer(_BAND_EXPIRY)
    def expire(self, now=beam.DoFn.TimestampParam, entries=BAND_ENTRIES, expiry=BAND_EXPIRY):
        current = list(entries.read())
        live = streaming.live_entries(current, float(now))
        self.expired.inc(len(current) - len(live))
        entries.clear()
        for entry in live:
            entries.add(entry)
        if live:
            expiry.set(streaming.next_expiry(entry[2] for entry in live))


class GatherBands(beam.DoFn):
    """Keyed by article_id: the article and its bands' answers; once all are in, one element
    (RESOLVE_KEY, (row, meta, edges)) for the cluster index. A timer clears what a message
    delivered twice at once may leave behind."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s

    def process(self, element, timestamp=beam.DoFn.TimestampParam, article=ARTICLE, answers=ANSWERS,
                expiry=GATHER_EXPIRY):
        expiry.set(streaming.expiry_of(float(timestamp), self.ttl_s))
        _, (kind, value) = element
        if kind == "article":
            article.write(value)
        else:
            answers.add(value)
        held, got = article.read(), list(answers.read())
        if held is not None and len(got) >= held[2]:
            article.clear()
            answers.clear()
            yield RESOLVE_KEY, (held[0], held[1], streaming.merge_edges(got))

    @_userstate.on_timer(_GATHER_EXPIRY)
    def expire(self, article=ARTICLE, answers=ANSWERS):
        article.clear()
        answers.clear()


RESOLVE_KEY = "clusters"


class ResolveClusters(beam.DoFn):
    """One key: the index of recent articles and their clusters. An article -> its row with
    cluster_id, is_canonical, canonical_id (main), and a change row (STREAM_CLUSTERS) when it
    joined, merged or re-decided an existing cluster. A redelivered article is dropped here."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s

    def setup(self):
        self.counters = {name: beam.metrics.Metrics.counter("newspipe", f"dedup.{name}")
                         for name in ("new_clusters", "joined", "canonical_revised", "redelivered")}

    def process(self, element, timestamp=beam.DoFn.TimestampParam, index_state=INDEX, expiry=INDEX_EXPIRY):
        _, (row, meta, edges) = element
        index = index_state.read() or {}
        if row["article_id"] in index:
            self.counters["redelivered"].inc()
            return
        (cluster_id, canonical), change = streaming.resolve_article(
            index, meta, edges, streaming.expiry_of(float(timestamp), self.ttl_s))
        index_state.write(index)
        expiry.set(streaming.next_expiry(streaming.cluster_expiries(index)))
        self.counters["joined" if change else "new_clusters"].inc()
        yield add_cluster_fields(row, {row["article_id"]: (cluster_id, canonical)})
        if change:
            if change["canonical_id"] != change["previous_canonical_id"]:
                self.counters["canonical_revised"].inc()
            yield beam.pvalue.TaggedOutput(STREAM_CLUSTERS, change)

    @_userstate.on_timer(_INDEX_EXPIRY)
    def expire(self, now=beam.DoFn.TimestampParam, index_state=INDEX, expiry=INDEX_EXPIRY):
        index = streaming.prune_index(index_state.read() or {}, float(now))
        index_state.write(index)
        if index:
            expiry.set(streaming.next_expiry(streaming.cluster_expiries(index)))


BandKeyed = beam.typehints.Tuple[bytes, typing.Any]
ArticleKeyed = beam.typehints.Tuple[str, typing.Any]


class StreamingDedup(beam.PTransform):
    """articles (global window, event-time stamped) -> {"articles": rows with cluster_id,
    is_canonical, canonical_id, content_hash; "clusters": change rows}. State per band key,
    per article and one cluster index, all expiring `ttl_s` after an article's event time."""

    def __init__(self, settings: dict, ttl_s: float, republishers: frozenset[str] = frozenset()):
        super().__init__()
        self.settings, self.ttl_s, self.republishers = settings, ttl_s, republishers

    def expand(self, articles):
        fingerprinted = articles | "StreamFingerprint" >> beam.ParDo(
            StreamFingerprint(self.settings, self.ttl_s, self.republishers)
        ).with_outputs(StreamFingerprint.BANDS, main="articles")
        # typed keys: the state and timers of a key are found by its encoding (a deterministic coder)
        answers = (
            fingerprinted[StreamFingerprint.BANDS]
            | "TypeBandKeys" >> beam.Map(lambda kv: kv).with_output_types(BandKeyed)
            | "BandState" >> beam.ParDo(BandState(self.settings))
        )
        resolved = (
            (fingerprinted.articles, answers)
            | "ArticlesAndAnswers" >> beam.Flatten()
            | "TypeArticleKeys" >> beam.Map(lambda kv: kv).with_output_types(ArticleKeyed)
            | "GatherBands" >> beam.ParDo(GatherBands(self.ttl_s))
            | "ResolveClusters" >> beam.ParDo(ResolveClusters(self.ttl_s)).with_outputs(
                STREAM_CLUSTERS, main="articles")
        )
        return {"articles": resolved.articles, "clusters": resolved[STREAM_CLUSTERS]}

"""Corpus step of cleaning: lines repeated across unrelated stories are removed (linestats.py).

articles -> (line key, (article_id, sketch of the article without that line)) per paragraph ->
GroupByKey -> per key, with its history entry: furniture or not, and the entry for the state ->
the furniture keys of each article (a small side input) -> the articles without those lines,
and their quotes with offsets moved (quotes inside removed lines dropped). The new history goes
to <state>/lines/lines-<attempt>.jsonl, which the run's commit makes live (linestore).

After dedup, StripCopyLines removes head/tail lines that only one copy of a cluster has (copies.py).
"""

from __future__ import annotations

from array import array

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindows

from transforms.clean import copies, linestats, linestore
from transforms.dedup.minhash import hash_tokens, tokens

FURNITURE, PAIR = "furniture", "pair"  # Decide's tagged outputs


def _pack(values) -> bytes:
    """A sketch as 4 bytes per value: a list of Python ints costs ~7 times more in a grouping."""
    return array("I", sorted(values)).tobytes()


def _unpack(data: bytes) -> list[int]:
    values = array("I")
    values.frombytes(data)
    return values.tolist()


def _first(data: bytes) -> array:
    """The first MAX_SKETCH values of a packed (sorted) sketch."""
    values = array("I")
    values.frombytes(data[:4 * linestats.MAX_SKETCH])
    return values


class LineKeys(beam.DoFn):
    def process(self, article: dict):
        text = article.get("text") or ""
        paragraphs = text.split("\n\n")
        # words never span a blank line: the text's sketch is the union of its paragraphs'
        sketches = [linestats.sketch(paragraph) for paragraph in paragraphs]
        whole = set().union(*sketches)
        for paragraph, own in zip(paragraphs, sketches, strict=True):
            keys = linestats.line_keys(paragraph)
            if not keys:
                continue
            rest = _pack(whole - own)
            for key, masked in keys:
                yield key, (article["article_id"], masked, rest)
        anchors = {key for key, _, _ in linestats.span_anchors(text)}
        if anchors:
            doc = _pack(whole)
            for key in sorted(anchors):
                yield key, (article["article_id"], False, doc)


class Decide(beam.DoFn):
    """(key, [(article_id, masked, sketch)...]) -> (article_id, key) (FURNITURE), pairs to judge
    (PAIR), and (main, when `keep_entries`) one (None, {key: history entry}) per bundle: the
    entries are many (every line and anchor), and one dict per bundle costs Beam one element
    instead of one per key. The history is read once per worker."""

    def __init__(self, history_path: str | None, keep_entries: bool = True):
        self.history_path = history_path
        self.keep_entries = keep_entries

    def setup(self):
        self.history = linestore.read(self.history_path)

    def start_bundle(self):
        self.entries: dict[str, dict] = {}

    def finish_bundle(self):
        if self.entries:
            yield GlobalWindows.windowed_value((None, self.entries))
        self.entries = {}

    def process(self, key_and_docs):
        key, docs = key_and_docs
        docs = list(docs)
        if len(docs) == 1 and not docs[0][1] and key not in self.history:
            # most keys: a verbatim line of one article, first seen (linestats.decide's first
            # case): its entry straight from the packed sketch, no decoding and sorting
            if self.keep_entries:
                self.entries[key] = {"groups": 1, "reps": [linestats.encode_sorted(_first(docs[0][2]))],
                                     "masked": False, "docs": 1}
            return
        docs = sorted(set((article_id, masked, tuple(_unpack(sk))) for article_id, masked, sk in docs))
        masked = any(doc[1] for doc in docs)
        verdict = linestats.decide(masked, self.history.get(key), [(d[0], list(d[2])) for d in docs])
        if self.keep_entries:
            self.entries[key] = verdict.entry
        if verdict.furniture:
            for article_id, _, _ in docs:
                yield beam.pvalue.TaggedOutput(FURNITURE, (article_id, key))
        elif not masked:
            sketches = {doc[0]: doc[2] for doc in docs}
            for a, b in linestats.candidate_pairs(list(sketches)):
                if linestats.worth_judging(sketches[a], sketches[b]):
                    yield beam.pvalue.TaggedOutput(PAIR, (a, b))


def with_first_text(joined):
    """(a, {"pairs": [(a, b)...], "texts": [text_a]}) -> (b, (a, text_a)) per pair."""
    _, groups = joined
    for text in groups["texts"][:1]:
        for a, b in groups["pairs"]:
            yield b, (a, text)


def judge_pairs(joined):
    """(b, {"firsts": [(a, text_a)...], "texts": [text_b]}) -> (article_id, furniture key) for both
    articles of each pair that shares furniture, and ("entry" updates) for the history."""
    b, groups = joined
    for text_b in groups["texts"][:1]:
        for a, text_a in sorted(groups["firsts"]):
            for key in sorted(linestats.shared_furniture(text_a, text_b)):
                yield a, key
                yield b, key


def furniture_by_article(pairs: list) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for article_id, key in pairs:
        out.setdefault(article_id, set()).add(key)
    return out


def strip_article(article: dict, furniture: dict):
    keys = furniture.get(article["article_id"])
    if not keys:
        yield article
        return
    text, spans = linestats.strip_lines(article["text"], keys)
    yield {**article, "text": text}
    if spans:
        yield beam.pvalue.TaggedOutput("spans", (article["article_id"], spans))


def move_quote(quote: dict, spans: dict):
    removed = spans.get(quote["article_id"])
    if not removed:
        yield quote
        return
    start = linestats.move_offset(quote["start_char"], removed)
    end = linestats.move_offset(quote["end_char"] - 1, removed)
    if start is not None and end is not None:
        yield {**quote, "start_char": start, "end_char": end + 1}


class CollectEntries(beam.CombineFn):
    """Decide's {key: entry} dicts -> one dict. A combine, not a side input: Beam sizes a side
    input object by object when it caches it (0.5 s of CPU for 90k entries)."""

    def create_accumulator(self) -> dict:
        return {}

    def add_input(self, accumulator: dict, entries: dict | None) -> dict:
        accumulator.update(entries or {})  # None: the seed that has the history written anyway
        return accumulator

    def merge_accumulators(self, accumulators) -> dict:
        merged: dict = {}
        for accumulator in accumulators:
            merged.update(accumulator)
        return merged

    def extract_output(self, accumulator: dict) -> dict:
        return accumulator


def write_history(keyed_entries, judged: list, old_path: str | None, new_path: str, max_keys: int):
    history = linestore.read(old_path)
    history.update(keyed_entries[1])
    for key in judged:  # found in different stories by the pairwise test
        if key in history:
            groups = max(linestats.EXACT_GROUPS, history[key].get("groups", 0))
            history[key] = {**history[key], "groups": groups}
    yield linestore.write(new_path, linestats.prune(history, max_keys))


class StripRepeatedLines(beam.PTransform):
    """{"articles", "quotes"} -> the same, without lines repeated across unrelated stories."""

    def __init__(self, settings: dict, history_old: str | None, history_new: str | None):
        """history_old: the committed history to read (None: none); history_new: where this
        attempt writes the updated history (None: keep none)."""
        super().__init__()
        self.settings = settings
        self.history_old, self.history_new = history_old, history_new

    def expand(self, inputs):
        articles, quotes = inputs["articles"], inputs["quotes"]
        decided = (
            articles
            | "LineKeys" >> beam.ParDo(LineKeys())
            | "GroupByLine" >> beam.GroupByKey()
            | "Decide" >> beam.ParDo(Decide(self.history_old, bool(self.history_new))).with_outputs(
                FURNITURE, PAIR, main="entries")
        )
        known = decided[FURNITURE]
        pairs = decided[PAIR] | "DistinctPairs" >> beam.Distinct()
        texts = articles | "Texts" >> beam.Map(lambda a: (a["article_id"], a.get("text") or ""))
        firsts = (
            {"pairs": pairs | "ByFirst" >> beam.Map(lambda ab: (ab[0], ab)), "texts": texts}
            | "JoinFirst" >> beam.CoGroupByKey()
            | "FirstText" >> beam.FlatMap(with_first_text)
        )
        judged = (
            {"firsts": firsts, "texts": texts}
            | "JoinSecond" >> beam.CoGroupByKey()
            | "JudgePairs" >> beam.FlatMap(judge_pairs)
            | "DistinctFurniture" >> beam.Distinct()
        )
        furniture = (
            (known, judged)
            | "AllFurnitureLines" >> beam.Flatten()
            | "AllFurniture" >> beam.combiners.ToList() | "ByArticle" >> beam.Map(furniture_by_article)
        )
        stripped = articles | "StripLines" >> beam.FlatMap(
            strip_article, beam.pvalue.AsSingleton(furniture)).with_outputs("spans", main="articles")
        spans = beam.pvalue.AsDict(stripped.spans)
        moved = quotes | "MoveQuotes" >> beam.FlatMap(move_quote, spans)
        if self.history_new:
            entries = decided.entries
            judged_keys = judged | "JudgedKeys" >> beam.Values() | "DistinctJudged" >> beam.Distinct()
            seed = articles.pipeline | "HistoryOnce" >> beam.Create([(None, None)])
            _ = (
                (entries, seed)
                | "AllEntries" >> beam.Flatten()
                | "CollectEntries" >> beam.CombinePerKey(CollectEntries())
                | "WriteHistory" >> beam.FlatMap(
                    write_history, beam.pvalue.AsList(judged_keys),
                    self.history_old, self.history_new, int(self.settings["line_history_max_keys"]))
            )
        return {"articles": stripped.articles, "quotes": moved}


def cluster_member(article: dict):
    member = (article["article_id"], article.get("text") or "", bool(article["is_canonical"]))
    yield article["cluster_id"], member


def cluster_drops(cluster_and_members):
    _, members = cluster_and_members
    members = sorted(members)
    if len(members) > 1:
        yield from copies.copy_furniture(members).items()


def strip_copy_lines(article: dict, drops: dict):
    indices = drops.get(article["article_id"])
    if not indices:
        yield article
        return
    text, spans = copies.drop_paragraphs(article["text"], set(indices))
    yield {**article, "text": text, "content_hash": hash_tokens(tokens(text))}
    if spans:
        yield beam.pvalue.TaggedOutput("spans", (article["article_id"], spans))


class StripCopyLines(beam.PTransform):
    """{"articles" (clustered), "quotes"} -> the same, without head/tail lines that only one
    copy of a cluster has (copies.py); the content hash follows the new text."""

    def expand(self, inputs):
        articles, quotes = inputs["articles"], inputs["quotes"]
        drops = (
            articles
            | "ClusterMembers" >> beam.FlatMap(cluster_member)
            | "GroupByCluster" >> beam.GroupByKey()
            | "CopyLines" >> beam.FlatMap(cluster_drops)
        )
        stripped = articles | "StripCopyLines" >> beam.FlatMap(
            strip_copy_lines, beam.pvalue.AsDict(drops)).with_outputs("spans", main="articles")
        moved = quotes | "MoveCopyQuotes" >> beam.FlatMap(move_quote, beam.pvalue.AsDict(stripped.spans))
        return {"articles": stripped.articles, "quotes": moved}

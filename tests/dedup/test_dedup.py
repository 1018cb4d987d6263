"""Dedup: fingerprints, pair verification, canonical choice, the Beam transform, cross-run state."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import numpy as np
import pytest
import xxhash
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.clean.profiles import ProfileSet
from transforms.common.config import PROJECT_ROOT, load_config
from transforms.dedup import index as dedup_state
from transforms.dedup.beam import Deduplicate, PackBandEntries, keep_canonical_only
from transforms.dedup.candidates import article_meta, band_entries
from transforms.dedup.clusters import agency_key, choose_canonical, new_cluster_id, resolve_clusters
from transforms.dedup.minhash import content_hash, fingerprint, shingle_hashes
from transforms.dedup.verify import same_story

SETTINGS = load_config()["dedup"]
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def story(seed: int, paragraphs: int = 6, words: int = 40) -> list[str]:
    """A synthetic story: paragraphs of pseudo-words drawn from a shared vocabulary."""
    rng = random.Random(seed)
    vocabulary = [f"w{rng.randrange(100000):05d}x" for _ in range(3000)]
    return [" ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."
            for _ in range(paragraphs)]


BOILERPLATE = ("Sign up for our daily newsletter to receive the best stories in your inbox every "
               "morning. Follow us on Facebook, Twitter and Instagram and stay in the know with what "
               "is happening around the world in real time.")


def fp(paragraphs: list[str]):
    return fingerprint("\n\n".join(paragraphs), SETTINGS["shingle_size"])


def test_content_hash_ignores_case_quotes_and_spacing():
    assert content_hash("He said: “Yes”.\n\nNext  line") == content_hash('he said: "yes".\nnext line')
    assert content_hash("one story") != content_hash("another story")


def test_trimmed_and_edited_copies_match_their_original():
    original = story(1)
    trimmed = original[:2]  # only the first paragraphs
    edited = [p.upper() for p in original[:3]] + original[4:]  # re-cased, one paragraph dropped
    assert same_story(fp(original), fp(trimmed), SETTINGS)
    assert same_story(fp(original), fp(edited), SETTINGS)


def test_shared_boilerplate_or_quote_does_not_merge_two_stories():
    a, b = story(1), story(2)
    assert not same_story(fp([*a, BOILERPLATE]), fp([*b, BOILERPLATE]), SETTINGS)
    # Short texts, where the shared block is a large part of each.
    assert not same_story(fp([*a[:2], BOILERPLATE]), fp([*b[:2], BOILERPLATE]), SETTINGS)
    quote = "“" + a[0][:120] + "”"
    assert not same_story(fp([*a[1:], quote]), fp([*b, quote]), SETTINGS)


def test_agency_names_come_from_the_outlet_profiles():
    # The cleaning stage writes the profiles' canonical names; the canonical choice compares them.
    profiles = ProfileSet.from_file(PROJECT_ROOT / "configs/sources.yaml")
    assert profiles.agency("Associated Press") == profiles.agency("A.P.") == "AP"
    assert profiles.agency("ITAR-TASS") == "TASS" and profiles.agency("United Press International") == "UPI"
    assert profiles.by_url("https://english.kyodonews.net/news/1").name == "Kyodo"
    assert profiles.by_url("https://example.com/x") is None
    assert agency_key("AP") == agency_key("A.P.") == agency_key("ap") and agency_key(None) is None


def member(article_id, source=None, agency=None, minutes=None, words=100, url=None):
    return {"article_id": article_id, "source": source, "url": url, "credited_agency": agency,
            "published_at": (T0 + timedelta(minutes=minutes)).timestamp() if minutes is not None else None,
            "text_len": words}


def test_canonical_prefers_the_agency_then_earliest_then_most_complete():
    members = [member("a", "UrduPoint", "AP", minutes=-30),
               member("b", "AP", None, minutes=10),
               member("c", "Yahoo News", "AP", minutes=0)]
    assert choose_canonical(members) == "b"
    members = [member("a", "Daily Times", "TASS", minutes=5), member("b", "TASS", "TASS", url="https://tass.com/1")]
    assert choose_canonical(members) == "b"
    assert choose_canonical([member("a", "X", minutes=5), member("b", "Y", minutes=1)]) == "b"
    assert choose_canonical([member("a", "X", words=50), member("b", "Y", words=90)]) == "b"
    # A bare date (midnight) does not beat a real time of the same day.
    assert choose_canonical([member("a", "X", minutes=-720), member("b", "Y", minutes=-600)]) == "b"


def article(article_id, paragraphs, source="Outlet", agency=None, minutes=0, url=None):
    return {"article_id": article_id, "text": "\n\n".join(paragraphs), "title": None, "source": source,
            "credited_agency": agency, "published_at": T0 + timedelta(minutes=minutes), "lang": "en",
            "url": url, "input_ref": f"/in/{article_id}.txt"}


def row_view(row: dict) -> tuple:
    return row["article_id"], row["cluster_id"], row["is_canonical"], row["canonical_id"]


def check_dedup(articles, expected, changes=(), generation=None, new_generation=None):
    """Run Deduplicate on a TestPipeline (FnApiRunner) and assert its two outputs: the articles as
    (article_id, cluster_id, is_canonical, canonical_id) and the cluster change rows."""
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        out = (pipeline | beam.Create(articles)
               | Deduplicate(SETTINGS, generation, new_generation))
        assert_that(out["articles"] | "View" >> beam.Map(row_view), equal_to(expected), label="articles")
        assert_that(out["clusters"], equal_to(list(changes)), label="clusters")


def test_deduplicate_clusters_copies_and_keeps_stories_apart():
    one, two, three = story(1), story(2), story(3)
    articles = [
        article("ap-1", one, source="AP", agency="AP", minutes=30),
        article("copy-1a", [*one[:4], BOILERPLATE], source="Daily Times", agency="Associated Press"),
        article("copy-1b", one[:3], source="MSN", agency="AP", minutes=60),
        article("story-2", [*two, BOILERPLATE], source="Other"),
        article("story-3", three, source="Third", minutes=5),
        article("copy-3", three[:5], source="Aggregator", minutes=50),
        article("early-trimmed-3", three[:4], source="Aggregator", minutes=-100),  # stamped too early
    ]
    first = new_cluster_id(["ap-1", "copy-1a", "copy-1b"])
    third = new_cluster_id(["copy-3", "early-trimmed-3", "story-3"])
    expected = [
        ("ap-1", first, True, "ap-1"), ("copy-1a", first, False, "ap-1"), ("copy-1b", first, False, "ap-1"),
        ("story-2", new_cluster_id(["story-2"]), True, "story-2"),
        ("story-3", third, True, "story-3"), ("copy-3", third, False, "story-3"),
        ("early-trimmed-3", third, False, "story-3"),  # a trimmed copy is never the original
    ]
    check_dedup(articles, expected)
    check_dedup(list(reversed(articles)), expected)  # deterministic: whatever the input order


def test_state_lets_a_later_original_join_and_rerun_adds_nothing(tmp_path):
    one = story(7)
    gen1, gen2, gen3 = (str(tmp_path / f"gen-{n}") for n in (1, 2, 3))
    cluster = new_cluster_id(["copy-a", "copy-b"])
    check_dedup([article("copy-a", one[:4], source="MSN", agency="AP", minutes=20),
                 article("copy-b", one[:5], source="Yahoo", agency="AP", minutes=25)],
                [("copy-a", cluster, False, "copy-b"),  # the more complete of two copies
                 ("copy-b", cluster, True, "copy-b")], new_generation=gen1)
    assert dedup_state.is_complete(gen1)
    dedup_state.check(gen1, SETTINGS["state_shards"])
    assert not list(tmp_path.rglob("*.pkl"))  # Parquet, never pickle

    original = article("ap-orig", one, source="AP", agency="AP", minutes=40, url="https://apnews.com/article/x")
    check_dedup([original], [("ap-orig", cluster, True, "ap-orig")],
                changes=[{"cluster_id": cluster, "canonical_id": "ap-orig", "previous_canonical_id": "copy-b",
                          "members": 3, "merged_cluster_ids": []}], generation=gen1, new_generation=gen2)
    check_dedup([original], [("ap-orig", cluster, True, "ap-orig")], generation=gen2, new_generation=gen3)
    check_dedup([original], [("ap-orig", new_cluster_id(["ap-orig"]), True, "ap-orig")])  # no state


def test_corrupt_or_incomplete_generation_is_refused(tmp_path):
    gen = str(tmp_path / "gen")
    check_dedup([article("a", story(3))], [("a", new_cluster_id(["a"]), True, "a")], new_generation=gen)
    (tmp_path / "gen" / "fp-001.parquet").write_bytes(b"garbage")
    with pytest.raises(dedup_state.DedupStateError, match="corrupt"):
        dedup_state.check(gen, SETTINGS["state_shards"])
    (tmp_path / "gen" / dedup_state.COMPLETE).unlink()
    with pytest.raises(dedup_state.DedupStateError):
        dedup_state.check(gen, SETTINGS["state_shards"])


def test_keep_canonical_only():
    rows = [{"article_id": "a", "is_canonical": True}, {"article_id": "b", "is_canonical": False}]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        kept = keep_canonical_only(pipeline | beam.Create(rows))
        assert_that(kept | beam.Map(lambda r: r["article_id"]), equal_to(["a"]))


@pytest.mark.parametrize("key", ["shingle_size", "min_containment", "min_residual_overlap"])
def test_dedup_settings_are_typed(key):
    assert key in SETTINGS


def test_republisher_copy_is_not_canonical_even_when_earlier():
    members = [
        {"article_id": "agg", "source": "Aggregator", "republisher": True, "published_at": 1000.0,
         "text_len": 500, "completeness": 1.0},
        {"article_id": "own", "source": "The Daily Example", "republisher": False, "published_at": None,
         "text_len": 500, "completeness": 1.0},
    ]
    assert choose_canonical(members) == "own"
    # among republishers only, the earliest still wins
    only = [dict(m, republisher=True) for m in members]
    assert choose_canonical(only) == "agg"


def test_profiles_mark_republishers():
    profiles = ProfileSet.from_config({})
    assert profiles.by_url("https://www.msn.com/en-us/news/x").republisher
    assert not profiles.by_url("https://tass.com/politics/1").republisher


def test_republisher_is_derived_from_the_row_source_not_carried_in_the_row():
    keys = ProfileSet.from_config({}).republisher_keys()
    msn = article_meta({"article_id": "a", "source": "MSN"}, 10, keys)
    tass = article_meta({"article_id": "b", "source": "TASS"}, 10, keys)
    unknown = article_meta({"article_id": "c", "source": "example.org"}, 10, keys)
    assert msn["republisher"] and not tass["republisher"] and not unknown["republisher"]


def test_resolve_clusters_joins_an_earlier_cluster_and_reports_the_change():
    earlier = {"old": {"article_id": "old", "source": "AP", "credited_agency": "AP", "published_at": 10.0,
                       "text_len": 100, "cluster_id": "c-old", "is_canonical": True}}
    metas = [{"article_id": "new", "source": "MSN", "credited_agency": "AP", "published_at": 5.0,
              "text_len": 100}]
    out = list(resolve_clusters([("new", "old", 1.0, 1.0)], metas, earlier))
    kinds = dict((kind, value) for kind, value in out if kind != "change")
    assert kinds["assign"] == {"new": ("c-old", "old")}  # the agency's own copy stays canonical
    assert [value for kind, value in out if kind == "change"] == [
        {"cluster_id": "c-old", "canonical_id": "old", "previous_canonical_id": "old", "members": 2,
         "merged_cluster_ids": []}]
    assert earlier["old"]["cluster_id"] == "c-old" and "new" not in earlier  # input left as it was


def test_band_entries_leave_packed_per_shard():
    """PackBandEntries sends the same (shard, entry) pairs as band_entries, a list per shard."""
    rng = random.Random(3)
    records = [(f"id{i}", (b"", np.array([rng.getrandbits(64) for _ in range(32)], dtype=np.uint64).tobytes(),
                           i % 2 == 0)) for i in range(40)]
    expected = sorted(pair for record in records for pair in band_entries(record))
    for flush_at in (PackBandEntries.FLUSH_AT, 50):
        packer = PackBandEntries()
        packer.FLUSH_AT = flush_at
        packer.start_bundle()
        packs = [pack for record in records for pack in packer.process(record)]
        packs += [windowed.value for windowed in packer.finish_bundle()]
        assert sorted((shard, entry) for shard, entries in packs for entry in entries) == expected


@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 40])
def test_shingle_hashes_hash_each_shingle_of_words(count):
    words = [f"wörd{i % 7}" for i in range(count)]
    expected = [xxhash.xxh3_64_intdigest(" ".join(words[i:i + 5]).encode("utf-8"))
                for i in range(max(1, count - 4))] if words else []
    got = shingle_hashes(words, 5)
    assert got.dtype == np.uint64 and got.tolist() == expected

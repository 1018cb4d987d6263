"""Corpus document frequency in pair verification: a block many documents share (consent
banner, newsletter promo, template sentences) does not make two stories one; copies still merge,
with or without such a block attached."""

from __future__ import annotations

import random

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.common.config import load_config
from transforms.dedup import frequency
from transforms.dedup.beam import CountShingles, Deduplicate
from transforms.dedup.minhash import fingerprint, pack, unpack
from transforms.dedup.verify import residual_overlap, same_story, weighted_containment

SETTINGS = load_config()["dedup"]

CONSENT = [
    ("We use cookies and similar technologies to personalise content and advertising, to provide "
     "social media features and to analyse our traffic. By clicking accept you agree to the storing of "
     "cookies on your device. You can change your preferences at any time in the privacy centre, where "
     "you will also find more information about our partners and how they process your data."),
    ("This site and its partners store and access information on your device, such as cookies and unique "
     "identifiers, to measure audiences, show relevant advertising and improve our services. Select "
     "manage options to choose which purposes you allow, or accept all to continue with the recommended "
     "settings. Your choices apply to this website only and can be withdrawn whenever you like."),
]
PROMO = [
    ("Get the morning briefing delivered to your inbox: the essential news of the day, hand picked by our "
     "editors, plus analysis, opinion and the best long reads. Subscribe now for unlimited access to "
     "every article on the website and in the app, cancel any time."),
    ("Support independent journalism. Become a member today and read without limits, join our live "
     "events with reporters and receive the weekend edition free of charge. Already a subscriber? Log in "
     "to continue reading this story and manage your account settings."),
]
NAMES = [f"{first} {last}" for first in ("Margaret", "Tomasz", "Aiyana", "Desmond", "Lucia")
         for last in ("Ellison", "Kowalczyk", "Okafor", "O'Driscoll")]
TOWNS = ["Ashford", "Brackenridge", "Coldwater", "Dunmore", "Elsworth", "Farnham", "Glenrock"]
# An automated report: the same sentences, another person and place (and no figures to tell them).
TEMPLATE = [
    ("{name} of {town} has been named volunteer of the year by the county council in recognition of "
     "outstanding service to the local community over many years."),
    ("The award is presented each year to a resident whose work has made a lasting difference to the "
     "lives of neighbours, and nominations are made by members of the public."),
    ("{name} will receive the award at a ceremony in {town} town hall, where friends, family and "
     "fellow volunteers are expected to gather to celebrate the achievement."),
    ("Council leaders thanked everyone who submitted a nomination and encouraged residents to put "
     "forward the names of other volunteers for next year's awards."),
]


def story(seed: int, paragraphs: int = 3, words: int = 30) -> list[str]:
    """A synthetic story of pseudo-words (its own vocabulary: unrelated stories share few words)."""
    rng = random.Random(seed)
    vocabulary = [f"v{rng.randrange(10**6):06d}" for _ in range(400)]
    return [" ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."
            for _ in range(paragraphs)]


def fp(paragraphs: list[str]):
    # packed and unpacked as in the pipeline: 32-bit shingles
    size = SETTINGS["shingle_size"]
    return unpack(pack(fingerprint("\n\n".join(paragraphs), size)), size)


def table_of(texts: list[list[str]]):
    table = frequency.table_from_texts([fp(text).unique for text in texts], SETTINGS)
    return frequency.read_table(table)


def boilerplate_corpus() -> list[list[str]]:
    """Twenty short unrelated stories, each with a consent banner and a promo (two wordings each)."""
    return [[CONSENT[i % 2], *story(i, paragraphs=2), PROMO[(i // 2) % 2]] for i in range(20)]


def test_threshold_is_a_share_of_the_corpus_with_a_floor():
    assert frequency.df_threshold(100, 0.01, 5) == 5
    assert frequency.df_threshold(10_000, 0.01, 5) == 100


def test_counting_keeps_only_frequent_shingles_with_weights():
    keys = [np.array([1, 2, 3], dtype=np.uint32), np.array([2, 3], dtype=np.uint32),
            np.array([3], dtype=np.uint32)]
    table = frequency.table_from_texts(keys, {"frequent_share": 0.0, "frequent_min_docs": 2,
                                              "frequent_power": 1.0})
    frequent_keys, weights = frequency.read_table(table)
    assert frequent_keys.tolist() == [2, 3]
    assert weights.tolist() == [1.0, np.float32(2 / 3)]
    looked_up = frequency.weights_of(np.array([1, 3, 7], dtype=np.uint32), (frequent_keys, weights))
    assert looked_up.tolist() == [1.0, np.float32(2 / 3), 1.0]


def test_combine_fn_counts_documents_per_key():
    combine = CountShingles()
    first, second = combine.create_accumulator(), combine.create_accumulator()
    first = combine.add_input(first, np.array([5, 9], dtype=np.uint32).tobytes())
    second = combine.add_input(second, np.array([9], dtype=np.uint32).tobytes())
    keys, counts = combine.extract_output(combine.merge_accumulators([first, second]))
    assert keys.tolist() == [5, 9] and counts.tolist() == [1, 2]


def test_unrelated_stories_sharing_banner_and_promo_stay_apart():
    corpus = boilerplate_corpus()
    frequent = table_of(corpus)
    for i, j in [(0, 4), (1, 5), (2, 14), (3, 19)]:  # same banner and promo wordings
        a, b = fp(corpus[i]), fp(corpus[j])
        assert same_story(a, b, SETTINGS), "the raw shingles alone would merge them: no test otherwise"
        assert weighted_containment(a, b, frequent) < SETTINGS["strong_containment"]
        assert not same_story(a, b, SETTINGS, frequent)


def test_template_stories_with_other_names_stay_apart():
    """Twenty reports from one template (such reports come by the dozen); the pairs differ in
    first name, surname and town."""
    texts = [[p.format(name=name, town=TOWNS[i % len(TOWNS)]) for p in TEMPLATE]
             for i, name in enumerate(NAMES)]
    frequent = table_of(texts + boilerplate_corpus())
    for i, j in [(0, 5), (2, 11), (6, 19), (12, 1)]:
        assert same_story(fp(texts[i]), fp(texts[j]), SETTINGS), "raw shingles would merge them"
        assert not same_story(fp(texts[i]), fp(texts[j]), SETTINGS, frequent)


def test_copies_still_merge_with_their_own_furniture_and_a_frequent_block():
    corpus = boilerplate_corpus()
    original = story(100, paragraphs=6)
    copies = [
        original[:3],  # trimmed
        ["BREAKING: " + original[0].upper(), *original[1:5]],  # re-headed, re-cased, cut
        [*original[:5], "Reporting by our correspondent; editing by the night desk."],  # own furniture
        [CONSENT[0], *original[:4], PROMO[1]],  # a frequent block on either side
        [*original, CONSENT[1], PROMO[0]],
    ]
    frequent = table_of([*corpus, original, *copies])
    for copy in copies:
        assert same_story(fp(original), fp(copy), SETTINGS, frequent)
        assert same_story(fp(copy), fp(original), SETTINGS, frequent)
    assert same_story(fp(copies[3]), fp(copies[4]), SETTINGS, frequent)  # two copies, other furniture


def test_widely_copied_story_still_merges():
    """Copies raise the DF of their own story's shingles; weighing all of them alike keeps the
    containment between copies a ratio of story text."""
    original = story(200, paragraphs=6)
    copies = [[*original[:4 + i % 3], f"Filed by outlet number {i} desk staff writer agency."]
              for i in range(12)]
    frequent = table_of([original, *copies, *boilerplate_corpus()])
    assert frequent[0].size
    for copy in copies[:4]:
        assert same_story(fp(original), fp(copy), SETTINGS, frequent)


def test_residual_ignores_frequent_words():
    corpus = boilerplate_corpus()
    a, b = fp(corpus[0]), fp(corpus[2])
    none_shared = np.zeros(0, dtype=np.uint32)
    assert residual_overlap(a, b, none_shared, table_of(corpus)) < residual_overlap(a, b, none_shared)


def test_deduplicate_uses_the_run_document_frequency():
    corpus = boilerplate_corpus()  # without the DF, four clusters of five unrelated stories
    original = story(300, paragraphs=5)
    articles = [{"article_id": f"s{i:02d}", "text": "\n\n".join(text), "source": f"Outlet {i}"}
                for i, text in enumerate(corpus)]
    articles += [{"article_id": "orig", "text": "\n\n".join(original), "source": "Agency"},
                 {"article_id": "copy", "text": "\n\n".join([CONSENT[0], *original[:3]]),
                  "source": "Outlet 0"}]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        out = pipeline | beam.Create(articles) | Deduplicate(SETTINGS)
        sizes = (out["articles"] | beam.Map(lambda row: (row["cluster_id"], 1)) | beam.CombinePerKey(sum)
                 | beam.Values())
        assert_that(sizes, equal_to([1] * 20 + [2]))


@pytest.mark.parametrize("shards", [1, 3, 16])
def test_split_by_shard_keeps_each_shards_keys_sorted(shards):
    rng = np.random.default_rng(shards)
    unique = np.unique(rng.integers(0, 2**64, size=500, dtype=np.uint64))
    keys = np.unique(unique.astype(np.uint32))
    expected = [(shard, keys[keys % shards == shard].tobytes()) for shard in range(shards)
                if (keys % shards == shard).any()]
    assert frequency.split_by_shard(unique, shards) == expected

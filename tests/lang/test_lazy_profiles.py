"""The lazily built probability table gives langdetect's own detections, to the last bit."""

from __future__ import annotations

import pytest
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY

from transforms.lang.detector import load_factory

TEXTS = [
    "The minister said on Tuesday that the budget would be voted next week.",
    "Le ministre a déclaré mardi que le budget serait voté la semaine prochaine.",
    "Der Minister sagte am Dienstag, der Haushalt werde nächste Woche beschlossen.",
    "Министр заявил во вторник, что бюджет примут на следующей неделе.",
    "部长周二表示，预算将于下周表决。",
    "12345 !!! ...",
]


@pytest.fixture(scope="module")
def factories():
    DetectorFactory.seed = 0
    eager = DetectorFactory()
    eager.load_profile(PROFILES_DIRECTORY)
    return eager, load_factory()


@pytest.mark.parametrize("text", TEXTS)
def test_same_probabilities_as_langdetect(factories, text):
    results = []
    for factory in factories:
        detector = factory.create()
        detector.n_trial = 3
        detector.append(text)
        try:
            results.append([(p.lang, p.prob) for p in detector.get_probabilities()])
        except Exception as error:  # no features in the text: both must fail alike
            results.append(type(error).__name__)
    assert results[0] == results[1]


def test_table_answers_membership_and_rows_like_the_eager_one(factories):
    eager, lazy = factories
    table = lazy.word_lang_prob_map
    assert lazy.langlist == eager.langlist
    for word in ("a", "th", "the", " t", "部", "zzzq", "longer word"):
        assert (word in table) == (word in eager.word_lang_prob_map)
        if word in table:
            assert table[word] == eager.word_lang_prob_map[word]

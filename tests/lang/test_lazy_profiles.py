"""The lazily built probability table gives langdetect's own detections, to the last bit."""

from __future__ import annotations

import pytest
from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY

from transforms.lang.detector import FastDetector, load_factory

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


MORE_TEXTS = [
    "ÉTATS-UNIS: le NASA a lancé une sonde vers Jupiter, selon l'AFP. https://ex.com/a?b=1 a@ex.org",
    "Türkiye'de seçim sonuçları açıklandı; Cumhurbaşkanı konuştu.",
    "Việt Nam và Nhật Bản ký thỏa thuận hợp tác kinh tế.",
    "Prezydent RP podpisał ustawę o budżecie na przyszły rok.",
    "ПРЕЗИДЕНТ заявил, что РОССИЯ готова к переговорам with the UN.",
    "東京都の知事は月曜日に記者会見を開いた。ひらがなカタカナ",
    "대통령은 월요일에 기자회견을 열었다.",
    "مدير الوكالة قال إن الاتفاق سيوقع قريبا",
    "A",
    "NASA AND ESA SAID SO",
    "the the THE The tHe ThE  the...the,the 'the' the",  # a word's n-grams come from the cache
    " x  NASA's CEO, e.g. HTTP/2 (and) the",
    "Ein Beispiel  mit   Leerzeichen, ja. " * 300,  # past langdetect's 10,000 characters
    "Москва: ОБНОВЛЕНО в 12:00 (Reuters) — власти сообщили об этом в понедельник, AP",
]


@pytest.mark.parametrize("text", TEXTS + MORE_TEXTS)
@pytest.mark.parametrize("trials", [1, 3, 7])
def test_fast_detector_gives_langdetects_probabilities_to_the_last_bit(factories, text, trials):
    eager, lazy = factories
    results = []
    for detector in (eager.create(), FastDetector(eager), FastDetector(lazy)):
        detector.n_trial = trials
        detector.append(text)
        try:
            results.append([(p.lang, p.prob.hex()) for p in detector.get_probabilities()])
        except Exception as error:  # no features in the text: all must fail alike
            results.append(type(error).__name__)
    assert results[0] == results[1] == results[2]

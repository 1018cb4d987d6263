"""Language detection with langdetect, made deterministic (seeded) and bounded in cost."""

from __future__ import annotations

import json
import os

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"
# langdetect's regional codes folded to ISO 639-1.
ALIASES = {"zh-cn": "zh", "zh-tw": "zh"}
# langdetect's own init_factory() publishes one process-wide factory before its profiles are
# loaded, so threads setting up at once (--direct_running_mode=multi_threading) could use it
# half-loaded: each detector here builds its own factory instead (load_factory), nothing shared.


class LazyProbabilities:
    """langdetect's n-gram -> per-language probability table, each row built the first time a text
    holds that n-gram. langdetect builds all 88k rows of 55 floats up front (0.25 s of CPU in the
    driver and in every worker); a run needs a few thousand. Rows are the ones its
    DetectorFactory.add_profile computes; the Detector only asks `in` and `[]`."""

    def __init__(self, profiles: list[tuple[dict, list[int]]], langsize: int):
        self.profiles = profiles  # (n-gram counts, [1-gram, 2-gram, 3-gram totals]) per language
        self.langsize = langsize
        self.words = set().union(*(freq for freq, _ in profiles))
        self.rows: dict[str, list[float]] = {}

    def __contains__(self, word) -> bool:
        return word in self.words

    def __getitem__(self, word: str) -> list[float]:
        row = self.rows.get(word)
        if row is None:
            if word not in self.words:
                raise KeyError(word)
            row = [0.0] * self.langsize
            length = len(word)
            if 1 <= length <= 3:
                for index, (freq, n_words) in enumerate(self.profiles):
                    count = freq.get(word)
                    if count is not None:
                        row[index] = 1.0 * count / n_words[length - 1]
            self.rows[word] = row
        return row


def load_factory(directory: str = PROFILES_DIRECTORY) -> DetectorFactory:
    """A DetectorFactory with langdetect's profiles, in the order and with the table size its
    load_profile gives them (so detections are the same), the table built lazily."""
    names = os.listdir(directory)
    factory = DetectorFactory()
    profiles = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            profile = json.load(handle)
        factory.langlist.append(profile["name"])
        profiles.append((profile.get("freq") or {}, profile.get("n_words") or [0, 0, 0]))
    factory.word_lang_prob_map = LazyProbabilities(profiles, len(names))
    return factory


class LanguageDetector:
    """Loads langdetect's profiles once: make one per worker."""

    def __init__(self, settings: dict):
        DetectorFactory.seed = 0  # langdetect samples randomly: a seed makes it repeatable
        self.factory = load_factory()
        self.max_chars = settings["max_chars"]
        self.min_confidence = settings["min_confidence"]
        self.trials = settings["trials"]

    def detect(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code, probability), or ('und', 0.0) when unsure."""
        sample = text[: self.max_chars]
        if not sample.strip():
            return UNDETERMINED, 0.0
        detector = self.factory.create()
        detector.n_trial = self.trials
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        if best.prob < self.min_confidence:
            return UNDETERMINED, round(best.prob, 6)
        return ALIASES.get(best.lang, best.lang), round(best.prob, 6)

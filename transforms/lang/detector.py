"""Language detection with langdetect, made deterministic (seeded) and bounded in cost."""

from __future__ import annotations

import json
import os
import re

import numpy as np
from langdetect import DetectorFactory
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.utils.ngram import NGram

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
    DetectorFactory.add_profile computes; langdetect's Detector only asks `in` and `[]`, FastDetector
    reads `words` and keeps the rows it used as arrays, and the n-grams of words, here."""

    def __init__(self, profiles: list[tuple[dict, list[int]]], langsize: int):
        self.profiles = profiles  # (n-gram counts, [1-gram, 2-gram, 3-gram totals]) per language
        self.langsize = langsize
        self.words = set().union(*(freq for freq, _ in profiles))
        self.rows: dict[str, list[float]] = {}
        self.arrays: dict[str, np.ndarray] = {}  # the rows FastDetector has used, as arrays
        self.word_ngrams: dict[str, tuple[str, ...]] = {}  # FastDetector's n-grams of a word and a space
        self.ngrams: dict[str, str] = {}  # one string object per n-gram they hold

    def __contains__(self, word) -> bool:
        return word in self.words

    def __getitem__(self, word: str) -> list[float]:
        row = self.rows.get(word)
        if row is None:
            row = self.rows[word] = self._row(word)
        return row

    def array(self, word: str) -> np.ndarray:
        """The row as an array, kept (not as a list too)."""
        row = self.arrays.get(word)
        if row is None:
            row = self.arrays[word] = np.array(self.rows.get(word) or self._row(word), dtype=np.float64)
        return row

    def _row(self, word: str) -> list[float]:
        if word not in self.words:
            raise KeyError(word)
        row = [0.0] * self.langsize
        length = len(word)
        if 1 <= length <= 3:
            for index, (freq, n_words) in enumerate(self.profiles):
                count = freq.get(word)
                if count is not None:
                    row[index] = 1.0 * count / n_words[length - 1]
        return row


class _Normalised(dict):
    """langdetect's NGram.normalize of each character, by code point (for str.translate), computed
    once per character."""

    def __missing__(self, code: int) -> str:
        value = self[code] = NGram.normalize(chr(code))
        return value


_NORMALISED = _Normalised()
_INF = float("inf")
MAX_CACHED_WORDS = 20_000
_SPACE_RUN = re.compile("  +")
_LATIN = re.compile("[A-z]")
_FROM_U0300 = re.compile("[\u0300-\U0010ffff]")


def _ngrams_of(text: str, words) -> list[str]:
    """The n-grams langdetect's _extract_ngrams keeps from a text already normalised (NGram.add_char
    and its 1- to 3-grams, those in `words`)."""
    result: list[str] = []
    append = result.append
    grams, capital = " ", False
    for ch in text:
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if ch == " ":
                continue
        elif len(grams) >= NGram.N_GRAM:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        if ch != " " and ch in words:
            append(ch)
        size = len(grams)
        if size >= 2:
            if grams[-2:] in words:
                append(grams[-2:])
            if size >= 3 and grams in words:
                append(grams)
    return result


class FastDetector(Detector):
    """langdetect's Detector with its n-gram extraction and its probability loop written for
    speed: the same characters, n-grams, random draws and floating-point operations in the same
    order, so the same probabilities to the last bit (tests/lang check it against langdetect's own
    Detector). langdetect's loops cost a Python call per character and per language."""

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)
        # langdetect's loop keeps each character unless it and the one before it are spaces
        self.text += _SPACE_RUN.sub(" ", text[:self.max_text_length])

    def cleaning_text(self) -> None:
        # langdetect's loop: letters A-z against characters from U+0300 on (its test of the
        # Latin Extended Additional block compares a block number with a name: never equal)
        if len(_LATIN.findall(self.text)) * 2 < len(_FROM_U0300.findall(self.text)):
            self.text = _LATIN.sub("", self.text)

    def _extract_ngrams(self) -> list[str]:
        table = self.word_lang_prob_map
        text = self.text.translate(_NORMALISED)
        if not isinstance(table, LazyProbabilities):
            return _ngrams_of(text, table)
        # The n-gram state starts afresh after each space, so a word followed by a space always
        # gives the same n-grams: they are kept per word (the last word, with no space after it, not)
        cache, words, same = table.word_ngrams, table.words, table.ngrams
        if len(cache) > MAX_CACHED_WORDS:
            cache.clear()
            same.clear()
        result: list[str] = []
        pieces = text.split(" ")
        for piece in pieces[:-1]:
            if piece:
                grams = cache.get(piece)
                if grams is None:  # one string object per n-gram, shared by the words holding it
                    grams = tuple(same.setdefault(g, g) for g in _ngrams_of(piece + " ", words))
                    cache[piece] = grams
                result += grams
        if pieces[-1]:
            result += _ngrams_of(pieces[-1], words)
        return result

    def _detect_block(self) -> None:
        if self.verbose:
            super()._detect_block()
            return
        self.cleaning_text()
        ngrams = self._extract_ngrams()
        if not ngrams:
            raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
        table = self.word_lang_prob_map
        lazy = isinstance(table, LazyProbabilities)
        arrays = table.arrays if lazy else {}
        langprob = np.zeros(len(self.langlist))
        self.random.seed(self.seed)
        choice = self.random.choice
        for _ in range(self.n_trial):
            prob = np.array(self._init_probability(), dtype=np.float64)
            alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
            weight = alpha / self.BASE_FREQ
            i = 0
            while True:
                word = choice(ngrams)
                row = arrays.get(word)
                if row is None:
                    row = table.array(word) if lazy else arrays.setdefault(word, np.array(table[word]))
                np.multiply(prob, weight + row, out=prob)  # _update_lang_prob, element by element
                if i % 5 == 0:  # _normalize_prob: Python's sum, left to right, as langdetect's
                    values = prob.tolist()
                    sump = sum(values)
                    np.divide(prob, sump, out=prob)
                    if 0.0 < sump < _INF:  # all finite: max(p) / sum is max(p / sum), as division keeps order
                        converged = max(values) / sump > self.CONV_THRESHOLD
                    else:
                        converged = any(p > self.CONV_THRESHOLD for p in prob.tolist())
                    if converged or i >= self.ITERATION_LIMIT:
                        break
                i += 1
            langprob += prob / self.n_trial
        self.langprob = langprob.tolist()


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
        detector = FastDetector(self.factory)
        detector.n_trial = self.trials
        detector.append(sample)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        if best.prob < self.min_confidence:
            return UNDETERMINED, round(best.prob, 6)
        return ALIASES.get(best.lang, best.lang), round(best.prob, 6)

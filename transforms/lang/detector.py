"""Language detection with langdetect, made deterministic (seeded) and bounded in cost."""

from __future__ import annotations

import threading

from langdetect import DetectorFactory, detector_factory
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"
# langdetect's regional codes folded to ISO 639-1.
ALIASES = {"zh-cn": "zh", "zh-tw": "zh"}
# langdetect keeps one factory per process and publishes it before its profiles are loaded:
# threads setting up at once (--direct_running_mode=multi_threading) would use it half-loaded.
_FACTORY_LOCK = threading.Lock()


class LanguageDetector:
    """Loads langdetect's profiles once (about 0.3 s): make one per worker."""

    def __init__(self, settings: dict):
        DetectorFactory.seed = 0  # langdetect samples randomly: a seed makes it repeatable
        with _FACTORY_LOCK:
            init_factory()
            self.factory = detector_factory._factory
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

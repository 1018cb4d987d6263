"""Ids are stable; language detection is deterministic."""

from __future__ import annotations

from transforms.common import ids
from transforms.common.config import load_config
from transforms.lang.detector import LanguageDetector


def test_article_id_is_stable_and_url_first():
    assert ids.article_id("https://x.org/a", None, "v1") == ids.article_id("https://x.org/a", None, "v2")
    assert ids.article_id(None, "7", "body") == ids.article_id(None, "7", "body")
    assert ids.article_id(None, "7", "body") != ids.article_id(None, "8", "body")
    assert len(ids.article_id(None, None, "body")) == 32


def test_language_is_deterministic_and_und_when_empty():
    detector = LanguageDetector(load_config()["lang"])
    text = "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das die Mieten begrenzt."
    results = {detector.detect(text) for _ in range(5)}
    assert len(results) == 1 and next(iter(results))[0] == "de"
    assert detector.detect("   ") == ("und", 0.0)
    assert detector.detect("Пресс-секретарь президента заявил журналистам в среду.")[0] == "ru"

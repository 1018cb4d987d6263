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


def test_detectors_set_up_at_once_in_threads_all_see_the_whole_profile_set():
    """--direct_running_mode=multi_threading calls DoFn.setup from several threads at once:
    langdetect's shared factory must be loaded whole before any of them uses it."""
    import threading

    from langdetect import detector_factory

    detector_factory._factory = None  # as in a fresh worker process
    settings = load_config()["lang"]
    text = ("The minister told reporters on Tuesday that the government would present the budget "
            "to parliament next week, after talks with the opposition parties.")
    start = threading.Barrier(8)
    results: list[tuple[str, float] | str] = []

    def worker():
        start.wait()
        try:
            results.append(LanguageDetector(settings).detect(text))
        except Exception as error:  # a half-loaded factory raises or answers wrongly
            results.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r if isinstance(r, str) else r[0] for r in results] == ["en"] * 8

"""The held-out wire stories in German, French, Spanish and Russian (tests/quotes/heldout/): each
language's direct quotes are found with their speakers, on every half of the set (scored by
tests/quotes/heldout.py; `python -m tests.quotes.heldout` prints the figures and misses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import read_rows, run_cli
from tests.quotes.heldout import LANGS, evaluate, overlap, stories
from transforms.common.config import load_config, section
from transforms.quotes.extractor import QuoteExtractor

HALVES = tuple("ABCDEFGHIJ")  # A-E: 5 stories per language, F-J: 3 (longer ones in F)
# Floors below the figures measured when the set was last tuned on (the report has them): a
# change that loses a class of quotes or speakers in one language fails here.
MIN_PRECISION, MIN_RECALL, MIN_SPEAKER = 0.9, 0.9, 0.8


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_set_is_wire_sized(lang):
    written = stories(lang)
    assert [sum(s["half"] == half for s in written) for half in HALVES] == [5] * 5 + [3] * 5
    assert len({s["id"] for s in written}) == len(written)
    assert sum(len(s["gold"]) for s in written) >= 30
    for story in written:
        for gold in story["gold"]:
            assert story["text"].count(gold["q"].split()[0]) >= 1, (story["id"], gold["q"])


@pytest.mark.parametrize(("lang", "half"), [(lang, half) for lang in LANGS for half in HALVES])
def test_quotes_and_speakers(extractor, lang, half):
    score = evaluate(extractor, lang, half)
    assert score.gold >= 5
    assert score.precision >= MIN_PRECISION, score.misses
    assert score.recall >= MIN_RECALL, score.misses
    assert score.speaker >= MIN_SPEAKER, score.misses


def test_overlap_needs_half_of_each_side():
    assert overlap("Wir werden die Brücke bauen", "Wir werden die Brücke bauen.") == 1.0
    assert overlap("Wir werden die Brücke bauen", "Wir werden") == 1.0 * 2 / 5
    assert overlap("«Газпром»", "") == 0.0


def test_the_pipeline_detects_each_language_and_writes_its_quotes(extractor, tmp_path):
    """Every story as a .txt input (a headline line, then the body): langdetect picks the rules,
    and the quotes table holds what the extractor finds in that language, speakers included."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    expected = {}
    for lang in LANGS:
        for story in stories(lang):
            title = f"{story['id']}: " + " ".join(story["text"].split()[:8])
            (inputs / f"{story['id']}.txt").write_text(f"{title}\n\n{story['text']}\n", encoding="utf-8")
            quotes = extractor.extract(story["text"], lang)
            expected[story["id"]] = (lang, sorted((q.text, q.speaker) for q in quotes))
    result = run_cli("run", "--input", str(inputs), "--output", str(tmp_path / "out"), "--full-refresh")
    assert result.returncode == 0, result.stderr[-2000:]
    articles = {row["article_id"]: row for row in read_rows(tmp_path / "out", "articles")}
    found: dict[str, list] = {story_id: [] for story_id in expected}
    for row in read_rows(tmp_path / "out", "quotes"):
        found[Path(articles[row["article_id"]]["input_ref"]).stem].append((row["text"], row["speaker"]))
    for article in articles.values():
        assert article["lang"] == expected[Path(article["input_ref"]).stem][0], article["input_ref"]
    assert {story_id: sorted(rows) for story_id, rows in found.items()} == {
        story_id: rows for story_id, (_, rows) in expected.items()}

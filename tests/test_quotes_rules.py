"""Quote extraction: the second-round rules, each on hand-written fixture sentences."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config, section
from transforms.quotes import QuoteExtractor


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


DOUBLED = "''We will finish the bridge before winter comes,'' the engineer said on Monday."


def test_doubled_apostrophes_are_off_by_default(extractor):
    assert extractor.extract(DOUBLED) == []


def test_doubled_apostrophes_switch():
    on = QuoteExtractor.from_config({**section(load_config(), "quotes"), "doubled_apostrophes": True})
    [quote] = on.extract(DOUBLED)
    assert quote.text == "We will finish the bridge before winter comes,"
    assert quote.speaker_mention == "the engineer"
    with pytest.raises(ConfigError, match="doubled_apostrophes"):
        QuoteExtractor.from_config({"doubled_apostrophes": "yes"})

"""Quote extraction: the second-round rules, each on hand-written fixture sentences."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config, section
from transforms.quotes import QuoteExtractor, _plausible


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


def test_single_marks_inside_doubled_apostrophe_paragraph_are_not_quotes(extractor):
    text = "The clerk said, ''I told myself, 'This is the day the river rose again.' And it was.''"
    assert extractor.extract(text) == []


def test_call_is_a_cue(extractor):
    text = "The senator called the new tax plan “a gift to the wealthiest families” on Tuesday."
    [quote] = extractor.extract(text)
    assert quote.speaker_mention == "The senator" and quote.cue == "called"


def test_so_called_is_no_cue(extractor):
    text = "Officials described the so-called trade pact as “the best deal we have ever signed.”"
    [quote] = extractor.extract(text)
    assert quote.speaker_mention == "Officials"


def test_no_merge_when_the_second_quote_is_the_cues_object(extractor):
    text = ("He mocked the mayor with the nickname “Sleepy Sam.” Jones called the mayor a "
            "“complete and total failure as a leader,” on the radio.")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["complete and total failure as a leader,"]
    assert quotes[0].speaker_mention == "Jones"


def test_title_before_a_speaker_is_not_a_quote(extractor):
    text = ("On Sunday's episode of “Meet the Voters,” Governor Ann Lee said the budget "
            "would “protect every school in the state.”")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["protect every school in the state."]
    assert quotes[0].speaker_mention == "Governor Ann Lee"


def test_coordinated_cue_takes_the_clause_subject(extractor):
    text = ("Mayor Jane Roe visited the flooded district on Monday and said that the city "
            "“will rebuild every single home that was lost.”")
    [quote] = extractor.extract(text)
    assert quote.speaker_mention == "Mayor Jane Roe"


def test_clause_is_not_a_mention(extractor):
    text = ("The fund was set up when she was treasurer of the club and “it has never lost a "
            "single cent,” the report says.")
    [quote] = extractor.extract(text)
    assert quote.speaker_mention == "the report"
    assert _plausible(("the report", "says")) == ("the report", "says")
    assert _plausible(("she was secretary of", "said")) is None
    assert _plausible(("a radio program who", "said")) is None


def test_short_woven_partial_quote_is_dropped_but_sentence_final_one_kept(extractor):
    assert extractor.extract("The mayor said he won “every single vote” in the district.") == []
    [quote] = extractor.extract("The mayor said the city must keep in mind “three simple rules.”")
    assert quote.text == "three simple rules." and quote.speaker_mention == "The mayor"

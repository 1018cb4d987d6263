"""Quote extraction: the second-round rules, each on hand-written fixture sentences."""

from __future__ import annotations

import pytest

from transforms.common.config import ConfigError, load_config, section
from transforms.quotes.extractor import QuoteExtractor


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
    assert extractor.attr.plausible(("the report", "says")) == ("the report", "says")
    assert extractor.attr.plausible(("she was secretary of", "said")) is None
    assert extractor.attr.plausible(("a radio program who", "said")) is None


def test_short_woven_partial_quote_is_dropped_but_sentence_final_one_kept(extractor):
    assert extractor.extract("The mayor said he won “every single vote” in the district.") == []
    [quote] = extractor.extract("The mayor said the city must keep in mind “three simple rules.”")
    assert quote.text == "three simple rules." and quote.speaker_mention == "The mayor"


# --- Third round: PolNeAR's joining conventions and partial quotes (own fixture sentences) ---


def test_attribution_then_sentence_end_still_interrupts(extractor):
    text = ("“The bridge will open in May,” the engineer said on Tuesday. “After that we start on "
            "the tunnel.”")
    [quote] = extractor.extract(text)
    assert quote.text == "The bridge will open in May, After that we start on the tunnel."
    assert quote.speaker_mention == "the engineer"
    assert (quote.start, quote.end) == (1, len(text) - 1)


def test_participle_after_the_cue_may_stay_inside_the_attribution(extractor):
    text = ("“We are ready,” the coach said, smiling at the crowd of reporters outside. "
            "“The players have worked hard all winter.”")
    [quote] = extractor.extract(text)
    assert quote.text.endswith("all winter.") and quote.speaker_mention == "the coach"


def test_participle_right_before_the_second_quote_keeps_it_apart(extractor):
    text = ("“We cannot pay for this any longer,” the mayor said, adding later, “The budget is "
            "already stretched too thin.”")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["We cannot pay for this any longer,",
                                        "The budget is already stretched too thin."]
    assert {q.speaker_mention for q in quotes} == {"the mayor"}


def test_adding_that_introduces_reported_speech(extractor):
    text = ("“We see no threat to the public,” the chief said, adding that the inquiry would take "
            "“several more days” to finish.")
    quotes = extractor.extract(text)
    assert quotes[0].text == "We see no threat to the public,"


def test_a_finished_quote_then_a_sentence_running_into_the_next(extractor):
    text = ("The senator says the plan is “a waste of public money.” She says it shows that the "
            "council is “out of touch with ordinary families.”")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["a waste of public money.",
                                        "out of touch with ordinary families."]


def test_fragments_of_one_sentence_are_one_partial_quote(extractor):
    text = "The governor called the proposal “reckless” and “a danger to every taxpayer” on Monday."
    [quote] = extractor.extract(text)
    # clause mode (the default): the row spans the fragments with the words between them
    assert quote.text == "reckless” and “a danger to every taxpayer"
    assert (quote.kind, quote.quoted) == ("partial", "reckless … a danger to every taxpayer")
    assert quote.speaker_mention == "The governor" and quote.cue == "called"


def test_fragments_are_not_joined_over_a_comma_or_a_sentence_end(extractor):
    comma = ("The mayor warned of “tough choices for the whole council”, and the treasurer "
             "of “a deficit that keeps on growing.”")
    assert len(extractor.extract(comma)) == 2
    stop = ("The mayor warned of “tough choices for the whole council.” The treasurer "
            "warned of “a deficit that keeps on growing.”")
    assert len(extractor.extract(stop)) == 2


def test_a_straight_mark_may_close_a_curly_one(extractor):
    text = "The police chief said there was “no evidence of any crime at all\" on Sunday."
    [quote] = extractor.extract(text)
    assert quote.text == "no evidence of any crime at all"


def test_stray_straight_mark_does_not_swallow_the_paragraph(extractor):
    text = ("\"The crowd waited for hours, chanting “We want Lee! We want Lee!” until she came.\n\n"
            "“Thank you all for waiting so long tonight,” Lee told them.")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["We want Lee! We want Lee!",
                                        "Thank you all for waiting so long tonight,"]
    assert quotes[1].speaker_mention == "Lee"


def test_short_question_with_a_cue_is_speech(extractor):
    [quote] = extractor.extract("“Who won?” she asked as the results came in.")
    assert quote.text == "Who won?" and quote.speaker_mention == "she"


def test_a_cue_running_into_the_next_quote_attributes_that_one(extractor):
    text = ("The shirts were printed with “Big Ben.” Critics called the striker a “waste of a "
            "transfer fee” on Sunday.")
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == ["waste of a transfer fee"]
    assert quotes[0].speaker_mention == "Critics"


def test_title_case_right_after_its_cue_is_speech(extractor):
    [quote] = extractor.extract("The fact-checkers reviewed the claim, and it was labeled “Mostly True.”")
    assert quote.text == "Mostly True." and quote.cue == "labeled"


def test_short_complement_of_a_characterising_cue_is_kept(extractor):
    [quote] = extractor.extract("The two senators call them “lone wolves” in every speech.")
    assert quote.text == "lone wolves" and quote.speaker_mention == "The two senators"
    [quote] = extractor.extract("The two senators call the rebels “lone wolves” in every speech.")
    assert quote.text == "the rebels “lone wolves” in every speech"  # clause mode (the default)
    assert (quote.kind, quote.quoted) == ("partial", "lone wolves")


def test_markup_left_in_the_text_quotes_nothing(extractor):
    text = ('<tweet author="a long attribute value that is not a quote at all">x</tweet> '
            "“We will build it,” the mayor said.")
    [quote] = extractor.extract(text)
    assert quote.text == "We will build it," and text[quote.start:quote.end] == quote.text


def test_unattributed_quote_continues_the_speaker_of_its_paragraph(extractor):
    text = ("Farmer Tom Reed said: “The harvest is late this year.” It rained for weeks. "
            "“Nobody here has seen anything like it in forty years.”")
    quotes = extractor.extract(text)
    assert [q.speaker for q in quotes] == ["Farmer Tom Reed", "Farmer Tom Reed"]
    assert quotes[1].cue is None


def test_leading_conjunctions_leave_the_mention(extractor):
    text = "To which she replied: “Not today, and not tomorrow either.”"
    [quote] = extractor.extract(text)
    assert quote.speaker_mention == "she"

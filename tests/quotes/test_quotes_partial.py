"""Quote extraction: woven partial quotes and the subject finder (issue 15), on sentences
written for these tests, several wordings of each construction."""

from __future__ import annotations

import pytest

from transforms.common.config import ConfigError, load_config, section
from transforms.quotes.extractor import QuoteExtractor


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    """The `clause` mode, the default."""
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


def one(extractor: QuoteExtractor, text: str) -> tuple[str, str | None, str | None]:
    [quote] = extractor.extract(text)
    assert text[quote.start:quote.end] == quote.text
    return quote.text, quote.speaker_mention, quote.speaker


# A short quoted fragment inside the clause of a speech or characterising verb with a speaker as
# subject: the row is the attributed clause, the quoted words marked inside it.
WOVEN = [
    ("The minister called the plan “a betrayal.”", "the plan “a betrayal.”", "The minister"),
    ("The minister called the plan “a betrayal” of the farmers.", "the plan “a betrayal” of the farmers",
     "The minister"),
    ("Critics branded the new toll “highway robbery” at a packed meeting, and the council backed down.",
     "the new toll “highway robbery” at a packed meeting", "Critics"),
    ("The coach described the referee's decision as “simply scandalous.”",
     "the referee's decision as “simply scandalous.”", "The coach"),
    ("She said the harbour would need “serious money” before next summer.",
     "the harbour would need “serious money” before next summer", "She"),
    ("Mayor Ruth Hale told a crowd in the square that the works were “nearly finished” and left.",
     "that the works were “nearly finished” and left", "Mayor Ruth Hale"),
    ("Governor Ann Lee said on Monday that the levee was “holding firm,” but asked residents to stay away.",
     "that the levee was “holding firm,”", "Governor Ann Lee"),
    ("Mr. Barrett said that when the firm decided last summer to sell the old plant to a rival "
     "“we were stunned.”", "that when the firm decided last summer to sell the old plant to a rival "
     "“we were stunned.”", "Mr. Barrett"),
    ("The union leader likened the offer to “daylight robbery” on Tuesday.",
     "the offer to “daylight robbery”", "The union leader"),
]


@pytest.mark.parametrize(("text", "content", "mention"), WOVEN)
def test_woven_partial_quote_is_its_clause(extractor, text, content, mention):
    found, found_mention, _ = one(extractor, text)
    assert (found, found_mention) == (content, mention)


def test_partial_quotes_as_words_only():
    words = QuoteExtractor.from_config({**section(load_config(), "quotes"), "partial_quotes": "words"})
    assert words.extract("She said the harbour would need “serious money” before next summer.") == []
    [quote] = words.extract("The governor called the plan “reckless” and “a danger to every taxpayer.”")
    assert quote.text == "reckless a danger to every taxpayer."
    assert (quote.kind, quote.quoted) == ("partial", "reckless … a danger to every taxpayer.")
    with pytest.raises(ConfigError, match="partial_quotes"):
        QuoteExtractor.from_config({"partial_quotes": "sentences"})


def test_long_partial_quotes_and_full_complements_keep_their_words(extractor):
    text = "The mayor said the bridge would “carry twice the traffic of the old one” by spring."
    assert one(extractor, text)[0] == "carry twice the traffic of the old one"
    assert one(extractor, "Putin said that “nothing else is possible.”")[0] == "nothing else is possible."
    assert one(extractor, "The mayor called them “true heroes” at the ceremony.")[0] == "true heroes"


def test_no_woven_row_without_a_speaker(extractor):
    assert extractor.extract("The plan was a “disaster” on Sunday.") == []
    assert extractor.extract("Last week the “reform” was shelved again.") == []
    assert extractor.extract("He walked past the so-called “peace wall” in silence.") == []


# The subject finder: never a time expression, a date, a number, a preposition's object or a
# noun of a relative clause; appositions and titles resolve to the name.
SUBJECTS = [
    ('Last week the minister said: "The plan is a betrayal of farmers and their families."', "the minister"),
    ('In May Smith told reporters: "The deal is dead on arrival, and we all know it."', "Smith"),
    ('On Tuesday, Governor Ann Lee said: "We will rebuild every school that the storm destroyed."',
     "Governor Ann Lee"),
    ('A police officer told the crowd outside: "Go home now, the square is closed for tonight."',
     "A police officer"),
    ('The senator, who wrote the report, said: "Nobody in this building has read it to the end."',
     "The senator"),
    # the head noun phrase with its relative clause, never the relative clause's own noun
    ('The man who shot the officer told the court: "I never meant to hurt anyone that night at all."',
     "The man who shot the officer"),
    ('A spokesman for the company said: "We are reviewing every contract signed since January."',
     "A spokesman for the company"),
    ('Once in my early twenties, when the storm hit, I said: "We should leave the island tonight."', "I"),
]


@pytest.mark.parametrize(("text", "mention"), SUBJECTS)
def test_subject_finder(extractor, text, mention):
    assert one(extractor, text)[1] == mention


APPOSITIONS = [
    '"Moscow will respond to any new sanctions," the agency\'s spokeswoman, Maria Zakharova, said.',
    '"Moscow will respond to any new sanctions," said the agency\'s spokeswoman, Maria Zakharova.',
    'The agency\'s spokeswoman, Maria Zakharova, said: "Moscow will respond to any new sanctions."',
    'Foreign Ministry spokeswoman Maria Zakharova said: "Moscow will respond to any new sanctions."',
]


@pytest.mark.parametrize("text", APPOSITIONS)
def test_apposition_and_title_resolve_to_the_name(extractor, text):
    _, mention, speaker = one(extractor, text)
    assert speaker == "Maria Zakharova" and "Maria Zakharova" in mention


def test_pronoun_inside_a_named_subjects_clause_is_that_subject(extractor):
    text = ("Mayor Ruth Hale opened the bridge.\n\n"
            "Judge Omar Fields condemned what he called a “shameful delay” in the inquiry.")
    assert one(extractor, text)[2].endswith("Omar Fields")


def test_a_new_sentence_introducing_the_next_quote_does_not_attribute_the_one_before(extractor):
    text = ('I laughed and said, "I do not believe a word of it." She was upset, so I had to change '
            'my answer: "Of course I believe it, I was only joking." To which she said, "Good."')
    quotes = extractor.extract(text)
    assert [q.speaker_mention for q in quotes[:2]] == ["I", "I"]

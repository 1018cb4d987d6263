"""Quote extraction: the seeds' quotations with their speakers, and hand-written fixtures."""

from __future__ import annotations

import re

import pytest

from transforms.common.config import PROJECT_ROOT, ConfigError, load_config, section
from transforms.quotes.extractor import QuoteExtractor


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


def seed_body(name: str, dateline: str, stray_mark_merged: bool = False) -> str:
    """The seed's clean text as the cleaning stage should give it: the body paragraphs from
    the dateline on, dateline prefix removed, trailing furniture ("All news") dropped."""
    path = next((PROJECT_ROOT / "seeds").glob(f"{name}_*.txt"))
    paragraphs = path.read_text(encoding="utf-8").split("\n\n")
    first = next(i for i, p in enumerate(paragraphs) if re.match(dateline, p))
    body = [re.sub(dateline, "", paragraphs[first]), *paragraphs[first + 1:]]
    body = [p.strip() for p in body if p.strip() and p.strip() != "All news"]
    if stray_mark_merged:  # the cleaner puts the lone closing mark back on its paragraph
        merged: list[str] = []
        for paragraph in body:
            if merged and paragraph == '"':
                merged[-1] += paragraph
            else:
                merged.append(paragraph)
        body = merged
    return "\n\n".join(body)


def check(quotes, text, expected):
    """Each expected (quote opening, mention, speaker) found once, offsets pointing at it."""
    assert len(quotes) == len(expected), [q.text[:40] for q in quotes]
    for quote, (opening, mention, speaker) in zip(quotes, expected, strict=True):
        assert quote.text.startswith(opening), quote.text
        assert quote.speaker_mention == mention, (quote.text[:40], quote.speaker_mention)
        assert quote.speaker == speaker, (quote.text[:40], quote.speaker)
        first_word, last_word = quote.text.split()[0], quote.text.split()[-1]
        assert text[quote.start:quote.end].startswith(first_word)
        assert text[quote.start:quote.end].endswith(last_word)


SEED_000 = [
    ("We have taken note", "the source", "the source"),
    ("two simple things.", "the source", "the source"),
    ("It is impossible to say", "the source", "the source"),
    ("I think sooner or later", "the source", "the source"),
]


@pytest.mark.parametrize("merged", [False, True])
def test_seed_000_sputnik(extractor, merged):
    text = seed_body("000", r"MOSCOW \(UrduPoint News / Sputnik - 13th June, 2019\) ", merged)
    quotes = extractor.extract(text)
    check(quotes, text, SEED_000)
    assert quotes[0].cue == "said" and quotes[1].cue == "remarked"
    # The nested 'the other side,' stays inside its quote.
    assert "'the other side,'" in quotes[2].text


def test_seed_004_tass(extractor):
    text = seed_body("004", r"MOSCOW, June 6\. /TASS/\. ")
    putin = "Vladimir Putin"
    expected = [
        ("I do hope that", "the Russian president", putin),
        ("We can see that", "he", putin),
        ("First, they announced", "he", putin),
        ("these undoubtedly were", "his", putin),
        ("I can understand", "Putin", putin),
        ("nothing else is possible", "Putin", putin),
        ("it is hard to say", "Putin", putin),
        ("However, it is possible", "Putin", putin),
        ("As for the Korean Peninsula", "he", putin),
        ("We initiated the so-called", "Putin", putin),
        ("implies that at the next stage", "him", putin),
    ]
    quotes = extractor.extract(text)
    check(quotes, text, expected)
    assert [q.cue for q in quotes][:3] == ["said", "said", "elaborated"]
    assert quotes[10].cue == "According to"


def test_marks_of_several_languages(extractor):
    text = (
        "„Wir werden das schaffen, und zwar bald“, sagte Merkel. Then she said more.\n\n"
        "«Nous ne céderons pas sur ce point essentiel», a dit le ministre.\n\n"
        "\"We will not back down on this point at all,\" said John Smith."
    )
    quotes = extractor.extract(text)
    assert [q.text for q in quotes] == [
        "Wir werden das schaffen, und zwar bald",
        "Nous ne céderons pas sur ce point essentiel",
        "We will not back down on this point at all,",
    ]
    assert quotes[2].speaker_mention == "John Smith"


def test_interrupted_quote_is_one(extractor):
    text = "“We support the plan,” the minister said, “but we need more time to study it.”"
    [quote] = extractor.extract(text)
    assert quote.text == "We support the plan, but we need more time to study it."
    assert (quote.start, quote.end) == (1, len(text) - 1)
    assert quote.speaker_mention == "the minister" and quote.cue == "said"


def test_quote_over_two_paragraphs(extractor):
    text = (
        "Jane Doe, the mayor, spoke first.\n\n"
        "“The budget is balanced for the first time in a decade.\n\n"
        "“Nobody thought we could do it, but we did,” she said."
    )
    [quote] = extractor.extract(text)
    assert quote.text.startswith("The budget") and quote.text.endswith("but we did,")
    assert quote.speaker_mention == "she" and quote.speaker == "Jane Doe"


def test_scare_quotes_and_titles_are_not_quotes(extractor):
    text = (
        "The so-called “road map” was discussed on “Face the Nation” by the panel.\n\n"
        "The plan was a “disaster” on Sunday."
    )
    assert extractor.extract(text) == []


def test_titles_resolve_names_and_bare_paragraphs_continue(extractor):
    text = (
        "Russian President Vladimir Putin met US President Donald Trump in Helsinki.\n\n"
        "“The talks were frank and useful for both sides,” the Russian president said.\n\n"
        "“We will meet again before the end of the year.”\n\n"
        "“It was a very good meeting for everybody,” Mr Trump told reporters."
    )
    quotes = extractor.extract(text)
    assert [(q.speaker_mention, q.speaker) for q in quotes] == [
        ("the Russian president", "Vladimir Putin"),
        ("the Russian president", "Vladimir Putin"),
        ("Mr Trump", "Donald Trump"),
    ]
    assert quotes[2].cue == "told reporters"


def test_anonymous_speaker_stays_a_mention_and_repeats_are_dropped(extractor):
    quote = "“The decision has been taken and will not change,” a source told the agency."
    text = f"{quote}\n\n{quote}"
    [found] = extractor.extract(text)
    assert found.speaker == found.speaker_mention == "a source"
    assert found.cue.startswith("told")


def test_bad_cues_file_is_a_config_error(tmp_path):
    bad = tmp_path / "quotes.yaml"
    bad.write_text("cues: said\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cues"):
        QuoteExtractor.from_config({"cues_file": str(bad)})
    with pytest.raises(ConfigError):
        QuoteExtractor.from_config({"cues_file": str(tmp_path / "missing.yaml")})


def test_empty_text(extractor):
    assert extractor.extract("") == []
    assert extractor.extract("No quotation marks here at all.") == []

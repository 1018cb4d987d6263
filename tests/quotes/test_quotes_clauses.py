"""Quote attribution: the clause shapes of transforms/quotes/clauses.py and the `kind`/`quoted`
columns, each on sentences written for these tests, several wordings of each construction."""

from __future__ import annotations

import pytest

from transforms.common.config import load_config, section
from transforms.quotes.extractor import QuoteExtractor


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


def speakers(extractor: QuoteExtractor, text: str) -> list[tuple[str | None, str | None]]:
    return [(q.speaker_mention, q.speaker) for q in extractor.extract(text)]


# A light verb with a speech noun is the cue; its clause's subject speaks.
LIGHT_VERB = [
    ('Last spring, Senator Ann Lee made the following remark: "We will not sign a budget that cuts '
     'the schools."', "Senator Ann Lee"),
    ('After the vote, the union issued this statement: "Our members will be back at work on Monday."',
     "the union"),
    ('The governor offered a blunt warning to the council: "Nobody should expect the state to pay."',
     "The governor"),
]


@pytest.mark.parametrize(("text", "mention"), LIGHT_VERB)
def test_light_verb_and_speech_noun_make_a_cue(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


# A clause opening with a determiner or a quantifier: the words up to its verb are the subject
# that a participle cue after the clause speaks for (not a name inside the clause).
NOUN_PHRASE_SUBJECTS = [
    ('In March, several farm groups granted the mayor a delay on the permit, saying his plan "needed '
     'more time to mature."', "several farm groups"),
    ('After a long closed-door session, the city council issued a statement calling the vote "a '
     'disgrace to democracy and to the city."', "the city council"),
    ('Two local pastors wrote to the board on Friday, saying the closure "would hurt the families '
     'who can least afford it."', "Two local pastors"),
    ('Following a tense two-hour meeting, the school board issued a statement calling the cuts "a '
     'last resort we did not want."', "the school board"),
    ('The party\'s nominee also outlined a tax plan and vowed to "go after every single loophole in '
     'the code."', "The party's nominee"),
]


@pytest.mark.parametrize(("text", "mention"), NOUN_PHRASE_SUBJECTS)
def test_noun_phrase_subject_of_the_clause(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


def test_possessive_subject_keeps_its_noun(extractor):
    text = ('Keith Lamont Scott died on Tuesday. Scott\'s daughter wrote that her father "was reading a '
            'book in the car."')
    assert speakers(extractor, text) == [("Scott's daughter", "Scott's daughter")]
    text = 'It\'s denouncing the plan, Smith said. "We will not stop."'  # a contraction owns nothing
    assert speakers(extractor, text) == [("Smith", "Smith")]


# A relative pronoun subject: the mention is the pronoun, the speaker its antecedent (over an
# apposition set off by commas).
@pytest.mark.parametrize(("text", "speaker"), [
    ('Voters remember Jim Hale, now the county treasurer, who in 2012 said the fund was "a '
     'bottomless pit."', "Jim Hale"),
    ('The bill was drafted by Maria Ortiz, a former aide to the governor, who later said it was '
     '"written in a hurry."', "Maria Ortiz"),
    ('The plan came from Tom Reed, who said it would "pay for itself within a decade."', "Tom Reed"),
])
def test_relative_pronoun_subject_resolves_to_its_antecedent(extractor, text, speaker):
    [(mention, found)] = speakers(extractor, text)
    assert (mention, found) == ("who", speaker)


# A cue in a later sentence, or a cue with an object of its own after a quote that ended its
# sentence, reports something else.
def test_a_later_sentence_does_not_attribute_the_quote(extractor):
    text = ('In a written statement, Governor Ann Lee condemned the attack as "cowardly and senseless" '
            'and a "stain on our state." She said the police had arrested two men.')
    assert speakers(extractor, text) == [("Governor Ann Lee", "Ann Lee")]
    text = ('Police Chief Dan Moss said the blast was "a deliberate and cowardly act" aimed at the crowd. '
            "He said two suspects were in custody.")
    assert speakers(extractor, text) == [("Police Chief Dan Moss", "Dan Moss")]
    text = '"We expect the road to open by Friday." The engineer said the bridge had been inspected twice.'
    assert speakers(extractor, text) == [(None, None)]
    text = '"We expect the road to open by Friday." The engineer said so twice.'
    assert speakers(extractor, text) == [("The engineer", "The engineer")]  # no object: it attributes


def test_speech_nouns_counted_by_a_quantity_are_no_cue(extractor):
    assert extractor.extract('The watchdog rated 40% of Green claims as "mostly false," compared to 12% '
                             "of Labour claims.") == []
    text = 'Most of the senator\'s remarks were "a little overheated," the editor wrote.'
    assert speakers(extractor, text) == [("the editor", "the editor")]
    text = '"We need the clinic," a mother of three said at the meeting.'  # a number, not a noun's count
    assert speakers(extractor, text) == [("a mother of three", "a mother of three")]


@pytest.mark.parametrize(("text", "mention"), [
    ('Asked about the delay at a news conference, Mayor Ruth Hale said the contractor was "doing '
     'everything it can."', "Mayor Ruth Hale"),
    ('Even now, at 90, my grandfather still says things like, "A job is a job, and you show up for '
     'it."', "my grandfather"),
    ('The coach never says, "We lost because of the referee."', "The coach"),
])
def test_openers_and_adverbs_around_the_subject(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


@pytest.mark.parametrize("text", [
    'Critics mocked the program with the slogan "Fix It First" at the rally.',
    'Fans greeted the striker with the nickname "Golden Boot" all season.',
    'Protesters carried signs with the hashtag "Save Our Pier" down the avenue.',
])
def test_a_name_after_a_naming_noun_is_no_quote(extractor, text):
    assert extractor.extract(text) == []


def test_a_full_name_extends_a_surname_never_another_first_name(extractor):
    text = ('Ivana Trump, the former wife of Donald Trump, spoke at the gala. "He was always a '
            'fighter," Ivana Trump said. "He never gave up," Trump said.')
    assert [q.speaker for q in extractor.extract(text)] == ["Ivana Trump", "Donald Trump"]


# The kind and quoted columns.
def test_kind_and_quoted_of_each_row(extractor):
    [direct] = extractor.extract('"We will build it," the mayor said, "and we will pay for it."')
    assert (direct.kind, direct.quoted) == ("direct", "We will build it, … and we will pay for it.")
    assert direct.text == "We will build it, and we will pay for it."
    [partial] = extractor.extract('The minister called the plan "a betrayal" of the farmers.')
    assert (partial.kind, partial.quoted) == ("partial", "a betrayal")
    assert partial.text == 'the plan "a betrayal" of the farmers'
    text = '“The harvest is late,” the farmer said.\n\n“It rained for six weeks.\n\n“Nobody had seen that.”'
    rows = extractor.extract(text)
    assert [q.kind for q in rows] == ["direct", "direct"]
    assert rows[1].quoted == "It rained for six weeks. Nobody had seen that."  # over paragraphs: a space


def test_words_mode_keeps_quoted_words_and_fills_kind():
    words = QuoteExtractor.from_config({**section(load_config(), "quotes"), "partial_quotes": "words"})
    [quote] = words.extract('The governor called the plan "reckless" and "a danger to every taxpayer."')
    assert (quote.text, quote.kind) == ("reckless a danger to every taxpayer.", "partial")
    assert quote.quoted == "reckless … a danger to every taxpayer."


# A noun phrase whose head has a determiner keeps its prepositional phrase or relative clause:
# the object inside it is no speaker.
@pytest.mark.parametrize(("text", "mention"), [
    ('The crowd outside the courthouse chanted "No justice, no peace" as the verdict was read.',
     "The crowd outside the courthouse"),
    ('Protesters near the embassy shouted "Go home now, all of you" at the guards.',
     "Protesters near the embassy"),
    ('The head of the agency said the delays were "simply unacceptable to everyone here."',
     "The head of the agency"),
    ('The man who shot the officer told police he was "sorry for everything he had done."',
     "The man who shot the officer"),
    ('The woman who founded the shelter said the new rules were "cruel and unnecessary."',
     "The woman who founded the shelter"),
])
def test_the_head_noun_phrase_speaks_not_its_object(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


def test_a_quote_after_a_cue_with_its_own_subject_is_not_a_continuation(extractor):
    text = ('The crowd outside chanted "No justice, no peace" as the verdict was read, and Mayor Lee said it '
            'was "a painful day for the city."')
    quoted = [q.quoted for q in extractor.extract(text)]
    assert quoted == ["No justice, no peace", "a painful day for the city."]
    text = '"We are not done," he told the host, "and we will be back next year."'  # still one quote
    quoted = [q.quoted for q in extractor.extract(text)]
    assert quoted == ["We are not done, … and we will be back next year."]
    text = '"We are not done," said the Rev. Ann Cole, "and we will be back next year."'
    assert [q.speaker for q in extractor.extract(text)] == ["the Rev. Ann Cole"]


@pytest.mark.parametrize(("text", "mention", "speaker"), [
    ('"This is a cover-up," said Rep. Ann Kuster (D-N.H.), the ranking member.', "Rep. Ann Kuster (D-N.H.)",
     "Ann Kuster"),
    ('Sen. Tom Price (R-Ga.) said the hearing would be "the first of many this fall."',
     "Sen. Tom Price (R-Ga.)", "Tom Price"),
    ('Trump\'s campaign manager, Kellyanne Conway, said the candidate would "stay on message" in November.',
     "Trump's campaign manager, Kellyanne Conway", "Kellyanne Conway"),
    ('The agency\'s chief counsel, Dana Wells, said the ruling was "a relief for every family involved."',
     "The agency's chief counsel, Dana Wells", "Dana Wells"),
])
def test_party_tags_titles_and_appositions_resolve_to_the_name(extractor, text, mention, speaker):
    assert speakers(extractor, text) == [(mention, speaker)]


def test_a_pronoun_does_not_continue_a_document(extractor):
    text = ('Paul Grant runs the campaign. A memo on the campaign\'s website said the plan was "a first '
            'draft of many more to come." "We will publish the rest in May," he said.')
    assert [q.speaker for q in extractor.extract(text)][-1] == "Paul Grant"


@pytest.mark.parametrize("text", [
    'The plan, dubbed "Medicare for All," would cost trillions over a decade, the analysis found.',
    'Parents formed a group called "Moms for Safer Streets" after the crash.',
    'The bill, nicknamed "the Kitchen Sink Act," passed the House on Friday.',
])
def test_a_naming_participle_gives_a_name_nobody_says(extractor, text):
    assert extractor.extract(text) == []


def test_naming_verbs_with_a_subject_still_attribute(extractor):
    text = 'Jones, a spokesman, called the ruling "a victory for every family in the state."'
    assert speakers(extractor, text) == [("Jones", "Jones")]
    text = 'It was what several lawmakers called "fraud, plain and simple, on a massive scale."'
    assert speakers(extractor, text) == [("several lawmakers", "several lawmakers")]
    text = 'When the fact-checkers examined the claim, it was labeled "Mostly True."'
    assert [q.quoted for q in extractor.extract(text)] == ["Mostly True."]


def test_no_prefix_of_a_fixture_breaks_the_extractor(extractor):
    """Every cut of every fixture runs (an exception would lose the article's quotes)."""
    texts = [t for t, *_ in LIGHT_VERB + NOUN_PHRASE_SUBJECTS] + [
        'Voters remember Jim Hale, now the county treasurer, who in 2012 said the fund was "a pit."',
        '"This is a cover-up," said Rep. Ann Kuster (D-N.H.), the ranking member.',
        'Trump\'s campaign manager, Kellyanne Conway, said the candidate would "stay on message."',
        'The watchdog rated 40% of Green claims as "mostly false," compared to 12% of Labour claims.']
    for text in texts:
        for cut in range(1, len(text) + 1, 3):
            extractor.extract(text[:cut])


@pytest.mark.parametrize(("text", "mention"), [
    ('"We will not back down," Trump has said repeatedly.', "Trump"),
    ('"We will not back down," the senator had told reporters.', "the senator"),
    ('"We will not back down," the two mayors have repeatedly said.', "the two mayors"),
    ('In the chat window, a nurse had typed "please call the family as soon as you can."', "a nurse"),
])
def test_perfect_tenses_and_typing_attribute(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


@pytest.mark.parametrize(("text", "mention", "speaker"), [
    ('"It\'s a sad day," said one voter, Maria Gomez, 62, outside the polling station.',
     "one voter, Maria Gomez", "Maria Gomez"),
    ('Clinton\'s running mate, Sen. Tim Kaine (D-Va.), said the remarks were "beneath the office."',
     "Clinton's running mate, Sen. Tim Kaine", "Tim Kaine"),
    ('"We need more buses," said a parent, Ruth Alvarez, at the meeting.', "a parent, Ruth Alvarez",
     "Ruth Alvarez"),
    ('The senator\'s office said in a statement that he was "reviewing the bill carefully."',
     "The senator's office", "The senator's office"),
])
def test_common_noun_appositions_and_statements(extractor, text, mention, speaker):
    assert speakers(extractor, text) == [(mention, speaker)]


def test_reflexive_complement_and_a_relative_clause_of_a_common_noun(extractor):
    assert extractor.extract('Sanders\' supporters, who call themselves "Berners," packed the hall.') == []
    text = 'The union members, who said the offer was "an insult to every worker," voted to strike.'
    assert speakers(extractor, text) == [("who", "The union members")]
    text = 'The mayor, who called the strike "a betrayal," left early.'
    assert speakers(extractor, text) == [("who", "The mayor")]


@pytest.mark.parametrize(("text", "mention"), [
    ('"No trespassing after dark, by order of the council," the sign reads.', "the sign"),
    ('"Though the city is still struggling, its leaders are hopeful," the article read.', "the article"),
    ('On Tuesday, the former governor of Ohio and current Republican presidential candidate said the '
     'plan was "a fantasy from start to finish."',
     "the former governor of Ohio and current Republican presidential candidate"),
    ('The former first lady and U.S. senator said it was "a mistake I will not make again."',
     "The former first lady and U.S. senator"),
])
def test_documents_that_read_and_coordinated_titles(extractor, text, mention):
    [(found, _)] = speakers(extractor, text)
    assert found == mention


def test_a_title_read_aloud_is_no_quote(extractor):
    assert extractor.extract('She read "Green Eggs and Ham" to the class.') == []

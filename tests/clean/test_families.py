"""Furniture pattern families (configs/furniture.yaml), credit groups and dateline shapes, on
made-up texts in wordings and languages that the config's own examples do not use."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from transforms.clean.cleaner import Cleaner, _outlet_mention
from transforms.clean.dateline import parse_dateline
from transforms.clean.families import Families, any_of
from transforms.clean.furniture import strip_name_lists
from transforms.clean.paragraphs import _SPACES, normalise_line
from transforms.clean.profiles import ProfileSet
from transforms.clean.spellings import cue_heads, cue_words
from transforms.common.config import ConfigError
from transforms.common.records import Draft

BODY = [
    "The river authority said on Thursday it would reopen the lock gates after a week of repairs.",
    '"Boats can pass again from Monday," a spokesman for the authority told reporters.',
    "The closure had stranded about 40 barges carrying grain and coal, the operators said.",
]


@pytest.fixture(scope="module")
def families() -> Families:
    return Families.from_file("configs/furniture.yaml")


@pytest.fixture(scope="module")
def profiles() -> ProfileSet:
    return ProfileSet.from_file("configs/sources.yaml")


@pytest.fixture(scope="module")
def cleaner(profiles, families) -> Cleaner:
    return Cleaner(profiles, families)


@pytest.mark.parametrize(("line", "kind"), [
    ("This piece was first published by Riverside Gazette.", "attribution"),
    ("Originally published at northtimes.example", "attribution"),
    ("The full article is available at Hill Courier", "attribution"),
    ("Der Beitrag erschien ursprünglich bei Nordkurier Beispiel.", "attribution"),
    ("Via: Anadolu", "attribution"),
    ("Fuente original: Ejemplo Noticias", "attribution"),
    ("With inputs from PTI", "attribution"),
    ("Posted in: World, Asia", "tags"),
    ("Schlagwörter: Hafen · Schifffahrt", "tags"),
    ("Keywords: barges; grain", "tags"),
    ("Join our Telegram channel for breaking news", "promo"),
    ("Abonnieren Sie unseren Newsletter", "promo"),
    ("Get our daily briefing delivered to your inbox", "promo"),
    ("Note to editors: corrects spelling of the minister's name", "note"),
    ("(Adds comment from the operators in paragraph 3)", "note"),
    ("Nota de la redacción: se corrigió la fecha.", "note"),
    ("Live map: barges waiting at the lock", "media"),
    ("Foto: Beispielbild / Max Muster", "media"),
    ("(File photo: a barge on the river)", "media"),
    ("Listen to this story. 4 min", "audio"),
    ("Posłuchaj artykułu", "audio"),
    ("We and our partners use cookies to personalised ads; read our privacy policy or reject all.",
     "consent"),
    ("Używamy cookies. Polityka prywatności. Zgoda na przetwarzanie danych.", "consent"),
    ("This content is for subscribers only. Already a subscriber? Sign in to continue reading.", "paywall"),
])
def test_family_kinds(families, line, kind):
    match = families.match(line)
    assert match is not None and match.kind == kind


@pytest.mark.parametrize("line", [
    *BODY,
    "Via the new canal, ships can now reach the port in two days instead of five.",
    "Tags on the barges showed they had been inspected in March, the inspectors said.",
    "Join the queue, the lock keeper told the captains, as the water level rose.",
    "Update your maps: the ferry now leaves from the north quay, the city said about the works.",
    "The company, which says it has 2 million subscribers, raised its prices in January.",
])
def test_story_sentences_are_not_furniture(families, line):
    assert families.match(line) is None or families.match(line).kind == "note"


def test_attribution_credit_is_read(cleaner):
    text = "\n\n".join([*BODY, "Via: Kyodo"])
    cleaned = cleaner.clean(Draft(text=text))
    assert cleaned.credited_agency == "Kyodo"
    assert "Via" not in cleaned.text


def test_glued_attribution_sentence_is_cut_and_credits(cleaner):
    text = "\n\n".join([*BODY[:2], BODY[2] + " This report first appeared on Anadolu Agency."])
    cleaned = cleaner.clean(Draft(text=text))
    assert cleaned.text.endswith("the operators said.")
    assert cleaned.credited_agency == "AA"


def test_outlet_attribution_gives_no_credit(cleaner):
    text = "\n\n".join([*BODY, "This story first appeared on Riverside Gazette."])
    cleaned = cleaner.clean(Draft(text=text))
    assert cleaned.credited_agency is None
    assert "Riverside" not in cleaned.text


def test_bullet_summary_at_the_top_is_removed(cleaner):
    text = "\n\n".join([
        "Lock gates reopen after repairs",
        "* Barges stranded for a week",
        "* Grain and coal shipments resume",
        "DUISBURG, Germany, May 4 (Reuters) - " + BODY[0],
        *BODY[1:],
    ])
    cleaned = cleaner.clean(Draft(text=text))
    assert cleaned.text.startswith("The river authority")
    assert "Barges stranded" not in cleaned.text
    assert cleaned.credited_agency == "Reuters"


def test_bullets_inside_the_story_stay(cleaner):
    text = "\n\n".join([BODY[0], "- first point of the plan", "- second point of the plan", *BODY[1:]])
    assert "second point" in cleaner.clean(Draft(text=text)).text


@pytest.mark.parametrize(("opening", "place", "agency"), [
    ("BRUSSELS, Feb 3 (dpa/AFP) -", "BRUSSELS", "AFP"),
    ("ANKARA, March 9 (Anadolu and Reuters) -", "ANKARA", "Reuters"),
    ("FRANKFURT, Feb 3 (dpa-AFX) -", "FRANKFURT", "dpa-AFX"),
    ("SEOUL, July 1 (Yonhap News) -", "SEOUL", "Yonhap"),
    ("CHICAGO --", "CHICAGO", None),
    ("LAGOS (Example Service) --", "LAGOS", None),
    ("(AFP) -", None, "AFP"),
    ("(Bloomberg) --", None, "Bloomberg"),
])
def test_dateline_shapes(profiles, opening, place, agency):
    dateline = parse_dateline(f"{opening} {BODY[0]}", profiles)
    assert dateline is not None
    assert (dateline.place, dateline.agency) == (place, agency)
    assert dateline.rest == BODY[0]


def test_agency_names_with_suffixes(profiles):
    assert profiles.agency("Kyodo News English Service") == "Kyodo"
    assert profiles.agency("Reuters Finance") == "Reuters Finance"  # a financial service: its own credit
    assert profiles.agency("AFP Photo") is None  # a picture credit is no story credit
    assert profiles.agency("Putin said") is None
    assert profiles.agency("MOSCOW, Dec 2. /TASS/. Text of a story") is None


def test_family_that_misses_its_example_stops_loading(tmp_path: Path):
    bad = tmp_path / "furniture.yaml"
    bad.write_text(
        "schema_version: 1\nfamilies:\n  - name: x\n    type: template\n    template: '^Tags:.*$'\n"
        "    examples: ['Topics: a, b']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not match its example"):
        Families.from_file(bad)


def test_family_matching_a_counter_example_stops_loading(tmp_path: Path):
    bad = tmp_path / "furniture.yaml"
    bad.write_text(
        "schema_version: 1\nfamilies:\n  - name: x\n    type: lexicon\n    cues: [cookie, consent]\n"
        "    examples: ['cookie consent']\n    counter_examples: ['consent to cookie use was given']\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match="counter-example"):
        Families.from_file(bad)


@pytest.mark.parametrize(("text", "kept"), [
    ("Police said the suspect fled. Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia "
     "Austria Azerbaijan Bahamas Bahrain Bangladesh Barbados Belarus Belgium Bosnia and Herzegovina Brazil "
     "The investigation continues.", "Police said the suspect fled. The investigation continues."),
    ("Elige tu país: Argentina, Bolivia, Chile, Colombia, Costa Rica, Cuba, Ecuador, El Salvador, Guatemala, "
     "Honduras, México, Nicaragua, Panamá, Paraguay, Perú, Uruguay", "Elige tu país:"),
    ("Kraj: Polska Niemcy Francja Hiszpania Włochy Czechy Słowacja Węgry Austria Szwajcaria Belgia Holandia "
     "Dania Szwecja", "Kraj:"),
])
def test_form_name_lists_are_cut(text, kept):
    assert strip_name_lists(text) == kept


@pytest.mark.parametrize("text", [
    "Die Polizei Berlin hat am Montag in Neukölln einen Mann festgenommen, der Passanten bedroht hatte.",
    "The United Nations Security Council met on Monday with the European Union High Representative.",
    "MINISTERS FROM FRANCE GERMANY ITALY SPAIN POLAND AUSTRIA BELGIUM DENMARK SWEDEN FINLAND IRELAND MET.",
])
def test_prose_is_no_name_list(text):
    assert strip_name_lists(text) == text


def test_banner_glued_into_a_long_scraped_paragraph_is_cut(families):
    story = "The regulator fined the bank on Tuesday for failing to report suspicious transfers. " * 4
    banner = "This site uses cookies. Choose Accept all or open the settings to manage preferences. " \
             "Details are in our privacy policy. "
    tail = "Officials said the inquiry would continue next year; the bank said it would appeal. " * 4
    cut = families.strip_cue_runs(story + banner + tail)
    assert "cookies" not in cut and cut.startswith("The regulator") and cut.endswith("appeal.")


def test_a_story_about_privacy_is_not_a_banner(families):
    text = ("The regulator said the company collected user data without consent and broke its own "
            "privacy policy, and fined it 5 million euros after a two-year investigation into the firm.")
    assert families.match(text) is None
    assert families.strip_cue_runs(text * 6) == text * 6


def test_agency_page_without_a_profile_for_its_domain(cleaner):
    text = "\n\n".join(BODY)
    own = cleaner.clean(Draft(text=text, url="https://www.reutersagency.com/story/1"))
    assert own.credited_agency == "Reuters"
    assert cleaner.clean(Draft(text=text, url="https://apple.com/newsroom/1")).credited_agency is None


def test_cue_heads_are_whole_words_of_each_spelling():
    sources = [r"cookies?", r"(?:log|sign)\s+in", r"to\s+continue\s+reading", r"plus-artikel",
               r"suscr[ií]b(?:ete|irse)"]
    cues = [re.compile(rf"\b{c}\b", re.I) for c in sources]
    assert cue_heads(cues) == [{"cookie", "cookies"}, {"log", "sign"}, {"continue"}, {"artikel"},
                               {"suscribete", "suscribirse", "suscríbete", "suscríbirse"}]
    assert cue_heads([re.compile(r"\b(?=x)y\b"), re.compile(r"\b(?P<n>x)\b")]) == [{"y"}, {"x"}]
    # a spelling with no whole word (next to any characters, at the end of the regex), or unsure
    for unread in [r"cook\w+", r"a.b", r"ab{2}", r"x|y", r"[^a]b", "\u0131n", "ab*", r"(?i:x)"]:
        assert cue_heads([re.compile(rf"\b{unread}\b", re.I)]) is None, unread


def test_word_test_agrees_with_case_blind_regex_matching_for_every_character(families):
    """Every character that Python's re, ignoring case, takes for a letter of a cue head is that
    letter once lowered, or an unsure character (the text then goes to the regexes alone); and
    lowering keeps a character a word character or not."""
    letters = "".join(sorted({ch for f in families.families for head in f.heads or () for ch in head}))
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    for ch in set(re.findall(f"[{re.escape(letters)}]", everything, re.I)):
        lowered = ch.lower()
        assert lowered in letters or cue_words(ch) is None, hex(ord(ch))
        assert cue_words(ch) is None or re.fullmatch(re.escape(lowered), ch, re.I)
    word = re.compile(r"\w")
    changed = [ch for ch in everything if ch.lower() != ch and cue_words(ch) is not None]
    assert all(bool(word.match(ch)) == bool(word.fullmatch(ch.lower())) for ch in changed)


@pytest.mark.parametrize("text", [
    "We use COOKIES. Accept all, or manage preferences.",
    "Gizlilik politikası ve çerezler: kabul et. Onay verin, cookıes",
    "We uſe cookies and our partners ſtore and/or access data.",
    "GİZLİLİK ve ÇEREZLER, onay",
    "Already a subscriber? Log in to continue reading. Free trial, unlimited access.",
    "Plus-Artikel: jetzt abonnieren und weiterlesen, Abo ab 1 Euro.",
    "Suscríbete para seguir leyendo. ¿Ya eres suscriptor? Inicia sesión.",
    "The partnership said the cookie-cutter design was a premium product.",
    "ΣΥΝΔΡΟΜΉ: privacy ΣΣ policy cookies",
])
def test_cue_hits_with_the_word_test_are_the_regexes_hits(families, text):
    for family in (f for f in families.families if f.cues):
        exact = {i for i, cue in enumerate(family.cues) if cue.search(text)}
        assert family.cue_hits(text) == exact
        assert family.cue_hits(text, cue_words(text)) == exact


def test_one_alternation_of_the_templates_matches_where_one_of_them_does(families):
    combined = families.any_template
    assert combined is not None
    lines = ["This story first appeared on Example Daily.", "Via: Anadolu", "Posted in: World, Asia",
             "(Adds comment from the operators in paragraph 3)", "Listen to this story. 4 min", *BODY]
    for line in lines:
        single = any(f.pattern.match(line) for f in families.families if f.pattern is not None)
        assert bool(combined.match(line)) == single


def test_any_of_declines_patterns_it_cannot_join():
    assert any_of([re.compile("a", re.I), re.compile("b")]) is None  # flags differ
    assert any_of([re.compile(r"(?P<x>a)(?P=x)"), re.compile("b")]) is None
    assert any_of([re.compile(r"(a)\1"), re.compile("b")]) is None
    joined = any_of([re.compile(r"\(?P<x>a"), re.compile(r"(?P<x>b)c")])
    assert joined.match("(P<x>a") and joined.match("P<x>a") and joined.match("bc") and not joined.match("a")


def test_normalise_line_is_one_space_per_run_of_spaces():
    chars = [" ", "\t", "\u00a0", "a", "\u2009", "\u3000", "\f", "b", "\u200b", "\v"]
    rnd = random.Random(7)
    for _ in range(5000):
        line = "".join(rnd.choice(chars) for _ in range(rnd.randint(0, 10)))
        assert normalise_line(line) == _SPACES.sub(" ", line).strip(), repr(line)


@pytest.mark.parametrize("name", ["Reuters", "The Guardian", "the Example Times", "AP", "Kyodo", "Ex-Pr"])
def test_outlet_mention_finds_what_a_leading_look_behind_finds(name):
    core = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    lead = r"[Tt]he\s+" if core != name.strip() else ""
    plain = re.compile(r"(?<!\w)" + lead + re.escape(core) + r"(?!\w)(?![ \t]+[A-Z])")
    names = (name, core, name.lower(), f"the  {core}")
    texts = [f"{w}{n}{t}" for w in ("", " ", "x", "X", "'", "\n") for n in names
             for t in ("", ".", " said", " Electoral", "s", "\t", "\tBoard")]
    for text in texts:
        found, expected = _outlet_mention(name).search(text), plain.search(text)
        assert (found and found.span()) == (expected and expected.span()), text

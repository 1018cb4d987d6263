"""Quotes in German, French, Spanish and Russian: the word lists' own examples, and one wire
story per language (written for these tests) with its direct quotes and their speakers."""

from __future__ import annotations

import json

import pytest

from tests.helpers import read_rows, run_cli
from transforms.common.config import PROJECT_ROOT, ConfigError, load_config, section
from transforms.quotes.extractor import QuoteExtractor
from transforms.quotes.lexicon import load_languages

LANGUAGES = load_languages(PROJECT_ROOT / "configs" / "quotes.yaml")
EXAMPLES = [(lang, ex) for lang, words in sorted(LANGUAGES.items()) for ex in words.examples]


@pytest.fixture(scope="module")
def extractor() -> QuoteExtractor:
    return QuoteExtractor.from_config(section(load_config(), "quotes"))


def found(extractor: QuoteExtractor, text: str, lang: str) -> list[tuple[str, str | None]]:
    quotes = extractor.extract(text, lang)
    for quote in quotes:
        assert text[quote.start:quote.end].startswith(quote.text.split()[0])
    return [(q.text, q.speaker) for q in quotes]


def test_every_language_has_examples():
    assert set(LANGUAGES) == {"de", "fr", "es", "ru"}
    assert all(len(words.examples) >= 5 for words in LANGUAGES.values())


@pytest.mark.parametrize(("lang", "example"), EXAMPLES,
                         ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(EXAMPLES)])
def test_word_list_example(extractor, lang, example):
    expected = [(example["quote"], example["speaker"])] if example["quote"] else []  # a title: no quote
    assert found(extractor, example["text"], lang) == expected


def check(quotes: list[tuple[str, str | None]], expected: list[tuple[str, str]]) -> None:
    assert len(quotes) == len(expected), quotes
    for (text, speaker), (opening, want) in zip(quotes, expected, strict=True):
        assert text.startswith(opening), text
        assert speaker == want, (text, speaker)


GERMAN = "\n\n".join([
    ('BERLIN (dpa) - Bundesinnenministerin Petra Lindner hat mehr Geld für den '
     'Katastrophenschutz gefordert.'),
    ('„Wir dürfen nicht warten, bis das nächste Hochwasser kommt“, sagte Lindner am Dienstag in '
     'Berlin. Die Länder müssten ihre Pläne bis zum Herbst vorlegen.'),
    ('Der Feuerwehrverband begrüßte den Vorstoß. „Das ist ein Schritt in die richtige Richtung, '
     'aber er kommt spät“, erklärte Verbandschef Jonas Keller. Er fügte hinzu: „Ohne neue '
     'Fahrzeuge bleibt alles Papier.“'),
    ('Kritik kam von der Opposition. Deren Sprecher Martin Vogt nannte den Plan „ein teures '
     'Versprechen ohne Deckung“. Laut Keller fehlen bundesweit rund 2000 Fahrzeuge.'),
    ('»Wir werden jeden Euro sinnvoll einsetzen«, so die Ministerin.'),
])

FRENCH = "\n\n".join([
    ('PARIS (AFP) - Le gouvernement a présenté mercredi un plan de soutien aux agriculteurs '
     'touchés par la sécheresse.'),
    ('« Personne ne sera laissé sur le bord du chemin », a déclaré le Premier ministre Antoine '
     "Leroy lors d'une conférence de presse."),
    ("Le président du syndicat agricole, Marc Besson, s'est montré prudent. « Les annonces sont "
     "bonnes, mais il faudra voir les montants », a-t-il déclaré à l'AFP."),
    ("Selon la ministre de l'Agriculture Sophie Garnier, les premières aides seront versées « "
     'avant la fin du mois de septembre ». Elle a ajouté : « Nous avons débloqué deux cents '
     "millions d'euros. »"),
])

SPANISH = "\n\n".join([
    ('MADRID (EFE) - El Gobierno aprobó este martes un plan de ayudas para los pescadores del '
     'Cantábrico.'),
    ('«Es el mayor paquete de ayudas de la última década», afirmó la ministra de Pesca, Elena '
     'Vidal, tras el Consejo de Ministros.'),
    ('Los pescadores recibieron la noticia con cautela. El presidente de la cofradía, Javier '
     'Soto, dijo: «Llega tarde, pero lo aceptamos con agradecimiento».'),
    ('—Vamos a vigilar que el dinero llegue a los puertos pequeños —advirtió Soto.'),
    ('Según Vidal, las primeras ayudas se pagarán «antes de que termine el año».'),
])

RUSSIAN = "\n\n".join([
    ('МОСКВА, 12 мая. /ТАСС/. Министр транспорта Алексей Морозов заявил о планах построить новую '
     'трассу до 2030 года.'),
    ('«Мы начнем строительство уже в следующем году», — сказал Морозов журналистам во вторник.'),
    ('Глава региона Ольга Ершова поддержала проект. «Дорога нужна жителям, это вопрос '
     'безопасности», — подчеркнула она.'),
    ('По словам Ершовой, работы затронут «около двухсот километров старых дорог».'),
    ('— Финансирование уже согласовано с правительством, — добавил Морозов.'),
])

WIRES = {
    "de": (GERMAN, [("Wir dürfen nicht warten", "Petra Lindner"), ("Das ist ein Schritt", "Jonas Keller"),
                    ("Ohne neue Fahrzeuge", "Jonas Keller"), ("ein teures Versprechen", "Martin Vogt"),
                    ("Wir werden jeden Euro", "Petra Lindner")]),
    "fr": (FRENCH, [("Personne ne sera laissé", "Antoine Leroy"), ("Les annonces sont bonnes", "Marc Besson"),
                    ("avant la fin du mois", "Sophie Garnier"), ("Nous avons débloqué", "Sophie Garnier")]),
    "es": (SPANISH, [("Es el mayor paquete", "Elena Vidal"), ("Llega tarde", "Javier Soto"),
                     ("Vamos a vigilar", "Javier Soto"), ("antes de que termine", "Elena Vidal")]),
    "ru": (RUSSIAN, [("Мы начнем строительство", "Алексей Морозов"),
                     ("Дорога нужна жителям", "Ольга Ершова"),
                     ("около двухсот километров", "Ольга Ершова"),
                     ("Финансирование уже", "Алексей Морозов")]),
}


@pytest.mark.parametrize("lang", sorted(WIRES))
def test_wire_story(extractor, lang):
    text, expected = WIRES[lang]
    check(found(extractor, text, lang), expected)


def test_names_in_guillemets_are_not_quotes(extractor):
    text = "Компания «Северный поток» и банк «Восток» подписали соглашение в Москве."
    assert extractor.extract(text, "ru") == []
    text = "Die Zeitung „Nordkurier“ berichtete am Montag über den Streit."
    assert extractor.extract(text, "de") == []


def test_english_rules_for_english_and_unknown_languages(extractor):
    text = '"We will finish the bridge before winter," the engineer said.'
    assert [q.speaker for q in extractor.extract(text, "en")] == ["the engineer"]
    assert extractor.extract(text, "und") == extractor.extract(text)


def test_a_malformed_language_section_stops_the_run(tmp_path):
    path = tmp_path / "quotes.yaml"
    path.write_text("languages:\n  de:\n    marks: [„]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_languages(path)


def test_pipeline_writes_the_wire_quotes_with_their_speakers(tmp_path):
    """The whole job: each story's language is detected and its rules give the quote rows."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    with open(inputs / "wire.jsonl", "w", encoding="utf-8") as out:
        for lang, (text, _) in sorted(WIRES.items()):
            out.write(json.dumps({"id": f"wire-{lang}", "title": text.split("\n")[0][:60], "text": text},
                                 ensure_ascii=False) + "\n")
    result = run_cli("run", "--input", str(inputs), "--output", str(tmp_path / "out"), "--full-refresh")
    assert result.returncode == 0, result.stderr[-2000:]
    rows = read_rows(tmp_path / "out", "quotes")
    for lang, (_, expected) in WIRES.items():
        mine = sorted((r for r in rows if r["lang"] == lang),
                      key=lambda r: r.get("start", r.get("start_char")))  # renamed start_char
        assert [r["speaker"] for r in mine] == [speaker for _, speaker in expected], lang


@pytest.mark.parametrize("lang, text, kinds", [
    ("fr", "Le ministre a qualifié le projet de « trahison pure et simple des agriculteurs ».",
     ["partial"]),
    ("fr", "« Nous ne céderons pas sur ce point », a déclaré le ministre Jean Dupont.", ["direct"]),
    ("de", "Scholz nannte den Plan „einen Verrat an den Bauern und ihren Familien“.", ["partial"]),
    ("de", "„Wir werden nicht nachgeben“, sagte Bundeskanzler Olaf Scholz am Montag.", ["direct"]),
])
def test_kind_of_other_language_quotes(extractor, lang, text, kinds):
    quotes = extractor.extract(text, lang)
    assert [q.kind for q in quotes] == kinds
    assert all(q.quoted == q.text for q in quotes)

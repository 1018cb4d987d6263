"""Charsets of fetched bodies and feeds, decided by evidence: declarations the bytes contradict
or that give mojibake lose to the reading whose letters fit a language, in many languages."""

from __future__ import annotations

import pytest

from tests.helpers import LocalServer, Reply, fetch_settings, rss
from transforms.feeds.parsing import parse_feed
from transforms.fetch.charset import decode_body, detect_charset
from transforms.fetch.client import Fetcher

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def test_charsets(server):
    russian = "<p>Президент России заявил журналистам, что переговоры продолжатся на следующей неделе.</p>"
    page = f"<html><head><title>t</title></head><body>{russian * 3}</body></html>"
    server.add("/wrong-header", Reply(200, page.encode(), {"Content-Type": "text/html; charset=iso-8859-1"}))
    meta = page.replace("<head>", "<head><meta charset='windows-1251'>")
    server.add("/meta", Reply(200, meta.encode("cp1251"), {"Content-Type": "text/html"}))
    server.add("/sniff", Reply(200, page.encode("cp1251"), {"Content-Type": "text/html"}))
    fetcher = Fetcher(fetch_settings())
    for path in ("/wrong-header", "/meta", "/sniff"):
        result = fetcher.fetch(server.url(path))
        text, _ = decode_body(result.body, result.headers.get("content-type"))
        assert "Президент России" in text, path
    # a Latin-1 label means windows-1252, as browsers read it (its quotes and dashes included)
    assert detect_charset("é".encode("latin-1"), "text/html; charset=iso-8859-1") == ("cp1252", "header")


# Own sentences, each in a language whose legacy code page is given (no dev data).
TEXTS = {
    "fr": ("cp1252", "Le chef a préparé une crème brûlée à la française pour la fête de l'été."),
    "es": ("cp1252", "El presidente señaló que la economía crecerá este año según el Gobierno."),
    "pt": ("cp1252", "O governo anunciou que a previsão de crescimento foi revista em função da inflação."),
    "de": ("cp1252", "Der Bürgermeister sagte, dass die Straßen wegen des Unwetters gesperrt würden."),
    "pl": ("cp1250", "Minister powiedział, że rząd przygotował nową ustawę o ochronie środowiska."),
    "cs": ("cp1250", "Předseda vlády řekl, že příští týden začnou jednání o rozpočtu."),
    "hu": ("cp1250", "A miniszterelnök szerint a kormány jövő héten új törvényjavaslatot nyújt be."),
    "ru": ("cp1251", "Президент России заявил журналистам, что переговоры продолжатся на следующей неделе."),
    "uk": ("cp1251", "Міністр закордонних справ України заявив, що переговори тривають."),
    "bg": ("cp1251", "Премиерът заяви, че правителството ще внесе нов законопроект следващата седмица."),
    "el": ("cp1253", "Ο πρωθυπουργός δήλωσε ότι η κυβέρνηση θα παρουσιάσει νέο νομοσχέδιο."),
    "tr": ("cp1254", "Cumhurbaşkanı, gelecek hafta yeni bir ekonomik programın açıklanacağını söyledi."),
    "lt": ("cp1257", "Prezidentas pareiškė, kad vyriausybė kitą savaitę pateiks naują įstatymo projektą."),
    "he": ("cp1255", "ראש הממשלה אמר כי הממשלה תציג הצעת חוק חדשה בשבוע הבא."),
    "ar": ("cp1256", "قال رئيس الوزراء إن الحكومة ستقدم مشروع قانون جديد الأسبوع المقبل."),
    "zh": ("gb18030", "国务院总理在记者会上表示，政府将在下周提出新的经济刺激计划，以应对市场的波动。"),
    "ja": ("shift_jis", "首相は記者会見で、政府が来週新たな経済対策を発表すると述べた。"),
    "ko": ("euc_kr", "대통령은 기자회견에서 정부가 다음 주에 새로운 경제 대책을 발표할 것이라고 말했다."),
}


@pytest.mark.parametrize("label", ["utf-8", "iso-8859-1", None, "own"])
@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_feed_in_a_legacy_charset_under_any_label(lang, label):
    """Right label, wrong label (UTF-8, Latin-1) or none: the text comes out as written."""
    codec, text = TEXTS[lang]
    declared = codec if label == "own" else label
    items = [{"link": "http://c.test/1", "title": text[:30], "summary": text}]
    body = rss(items, encoding=codec, declared=declared or "DROP").replace(b' encoding="DROP"', b"")
    entry = parse_feed(body).entries[0]
    assert entry.content == text and entry.title == text[:30].strip()


def test_the_issue_cases_through_a_server(server):
    crème = "Déjeuner à la crème, servi à la française, a déclaré le chef du restaurant."
    russian = "Президент России заявил журналистам, что переговоры продолжатся."
    french = rss([{"link": "http://c.test/fr", "title": crème}], encoding="cp1252", declared="utf-8")
    server.add("/fr.xml", Reply(200, french, {"Content-Type": "application/rss+xml; charset=utf-8"}))
    cyrillic = rss([{"link": "http://c.test/ru", "title": russian}], encoding="cp1251", declared="iso-8859-1")
    server.add("/ru.xml", Reply(200, cyrillic, {"Content-Type": "application/rss+xml"}))
    page = f"<html><head><meta charset='iso-8859-1'></head><body><p>{russian}</p></body></html>"
    latin1 = {"Content-Type": "text/html; charset=iso-8859-1"}
    server.add("/ru.html", Reply(200, page.encode("cp1251"), latin1))
    fetcher = Fetcher(fetch_settings())
    for path, expected in (("/fr.xml", crème), ("/ru.xml", russian)):
        result = fetcher.fetch(server.url(path), kind="feed")
        assert parse_feed(result.body, result.headers.get("content-type")).entries[0].title == expected
    result = fetcher.fetch(server.url("/ru.html"))
    assert russian in decode_body(result.body, result.headers.get("content-type"))[0]


def test_a_right_declaration_stands():
    """A correct single-byte label is not second-guessed on scant evidence, nor UTF-8."""
    text = "Zoë's café"  # two letters that several code pages share
    assert detect_charset(text.encode("cp1252"), "text/plain; charset=windows-1252")[0] == "cp1252"
    utf8 = "Zoë — «café»".encode()
    assert detect_charset(utf8, "text/plain; charset=iso-8859-1") == ("utf-8", "header-overruled")

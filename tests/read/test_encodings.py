"""Issue 12 on files: UTF-16/32 with a BOM, BOM-less UTF-16, and legacy code pages are decoded
right (not rejected as binary, not garbled)."""

from __future__ import annotations

import codecs
import os

import pytest

from transforms.common.config import load_config
from transforms.common.records import RawRecord
from transforms.read.files import read_file, sniff_kind

SETTINGS = load_config()["input"]
ENGLISH = "The council approved the budget on Tuesday.\n\nSchools and transport get more money."
RUSSIAN = ("Совет депутатов утвердил бюджет во вторник после долгих споров.\n\n"
           "Расходы на школы и общественный транспорт вырастут в следующем году.")
FRENCH = ("Le conseil municipal a approuvé le budget mardi après un long débat. Les écoles "
          "et les transports publics recevront davantage d'argent, a déclaré le maire.")
GERMAN = ("Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das nächste Jahr "
          "beschlossen. Schulen und öffentlicher Verkehr erhalten mehr Geld, sagte die Bürgermeisterin.")


def read_one(path) -> RawRecord | dict:
    [item] = [item for item in read_file(str(path), SETTINGS) if item is not None]
    return item


@pytest.mark.parametrize("bom, encoding", [
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
])
@pytest.mark.parametrize("text", [ENGLISH, RUSSIAN], ids=["en", "ru"])
def test_text_with_a_byte_order_mark(tmp_path, bom, encoding, text):
    path = tmp_path / "story.txt"
    path.write_bytes(bom + text.encode(encoding))
    record = read_one(path)
    assert isinstance(record, RawRecord), record
    assert record.text == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [ENGLISH, RUSSIAN], ids=["en", "ru"])
def test_utf16_without_bom(tmp_path, encoding, text):
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    assert read_one(path).text == text


def test_utf16_html_page_with_bom(tmp_path):
    path = tmp_path / "page.html"
    page = f"<html><body><article><p>{RUSSIAN}</p></article></body></html>"
    path.write_bytes(codecs.BOM_UTF16_LE + page.encode("utf-16-le"))
    assert read_one(path).html == page


@pytest.mark.parametrize("text, encoding", [
    (FRENCH, "cp1252"), (GERMAN, "cp1252"), (RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r"),
])
def test_legacy_code_pages_are_detected(tmp_path, text, encoding):
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode(encoding))
    assert read_one(path).text == text


def test_cp1251_html_page(tmp_path):
    path = tmp_path / "page.htm"
    page = f"<html><head><title>Бюджет</title></head><body><p>{RUSSIAN}</p></body></html>"
    path.write_bytes(page.encode("cp1251"))
    assert read_one(path).html == page


def test_binary_is_still_binary(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(os.urandom(4096) + b"\x00" * 16)
    assert read_one(path)["error_type"] == "binary"


def test_utf16_file_of_unknown_extension_is_sniffed(tmp_path):
    path = tmp_path / "page"
    path.write_bytes(codecs.BOM_UTF16_LE + "<html><body><p>x</p></body></html>".encode("utf-16-le"))
    assert sniff_kind(path.read_bytes()) == "html"
    assert read_one(path).html.startswith("<html>")

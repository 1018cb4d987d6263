"""Charsets of fetched bodies: declarations the bytes contradict, sniffing."""

from __future__ import annotations

import pytest

from tests.helpers import LocalServer, Reply, fetch_settings
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
    assert detect_charset("é".encode("latin-1"), "text/html; charset=iso-8859-1") == ("iso8859-1", "header")

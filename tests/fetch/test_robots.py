"""robots.txt: rules, an unreachable robots.txt, Crawl-delay, Retry-After forms."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from tests.helpers import LocalServer, Reply, fetch_error, fetch_settings, html_page
from transforms.fetch.client import Fetcher
from transforms.fetch.politeness import parse_retry_after

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def test_robots_disallow_and_unreachable(server):
    server.add(
        "/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    )
    server.add("/private/x", Reply(200, html_page("secret"), HTML))
    server.add("/public", Reply(200, html_page("public"), HTML))
    fetcher = Fetcher(fetch_settings())
    assert fetch_error(fetcher, server.url("/private/x")).error_type == "robots_disallowed"
    assert fetcher.fetch(server.url("/public")).status == 200
    assert server.hits("/private/x") == 0
    with LocalServer() as down:
        down.add("/robots.txt", Reply(503))
        down.add("/page", Reply(200, html_page("p"), HTML))
        assert (
            fetch_error(Fetcher(fetch_settings(max_retries=0)), down.url("/page")).error_type
            == "robots_unavailable"
        )
        assert down.hits("/page") == 0


def test_retry_after_forms_and_crawl_delay(server):
    assert parse_retry_after("7") == 7.0 and parse_retry_after("soon") is None
    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 31
    server.add(
        "/robots.txt",
        Reply(200, b"User-agent: newspipe-test\nCrawl-delay: 2\n", {"Content-Type": "text/plain"}),
    )
    url = server.add("/c", Reply(200, html_page("c"), HTML))
    fetcher = Fetcher(fetch_settings(max_crawl_delay_s=0.5))  # capped
    fetcher.fetch(url)
    assert fetcher.gate(url).min_delay == pytest.approx(0.5)


def test_rfc9309_wildcards_end_anchor_and_fractional_crawl_delay(server):
    robots = (
        b"User-agent: other\nDisallow: /\n\n"
        b"User-agent: newspipe-test\nDisallow: /*.html\nDisallow: /exact$\nAllow: /ok/*.html\n"
        b"Crawl-delay: 0.25\n"
    )
    server.add("/robots.txt", Reply(200, robots, {"Content-Type": "text/plain"}))
    for path in ("/a/page.html", "/exact", "/exact/more", "/ok/fine.html", "/plain"):
        server.add(path, Reply(200, html_page(path), HTML))
    fetcher = Fetcher(fetch_settings())
    assert fetch_error(fetcher, server.url("/a/page.html")).error_type == "robots_disallowed"
    assert fetch_error(fetcher, server.url("/exact")).error_type == "robots_disallowed"
    for path in ("/exact/more", "/ok/fine.html", "/plain"):
        assert fetcher.fetch(server.url(path)).status == 200, path
    assert server.hits("/a/page.html") == 0 and server.hits("/exact") == 0
    assert fetcher.gate(server.url("/")).min_delay == pytest.approx(0.25)

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

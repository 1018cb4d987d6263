"""The Fetcher against a real HTTP server on 127.0.0.1: retries, timeouts, redirects, caps and
compressed bodies."""

from __future__ import annotations

import gzip
import time
import zlib

import pytest

from tests.helpers import LocalServer, Reply, fetch_error, fetch_settings, has_ipv6_loopback, html_page
from transforms.fetch.client import Fetcher

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def test_page_with_user_agent_and_robots_cached(server):
    urls = [server.add(f"/a{n}", Reply(200, html_page(f"A{n}"), HTML)) for n in range(3)]
    fetcher = Fetcher(fetch_settings())
    for url in urls:
        result = fetcher.fetch(url)
        assert result.status == 200 and b"A" in result.body
    assert server.hits("/robots.txt") == 1  # cached per host
    agents = {headers.get("User-Agent") for _, headers in server.log}
    assert agents == {"newspipe-test/1.0 (+test)"}


def test_500_twice_then_200_is_fetched(server):
    url = server.add("/flaky", [Reply(500), Reply(500), Reply(200, html_page("Flaky"), HTML)])
    result = Fetcher(fetch_settings()).fetch(url)
    assert result.status == 200 and result.attempts == 3 and server.hits("/flaky") == 3


def test_retry_after_is_honoured_and_capped(server):
    url = server.add("/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(200, html_page("B"), HTML)])
    started = time.monotonic()
    assert Fetcher(fetch_settings()).fetch(url).status == 200
    assert time.monotonic() - started >= 0.9
    far = server.add("/far", Reply(503, headers={"Retry-After": "3600"}))
    error = fetch_error(Fetcher(fetch_settings(max_retry_after_s=5)), far)
    assert error.error_type == "http_503" and "Retry-After" in str(error) and server.hits("/far") == 1


def test_slow_pages_time_out(server):
    drip = server.add("/drip", Reply(200, b"<p>" + b"x" * 40, HTML, drip=0.1))
    late = server.add("/late", Reply(200, html_page("late"), HTML, delay=1.0))
    fetcher = Fetcher(fetch_settings(max_retries=0))
    started = time.monotonic()
    assert fetch_error(fetcher, drip).error_type == "timeout"
    assert fetch_error(fetcher, late).error_type == "timeout"
    assert time.monotonic() - started < 4


def test_redirects(server):
    server.add("/loop1", Reply(302, headers={"Location": "/loop2"}))
    server.add("/loop2", Reply(301, headers={"Location": "/loop1"}))
    for n in range(8):
        server.add(f"/chain{n}", Reply(302, headers={"Location": f"/chain{n + 1}"}))
    server.add("/to-file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    server.add("/moved", Reply(301, headers={"Location": "/final?utm_source=x"}))
    server.add("/final", Reply(200, html_page("Final"), HTML))
    fetcher = Fetcher(fetch_settings(max_redirects=5))
    assert fetch_error(fetcher, server.url("/loop1")).error_type == "redirect_loop"
    assert fetch_error(fetcher, server.url("/chain0")).error_type == "too_many_redirects"
    assert fetch_error(fetcher, server.url("/to-file")).error_type == "blocked_scheme"
    result = fetcher.fetch(server.url("/moved"))
    assert result.final_url.endswith("/final?utm_source=x") and result.url.endswith("/moved")


def test_status_and_content_errors(server):
    big = b"<html>" + b"x" * 20_000_000
    server.add("/big", Reply(200, big, HTML))
    server.add("/big-nolength", Reply(200, big, HTML, length=False))
    server.add(
        "/png", Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, {"Content-Type": "image/png"})
    )
    server.add("/fake-html", Reply(200, b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4, HTML))
    bomb = gzip.compress(b"\0" * 50_000_000)
    server.add("/bomb", Reply(200, bomb, {**HTML, "Content-Encoding": "gzip"}))
    fetcher = Fetcher(fetch_settings())
    assert fetch_error(fetcher, server.url("/missing")).error_type == "http_404"
    assert fetch_error(fetcher, server.url("/big")).error_type == "body_too_large"
    assert fetch_error(fetcher, server.url("/big-nolength")).error_type == "body_too_large"
    assert fetch_error(fetcher, server.url("/png")).error_type == "content_type"
    assert fetch_error(fetcher, server.url("/fake-html")).error_type == "binary_body"
    assert fetch_error(fetcher, server.url("/bomb")).error_type == "inflated_too_large"


def test_gzip_and_deflate_bodies(server):
    page = html_page("Zipped")
    server.add("/gz", Reply(200, gzip.compress(page), {**HTML, "Content-Encoding": "gzip"}))
    server.add("/zlib", Reply(200, zlib.compress(page), {**HTML, "Content-Encoding": "deflate"}))
    raw = zlib.compressobj(wbits=-15)
    server.add("/raw", Reply(200, raw.compress(page) + raw.flush(), {**HTML, "Content-Encoding": "deflate"}))
    fetcher = Fetcher(fetch_settings())
    for path in ("/gz", "/zlib", "/raw"):
        assert fetcher.fetch(server.url(path)).body == page


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_ipv6_literal_urls():
    with LocalServer(host="::1") as v6:
        robots = b"User-agent: *\nDisallow: /private\n"
        v6.add("/robots.txt", Reply(200, robots, {"Content-Type": "text/plain"}))
        url = v6.add("/page", Reply(200, html_page("six"), HTML))
        assert url.startswith("http://[::1]:")
        fetcher = Fetcher(fetch_settings())
        assert fetcher.fetch(url).status == 200
        assert fetch_error(fetcher, v6.url("/private")).error_type == "robots_disallowed"
        assert v6.hits("/robots.txt") == 1 and v6.hits("/private") == 0
        refused = Fetcher(fetch_settings(allow_private_networks=False))
        assert fetch_error(refused, url).error_type == "blocked_address"


def test_one_deadline_per_url_across_its_tries(server):
    """total_timeout_s bounds a URL, not each try: a dripping server that uses it up is not
    asked again (it was, once per retry)."""
    drip = server.add("/drip", Reply(200, b"<p>" + b"x" * 40, HTML, drip=0.1))
    fetcher = Fetcher(fetch_settings(max_retries=3, read_timeout_s=1.0, total_timeout_s=1.0))
    error = fetch_error(fetcher, drip)
    assert error.error_type == "timeout" and server.hits("/drip") == 1
    late = server.add("/late", Reply(200, html_page("late"), HTML, delay=1.5))
    fetch_error(Fetcher(fetch_settings(max_retries=5, read_timeout_s=0.5, total_timeout_s=1.2)), late)
    assert server.hits("/late") <= 3  # read timeouts are retried only while the deadline allows

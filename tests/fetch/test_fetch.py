"""The fetcher against a real HTTP server on 127.0.0.1: retries, timeouts, caps, charsets,
robots.txt, redirects, the address guard and per-host politeness."""

from __future__ import annotations

import gzip
import itertools
import shutil
import ssl
import subprocess
import time
import zlib

import pytest

from tests.helpers import LocalServer, Reply, html_page
from transforms.fetch.client import (
    Fetcher,
    FetchError,
    FetchSettings,
    address_allowed,
    decode_body,
    detect_charset,
    fetch_all,
)

HTML = {"Content-Type": "text/html; charset=utf-8"}


def settings(**overrides) -> FetchSettings:
    base = dict(
        allow_private_networks=True,
        user_agent="newspipe-test/1.0 (+test)",
        connect_timeout_s=1.0,
        read_timeout_s=0.5,
        total_timeout_s=1.5,
        max_retries=2,
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        per_host_min_delay_s=0.0,
        per_host_max_in_flight=4,
        max_body_bytes=10_000_000,
        max_inflated_bytes=10_000_000,
    )
    base.update(overrides)
    return FetchSettings(**base)


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def fetch_error(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value


def test_page_with_user_agent_and_robots_cached(server):
    urls = [server.add(f"/a{n}", Reply(200, html_page(f"A{n}"), HTML)) for n in range(3)]
    fetcher = Fetcher(settings())
    for url in urls:
        result = fetcher.fetch(url)
        assert result.status == 200 and b"A" in result.body
    assert server.hits("/robots.txt") == 1  # cached per host
    agents = {headers.get("User-Agent") for _, headers in server.log}
    assert agents == {"newspipe-test/1.0 (+test)"}


def test_500_twice_then_200_is_fetched(server):
    url = server.add("/flaky", [Reply(500), Reply(500), Reply(200, html_page("Flaky"), HTML)])
    result = Fetcher(settings()).fetch(url)
    assert result.status == 200 and result.attempts == 3 and server.hits("/flaky") == 3


def test_retry_after_is_honoured_and_capped(server):
    url = server.add("/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(200, html_page("B"), HTML)])
    started = time.monotonic()
    assert Fetcher(settings()).fetch(url).status == 200
    assert time.monotonic() - started >= 0.9
    far = server.add("/far", Reply(503, headers={"Retry-After": "3600"}))
    error = fetch_error(Fetcher(settings(max_retry_after_s=5)), far)
    assert error.error_type == "http_503" and "Retry-After" in str(error) and server.hits("/far") == 1


def test_slow_pages_time_out(server):
    drip = server.add("/drip", Reply(200, b"<p>" + b"x" * 40, HTML, drip=0.1))
    late = server.add("/late", Reply(200, html_page("late"), HTML, delay=1.0))
    fetcher = Fetcher(settings(max_retries=0))
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
    fetcher = Fetcher(settings(max_redirects=5))
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
    fetcher = Fetcher(settings())
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
    fetcher = Fetcher(settings())
    for path in ("/gz", "/zlib", "/raw"):
        assert fetcher.fetch(server.url(path)).body == page


def test_charsets(server):
    russian = "<p>Президент России заявил журналистам, что переговоры продолжатся на следующей неделе.</p>"
    page = f"<html><head><title>t</title></head><body>{russian * 3}</body></html>"
    server.add("/wrong-header", Reply(200, page.encode(), {"Content-Type": "text/html; charset=iso-8859-1"}))
    meta = page.replace("<head>", "<head><meta charset='windows-1251'>")
    server.add("/meta", Reply(200, meta.encode("cp1251"), {"Content-Type": "text/html"}))
    server.add("/sniff", Reply(200, page.encode("cp1251"), {"Content-Type": "text/html"}))
    fetcher = Fetcher(settings())
    for path in ("/wrong-header", "/meta", "/sniff"):
        result = fetcher.fetch(server.url(path))
        text, _ = decode_body(result.body, result.headers.get("content-type"))
        assert "Президент России" in text, path
    assert detect_charset("é".encode("latin-1"), "text/html; charset=iso-8859-1") == ("iso8859-1", "header")


def test_robots_disallow_and_unreachable(server):
    server.add(
        "/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    )
    server.add("/private/x", Reply(200, html_page("secret"), HTML))
    server.add("/public", Reply(200, html_page("public"), HTML))
    fetcher = Fetcher(settings())
    assert fetch_error(fetcher, server.url("/private/x")).error_type == "robots_disallowed"
    assert fetcher.fetch(server.url("/public")).status == 200
    assert server.hits("/private/x") == 0
    with LocalServer() as down:
        down.add("/robots.txt", Reply(503))
        down.add("/page", Reply(200, html_page("p"), HTML))
        assert (
            fetch_error(Fetcher(settings(max_retries=0)), down.url("/page")).error_type
            == "robots_unavailable"
        )
        assert down.hits("/page") == 0


def test_private_addresses_refused_unless_allowed(server):
    url = server.add("/page", Reply(200, html_page("p"), HTML))
    error = fetch_error(Fetcher(settings(allow_private_networks=False)), url)
    assert error.error_type == "blocked_address"
    assert server.hits("/page") == 0
    for blocked in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "0.0.0.0",
        "100.64.0.1",
    ):
        assert not address_allowed(blocked, allow_private=False), blocked
    assert address_allowed("93.184.216.34", allow_private=False)
    assert address_allowed("127.0.0.1", allow_private=True)
    with pytest.raises(FetchError) as caught:
        Fetcher(settings()).fetch("file:///etc/passwd")
    assert caught.value.error_type == "blocked_scheme"


def test_per_host_in_flight_limit_and_delay():
    with LocalServer(latency=0.1) as one, LocalServer(latency=0.1) as two:
        tasks = []
        for srv in (one, two):
            for n in range(12):
                url = srv.add(f"/p{n}", Reply(200, html_page(f"P{n}"), HTML))
                tasks.append({"kind": "page", "input_ref": url, "fetch_url": url, "url": url})
        outcomes = fetch_all(Fetcher(settings(per_host_max_in_flight=3)), tasks)
        assert [tag for tag, _ in outcomes] == ["record"] * 24
        assert one.max_in_flight == 3 and two.max_in_flight == 3  # reached, never exceeded
    with LocalServer() as srv:
        urls = [srv.add(f"/d{n}", Reply(200, html_page("d"), HTML)) for n in range(4)]
        tasks = [{"kind": "page", "input_ref": u, "fetch_url": u, "url": u} for u in urls]
        fetch_all(Fetcher(settings(per_host_min_delay_s=0.15, per_host_max_in_flight=4)), tasks)
        starts = sorted(t for _, t in srv.starts)
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 0.13, gaps  # robots.txt + 4 pages, spaced by the minimum delay


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_connections_are_guarded_too(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LocalServer() as server:
        server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
        server.add("/page", Reply(200, html_page("tls"), HTML))
        url = f"https://127.0.0.1:{server.port}/page"
        assert (
            fetch_error(Fetcher(settings(allow_private_networks=False)), url).error_type == "blocked_address"
        )
        # allowed, the self-signed certificate is refused: TLS is verified
        error = fetch_error(Fetcher(settings(max_retries=0, respect_robots=False)), url)
        assert error.error_type == "tls_error" and "CERTIFICATE" in str(error).upper()
        assert server.log == []


def test_retry_after_forms_and_crawl_delay(server):
    from email.utils import formatdate

    from transforms.fetch.client import parse_retry_after

    assert parse_retry_after("7") == 7.0 and parse_retry_after("soon") is None
    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 31
    server.add(
        "/robots.txt",
        Reply(200, b"User-agent: newspipe-test\nCrawl-delay: 2\n", {"Content-Type": "text/plain"}),
    )
    url = server.add("/c", Reply(200, html_page("c"), HTML))
    fetcher = Fetcher(settings(max_crawl_delay_s=0.5))  # capped
    fetcher.fetch(url)
    assert fetcher.gate(url).min_delay == pytest.approx(0.5)

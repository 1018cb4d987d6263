"""The address guard: private, loopback and link-local addresses are refused unless allowed."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess

import pytest

from tests.helpers import LocalServer, Reply, fetch_error, fetch_settings, html_page
from transforms.fetch.client import Fetcher
from transforms.fetch.guard import address_allowed
from transforms.fetch.settings import FetchError

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def test_private_addresses_refused_unless_allowed(server):
    url = server.add("/page", Reply(200, html_page("p"), HTML))
    error = fetch_error(Fetcher(fetch_settings(allow_private_networks=False)), url)
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
        Fetcher(fetch_settings()).fetch("file:///etc/passwd")
    assert caught.value.error_type == "blocked_scheme"


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
        guarded = Fetcher(fetch_settings(allow_private_networks=False))
        assert fetch_error(guarded, url).error_type == "blocked_address"
        # allowed, the self-signed certificate is refused: TLS is verified
        error = fetch_error(Fetcher(fetch_settings(max_retries=0, respect_robots=False)), url)
        assert error.error_type == "tls_error" and "CERTIFICATE" in str(error).upper()
        assert server.log == []


def test_refused_address_sees_no_connection_open_or_closed():
    """The address is checked before connecting: a listener on 127.0.0.1 gets no handshake,
    and an open port and a closed one answer the same reject type."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connecting would be refused
    try:
        guarded = Fetcher(fetch_settings(allow_private_networks=False, max_retries=0))
        open_port, closed_port = listener.getsockname()[1], closed.getsockname()[1]
        for url in (f"http://127.0.0.1:{open_port}/page", f"http://localhost:{open_port}/robots-first"):
            assert fetch_error(guarded, url).error_type == "blocked_address"
        assert fetch_error(guarded, f"http://127.0.0.1:{closed_port}/page").error_type == "blocked_address"
        with pytest.raises(BlockingIOError):  # no handshake was ever completed
            listener.accept()
    finally:
        listener.close()
        closed.close()

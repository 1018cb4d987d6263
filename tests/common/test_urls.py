"""URL normalisation: one spelling per article URL."""

import pytest

from transforms.common.urls import InvalidURL, host_key, normalize_url, try_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Example.COM/a/b?utm_source=x&id=3#frag", "http://example.com/a/b?id=3"),
        ("https://example.com:443/x?b=2&a=1&fbclid=zz", "https://example.com/x?a=1&b=2"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("http://example.com/%7Euser/", "http://example.com/~user/"),
        ("https://www.example.com./p?UTM_Medium=rss&gclid=1", "https://www.example.com/p"),
        ("http://bücher.de/a", "http://xn--bcher-kva.de/a"),
    ],
)
def test_normalize(raw, expected):
    assert normalize_url(raw) == expected


def test_relative_with_base_and_bad_schemes():
    assert normalize_url("/x#y", base="http://h.org/a/b") == "http://h.org/x"
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "ftp://h/x", "/relative", "", "http://[::1/x"):
        with pytest.raises(InvalidURL):
            normalize_url(bad)
        assert try_normalize(bad) is None


def test_host_key_counts_ports():
    assert host_key("http://127.0.0.1:8001/a") == "127.0.0.1:8001"
    assert host_key("https://Example.com/a") == "example.com:443"
    assert host_key("http://example.com/") == "example.com:80"
    assert host_key("http://[::1]:8080/a") == "[::1]:8080"
    assert host_key("https://[2001:DB8::1]/") == "[2001:db8::1]:443"

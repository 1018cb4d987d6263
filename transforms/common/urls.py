"""URL normalisation: one spelling per article URL, so that "already ingested" survives
tracking parameters, fragments, host case and default ports.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only track the reader: dropped so that the same page from a feed,
# a newsletter and a share button is one URL.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "ga_", "hsa_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "cmpid",
        "ocid",
        "ncid",
        "smid",
        "spm",
        "vero_id",
        "oly_enc_id",
        "oly_anon_id",
        "_ga",
        "ref_src",
    }
)


class InvalidURL(ValueError):
    """A URL that cannot be fetched: no host, or a scheme other than http/https."""


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _host(hostname: str) -> str:
    host = hostname.strip().rstrip(".").lower()
    with contextlib.suppress(UnicodeError):  # internationalised names get one spelling (punycode)
        host = host.encode("idna").decode("ascii")
    return host


def normalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of an http(s) URL: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, remaining parameters sorted, path at least "/".

    Raises InvalidURL for anything that is not an absolute http(s) URL.
    """
    url = (url or "").strip()
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
    except ValueError as error:  # e.g. "Invalid IPv6 URL"
        raise InvalidURL(f"malformed URL {url[:200]!r}: {error}") from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise InvalidURL(f"unsupported URL scheme {scheme or '(none)'!r} in {url[:200]!r}")
    if not parts.hostname:
        raise InvalidURL(f"URL without a host: {url[:200]!r}")
    try:
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"bad port in {url[:200]!r}") from error
    host = _host(parts.hostname)
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Re-quote the path so that %7E and ~ compare equal; keep reserved characters as they are.
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def try_normalize(url: str | None, base: str | None = None) -> str | None:
    """normalize_url, or None for a URL that is not http(s)."""
    if not url:
        return None
    try:
        return normalize_url(url, base)
    except InvalidURL:
        return None


def host_key(url: str) -> str:
    """The politeness unit: "host:port" (loopback servers on several ports are several hosts);
    an IPv6 literal keeps its brackets ("[::1]:8080"), so the key is also a URL's netloc."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES or not parts.hostname:
            raise InvalidURL(f"not an http(s) URL: {url[:200]!r}")
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as error:
        if isinstance(error, InvalidURL):
            raise
        raise InvalidURL(f"malformed URL {url[:200]!r}: {error}") from error
    host = _host(parts.hostname)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_http_url(value: str) -> bool:
    try:
        return urlsplit(value.strip()).scheme.lower() in ALLOWED_SCHEMES
    except ValueError:
        return False


# What an agency's own web host adds to its name ("apnews", "kyodonews", "sputnikglobe").
_HOST_SUFFIX = re.compile(
    r"^(?:news|newsagency|agency|wire|global|globe|online|international|english|live)?$")
_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "or", "ne", "go"}


def host_label(url: str | None) -> str | None:
    """The registrable label of a URL's host ("yahoo" for news.yahoo.com, "aa" for aa.com.tr)."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return None
    labels = host.lower().split(".")[:-1]  # without the top-level domain
    while labels and labels[-1] in _SECOND_LEVEL:
        labels.pop()
    return labels[-1] if labels else None


def host_names(url: str | None, key: str | None) -> bool:
    """Whether the URL's host is the name `key` (case-folded, no spaces or dots) with at most a
    generic word added: tass.com and apnews.com name "tass" and "ap"; apple.com names no "ap"."""
    return label_names(host_label(url), key)


def label_names(label: str | None, key: str | None) -> bool:
    """host_names for a host label already found (host_label), to test many names against one URL."""
    return bool(key and label and label.startswith(key) and _HOST_SUFFIX.match(label[len(key):]))

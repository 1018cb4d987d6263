"""Polite, bounded HTTP fetching: the pure-Python core of the fetch stage.

One Fetcher per worker (DoFn.setup). Every request, including each redirect hop, retries and
robots.txt, goes through the gate of its host ("host:port"): at most N requests in flight and
a minimum delay between request starts. Bodies are read with caps on the wire size and on
the inflated size (gzip bombs), connections to private/loopback/link-local addresses are
refused at connect time (so every redirect hop and every DNS answer is checked), and failures
end as a FetchError whose error_type names the reason in one word.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import random
import re
import threading
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import apache_beam as beam
import charset_normalizer
import lxml.etree
import lxml.html
import requests
import urllib3
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, RejectError, make_reject, reject_from_exception
from transforms.common.urls import ALLOWED_SCHEMES, InvalidURL, host_key, try_normalize

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures worth trying again in a later run; the others are permanent for that URL.
TRANSIENT_ERRORS = frozenset(
    {
        "timeout",
        "connection_error",
        "http_429",
        "http_500",
        "http_502",
        "http_503",
        "http_504",
        "robots_unavailable",
    }
)
PAGE_TYPES_DEFAULT = ["text/html", "application/xhtml+xml", "text/plain"]
FEED_TYPES_DEFAULT = [
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "text/html",
    "text/plain",
]
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB
CHUNK = 64 * 1024
METRICS_NAMESPACE = "newspipe"  # the run record's counters (transforms.articles.beam.NAMESPACE)


class FetchError(RejectError):
    """A URL that could not be fetched."""

    @property
    def transient(self) -> bool:
        return self.error_type in TRANSIENT_ERRORS


class BlockedAddress(Exception):
    """Raised at connect time for an address the config does not allow."""


@dataclass
class FetchSettings:
    user_agent: str = "newspipe/0.1"
    allow_private_networks: bool = False
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 15.0
    total_timeout_s: float = 60.0
    max_retries: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 120.0
    max_redirects: int = 5
    max_body_bytes: int = 10_000_000
    max_inflated_bytes: int = 20_000_000
    per_host_max_in_flight: int = 2
    per_host_min_delay_s: float = 1.0
    max_parallel_hosts: int = 16
    respect_robots: bool = True
    max_crawl_delay_s: float = 10.0
    page_content_types: list[str] = field(default_factory=lambda: list(PAGE_TYPES_DEFAULT))
    feed_content_types: list[str] = field(default_factory=lambda: list(FEED_TYPES_DEFAULT))
    feed_content_min_chars: int = 300

    @classmethod
    def from_config(cls, section: dict) -> FetchSettings:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (section or {}).items() if k in known})

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt groups are matched against ("newspipe")."""
        token = self.user_agent.split("/", 1)[0].split()[0] if self.user_agent.strip() else "*"
        return token or "*"


@dataclass
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str  # media type, lower case, no parameters ("" when absent)
    headers: dict[str, str]
    body: bytes = b""  # inflated
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --- address guard -------------------------------------------------------------------------


def address_allowed(ip: str, allow_private: bool) -> bool:
    if allow_private:
        return True
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    # is_global excludes private, loopback, link-local, CGNAT, reserved and documentation ranges
    return addr.is_global and not addr.is_multicast


def _guarded(base: type, allow_private: bool) -> type:
    """A urllib3 connection class that checks the peer address of every new socket: the IP
    actually connected to, so DNS answers and redirect hops cannot sneak past."""

    class Guarded(base):
        def _new_conn(self):
            sock = super()._new_conn()
            peer = sock.getpeername()[0]
            if not address_allowed(peer, allow_private):
                sock.close()
                raise BlockedAddress(f"address {peer} of {self.host} is private/loopback/link-local")
            return sock

    return Guarded


class GuardedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool, **kwargs):
        self._allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http_pool = type(
            "GuardedHTTPPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": _guarded(HTTPConnection, self._allow_private)},
        )
        https_pool = type(
            "GuardedHTTPSPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _guarded(HTTPSConnection, self._allow_private)},
        )
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}


# --- politeness ----------------------------------------------------------------------------


class HostGate:
    """At most `max_in_flight` requests at once and `min_delay` seconds between request
    starts, for one host."""

    def __init__(self, max_in_flight: int, min_delay: float):
        self._slots = threading.BoundedSemaphore(max(1, max_in_flight))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.min_delay = max(0.0, min_delay)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.min_delay
            if start > now:
                time.sleep(start - now)
            yield


# --- bodies --------------------------------------------------------------------------------


class Inflater:
    """gzip / deflate decoding that never produces more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.size = 0
        self._raw_deflate_tried = False
        self._encoding = encoding
        if encoding in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._d = zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped; raw deflate tried on error
        else:
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding!r}")

    def feed(self, data: bytes) -> bytes:
        try:
            out = self._d.decompress(data, self.limit - self.size + 1)
        except zlib.error as error:
            if self.size == 0 and self._encoding == "deflate" and not self._raw_deflate_tried:
                self._raw_deflate_tried = True  # servers that send raw deflate without zlib header
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data)
            raise FetchError("bad_encoding", f"corrupt compressed body: {error}") from error
        self.size += len(out)
        if self.size > self.limit or self._d.unconsumed_tail:
            raise FetchError("inflated_too_large", f"body inflates beyond {self.limit} bytes")
        return out


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def header_charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']""", re.I)
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None


def _single_byte(codec: str) -> bool:
    return codec in ("latin-1", "iso8859-1", "cp1252", "ascii") or codec.startswith(("iso8859", "cp125"))


def _valid(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_charset(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(codec, how): BOM, then the header's charset, then <meta>/<?xml encoding?>, then sniffing.
    A declaration the bytes contradict is overruled: bytes that are valid UTF-8 with non-ASCII
    characters under a single-byte declaration are UTF-8, and bytes invalid in the declared
    codec are sniffed."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec, "bom"
    head = body[:4096]
    declared = [("header", _codec(header_charset(content_type)))]
    for how, pattern in (("xml", _XML_ENCODING), ("meta", _META_CHARSET)):
        match = pattern.search(head)
        declared.append((how, _codec(match.group(1).decode("ascii", "ignore")) if match else None))
    is_utf8 = _valid(body, "utf-8")
    for how, codec in declared:
        if not codec:
            continue
        if _single_byte(codec) and is_utf8 and not body.isascii():
            return "utf-8", f"{how}-overruled"
        if _valid(body, codec):
            return codec, how
    if is_utf8:
        return "utf-8", "sniffed"
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return _codec(best.encoding) or "cp1252", "sniffed"
    return "cp1252", "fallback"


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace")
    return text.lstrip("\ufeff"), codec


def looks_binary(body: bytes, text: str | None = None) -> bool:
    """NUL bytes (outside UTF-16/32) or many control characters: an image, PDF or archive."""
    head = body[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = b""
    if b"\x00" in head:
        return True
    sample = (text if text is not None else head.decode("latin-1"))[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\x0b")
    return controls > max(4, len(sample) // 100)


# --- the fetcher ---------------------------------------------------------------------------


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


_ALLOW_ALL = "allow"
_TIMEOUT_ERRORS = (requests.Timeout, urllib3.exceptions.TimeoutError)
_CONNECTION_ERRORS = (requests.ConnectionError, urllib3.exceptions.HTTPError, OSError)


class Fetcher:
    """Thread-safe: one per worker, shared by the threads fetching one or several hosts."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment
        adapter = GuardedAdapter(
            settings.allow_private_networks,
            pool_connections=64,
            pool_maxsize=max(16, settings.per_host_max_in_flight),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, object] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()

    def gate(self, url: str) -> HostGate:
        key = host_key(url)
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = HostGate(self.settings.per_host_max_in_flight, self.settings.per_host_min_delay_s)
                self._gates[key] = gate
            return gate

    # The public entry point.
    def fetch(
        self, url: str, kind: str = "page", etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` following redirects; kind is "page", "feed" or "robots" (which content
        types are accepted). A 304 answer to a conditional GET is returned, not raised."""
        headers = {"User-Agent": self.settings.user_agent, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, seen, attempts = url, set(), 0
        for _hop in range(self.settings.max_redirects + 1):
            self._check_url(current)
            seen.add(current)
            if kind != "robots" and self.settings.respect_robots:
                self._check_robots(current)
            result = self._get(current, kind, headers)
            attempts += result.attempts
            if result.status in REDIRECT_STATUSES:
                location = result.headers.get("location")
                if not location:
                    raise FetchError("bad_redirect", f"HTTP {result.status} without Location from {current}")
                target = urljoin(current, location.strip())
                if target in seen:
                    raise FetchError("redirect_loop", f"redirect loop: {current} -> {target}")
                current = target
                continue
            result.url, result.attempts = url, attempts
            return result
        raise FetchError(
            "too_many_redirects", f"more than {self.settings.max_redirects} redirects from {url}"
        )

    def _check_url(self, url: str) -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ALLOWED_SCHEMES:
            raise FetchError(
                "blocked_scheme", f"only http/https are fetched, not {scheme or '(none)'}: {url[:200]}"
            )
        try:
            host_key(url)
        except (InvalidURL, ValueError) as error:
            raise FetchError("invalid_url", str(error)) from error

    def _get(self, url: str, kind: str, headers: dict) -> FetchResult:
        """One URL, no redirects followed, with retries on timeouts, 429 and 5xx."""
        s = self.settings
        gate = self.gate(url)
        for attempt in range(s.max_retries + 1):
            last = attempt == s.max_retries
            retry_after = None
            try:
                with gate.slot():
                    with self._lock:
                        self.requests_sent += 1
                    result = self._request(url, kind, headers)
                    if result.status not in RETRY_STATUSES:
                        result.attempts = attempt + 1
                        return result
                    retry_after = parse_retry_after(result.headers.get("retry-after"))
                    error = FetchError(f"http_{result.status}", f"HTTP {result.status} from {url}")
            except FetchError as fetch_error:
                if fetch_error.error_type != "timeout":
                    raise
                error = fetch_error
            except BlockedAddress as blocked:
                raise FetchError("blocked_address", str(blocked)) from blocked
            except requests.exceptions.SSLError as failure:  # a bad certificate does not heal by retrying
                raise FetchError("tls_error", f"TLS failed for {url}: {_short(failure)}") from failure
            except _TIMEOUT_ERRORS as timeout:
                error = FetchError("timeout", f"timed out fetching {url}: {type(timeout).__name__}")
            except _CONNECTION_ERRORS as failure:
                blocked = _find_blocked(failure)
                if blocked is not None:
                    raise FetchError("blocked_address", str(blocked)) from failure
                error = FetchError("connection_error", f"cannot connect to {url}: {_short(failure)}")
            if last:
                raise error
            delay = self._backoff(attempt)
            if retry_after is not None:
                if retry_after > s.max_retry_after_s:
                    raise FetchError(
                        error.error_type,
                        f"{error} (Retry-After {retry_after:.0f} s exceeds "
                        f"the {s.max_retry_after_s:.0f} s cap)",
                    )
                delay = max(delay, retry_after)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _request(self, url: str, kind: str, headers: dict) -> FetchResult:
        s = self.settings
        deadline = time.monotonic() + s.total_timeout_s
        response = self.session.get(
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            timeout=(s.connect_timeout_s, s.read_timeout_s),
        )
        try:
            result = FetchResult(
                url=url,
                final_url=url,
                status=response.status_code,
                content_type=media_type(response.headers.get("content-type")),
                headers={k.lower(): v for k, v in response.headers.items()},
            )
            if not 200 <= response.status_code < 300:
                if response.status_code >= 400 and response.status_code not in RETRY_STATUSES:
                    raise FetchError(
                        f"http_{response.status_code}",
                        f"HTTP {response.status_code} {response.reason or ''} from {url}".strip(),
                    )
                return result
            self._check_type(result, kind, url)
            limit = ROBOTS_MAX_BYTES if kind == "robots" else s.max_body_bytes
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise FetchError("body_too_large", f"Content-Length {length} exceeds {limit} bytes: {url}")
            result.body = self._read_body(response, limit, deadline, url)
            if kind != "robots" and looks_binary(result.body):
                raise FetchError(
                    "binary_body",
                    f"binary body ({result.content_type or 'no Content-Type'}): {url}",
                    result.body[:256],
                )
            return result
        finally:
            response.close()

    def _check_type(self, result: FetchResult, kind: str, url: str) -> None:
        if kind == "robots" or not result.content_type or result.content_type == "application/octet-stream":
            return  # sniffed after reading
        allowed = self.settings.feed_content_types if kind == "feed" else self.settings.page_content_types
        if result.content_type not in allowed and not result.content_type.endswith("+xml"):
            raise FetchError(
                "content_type", f"Content-Type {result.content_type} is not accepted for a {kind}: {url}"
            )

    def _read_body(self, response: requests.Response, limit: int, deadline: float, url: str) -> bytes:
        encoding = (response.headers.get("content-encoding") or "identity").strip().lower()
        inflater = (
            None if encoding in ("", "identity") else Inflater(encoding, self.settings.max_inflated_bytes)
        )
        chunks: list[bytes] = []
        wire = 0
        while True:
            # read1 returns what has arrived: a slow-drip body meets the deadline check
            chunk = response.raw.read1(CHUNK, decode_content=False)
            if not chunk:
                break
            wire += len(chunk)
            if wire > limit:
                raise FetchError("body_too_large", f"body exceeds {limit} bytes: {url}")
            if time.monotonic() > deadline:
                raise FetchError(
                    "timeout", f"body not complete after {self.settings.total_timeout_s} s: {url}"
                )
            chunks.append(inflater.feed(chunk) if inflater else chunk)
        return b"".join(chunks)

    # robots.txt, fetched once per scheme://host:port and cached for the worker's life.
    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{host_key(url)}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            rules = self._robots.get(origin)
            if rules is None:
                rules = self._load_robots(origin)
                self._robots[origin] = rules
        if isinstance(rules, FetchError) and not rules.transient:
            raise FetchError(rules.error_type, f"robots.txt of {origin}: {rules}")
        if isinstance(rules, FetchError):
            raise FetchError(
                "robots_unavailable", f"robots.txt of {origin} unavailable ({rules}); not fetching {url}"
            )
        if rules is not _ALLOW_ALL and not rules.can_fetch(self.settings.robots_agent, url):
            raise FetchError("robots_disallowed", f"robots.txt of {origin} disallows {url}")

    def _load_robots(self, origin: str):
        try:
            result = self.fetch(f"{origin}/robots.txt", kind="robots")
        except FetchError as error:
            # RFC 9309: a 4xx means no rules; an unreachable robots.txt means no crawling.
            if error.error_type.startswith("http_4") and error.error_type != "http_429":
                return _ALLOW_ALL
            return error
        text, _ = decode_body(result.body, result.headers.get("content-type"))
        rules = RobotFileParser()
        rules.parse(text.splitlines())
        rules.modified()
        delay = rules.crawl_delay(self.settings.robots_agent)
        if delay:
            gate = self.gate(origin)
            gate.min_delay = max(gate.min_delay, min(float(delay), self.settings.max_crawl_delay_s))
        return rules


def _find_blocked(error: BaseException) -> BlockedAddress | None:
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 10:
        if isinstance(current, BlockedAddress):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BlockedAddress):
                return arg
            reason = getattr(arg, "reason", None)
            if isinstance(reason, BlockedAddress):
                return reason
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) < 300 else text[:300] + "..."


# --- tasks: what the fetch stage does with one entry or page --------------------------------

_BLOCK_TAGS = re.compile(
    r"(?i)<\s*(/?)(p|div|br|h[1-6]|li|ul|ol|blockquote|tr|table|section|article|pre)\b[^>]*>"
)


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment, one paragraph per block, paragraphs separated by a
    blank line (the shape the cleaning stage expects)."""
    if not fragment or not fragment.strip():
        return ""
    marked = _BLOCK_TAGS.sub("\n\n", fragment)
    try:
        text = lxml.html.fromstring(f"<div>{marked}</div>").text_content()
    except (lxml.etree.ParserError, ValueError):
        text = re.sub(r"<[^>]+>", " ", marked)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def run_task(fetcher: Fetcher, task: dict) -> tuple[str, dict]:
    """run_fetch_task, with any unexpected error a reject: one bad URL never fails a host."""
    try:
        return run_fetch_task(fetcher, task)
    except Exception as error:
        return "reject", reject_from_exception(task["input_ref"], "fetch", error)


def run_fetch_task(fetcher: Fetcher, task: dict) -> tuple[str, dict]:
    """("record", RawRecord as dict) or ("reject", reject row) for one fetch task (see
    transforms.feeds.feeds.entry_tasks / page_task). A feed entry whose page cannot be fetched
    becomes an article from its own content when that is long enough."""
    error: FetchError | None = None
    if task.get("fetch_page", True) and task.get("fetch_url"):
        try:
            return "record", asdict(record_from_page(task, fetcher.fetch(task["fetch_url"], kind="page")))
        except FetchError as failure:
            error = failure
    elif task.get("bad_link"):
        link = task["bad_link"]
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", link)
        if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
            error = FetchError("blocked_scheme", f"only http/https links are fetched: {link[:200]}")
        else:
            error = FetchError("invalid_url", f"malformed or relative link: {link[:200]}")
    elif task.get("fetch_page", True):
        error = FetchError("no_link", "feed entry without a link")
    if task.get("kind") == "entry":
        text = html_to_text(task.get("content"))
        minimum = int(task.get("min_content_chars") or 0)
        if text and len(text) >= minimum:
            record = RawRecord(
                input_ref=task["input_ref"],
                url=task.get("url"),
                source=task.get("source"),
                title=task.get("title"),
                summary=task.get("summary"),
                text=text,
                published=task.get("published"),
                from_feed_content=True,
            )
            return "record", asdict(record)
        if error is None:
            error = FetchError(
                "feed_content_too_short", f"entry content has {len(text)} characters, fewer than {minimum}"
            )
        else:
            error = FetchError(
                error.error_type,
                f"{error}; entry content too short to stand in ({len(text)} < {minimum} characters)",
                error.content,
            )
    assert error is not None
    return "reject", make_reject(task["input_ref"], "fetch", error.error_type, str(error), error.content)


def record_from_page(task: dict, result: FetchResult) -> RawRecord:
    text, _ = decode_body(result.body, result.headers.get("content-type"))
    plain = result.content_type == "text/plain"
    return RawRecord(
        input_ref=task["input_ref"],
        url=try_normalize(result.final_url) or task.get("url"),
        source=task.get("source"),
        title=task.get("title"),
        summary=task.get("summary"),
        text=text if plain else None,
        html=None if plain else text,
        published=task.get("published"),
    )


def task_host(task: dict) -> str:
    """The grouping key of a task: its host, or "" for tasks that need no request."""
    if not task.get("fetch_page", True) or not task.get("fetch_url"):
        return ""
    try:
        return host_key(task["fetch_url"])
    except (InvalidURL, ValueError):
        return ""


def fetch_host_tasks(fetcher: Fetcher, tasks: list[dict]) -> list[tuple[str, dict]]:
    """All tasks of one host, at most per_host_max_in_flight at once (the gate also spaces
    their starts), results in input_ref order (deterministic)."""
    ordered = sorted(tasks, key=lambda t: (t["input_ref"], t.get("fetch_url") or ""))
    workers = max(1, min(fetcher.settings.per_host_max_in_flight, len(ordered)))
    if workers == 1:
        return [run_task(fetcher, task) for task in ordered]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        return list(pool.map(lambda task: run_task(fetcher, task), ordered))


def group_by_host(tasks: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for task in tasks:
        groups.setdefault(task_host(task), []).append(task)
    return groups


def fetch_all(fetcher: Fetcher, tasks: list[dict]) -> list[tuple[str, dict]]:
    """Every task, hosts in parallel (max_parallel_hosts), each host polite: the core the
    Beam stage runs per group, usable without Beam (bench, tests)."""
    groups = group_by_host(tasks)
    workers = max(1, min(fetcher.settings.max_parallel_hosts, len(groups)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="host") as pool:
        results = pool.map(lambda key: fetch_host_tasks(fetcher, groups[key]), sorted(groups))
        return [outcome for host_results in results for outcome in host_results]


# --- Beam -----------------------------------------------------------------------------------


class HostGroupsDoFn(beam.DoFn):
    """Base of the DoFns that take (host, items) groups: one group holds all of a host's work,
    so the host's gate (one Fetcher per worker) bounds every request to it. Groups of
    different hosts run at once on a worker-wide pool (max_parallel_hosts); outputs are
    emitted as groups finish, the rest at the end of the bundle.

    handle_group runs on a pool thread and returns (tag, value) pairs: tag None is the main
    output, "metric" increments the counter named by value (Beam metrics are per thread, so
    they are counted here on the bundle's thread), any other tag is a tagged output."""

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        self.fetcher = Fetcher(FetchSettings.from_config(self.settings))
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, self.fetcher.settings.max_parallel_hosts), thread_name_prefix="host"
        )
        self.counters: dict[str, object] = {}

    def handle_group(self, items: list) -> list[tuple[str | None, object]]:
        raise NotImplementedError

    def start_bundle(self):
        self.pending: list[Future] = []

    def process(self, element):
        _host, items = element
        self.pending.append(self.pool.submit(self.handle_group, list(items)))
        if len(self.pending) >= self.fetcher.settings.max_parallel_hosts:
            wait(self.pending, return_when=FIRST_COMPLETED)
        yield from self._emit(done_only=True)

    def finish_bundle(self):
        for output in self._emit(done_only=False):
            if isinstance(output, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(output.tag, _global(output.value))
            else:
                yield _global(output)

    def teardown(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    def _emit(self, done_only: bool):
        keep = []
        for future in self.pending:
            if done_only and not future.done():
                keep.append(future)
                continue
            for tag, value in future.result():
                if tag is None:
                    yield value
                elif tag == "metric":
                    counter = self.counters.get(value)
                    if counter is None:
                        counter = self.counters[value] = Metrics.counter(METRICS_NAMESPACE, value)
                    counter.inc()
                else:
                    yield beam.pvalue.TaggedOutput(tag, value)
        self.pending = keep


class FetchHostGroups(HostGroupsDoFn):
    """(host, tasks) -> raw record dicts (main) and reject rows (REJECTS)."""

    def handle_group(self, tasks: list[dict]) -> list[tuple[str | None, object]]:
        out: list[tuple[str | None, object]] = []
        unique, seen = [], set()
        for task in sorted(tasks, key=lambda t: (t["input_ref"], t.get("feed") or "")):
            key = task.get("url") or task["input_ref"]
            if key in seen:  # the same article in two feeds of this run: ingested once
                out.append(("metric", "skipped_already_ingested"))
                continue
            seen.add(key)
            unique.append(task)
        for tag, row in fetch_host_tasks(self.fetcher, unique):
            out.append(("metric", "fetch.records" if tag == "record" else "fetch.rejects"))
            out.append((None, row) if tag == "record" else (REJECTS, row))
        return out


def _global(value) -> WindowedValue:
    return WindowedValue(value, MIN_TIMESTAMP, [GlobalWindow()])


class FetchPages(beam.PTransform):
    """fetch tasks -> raw records (main "records") and rejects (REJECTS), polite per host."""

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = settings

    def expand(self, tasks):
        return (
            tasks
            | "KeyByHost" >> beam.Map(lambda task: (task_host(task), task))
            | "GroupByHost" >> beam.GroupByKey()
            | "FetchHosts" >> beam.ParDo(FetchHostGroups(self.settings)).with_outputs(REJECTS, main="records")
        )

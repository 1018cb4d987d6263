"""Polite, bounded HTTP fetching: the Fetcher, one per worker (DoFn.setup).

Every request, including each redirect hop, retries and robots.txt, goes through the gate of
its host ("host:port"): at most N requests in flight and a minimum delay between request
starts. Bodies are read with caps on the wire size and on the inflated size (gzip bombs),
connections to private/loopback/link-local addresses are refused (transforms.fetch.guard),
and failures end as a FetchError whose error_type names the reason in one word.
"""

from __future__ import annotations

import random
import threading
import time
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from transforms.common.urls import ALLOWED_SCHEMES, InvalidURL, host_key
from transforms.fetch.bodies import Inflater, looks_binary, media_type
from transforms.fetch.charset import decode_body
from transforms.fetch.guard import BlockedAddress, GuardedAdapter, find_blocked
from transforms.fetch.politeness import HostGate, parse_retry_after
from transforms.fetch.robots import RobotsRules, origin_of
from transforms.fetch.settings import (
    CHUNK,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    ROBOTS_MAX_BYTES,
    FetchError,
    FetchResult,
    FetchSettings,
)

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
        deadline: float | None = None  # one for the URL: its hops and tries, from the first request
        for _hop in range(self.settings.max_redirects + 1):
            self._check_url(current)
            seen.add(current)
            if kind != "robots" and self.settings.respect_robots:
                self._check_robots(current)
            if deadline is None:
                deadline = time.monotonic() + self.settings.total_timeout_s
            result = self._get(current, kind, headers, deadline)
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

    def _get(self, url: str, kind: str, headers: dict, deadline: float) -> FetchResult:
        """One URL, no redirects followed, with retries on timeouts, 429 and 5xx while the
        URL's deadline allows."""
        s = self.settings
        gate = self.gate(url)
        for attempt in range(s.max_retries + 1):
            last = attempt == s.max_retries
            retry_after = None
            try:
                with gate.slot():
                    with self._lock:
                        self.requests_sent += 1
                    result = self._request(url, kind, headers, deadline)
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
                blocked = find_blocked(failure)
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
            if time.monotonic() + delay >= deadline:
                raise FetchError(
                    error.error_type, f"{error} (no time left for a retry within {s.total_timeout_s} s)"
                )
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * (2**attempt))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _request(self, url: str, kind: str, headers: dict, deadline: float) -> FetchResult:
        s = self.settings
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("timeout", f"no response within {s.total_timeout_s} s: {url}")
        response = self.session.get(
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            timeout=(min(s.connect_timeout_s, left), min(s.read_timeout_s, left)),
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
                    "timeout", f"response not complete within {self.settings.total_timeout_s} s: {url}"
                )
            chunks.append(inflater.feed(chunk) if inflater else chunk)
        return b"".join(chunks)

    # robots.txt, fetched once per scheme://host:port and cached for the worker's life.
    def _check_robots(self, url: str) -> None:
        origin = origin_of(url)
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
        if rules is not _ALLOW_ALL and not rules.allows(url, self.settings.robots_agent):
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
        rules = RobotsRules(text)
        delay = rules.crawl_delay(self.settings.robots_agent)
        if delay:
            gate = self.gate(origin)
            gate.min_delay = max(gate.min_delay, min(delay, self.settings.max_crawl_delay_s))
        return rules


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) < 300 else text[:300] + "..."


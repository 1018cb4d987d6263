"""What the fetch stage is told and what it answers: settings, results, and the one error
type whose error_type names a failure in one word."""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.common.rejects import RejectError

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


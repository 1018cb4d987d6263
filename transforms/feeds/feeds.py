"""Feeds: which feeds to read (config `feeds:`, `--feed`, OPML), polling them with a
conditional GET, and parsing RSS 0.9x/1.0/2.0 and Atom into entry tasks for the fetch stage.

Feed bytes are made safe before feedparser sees them: the DOCTYPE (and with it every entity
declaration: billion laughs, external entities) is removed, and the text is transcoded to
UTF-8 after our own charset detection, since feeds often declare the wrong charset.
"""

from __future__ import annotations

import calendar
import gzip
import os
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.utils import formatdate
from typing import Any

import apache_beam as beam
import feedparser
import lxml.etree
from apache_beam.metrics import Metrics

from transforms.common import ids
from transforms.common.config import ConfigError
from transforms.common.fs import not_regular
from transforms.common.rejects import REJECTS, RejectError, make_reject, reject_from_exception
from transforms.common.urls import InvalidURL, host_key, is_http_url, normalize_url, try_normalize
from transforms.fetch.client import (
    METRICS_NAMESPACE,
    Fetcher,
    FetchError,
    FetchPages,
    HostGroupsDoFn,
    detect_charset,
    html_to_text,
)
from transforms.read.files import kind_of, read_head, sniff_kind
from transforms.state.ingested import State

FEED_SETTINGS = {"url", "name", "fetch_pages", "min_content_chars", "max_entries", "opml"}
OPML_EXTENSIONS = (".opml",)


class FeedError(RejectError):
    """A feed that cannot be read or parsed."""


@dataclass
class FeedSpec:
    url: str  # http(s) URL, or a local path
    name: str | None = None  # outlet name given to its articles (else the page decides)
    fetch_pages: bool = True  # False: the entry's own content is the article
    min_content_chars: int | None = None  # entry content long enough to stand in for its page
    max_entries: int | None = None  # first N entries per poll (feeds list newest first)

    @property
    def is_remote(self) -> bool:
        return is_http_url(self.url)

    @property
    def key(self) -> str:
        """The cursor key in the state: the normalised URL, or the absolute path."""
        return try_normalize(self.url) or os.path.abspath(self.url)


@dataclass
class FeedEntry:
    link: str | None
    entry_id: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601 UTC when parseable, else as given
    summary: str | None = None  # plain text
    content: str | None = None  # the longest HTML body the entry carries


@dataclass
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None  # what feedparser tolerated (bozo), if anything


# --- which feeds -----------------------------------------------------------------------------


def feed_specs(config_feeds: Any, cli_feeds: list[str] | None = None) -> list[FeedSpec]:
    """The feeds of the config's `feeds:` list plus `--feed` values, OPML files expanded,
    duplicates (same key) dropped. Raises ConfigError with a one-line message."""
    if config_feeds is None:
        config_feeds = []
    if not isinstance(config_feeds, list):
        raise ConfigError("config key 'feeds' must be a list of URLs or mappings with 'url'")
    specs: list[FeedSpec] = []
    for index, item in enumerate(config_feeds):
        specs.extend(_spec_from_config(item, f"feeds[{index}]"))
    for value in cli_feeds or []:
        specs.extend(read_opml(value) if value.lower().endswith(OPML_EXTENSIONS) else [FeedSpec(url=value)])
    unique: dict[str, FeedSpec] = {}
    for spec in specs:
        unique.setdefault(spec.key, spec)
    return list(unique.values())


def _spec_from_config(item: Any, where: str) -> list[FeedSpec]:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict):
        raise ConfigError(f"config key '{where}' must be a URL or a mapping with 'url'")
    unknown = set(item) - FEED_SETTINGS
    if unknown:
        raise ConfigError(
            f"unknown config key '{where}.{sorted(unknown)[0]}' (known: {', '.join(sorted(FEED_SETTINGS))})"
        )
    if "opml" in item:
        if not isinstance(item["opml"], str):
            raise ConfigError(f"config key '{where}.opml' must be a file path")
        return read_opml(item["opml"])
    url = item.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"config key '{where}.url' is required and must be a string")
    if "://" in url and not is_http_url(url):
        raise ConfigError(f"config key '{where}.url' must be http(s) or a local path, not {url!r}")
    checks = {"name": str, "fetch_pages": bool, "min_content_chars": int, "max_entries": int}
    for key, expected in checks.items():
        value = item.get(key)
        if value is not None and (
            not isinstance(value, expected) or (expected is int and isinstance(value, bool))
        ):
            raise ConfigError(
                f"config key '{where}.{key}' must be of type {expected.__name__}, not {value!r}"
            )
    return [
        FeedSpec(
            url=url.strip(),
            name=item.get("name"),
            fetch_pages=item.get("fetch_pages", True),
            min_content_chars=item.get("min_content_chars"),
            max_entries=item.get("max_entries"),
        )
    ]


def read_opml(path: str) -> list[FeedSpec]:
    """Feeds of an OPML subscription list: every <outline xmlUrl=...>, named by its text."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(5_000_000)
    except OSError as error:
        raise ConfigError(f"cannot read OPML file {path}: {error.strerror or error}") from error
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as error:
        raise ConfigError(f"invalid OPML file {path}: {error}") from error
    specs = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and is_http_url(url):
            specs.append(FeedSpec(url=url, name=(outline.get("title") or outline.get("text") or None)))
    return specs


# --- parsing -------------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.I | re.S)
_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?)\bencoding\s*=\s*[\"'][^\"']*[\"']", re.I)


def sanitize_feed_bytes(body: bytes, content_type: str | None = None) -> bytes:
    """UTF-8 bytes without DOCTYPE; raises FeedError when entity declarations remain."""
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace").lstrip("\ufeff")
    data = _DOCTYPE.sub(b"", text.encode("utf-8"), count=1)
    if re.search(rb"<!ENTITY", data[:200_000], re.I):
        raise FeedError("feed_entities", "feed declares XML entities outside a DOCTYPE; refused", body[:512])
    return _XML_DECL.sub(rb'\1encoding="utf-8"', data, count=1)


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return None


def parse_feed(body: bytes, content_type: str | None = None, base_url: str | None = None) -> ParsedFeed:
    """Entries of an RSS/Atom document. Tolerates what feedparser tolerates (reported as
    warning); raises FeedError when nothing feed-like is in it."""
    data = sanitize_feed_bytes(body, content_type)
    headers = {"content-type": "application/xml; charset=utf-8"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=True, sanitize_html=True)
    warning = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else None
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FeedError("feed_parse", f"not a readable RSS/Atom feed ({warning or 'no entries'})", body[:512])
    entries = [_entry(item, base_url) for item in parsed.entries]
    return ParsedFeed(title=parsed.feed.get("title"), entries=entries, warning=warning)


def _entry(item: Any, base_url: str | None) -> FeedEntry:
    link = item.get("link") or next(
        (ln.get("href") for ln in item.get("links", []) if ln.get("rel") == "alternate"), None
    )
    if not link and is_http_url(item.get("id") or ""):
        link = item.get("id")  # RSS guid isPermaLink / Atom id that is a URL
    contents = [c.get("value") or "" for c in item.get("content", [])]
    summary_html = item.get("summary") or ""
    content = max([*contents, summary_html], key=len) or None
    summary = html_to_text(summary_html) if summary_html and summary_html != content else None
    published = _iso(item.get("published_parsed") or item.get("updated_parsed")) or item.get("published")
    return FeedEntry(
        link=link.strip() if link else None,
        entry_id=item.get("id"),
        title=item.get("title"),
        published=published,
        summary=summary or None,
        content=content,
    )


# --- polling -------------------------------------------------------------------------------


def read_feed_source(
    spec: FeedSpec, fetcher: Fetcher | None, cursor: dict | None, max_bytes: int = 10_000_000
) -> tuple[ParsedFeed | None, dict]:
    """Fetch (conditional GET with the cursor's ETag / Last-Modified) or read the feed.
    Returns (None, cursor) when the feed is unchanged since the cursor, else (feed, new cursor).
    Raises FetchError / FeedError."""
    cursor = dict(cursor or {})
    polled_at = formatdate(usegmt=True)
    if spec.is_remote:
        if fetcher is None:
            raise FeedError("feed_fetch", "no fetcher for a remote feed")
        result = fetcher.fetch(
            spec.url, kind="feed", etag=cursor.get("etag"), last_modified=cursor.get("last_modified")
        )
        cursor["polled_at"] = polled_at
        if result.not_modified:
            return None, cursor
        body, content_type, base = result.body, result.headers.get("content-type"), result.final_url
        cursor["etag"] = result.headers.get("etag")
        cursor["last_modified"] = result.headers.get("last-modified")
    else:
        if "://" in spec.url:
            raise FeedError("blocked_scheme", f"feeds are http(s) URLs or local paths, not {spec.url[:200]}")
        opener = gzip.open if spec.url.lower().endswith(".gz") else open
        try:
            with opener(spec.url, "rb") as handle:
                body = handle.read(max_bytes + 1)
        except (OSError, EOFError) as error:
            raise FeedError(
                "read_error", f"cannot read feed {spec.url}: {error.strerror or error}"
            ) from error
        if len(body) > max_bytes:
            raise FeedError("body_too_large", f"feed file larger than {max_bytes} bytes: {spec.url}")
        content_type, base = None, None
        cursor["polled_at"] = polled_at
    feed = parse_feed(body, content_type, base)
    cursor["entries_seen"] = len(feed.entries)
    return feed, cursor


def entry_tasks(spec: FeedSpec, feed: ParsedFeed, default_min_chars: int) -> list[dict]:
    """One fetch task per entry (plain dicts: they travel through Beam)."""
    entries = feed.entries[: spec.max_entries] if spec.max_entries else feed.entries
    min_chars = spec.min_content_chars if spec.min_content_chars is not None else default_min_chars
    tasks = []
    for position, entry in enumerate(entries, 1):
        link = entry.link
        try:
            url = normalize_url(link) if link else None
        except InvalidURL:
            url = None
        tasks.append(
            {
                "kind": "entry",
                "input_ref": link or f"{spec.url}#entry-{position}",
                "fetch_url": link if url else None,  # None: nothing fetchable (no link, file://...)
                "bad_link": link if link and not url else None,
                "url": url,
                "source": spec.name,
                "title": entry.title,
                "summary": entry.summary,
                "published": entry.published,
                "content": entry.content,
                "min_content_chars": min_chars,
                "fetch_page": spec.fetch_pages,
                "feed": spec.url,
            }
        )
    return tasks


def page_task(url: str) -> dict:
    """A fetch task for an `--input https://...` page."""
    normalized = try_normalize(url)
    return {
        "kind": "page",
        "input_ref": url,
        "fetch_url": url if normalized else None,
        "bad_link": None if normalized else url,
        "url": normalized,
        "fetch_page": True,
    }


def split_feed_files(files: list[str], input_settings: dict) -> tuple[list[str], list[str]]:
    """(other files, feed files): feeds by extension (.xml, .rss, .atom, optionally .gz), and
    files of unknown extension whose first bytes look like RSS/Atom (when sniffing is on)."""

    others, feeds = [], []
    for path in files:
        kind = kind_of(path, input_settings)
        if kind == "unknown" and input_settings.get("sniff_unknown"):
            head = read_head(path, 512, input_settings)  # no blocking open of a FIFO; any file system
            kind = sniff_kind(head) if head else "unknown"  # unreadable: the reader makes it a reject
        feed = kind == "feed" and not not_regular(path)  # a FIFO named .xml: the reader rejects it
        (feeds if feed else others).append(path)
    return others, feeds


def spec_to_dict(spec: FeedSpec) -> dict:
    return asdict(spec)


# --- Beam -----------------------------------------------------------------------------------

CURSORS = "cursors"  # tag of (feed key, cursor) pairs
STAGE = "feeds"


class PollFeedGroups(HostGroupsDoFn):
    """(host, feed spec dicts) -> fetch tasks of new entries (main), (key, cursor) (CURSORS),
    rejects for feeds that cannot be read (REJECTS). Feeds of one host are polled one after
    another; hosts in parallel.

    Entries whose URL an earlier run ingested are dropped here (unless full refresh), so a
    second run over an unchanged feed fetches no page again. The state is read once per
    worker in setup (local runners: the state folder is on this machine)."""

    def __init__(self, fetch_settings: dict, state_dir: str, full_refresh: bool):
        super().__init__(fetch_settings)
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def setup(self):
        super().setup()
        self.state = State.load(self.state_dir, self.full_refresh)

    def handle_group(self, specs: list[dict]) -> list[tuple[str | None, object]]:
        out: list[tuple[str | None, object]] = []
        for spec_dict in sorted(specs, key=lambda s: s["url"]):
            out.extend(self.poll(FeedSpec(**spec_dict)))
        return out

    def poll(self, spec: FeedSpec) -> list[tuple[str | None, object]]:
        settings = self.fetcher.settings
        try:
            feed, cursor = read_feed_source(
                spec, self.fetcher, self.state.cursor(spec.key), settings.max_body_bytes
            )
        except (FetchError, FeedError) as error:
            return [(REJECTS, make_reject(spec.url, STAGE, error.error_type, str(error), error.content))]
        except Exception as error:  # never crash on a feed: it becomes a reject
            return [(REJECTS, reject_from_exception(spec.url, STAGE, error))]
        out: list[tuple[str | None, object]] = [("metric", "feeds.polled")]
        if feed is None:
            return [*out, ("metric", "feeds.not_modified"), (CURSORS, (spec.key, cursor))]
        tasks = entry_tasks(spec, feed, settings.feed_content_min_chars)
        # the cursor lists this poll's entries: the run drops the ETag if one of them must be retried
        cursor["entry_urls"] = sorted({t["url"] for t in tasks if t["url"]})
        out.append((CURSORS, (spec.key, cursor)))
        for task in tasks:
            if self.state.is_ingested(url=task["url"]) or self.state.is_ingested(url=task["input_ref"]):
                out.append(("metric", "skipped_already_ingested"))
            else:
                out.append((None, task))
        return out


def feed_host(spec: dict) -> str:
    """Grouping key of a feed: its host, "" for local files."""
    try:
        return host_key(spec["url"]) if is_http_url(spec["url"]) else ""
    except InvalidURL:
        return ""


class SkipIngested(beam.DoFn):
    """Drops fetch tasks and raw records that an earlier run ingested (same article id or
    normalised URL), counting them; passes everything under full refresh."""

    def __init__(self, state_dir: str, full_refresh: bool):
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def setup(self):
        self.state = State.load(self.state_dir, self.full_refresh)
        self.skipped = Metrics.counter(METRICS_NAMESPACE, "skipped_already_ingested")

    def process(self, element: dict):
        if self.is_ingested(element):
            self.skipped.inc()
        else:
            yield element

    def is_ingested(self, element: dict) -> bool:
        if self.full_refresh:
            return False
        urls = [element.get("url"), element.get("input_ref")]
        if any(self.state.is_ingested(url=u) for u in urls if u):
            return True
        if "fetch_url" in element:  # a task: its article id is only known once fetched
            return False
        content = element.get("html") or element.get("text")
        return self.state.is_ingested(
            article_id=ids.article_id(element.get("url"), element.get("source_id"), content)
        )


class FetchInputs(beam.PTransform):
    """PBegin -> {"records", "rejects", "cursors"}: feeds polled, their new entries and the
    `--input https://...` pages fetched politely, as raw records for extraction."""

    def __init__(
        self, fetch_settings: dict, specs: list[FeedSpec], urls: list[str], state_dir: str, full_refresh: bool
    ):
        super().__init__()
        self.fetch_settings = fetch_settings
        self.specs = [spec_to_dict(spec) for spec in specs]
        self.urls = list(urls)
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def expand(self, root):
        polled = (
            root
            | "FeedSpecs" >> beam.Create(self.specs)
            | "KeyFeedsByHost" >> beam.Map(lambda spec: (feed_host(spec), spec))
            | "GroupFeedsByHost" >> beam.GroupByKey()
            | "PollFeeds"
            >> beam.ParDo(
                PollFeedGroups(self.fetch_settings, self.state_dir, self.full_refresh)
            ).with_outputs(REJECTS, CURSORS, main="tasks")
        )
        pages = (
            root
            | "PageUrls" >> beam.Create(self.urls)
            | "PageTasks" >> beam.Map(page_task)
            | "SkipIngestedPages" >> beam.ParDo(SkipIngested(self.state_dir, self.full_refresh))
        )
        fetched = (
            (polled.tasks, pages) | "AllTasks" >> beam.Flatten() | "Fetch" >> FetchPages(self.fetch_settings)
        )
        rejects = (polled[REJECTS], fetched[REJECTS]) | "FetchRejects" >> beam.Flatten()
        return {"records": fetched.records, "rejects": rejects, "cursors": polled[CURSORS]}

"""Which feeds to read: the config's `feeds:` list, `--feed` values, OPML subscription lists,
and the input files that are feeds."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

import lxml.etree

from transforms.common.config import ConfigError
from transforms.common.fs import not_regular
from transforms.common.urls import is_http_url, try_normalize
from transforms.read.files import kind_of, read_head, sniff_kind

FEED_SETTINGS = {"url", "name", "fetch_pages", "min_content_chars", "max_entries", "opml"}
OPML_EXTENSIONS = (".opml",)


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


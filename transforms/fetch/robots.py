"""robots.txt by RFC 9309, parsed with Protego: groups by product token, `*` wildcards and
the `$` end anchor in paths, the longest match winning between Allow and Disallow, and a
fractional Crawl-delay."""

from __future__ import annotations

from urllib.parse import urlsplit

from protego import Protego

from transforms.common.urls import host_key


class RobotsRules:
    """The rules of one origin's robots.txt."""

    def __init__(self, text: str):
        self._rules = Protego.parse(text)

    def allows(self, url: str, agent: str) -> bool:
        return bool(self._rules.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        delay = self._rules.crawl_delay(agent)
        return float(delay) if delay is not None else None


def origin_of(url: str) -> str:
    """scheme://host:port, the unit robots.txt applies to (IPv6 literals in brackets)."""
    return f"{urlsplit(url).scheme.lower()}://{host_key(url)}"

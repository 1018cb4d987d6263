"""Per-outlet knowledge, loaded from configs/sources.yaml: which domains belong to which outlet,
which names an agency goes by, the outlet's time zone, and the furniture only it prints.

Code here is generic; adding an outlet is a YAML edit (see the header of sources.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

from transforms.clean.dates import zone_named
from transforms.clean.spellings import Sieve
from transforms.common.config import ConfigError, project_path, read_yaml
from transforms.common.names import name_key
from transforms.common.urls import host_label, label_names

_PROFILE_KEYS = {
    "name", "agency", "domains", "aliases", "timezone", "signatures", "junk_lines", "junk_tails", "credits",
    "republisher", "example",  # example: a made-up text for tests/clean/test_profiles.py
}


@dataclass
class Profile:
    name: str
    agency: bool = False
    domains: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    timezone: tzinfo | None = None
    signatures: list[re.Pattern] = field(default_factory=list)  # text marks of the outlet's own copy
    junk_lines: list[re.Pattern] = field(default_factory=list)  # whole paragraphs that are furniture
    junk_tails: list[re.Pattern] = field(default_factory=list)  # furniture glued to a paragraph's end
    credits: list[re.Pattern] = field(default_factory=list)  # text that credits this agency
    republisher: bool = False  # an aggregator or wire republisher: its copy is never the original


_GROUP_SPLIT = re.compile(r"\s*(?:/|,|;|&|\band\b|\bund\b|\by\b)\s*")
_GENERIC = r"(?:news|newswire|wire|service|english|international|world|global|online|staff|agency|desk|"
_GENERIC += r"sport|sports|health|ajansı|ajansi|agentur|agencia|agence)"
_FINANCIAL = re.compile(r"^(?:afx|finance|financial|business|markets?|money|economics?|finanzen|economía|"
                        r"wirtschaft)(?:\s+(?:news|service|wire))?$", re.I)
_SUFFIX_WORDS = re.compile(rf"^(?:{_GENERIC}\s*)+$", re.I)
_WORD_SPLIT = re.compile(r"(?<=\w)[\s\-]+(?=\w)")


class ProfileSet:
    """All profiles, indexed by domain and by every name they go by."""

    def __init__(self, profiles: list[Profile]):
        self.profiles = profiles
        self._by_domain = {d.lower().removeprefix("www."): p for p in profiles for d in p.domains}
        self._by_name = {}
        for profile in profiles:
            for name in [profile.name, *profile.aliases]:
                self._by_name.setdefault(name_key(name), profile)
        self.junk_lines = [(p, pattern) for p in profiles for pattern in p.junk_lines]
        self.junk_tails = [(p, pattern) for p in profiles for pattern in p.junk_tails]
        # the regexes searched in every text, each with a word it cannot match without (spellings.py)
        self.junk_tail_sieves = [Sieve(pattern) for _, pattern in self.junk_tails]
        self._signatures = [(p, [Sieve(x) for x in p.signatures]) for p in profiles if p.signatures]
        self._credits = [(p, [Sieve(x) for x in p.credits]) for p in profiles if p.credits]
        # the name keys of each agency, for agency_by_host (computed once, not once per URL)
        self._agency_keys = [(p, [name_key(n) for n in (p.name, *p.aliases)]) for p in profiles if p.agency]

    @classmethod
    def from_file(cls, path: str | Path) -> ProfileSet:
        data = read_yaml(path, "sources file")
        if not isinstance(data, dict) or not isinstance(data.get("outlets"), list):
            raise ConfigError(f"sources file {path} must hold a list under 'outlets'")
        return cls([_parse_profile(entry, path, i) for i, entry in enumerate(data["outlets"], 1)])

    @classmethod
    def from_config(cls, section: dict) -> ProfileSet:
        """The profiles named by the `clean:` config section (`sources_file`, relative to the project)."""
        return cls.from_file(project_path(section.get("sources_file") or "configs/sources.yaml"))

    def by_url(self, url: str | None) -> Profile | None:
        host = domain_of(url)
        while host:
            if host in self._by_domain:
                return self._by_domain[host]
            host = host.partition(".")[2] if host.count(".") > 1 else ""
        return None

    def by_name(self, name: str | None) -> Profile | None:
        return self._by_name.get(name_key(name)) if name else None

    def republisher_keys(self) -> frozenset[str]:
        """Name keys (common.names.name_key) that by_name resolves to a republisher's profile: the
        dedup stage tells a republisher's copy by its row's `source` with these."""
        return frozenset(key for key, profile in self._by_name.items() if profile.republisher)

    def agency(self, name: str | None) -> str | None:
        """The normalised name of an agency called `name` ("Associated Press" -> "AP"), else None.

        A credit group ("AFP/Reuters", "dpa, AP") names the originating agency last; a known
        agency with a generic suffix ("Reuters News", "Kyodo English service") is that agency; an
        agency's financial service ("dpa-AFX") is its own credit, whether profiled or not."""
        if not name:
            return None
        profile = self.by_name(name)
        if profile:
            return profile.name if profile.agency else None
        parts = [p for p in _GROUP_SPLIT.split(name) if p.strip()]
        if len(parts) > 1:
            credited = None
            for part in parts:  # a group of agencies only: the first other name ends it
                credited = self.agency(part)
                if not credited:
                    return None
            return credited
        words = _WORD_SPLIT.split(name.strip())
        for cut in range(1, min(len(words), 3)):
            base = self.by_name(" ".join(words[:cut]))
            suffix = " ".join(words[cut:])
            if not base or not base.agency:
                continue
            if _FINANCIAL.match(suffix):
                return name.strip()
            if _SUFFIX_WORDS.match(suffix):
                return base.name
        return None

    def agency_by_host(self, url: str | None) -> str | None:
        """An agency whose own site this URL is, by its name alone when no profile lists the
        domain (tass.com, apnews.com): the page is the agency's own copy."""
        label = host_label(url)  # the URL parsed once, not once per name
        if not label:
            return None
        for profile, keys in self._agency_keys:
            if any(label_names(label, key) for key in keys):
                return profile.name
        return None

    def by_signature(self, text: str) -> Profile | None:
        for profile, sieves in self._signatures:
            if any(not s.rules_out(text) and s.pattern.search(text) for s in sieves):
                return profile
        return None

    def credit_in(self, text: str) -> str | None:
        """An agency credited by one of the profiles' credit patterns anywhere in `text`."""
        for profile, sieves in self._credits:
            if any(not s.rules_out(text) and s.pattern.search(text) for s in sieves):
                return profile.name
        return None


def domain_of(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _parse_profile(entry: object, path: str | Path, index: int) -> Profile:
    where = f"sources file {path}, outlet #{index}"
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ConfigError(f"{where}: each outlet needs a 'name'")
    unknown = set(entry) - _PROFILE_KEYS
    if unknown:
        raise ConfigError(f"{where} ({entry['name']}): unknown key(s) {', '.join(sorted(unknown))}")
    zone = entry.get("timezone")
    if zone is not None and zone_named(zone) is None:
        raise ConfigError(f"{where} ({entry['name']}): unknown time zone {zone!r}")

    def strings(key: str) -> list[str]:
        value = entry.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} ({entry['name']}): '{key}' must be a list of strings")
        return value

    def patterns(key: str, flags: int = 0) -> list[re.Pattern]:
        compiled = []
        for source in strings(key):
            try:
                compiled.append(re.compile(source, flags))
            except re.error as error:
                raise ConfigError(f"{where} ({entry['name']}): bad regex in '{key}': {error}") from error
        return compiled

    return Profile(
        name=entry["name"],
        agency=bool(entry.get("agency", False)),
        domains=strings("domains"),
        aliases=strings("aliases"),
        timezone=zone_named(zone),
        signatures=patterns("signatures", re.M),
        junk_lines=patterns("junk_lines", re.I),
        junk_tails=patterns("junk_tails", re.I),
        credits=patterns("credits", re.M),
        republisher=bool(entry.get("republisher", False)),
    )

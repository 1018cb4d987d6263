"""Pattern families of furniture lines, loaded from configs/furniture.yaml.

A family is one kind of furniture described by slots (attribution verb + outlet name, credit
keyword + agency, label + note...) rather than by one regex per phrasing; a lexicon family counts
cue phrases (consent banners, paywall prompts). Each family carries examples and counter-examples
that are checked at load time, so the config cannot silently drift from what it claims to match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from transforms.clean.spellings import cue_heads, cue_words
from transforms.common.config import ConfigError, read_yaml

SCHEMA_VERSION = 1
_SLOT = re.compile(r"\{(\w+)\}")
_KEYS = {"name", "type", "kind", "credit", "template", "slots", "cues", "min_hits", "max_chars",
         "examples", "counter_examples"}
MAX_LINE_CHARS = 600  # template families look at lines up to this long
WORDS_PER_CUE = 10  # a lexicon line holds at least one distinct cue per this many words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Match:
    kind: str
    family: str
    credit: str | None = None  # text of the family's credit slot ("Kyodo"), if any


@dataclass
class Family:
    name: str
    kind: str
    pattern: re.Pattern | None = None
    credit: str | None = None
    cues: list[re.Pattern] | None = None
    min_hits: int = 2
    max_chars: int = MAX_LINE_CHARS

    def __post_init__(self):
        # One pass over a line with all cues as one alternation finds the ~97% of lines that hold
        # none (4x cheaper than a search per cue); only the others have their distinct cues counted.
        self.any_cue = re.compile("|".join(f"(?:{cue.pattern})" for cue in self.cues), re.I) \
            if self.cues else None
        # Cheaper still: a cue starts at a word boundary with one of a few whole words (its head:
        # "cookie", "privacy", "log"...). A text none of whose words is a head holds no cue, and
        # only the cues whose heads it holds are searched.
        self.cue_heads = cue_heads(self.cues) if self.cues else None
        self.heads = frozenset().union(*self.cue_heads) if self.cue_heads is not None else None

    def cue_hits(self, text: str, words: list[str] | bool | None = False) -> set[int]:
        """Indices of the cues found in the text. `words`: the text's cue_words if the caller has
        them (False: not computed yet)."""
        if self.any_cue is None:
            return set()
        if self.heads is not None:
            if words is False:
                words = cue_words(text)
            if words is not None:
                if self.heads.isdisjoint(words):
                    return set()
                held = self.heads.intersection(words)
                return {i for i, heads in enumerate(self.cue_heads)
                        if not heads.isdisjoint(held) and self.cues[i].search(text)}
        if not self.any_cue.search(text):
            return set()
        return {i for i, cue in enumerate(self.cues) if cue.search(text)}

    def match(self, line: str, words: list[str] | bool | None = False) -> Match | None:
        if len(line) > self.max_chars:
            return None
        if self.cues is not None:
            # dense with cues, as a banner is: a story about privacy or subscriptions is not
            hits = self.cue_hits(line, words)
            if not hits and self.min_hits > 0:
                return None  # (the count of words is then not needed)
            needed = max(self.min_hits, len(line.split()) / WORDS_PER_CUE)
            return Match(self.kind, self.name) if len(hits) >= needed else None
        found = self.pattern.match(line)
        if not found:
            return None
        credit = found.group(self.credit).strip(" .,") if self.credit else None
        return Match(self.kind, self.name, credit or None)


class Families:
    """All families; `match` gives the first that matches a whole line."""

    def __init__(self, families: list[Family]):
        self.families = families
        # Most lines match no template: one alternation of them all tells, in one call
        self.any_template = any_of([f.pattern for f in families if f.pattern is not None])

    @classmethod
    def from_file(cls, path: str | Path) -> Families:
        data = read_yaml(path)
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            raise ConfigError(f"furniture file {path}: needs schema_version: {SCHEMA_VERSION}")
        shared = _slot_lists(data.get("slots") or {}, f"furniture file {path}")
        entries = data.get("families")
        if not isinstance(entries, list):
            raise ConfigError(f"furniture file {path}: needs a list under 'families'")
        return cls([_family(entry, shared, f"furniture file {path}, family #{i}")
                    for i, entry in enumerate(entries, 1)])

    def match(self, line: str) -> Match | None:
        line = line.strip()
        words: list[str] | bool | None = False  # the line's cue_words, once a lexicon needs them
        templates = self.any_template is None or self.any_template.match(line) is not None
        for family in self.families:
            if family.pattern is not None and not templates:
                continue
            if family.heads is not None and words is False and len(line) <= family.max_chars:
                words = cue_words(line)
            found = family.match(line, words)
            if found:
                return found
        return None

    def strip_cue_runs(self, paragraph: str) -> str:
        """A long paragraph (a scraped page glued into one) without its runs of consecutive
        sentences that each hold a cue of one lexicon family and together hold more than min_hits
        distinct cues: a consent banner or paywall prompt inside the text. Short paragraphs are judged
        whole by `match`."""
        lexicons = [f for f in self.families if f.cues is not None]
        if not lexicons or len(paragraph) <= MAX_LINE_CHARS:
            return paragraph
        words = cue_words(paragraph)  # a sentence's words are words of the paragraph
        lexicons = [f for f in lexicons if f.heads is None or words is None or not f.heads.isdisjoint(words)]
        if not lexicons:
            return paragraph
        sentences = _SENTENCE_END.split(paragraph.strip())
        drop: set[int] = set()
        for family in lexicons:
            hits = [family.cue_hits(s) for s in sentences]
            start = 0
            while start < len(sentences):
                end = start
                found: set[int] = set()
                while end < len(sentences) and hits[end]:
                    found |= hits[end]
                    end += 1
                if len(found) > family.min_hits:  # one cue more than a whole line needs: prose
                    drop.update(range(start, end))  # about subscriptions or privacy keeps its text
                start = end + 1
        if not drop or len(drop) == len(sentences):
            return paragraph
        return " ".join(s for i, s in enumerate(sentences) if i not in drop)

    def strip_last_sentences(self, paragraph: str, max_cut: int = 400) -> tuple[str, list[Match]]:
        """The paragraph without furniture sentences glued to its end ("... said. This story first
        appeared on Example Daily."), and what they were."""
        sentences = _SENTENCE_END.split(paragraph)
        found: list[Match] = []
        cut = 0
        while len(sentences) > 1:
            match = self.match(sentences[-1])
            cut += len(sentences[-1]) + 1
            if not match or cut > max_cut:
                break
            found.append(match)
            sentences.pop()
        return " ".join(sentences), found


_ESCAPE = re.compile(r"\\.", re.S)
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_REFERENCE = re.compile(r"\(\?P=|\(\?\(")  # once escapes are blanked out


def any_of(patterns: list[re.Pattern]) -> re.Pattern | None:
    """One regex that matches (or searches) where one of the patterns does: their alternation, group
    names dropped (families share them). None when they differ in flags or refer to their groups."""
    if not patterns or len({p.flags for p in patterns}) > 1:
        return None
    sources = []
    for pattern in patterns:
        if re.search(r"\\[1-9]", pattern.pattern):
            return None  # a numbered back-reference (or an escaped backslash before a digit)
        blanked = _ESCAPE.sub("__", pattern.pattern)
        if _REFERENCE.search(blanked):
            return None
        source = pattern.pattern
        for found in reversed(list(_NAMED_GROUP.finditer(blanked))):
            source = source[:found.start()] + "(" + source[found.end():]
        sources.append(f"(?:{source})")
    try:
        combined = re.compile("|".join(sources), patterns[0].flags)
    except re.error:
        return None
    return combined if combined.groups == sum(p.groups for p in patterns) else None


def _slot_lists(raw: object, where: str) -> dict[str, list[str]]:
    if not isinstance(raw, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in raw.values()):
        raise ConfigError(f"{where}: 'slots' must map names to lists of strings")
    return {str(k): list(v) for k, v in raw.items()}


def _expand(template: str, slots: dict[str, list[str]], where: str, depth: int = 0) -> str:
    """Replace {slot} by the (recursively expanded) alternation of its values."""
    if depth > 4:
        raise ConfigError(f"{where}: slots nest too deep")

    def replace(match: re.Match) -> str:
        name = match[1]
        if name not in slots:
            raise ConfigError(f"{where}: unknown slot {{{name}}}")
        values = [_expand(v, slots, where, depth + 1) for v in slots[name]]
        return "(?:" + "|".join(values) + ")"

    return _SLOT.sub(replace, template)


def _family(entry: object, shared: dict[str, list[str]], where: str) -> Family:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ConfigError(f"{where}: each family needs a 'name'")
    where = f"{where} ({entry['name']})"
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    slots = {**shared, **_slot_lists(entry.get("slots") or {}, where)}
    kind = str(entry.get("kind") or entry["name"])
    try:
        if entry.get("type") == "lexicon":
            cues = [re.compile(rf"\b{_expand(c, slots, where)}\b", re.I) for c in entry.get("cues") or []]
            family = Family(entry["name"], kind, cues=cues, min_hits=int(entry.get("min_hits", 2)),
                            max_chars=int(entry.get("max_chars", MAX_LINE_CHARS)))
        elif entry.get("type") == "template" and isinstance(entry.get("template"), str):
            pattern = re.compile(_expand(entry["template"], slots, where), re.I | re.S)
            credit = entry.get("credit")
            if credit is not None and credit not in pattern.groupindex:
                raise ConfigError(f"{where}: credit slot {credit!r} is no named group (?P<{credit}>...)")
            family = Family(entry["name"], kind, pattern=pattern, credit=credit,
                            max_chars=int(entry.get("max_chars", MAX_LINE_CHARS)))
        else:
            raise ConfigError(f"{where}: type must be 'template' (with a template) or 'lexicon'")
    except re.error as error:
        raise ConfigError(f"{where}: bad regex: {error}") from error
    _check_examples(family, entry, where)
    return family


def _check_examples(family: Family, entry: dict, where: str) -> None:
    examples, counter = entry.get("examples") or [], entry.get("counter_examples") or []
    if not examples:
        raise ConfigError(f"{where}: give examples the family must match")
    for example in examples:
        if not family.match(str(example).strip()):
            raise ConfigError(f"{where}: does not match its example {example!r}")
    for example in counter:
        if family.match(str(example).strip()):
            raise ConfigError(f"{where}: matches its counter-example {example!r}")

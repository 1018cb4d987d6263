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

from transforms.common.config import ConfigError, read_yaml

SCHEMA_VERSION = 1
_SLOT = re.compile(r"\{(\w+)\}")
_KEYS = {"name", "type", "kind", "credit", "template", "slots", "cues", "min_hits", "max_chars",
         "examples", "counter_examples"}
MAX_LINE_CHARS = 600  # template families look at lines up to this long
WORDS_PER_CUE = 10  # a lexicon line holds at least one distinct cue per this many words
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORDS = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
# Letters that Python's re, ignoring case, takes for one another beyond their lower case (its
# re._casefix table: "ı" matches "i", "ſ" matches "s", ...). The first of each group stands for
# it; a lowered text that holds another one (or the combining dot "İ".lower() leaves) is searched
# with the cue regexes alone, and a cue head that holds one gets no word test.
_CASE_GROUPS = [
    "i\u0131", "s\u017f", "\u03bc\u00b5", "\u03b9\u0345\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3",
    "\u03b2\u03d0", "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1",
    "\u03c3\u03c2", "\u03c6\u03d5", "\u0432\u1c80", "\u0434\u1c81", "\u043e\u1c82", "\u0441\u1c83",
    "\u0442\u1c84\u1c85", "\u044a\u1c86", "\u0463\u1c87", "\ua64b\u1c88", "\u1e61\u1e9b", "\ufb05\ufb06",
]
_UNSURE = "".join(group[1:] for group in _CASE_GROUPS) + "\u0307"
_UNSURE_CHAR = re.compile(f"[{re.escape(_UNSURE)}]")
_STOP = "\x00"  # in a cue's spellings: \s, a character class of it, or any non-word character
_BOUND = "\x01"  # in a cue's spellings: \b
MAX_SPELLINGS = 256
# A word of a spelling that is a whole word of the matched text: letters between delimiters
_DELIMITED = re.compile(f"(?<=[{_STOP}{_BOUND}])\\w+(?=[{_STOP}{_BOUND}])")


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


def cue_words(text: str) -> list[str] | None:
    """The text's words, lowered, to test against cue heads; None when the text holds a letter
    that case-blind matching takes for another (see _CASE_GROUPS): then only the regexes can tell."""
    lowered = text.lower()
    if _UNSURE_CHAR.search(lowered):
        return None
    return _WORDS.findall(lowered)


def cue_heads(cues: list[re.Pattern]) -> list[frozenset[str]] | None:
    """For each cue, words (lowered) one of which a text holds, as a whole word, wherever the cue
    matches: for each way of spelling the cue, its longest whole word. None when a cue's regex is
    beyond what _spellings reads (then no word test is made).

    A cue is `\\b...\\b` around letters, classes of letters, optional or alternative groups and
    \\s+: a run of its letters between \\b, a space or another non-word character matches a whole
    word of the text, lowered (unless the text holds an unsure letter, see cue_words)."""
    found = []
    for cue in cues:
        heads = set()
        try:
            spellings = _spellings(cue.pattern)
        except ValueError:
            return None
        for spelling in spellings:
            words = [w for w in _DELIMITED.findall(spelling) if w]
            if not words or any(_UNSURE_CHAR.search(w.lower()) for w in words):
                return None
            heads.add(max(words, key=len).lower())
        found.append(frozenset(heads))
    return found


def _spellings(pattern: str) -> set[str]:
    """The strings a cue regex matches, with _STOP for one non-word character and _BOUND for \\b.

    Raises ValueError for anything else than literals, escaped punctuation, classes of literals
    and ranges, (?:...) and (...) groups with |, ? after an item, + or * after \\s."""
    spellings, at = _alternatives(pattern, 0)
    if at != len(pattern):
        raise ValueError(pattern)
    return spellings


def _alternatives(pattern: str, at: int) -> tuple[set[str], int]:
    found: set[str] = set()
    while True:
        spellings, at = _sequence(pattern, at)
        found |= spellings
        if at < len(pattern) and pattern[at] == "|":
            at += 1
            continue
        return found, at


def _sequence(pattern: str, at: int) -> tuple[set[str], int]:
    spellings = {""}
    while at < len(pattern) and pattern[at] not in "|)":
        item, at = _item(pattern, at)
        if at < len(pattern) and pattern[at] in "?+*{":
            quantifier = pattern[at]
            at += 1
            if quantifier == "?":
                item = item | {""}
            elif quantifier in "+*" and item == {_STOP}:  # \s+: one non-word character stands for it
                item = {_STOP} if quantifier == "+" else {_STOP, ""}
            else:
                raise ValueError(pattern)
            if at < len(pattern) and pattern[at] in "?+":  # lazy or possessive
                raise ValueError(pattern)
        spellings = {s + i for s in spellings for i in item}
        if len(spellings) > MAX_SPELLINGS:
            raise ValueError(pattern)
    return spellings, at


def _item(pattern: str, at: int) -> tuple[set[str], int]:
    ch = pattern[at]
    if ch == "(":
        start = at + 3 if pattern.startswith("(?:", at) else at + 1
        if pattern.startswith("(?", at) and start == at + 1:
            raise ValueError(pattern)  # flags, look-arounds, named groups
        spellings, at = _alternatives(pattern, start)
        if at >= len(pattern) or pattern[at] != ")":
            raise ValueError(pattern)
        return spellings, at + 1
    if ch == "[":
        end = pattern.find("]", at + 2)
        body = pattern[at + 1:end]
        if end < 0 or body.startswith("^") or "\\" in body or "[" in body:
            raise ValueError(pattern)
        chars: set[str] = set()
        i = 0
        while i < len(body):
            if i + 2 < len(body) and body[i + 1] == "-":
                chars.update(chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1))
                i += 3
            else:
                chars.add(body[i])
                i += 1
        if len(chars) > MAX_SPELLINGS:
            raise ValueError(pattern)
        return {_char(c, pattern) for c in chars}, end + 1
    if ch == "\\":
        escaped = pattern[at + 1:at + 2]
        if escaped == "s":
            return {_STOP}, at + 2
        if escaped == "b":
            return {_BOUND}, at + 2
        if not escaped or escaped.isalnum() or escaped == "_":
            raise ValueError(pattern)
        return {_char(escaped, pattern)}, at + 2
    if ch in ".^$*+?{}]":
        raise ValueError(pattern)
    return {_char(ch, pattern)}, at + 1


def _char(ch: str, pattern: str) -> str:
    """A letter as itself; an uncased non-word character (it matches only itself) as _STOP."""
    if _WORD_CHAR.match(ch):
        return ch
    if ch.lower() != ch.upper() or ch in _UNSURE or ch in (_STOP, _BOUND):
        raise ValueError(pattern)
    return _STOP


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

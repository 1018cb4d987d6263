"""Speaker resolution for quotes: a mention ("he", "the Russian president", "Mr Putin") to a name.

No model: the article's capitalised name sequences, with the title words in front of them
("Russian President Vladimir Putin"), are the only knowledge. Linear in the text length.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from transforms.quotes.lexicon import LanguageWords, Resources

_NAME_WORD = r"(?:[A-Z][a-z’'\-]*[a-z]|[A-Z]\.|[A-Z][A-Z]+)"
# Any script the wire copies come in: Latin with accents, Cyrillic; hyphenated ("Grande-Marlaska").
UPPER, LOWER = "A-ZÀ-ÖØ-ÞА-ЯЁ", "a-zß-öø-ÿа-яё"
_NAME_WORD_U = (rf"(?:[{UPPER}][{LOWER}’'\-]*[{LOWER}](?:-[{UPPER}][{LOWER}]+)*"
                rf"|[{UPPER}]\.|[{UPPER}][{UPPER}]+)")
# A name's first word, its first capital ahead so that the regex engine can skip to the capitals:
# the same as "\b" + the word (a capital is a word character).
_FIRST_NAME_WORD = r"[A-Z](?<!\w[A-Z])(?:[a-z’'\-]*[a-z]|\.|[A-Z]+)"
_FIRST_NAME_WORD_U = (rf"[{UPPER}](?<!\w[{UPPER}])(?:[{LOWER}’'\-]*[{LOWER}](?:-[{UPPER}][{LOWER}]+)*"
                      rf"|\.|[{UPPER}]+)")
_WORD_CHARS = r"\w’'.\-"
_WORD_RE = re.compile(rf"[{_WORD_CHARS}]+")
# The last four words of a stretch, read in the reversed text (the nearest first, each reversed).
_LAST_WORDS_RE = re.compile(rf"(?:[^{_WORD_CHARS}]*([{_WORD_CHARS}]+)?)" * 4)


@dataclass(frozen=True)
class Entity:
    """One mention of a person-like name: where, the name, and the title words in front of it."""

    pos: int
    name: str  # "Vladimir Putin" (title and honorifics stripped)
    title: frozenset[str]  # lowercased title-context words ("russian", "president")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def _last_words(reversed_text: str, pos: int, span: int) -> list[str]:
    """[w.lower() for w in _words(text[max(0, pos - span):pos])[-4:]], from reversed_text = text[::-1]."""
    at = len(reversed_text) - pos
    words = _LAST_WORDS_RE.match(reversed_text[at:at + span]).groups()
    return [w[::-1].lower() for w in reversed(words) if w]


@cache
def name_pattern(particles: tuple[str, ...], any_script: bool = False) -> re.Pattern[str]:
    """A capitalised name sequence: words, initials, and the small particles of names."""
    small = "".join("|" + re.escape(p) for p in particles)
    word = _NAME_WORD_U if any_script else _NAME_WORD
    first = _FIRST_NAME_WORD_U if any_script else _FIRST_NAME_WORD
    return re.compile(rf"{first}(?:[ \t]+(?:{word}{small}))*\b\.?")


def same_surname(a: str, b: str, inflected: bool) -> bool:
    """Equal, or in an inflected language the same stem: "Волков", "Волкова", "Волковым"."""
    if a == b:
        return True
    if not inflected:
        return False
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= min(len(a), len(b)) - 1


class SpeakerResolver:
    """Resolves mentions to names within one article's text."""

    def __init__(self, text: str, res: Resources | LanguageWords, inflected: bool = False,
                 titled: Callable[[str], bool] | None = None) -> None:
        self.inflected = inflected
        # Whether a lowercased word is a title; German's compounds ("Bundesinnenministerin") too.
        self.titled = titled or res.titles.__contains__
        self.titles = res.titles
        self.honorifics = res.honorifics
        self.not_names = res.not_names
        self.pronouns = res.pronouns
        self.anonymous = res.anonymous
        self.articles = res.articles
        self.name_re = name_pattern(res.name_run_particles, isinstance(res, LanguageWords))
        self.elision = isinstance(res, LanguageWords)
        self.entities = self._find_entities(text)
        self.positions = [e.pos for e in self.entities]

    def _find_entities(self, text: str) -> list[Entity]:
        entities = []
        surnames: set[str] = set()  # the last word of each name so far
        titled, honorifics, not_names = self.titled, self.honorifics, self.not_names
        reversed_text = text[::-1]
        for match in self.name_re.finditer(text):
            run, start = match.group(0), match.start()
            if " " not in run and "\t" not in run:
                entity = self._lone_word(run, start, reversed_text, surnames)
                if entity is not None:
                    entities.append(entity)
                    surnames.add(entity.name)
                continue
            words = run.split()
            if self.elision and len(words) > 1:
                if start > 0 and text[start - 1] in "'’":
                    words = words[1:]  # "l'Agriculture Sophie Garnier": the elided article's noun is no name
                while len(words) > 1 and words[0].isupper() and len(words[0]) > 1:
                    words = words[1:]  # "МИД Мария Захарова": an acronym names an organisation
            if words[-1].endswith(".") and len(words[-1]) > 2:
                words[-1] = words[-1][:-1]  # sentence-final period, not an initial
            if words[-1].endswith(("’s", "'s")) and len(words[-1]) > 2:
                words[-1] = words[-1][:-2]  # "Donald Trump’s campaign": the name, not its possessive
            lowered = [w.lower() for w in words]
            # Title words inside the capitalised run: "Russian President Vladimir Putin".
            cut = 0
            for i, word in enumerate(lowered):
                if titled(word) or word in honorifics:
                    cut = i + 1
            first = cut
            while first < len(words) and lowered[first] in not_names:
                first += 1
            if first == len(words):
                continue
            # Lowercase title words just before the run: "North Korean leader Kim Jong Un".
            before = _last_words(reversed_text, start, 60)
            # A lone capitalised word is a name only if titled or naming an earlier full name.
            if (first == len(words) - 1 and not cut and self.titles.isdisjoint(before)
                    and not self._names_surname(surnames, words[first])):
                continue
            entities.append(Entity(start + run.find(words[first]), " ".join(words[first:]),
                                   frozenset(lowered[:cut] + before)))
            surnames.add(words[-1])
        return entities

    def _lone_word(self, word: str, start: int, reversed_text: str, surnames: set[str]) -> Entity | None:
        """The loop of _find_entities for a run of one word (most of them), without its lists."""
        if word.endswith(".") and len(word) > 2:
            word = word[:-1]
        if word.endswith(("’s", "'s")) and len(word) > 2:
            word = word[:-2]
        lowered = word.lower()
        if self.titled(lowered) or lowered in self.honorifics or lowered in self.not_names:
            return None  # a title or honorific alone, or no name
        before = _last_words(reversed_text, start, 60)
        if self.titles.isdisjoint(before) and not self._names_surname(surnames, word):
            return None
        return Entity(start, word, frozenset(before))

    def _names_surname(self, surnames: set[str], word: str) -> bool:
        """Whether `word` is (in an inflected language: shares the stem of) a surname in `surnames`."""
        return word in surnames or (self.inflected and any(self._same(s, word) for s in surnames))

    def named_between(self, start: int, end: int) -> bool:
        """Whether a name is mentioned in text[start:end]."""
        return bisect_left(self.positions, end) > bisect_left(self.positions, start)

    def _before(self, pos: int) -> list[Entity]:
        return self.entities[:bisect_left(self.positions, pos)]

    def full_name(self, name: str, pos: int) -> str:
        """The longest earlier (else any) name that ends with this name's surname."""
        words = [w for w in name.split() if w.lower().rstrip(".") + "." not in self.honorifics
                 and w.lower() not in self.honorifics]
        if not words:
            return name
        if words[-1].endswith(("’s", "'s")) and len(words[-1]) > 2:
            words[-1] = words[-1][:-2]  # "Scott's lawyer"
        best = " ".join(words)
        if self.inflected:
            return self._inflected_full_name(words, pos)
        # A fuller name ending with all the mention's words: "Clarke" or "J. Blige", never
        # "Ivana Trump" -> "Donald Trump".
        lowered = [w.lower() for w in words]
        for entity in reversed(self._before(pos + 1)):
            if len(entity.name) > len(best) and self._extends(entity.name, lowered):
                best = entity.name
        if best == " ".join(words):
            for entity in self.entities:
                if len(entity.name) > len(best) and self._extends(entity.name, lowered):
                    best = entity.name
        return best

    @staticmethod
    def _extends(name: str, lowered: list[str]) -> bool:
        """Whether the name ends with these (lowercased) words."""
        return [w.lower() for w in name.split()[-len(lowered):]] == lowered

    def _same(self, a: str, b: str) -> bool:
        return same_surname(a, b, self.inflected)

    def _inflected_full_name(self, words: list[str], pos: int) -> str:
        """The name with most words whose surname shares this one's stem, earlier mentions first
        (the first mention is usually in the nominative: "Игорь Волков" for "Волкова")."""
        for group in (self._before(pos), self.entities):
            fitting = [e for e in group if self._same(e.name.split()[-1], words[-1])
                       and len(e.name.split()) >= len(words)]
            if fitting:
                return max(fitting, key=lambda e: len(e.name.split())).name
        return " ".join(words)

    def by_title(self, mention: str, pos: int) -> str | None:
        """"the Russian president" -> the nearest earlier name titled so, all modifiers preferred."""
        words = [w.lower() for w in _words(mention) if w.lower() not in self.articles]
        if not words or not self.titled(words[-1]):
            return None
        head, modifiers = words[-1], set(words[:-1])
        fitting = [e for e in self._before(pos) if head in e.title or any(
            self.titled(t) and t.endswith(head) for t in e.title)]
        if not fitting:
            return None
        full = [e for e in fitting if modifiers <= e.title]
        return self.full_name((full or fitting)[-1].name, pos)

    def resolve(self, mention: str | None, pos: int, previous: str | None) -> str | None:
        """The speaker's name for a mention at `pos`; `previous` is the last resolved speaker."""
        if not mention:
            return previous
        lowered = mention.lower()
        if lowered in self.pronouns:
            if previous:
                return previous
            before = self._before(pos)
            return self.full_name(before[-1].name, pos) if before else mention
        if lowered.split()[-1] in self.anonymous:
            return mention
        titled = self.by_title(mention, pos)
        if titled:
            return titled
        if mention[:1].isupper():
            return self.full_name(mention, pos)
        return mention

"""Russian person names by morphology (pymorphy3's OpenCorpora dictionary, no model).

TASS names a speaker in whatever case the sentence needs ("по словам Натальи Орловой", "встреча с
Хаканом Фиданом"); the quotes table wants the name ("Наталья Орлова"). And a capitalised word
before a name is often an organisation in the genitive ("Председатель Госдумы Вячеслав
Володин"), which is no part of the name.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

PERSON_TAGS = ("Name", "Surn", "Patr")
CYRILLIC_RE = re.compile(r"^[А-ЯЁа-яё][А-ЯЁа-яё\-]*$")
# The shape of a Russian surname in any case ('Чуланов' is also a plural of 'чулан').
SURNAME_RE = re.compile(r"^[А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын|ск|цк)(?:а|у|ым|ом|ой|ою|е|ий|ая|ого|ому|ой|ую)?$")
PLACE_TAGS = ("Geox", "Orgn")


@lru_cache(maxsize=1)
def _analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=4096)
def _parses(word: str) -> tuple:
    return tuple(_analyzer().parse(word))


def release_caches() -> None:
    """Drop pymorphy3's dictionaries (~17 MB per process) and the parses; loaded again on next use."""
    _parses.cache_clear()
    _analyzer.cache_clear()


def _person(parse) -> bool:
    return any(tag in parse.tag for tag in PERSON_TAGS)


def is_person_word(word: str) -> bool:
    """Whether a capitalised word can be part of a person's name: a first name, surname or
    patronymic, or a word the dictionary does not know (a foreign name); not an organisation,
    place or common noun ("Госдумы", "Кремля", "Москвы")."""
    bare = word.strip(".,;:")
    if not CYRILLIC_RE.match(bare):
        return True
    parses = _parses(bare)
    if any(_person(p) or (p.tag.POS == "NOUN" and "anim" in p.tag) for p in parses):
        return True  # a first name, surname, patronymic, or a person noun ("Хаканом")
    if any(tag in p.tag for p in parses for tag in PLACE_TAGS):
        return False  # "Пекин", "Госдумы"
    return bool(SURNAME_RE.match(bare)) or not _analyzer().word_is_known(bare.lower())


def strip_organisations(words: list[str]) -> list[str]:
    """Drop the words before a name that name no person: ["Госдумы", "Вячеслав", "Володин"]."""
    i = 0
    while i < len(words) - 1 and not is_person_word(words[i]):
        i += 1
    return words[i:]


def _gender(parses: list[tuple]) -> str | None:
    for options in parses:  # a first name says it best, then any person word
        for parse in options:
            if "Name" in parse.tag and parse.tag.gender in ("masc", "femn"):
                return parse.tag.gender
    for options in parses:
        for parse in options:
            if _person(parse) and parse.tag.gender in ("masc", "femn"):
                return parse.tag.gender
    return None


def _restore(word: str, original: str) -> str:
    if "ё" not in original.lower():
        word = word.replace("ё", "е")
    return word[:1].upper() + word[1:]


def nominative(name: str) -> str:
    """"Натальи Орловой" -> "Наталья Орлова", "Хаканом Фиданом" -> "Хакан Фидан"; a word already
    in the nominative, or not a person's, stays as it is."""
    words = name.split()
    if not words or not all(CYRILLIC_RE.match(w) and w[:1].isupper() for w in words):
        return name
    parses = [[p for p in _parses(w) if p.tag.POS == "NOUN" and "anim" in p.tag] for w in words]
    gender = _gender(parses)
    out = []
    for word, options in zip(words, parses, strict=True):
        fitting = [p for p in options if p.tag.number != "plur" and (
            gender is None or "ms-f" in p.tag or p.tag.gender in (gender, None))]
        if not fitting or any(p.tag.case == "nomn" for p in fitting):
            out.append(word)
            continue
        best = max(fitting, key=lambda p: (_person(p), p.score))
        target = {"nomn", "sing"} | ({gender} if gender and "Surn" in best.tag else set())
        inflected = best.inflect(target) or best.inflect({"nomn"})
        out.append(_restore(inflected.word, word) if inflected else word)
    return " ".join(out)

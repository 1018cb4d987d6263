"""Words read from a regex (transforms/clean/spellings.py): a text without them is not searched,
so every text the regex matches must hold them."""

from __future__ import annotations

import re

import pytest

from transforms.clean import furniture
from transforms.clean.families import Families
from transforms.clean.profiles import ProfileSet
from transforms.clean.spellings import Sieve, lowered_sure, needed_word
from transforms.common.config import read_yaml


@pytest.mark.parametrize(("source", "flags", "word"), [
    (r"\s*Original-Content von: .{0,200}$", re.I, "original"),
    (r"\(UrduPoint News\s*/", re.M, "UrduPoint"),
    (r"^(?:[A-Z][^\n]{0,60})?, \w+ \d{1,2}\. /TASS/\.", re.M, "TASS"),
    (r"\bKaynak: DHA\b", 0, "Kaynak"),
    (r"(?:this|the) (?:story|report) (?P<x>was) auto-?generated", re.I, "was"),
    (r"a(?=bcd)bc", 0, "abc"),  # a look-ahead spells nothing
    (r"(?:cat|dog)s?", 0, None),
    (r"x{2,}yyy", 0, "yyy"),
    (r"(?i:abc)", 0, None),  # scoped flags: not read
    (r"abc(?#note)def", re.X, None),  # verbose: not read
    (r"(?x)abc def", 0, None),
])
def test_needed_word(source, flags, word):
    assert needed_word(re.compile(source, flags)) == word


def config_regexes() -> list[re.Pattern]:
    profiles = ProfileSet.from_file("configs/sources.yaml")
    families = Families.from_file("configs/furniture.yaml")
    found = [s.pattern for s in furniture._TAILS] + [p for _, p in furniture._FURNITURE]
    found += [f.pattern for f in families.families if f.pattern is not None]
    found += [c for f in families.families for c in f.cues or []]
    for profile in profiles.profiles:
        found += profile.signatures + profile.junk_lines + profile.junk_tails + profile.credits
    return found


def config_texts() -> list[str]:
    texts = []
    for outlet in read_yaml("configs/sources.yaml")["outlets"]:
        text = (outlet.get("example") or {}).get("text") or ""
        texts += [text, *text.split("\n"), *(outlet.get("example") or {}).get("text_lacks", [])]
    for family in read_yaml("configs/furniture.yaml")["families"]:
        texts += [str(e) for e in family.get("examples", []) + family.get("counter_examples", [])]
    texts += [t.upper() for t in texts] + [t.replace("s", "\u017f").replace("i", "\u0131") for t in texts]
    return texts


def test_no_text_a_config_regex_matches_is_ruled_out():
    texts = config_texts()
    matched = 0
    for pattern in config_regexes():
        sieve = Sieve(pattern)
        for text in texts:
            if pattern.search(text):
                matched += 1
                assert not sieve.rules_out(text), (pattern.pattern, text)
                assert not sieve.rules_out(text, lowered_sure(text))
    assert matched > 100


def test_sieve_rules_out_only_texts_without_the_word():
    sieve = Sieve(re.compile(r"\s*The views expressed are not those of Example\.?$", re.I))
    assert sieve.word == "expressed"
    assert sieve.rules_out("A story about views.")
    assert not sieve.rules_out("THE VIEWS EXPRESSED ARE NOT THOSE OF EXAMPLE")
    assert not sieve.rules_out("The views expreſſed are not those of Example")  # unsure: searched
    assert not sieve.rules_out("x", None)

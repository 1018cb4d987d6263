"""The one name key and the one mojibake test that several stages share."""

from __future__ import annotations

import pytest

from transforms.clean.encoding import repair_encoding
from transforms.common.mojibake import looks_mojibaked
from transforms.common.names import name_key
from transforms.dedup.minhash import tokens


@pytest.mark.parametrize("name", ["AP", "A.P.", "a p", "A-P", "ap"])
def test_spellings_of_one_name_share_a_key(name):
    assert name_key(name) == "ap"


def test_no_name_has_an_empty_key():
    assert name_key(None) == name_key("") == ""


@pytest.mark.parametrize("text", ["donâ€™t", "cafÃ©", "Ã‰cole", "â€œquotedâ€\x9d"])
def test_mojibake_is_spotted(text):
    assert looks_mojibaked(text)


@pytest.mark.parametrize("text", ["café", "Århus", "Straße", "naïve “quoted” — fine", "Łódź"])
def test_clean_text_is_left_alone(text):
    assert not looks_mojibaked(text)
    assert repair_encoding(text) == text


def test_cleaning_and_fingerprints_repair_the_same_text():
    assert repair_encoding("donâ€™t stop") == "don’t stop"
    assert tokens("donâ€™t stop") == tokens("don’t stop")

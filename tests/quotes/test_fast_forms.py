"""The faster forms in transforms.quotes.speakers give what the plain ones gave."""

import re

from transforms.quotes.speakers import LOWER, UPPER, _last_words, _words, name_pattern

TEXTS = [
    "Russian President Vladimir Putin said on Monday that l'Agriculture Sophie Garnier and the "
    "Kremlin's spokesman Dmitry Peskov (R-Md.) met McDonald O'Neil-Smith, J. R. Tolkien and van Dyke.",
    "Bundesinnenministerin Nancy Faeser sagte der Deutschen Presse-Agentur: „Wir handeln.“ "
    "Ministerpräsidentin Manuela Schwesig (SPD) und МИД Мария Захарова, Grande-Marlaska.",
    "", "A", "x Yz", "ÉLYSÉE—Macron;  «Élisabeth Borne»\n\nIl a dit: ‘no’ -- O’Brien's Q.E.D.",
]


def test_last_words_are_the_last_four_words_before_a_position():
    for text in TEXTS:
        reversed_text = text[::-1]
        for pos in range(len(text) + 1):
            expected = [w.lower() for w in _words(text[max(0, pos - 60):pos])[-4:]]
            assert _last_words(reversed_text, pos, 60) == expected


def test_name_pattern_matches_like_the_word_boundary_form():
    for any_script, word in ((False, r"(?:[A-Z][a-z’'\-]*[a-z]|[A-Z]\.|[A-Z][A-Z]+)"),
                             (True, rf"(?:[{UPPER}][{LOWER}’'\-]*[{LOWER}](?:-[{UPPER}][{LOWER}]+)*"
                                    rf"|[{UPPER}]\.|[{UPPER}][{UPPER}]+)")):
        small = "|van|de"
        plain = re.compile(rf"\b{word}(?:[ \t]+(?:{word}{small}))*\b\.?")
        fast = name_pattern(("van", "de"), any_script)
        for text in TEXTS:
            assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
            for pos in range(len(text)):
                slow_match, fast_match = plain.match(text, pos), fast.match(text, pos)
                assert (fast_match and fast_match.span()) == (slow_match and slow_match.span())


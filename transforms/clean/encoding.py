"""Encoding repair: undo mojibake and patch U+FFFD before any other cleaning rule runs.

Rules further down match curly quotes, dashes and names; a `â€™` or a `\ufffd` in their way
would make them miss, so this runs first.
"""

from __future__ import annotations

import re

import ftfy

from transforms.common.mojibake import looks_mojibaked

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # texts are already unescaped; "&amp;" in a story is the story's
    fix_line_breaks=False,  # whitespace is normalised later, paragraph-aware
    normalization=None,  # keep the characters as given (NFC would be harmless, NFKC is not)
    explain=False,
    uncurl_quotes=False,  # keep the typographic quotes the story used
)

REPLACEMENT = "\ufffd"
# A replacement character stands for what the source lost; guess it from its neighbours so
# that quotes and dashes stay readable (the exact character cannot be recovered).
_FFFD_RULES = [
    (re.compile(r"(?<=\s)\ufffd(?=\s)"), "—"),  # " � " was a dash
    (re.compile(r"(?<=\w)\ufffd(?=\w)"), "’"),  # "Trump�s" was an apostrophe
    (re.compile(r"(?:(?<=^)|(?<=[\s(\[]))\ufffd(?=\w)", re.M), "“"),  # opening quote
    (re.compile(r"(?<=[\w.,!?;:])\ufffd"), "”"),  # closing quote after a word or punctuation
]


def repair_encoding(text: str) -> str:
    """Text with mojibake repaired and U+FFFD replaced by a plausible mark (or removed)."""
    if looks_mojibaked(text):  # ftfy is only worth its cost where mojibake is likely
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    if REPLACEMENT in text:
        for pattern, replacement in _FFFD_RULES:
            text = pattern.sub(replacement, text)
        text = text.replace(REPLACEMENT, "")
    return text

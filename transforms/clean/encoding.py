"""Encoding repair: undo mojibake and patch U+FFFD before any other cleaning rule runs.

Rules further down match curly quotes, dashes and names; a `â€™` or a `\ufffd` in their way
would make them miss, so this runs first.
"""

from __future__ import annotations

import re

import ftfy

# ftfy is only worth its cost when the text shows signs of mojibake (UTF-8 read as cp1252 or
# latin-1 leaves these lead bytes followed by a continuation-looking character).
_MOJIBAKE_HINT = re.compile(
    "[ÂÃâÅÐÑØÙÚÛÜÝÞßàáä][\u0080-\u00bf\u0152-\u0178\u02c6-\u02dc\u2013-\u203a\u20ac\u2122]"
)
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
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    if REPLACEMENT in text:
        for pattern, replacement in _FFFD_RULES:
            text = pattern.sub(replacement, text)
        text = text.replace(REPLACEMENT, "")
    return text

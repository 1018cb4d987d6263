"""A word list as one regex alternation, factored into a trie so that the engine tries only the
phrases that share the text's next characters instead of every phrase at every word start.

`alternation(phrases, flags)` matches what the plain alternation
`"|".join(re.escape(p).replace(r"\\ ", r"\\s+") for p in phrases)` matches, and prefers the same
phrase, as long as a phrase comes before every phrase that is a prefix of it (the lists are sorted
longest first): of the phrases that fit at a position, both try the longest first, then the
shorter ones in turn. Where that cannot be guaranteed (a phrase after one of its own prefixes,
whitespace other than single spaces, two branch characters that the flags let match the same
character), it returns the plain alternation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SPACE = r"\s+"  # a space in a phrase stands for any run of whitespace


def plain(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p).replace(r"\ ", SPACE) for p in phrases)


def alternation(phrases: Iterable[str], flags: int = 0) -> str:
    """The phrases' alternation (no group around it), as a trie when that matches the same."""
    phrases = list(phrases)
    if not phrases or not _safe(phrases):
        return plain(phrases)
    tokenised = [tuple(SPACE if ch == " " else re.escape(ch) for ch in p) for p in phrases]
    try:
        return _trie(tokenised, flags)
    except _Overlap:
        return plain(phrases)


class _Overlap(Exception):
    """Two branches of one trie node could match the same character."""


def _safe(phrases: list[str]) -> bool:
    """Single spaces only, and every phrase before the phrases that are prefixes of it."""
    if any(p != " ".join(p.split()) or not p for p in phrases):
        return False
    first = {}
    for index, phrase in enumerate(phrases):
        first.setdefault(phrase, index)
    ordered = sorted(first)
    for k, phrase in enumerate(ordered):
        # the phrases that extend this one follow it in sorted order
        for longer in ordered[k + 1:]:
            if not longer.startswith(phrase):
                break
            if first[longer] > first[phrase]:
                return False
    return True


def _trie(phrases: list[tuple[str, ...]], flags: int) -> str:
    """Alternation of token sequences: branches on the first token (in first-seen order), the
    empty sequence (a phrase ending here) last."""
    branches: dict[str, list[tuple[str, ...]]] = {}
    ends = False
    for tokens in phrases:
        if tokens:
            branches.setdefault(tokens[0], []).append(tokens[1:])
        else:
            ends = True
    keys = list(branches)
    for i, key in enumerate(keys):
        for other in keys[i + 1:]:
            if _overlap(key, other, flags):
                raise _Overlap
    parts = []
    for key, rests in branches.items():
        parts.append(key + _group(_trie(rests, flags)) if any(rests) else key)
    if ends:
        parts.append("")
    return "|".join(parts)


def _group(source: str) -> str:
    return f"(?:{source})" if source else ""


def _overlap(a: str, b: str, flags: int) -> bool:
    """Whether the one-character tokens a and b (escaped, or SPACE) can match the same character."""
    if SPACE in (a, b):
        return a == b or re.fullmatch(SPACE, _char(a if b == SPACE else b)) is not None
    return (re.fullmatch(a, _char(b), flags) is not None or re.fullmatch(b, _char(a), flags) is not None)


def _char(token: str) -> str:
    """The character an escaped token stands for."""
    return token[1:] if token.startswith("\\") and len(token) == 2 else token

"""Furniture found by the other copies of a story: short lines at the head or tail of one copy
that no other copy of its cluster has are that outlet's furniture ("Published by Example Daily |
3 min read", a sign-off, a promo the families do not know).

The reference is the cluster's canonical copy (the agency's own text) and the longest copy: their
lines are never removed (a copy trimmed by its outlet must not make the original's last
paragraphs look like furniture). A line is removed only where it borders story text that another
copy also holds, so both copies reach the same point of the story and this one adds the line.
"""

from __future__ import annotations

import re
import unicodedata

ZONE = 2  # paragraphs at the head and at the tail looked at
MAX_WORDS = 25  # longer lines are story text
_NOT_WORD = re.compile(r"[\W_]+", re.U)


def _norm(text: str) -> str:
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _unique(paragraph: str, others: list[str]) -> bool:
    key = _norm(paragraph)
    return bool(key) and len(paragraph.split()) <= MAX_WORDS and not any(key in other for other in others)


def _shared(paragraph: str, others: list[str]) -> bool:
    key = _norm(paragraph)
    return len(key) > 20 and any(key in other for other in others)


def _drops(paragraphs: list[str], others: list[str]) -> set[int]:
    drops: set[int] = set()
    count = len(paragraphs)
    head = 0
    while head < min(ZONE, count - 1) and _unique(paragraphs[head], others):
        head += 1
    if head and head < count and _shared(paragraphs[head], others):
        drops.update(range(head))
    tail = count
    while tail > max(count - ZONE, head + 1) and _unique(paragraphs[tail - 1], others):
        tail -= 1
    if tail < count and tail > 0 and _shared(paragraphs[tail - 1], others):
        drops.update(range(tail, count))
    return drops


def copy_furniture(members: list[tuple[str, str, bool]]) -> dict[str, set[int]]:
    """members: (article_id, text, is_canonical) of one cluster -> {article_id: indices of the
    paragraphs (split on blank lines) that are that copy's own furniture}."""
    if len(members) < 2:
        return {}
    longest = max(members, key=lambda m: (len(m[1].split()), m[0]))[0]
    normalised = {article_id: _norm(text) for article_id, text, _ in members}
    out = {}
    for article_id, text, canonical in sorted(members):
        if canonical or article_id == longest:
            continue
        others = [normalised[other] for other, _, _ in members if other != article_id]
        drops = _drops(text.split("\n\n"), others)
        if drops:
            out[article_id] = drops
    return out


def drop_paragraphs(text: str, drops: set[int]) -> tuple[str, list[tuple[int, int]]]:
    """The text without the given paragraphs, and the removed spans of the old text."""
    paragraphs = text.split("\n\n")
    if not drops or len(drops) >= len(paragraphs):
        return text, []
    spans, kept, position = [], [], 0
    for i, paragraph in enumerate(paragraphs):
        end = position + len(paragraph) + (2 if i + 1 < len(paragraphs) else 0)
        if i in drops:
            spans.append((position, end))
        else:
            kept.append(paragraph)
        position = end
    return "\n\n".join(kept), spans

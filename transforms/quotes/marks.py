"""Quotation marks paired into quote candidates, paragraph by paragraph (no words involved).

A stack for double marks (nested marks stay inside; single marks count only outside double
ones), carrying an unclosed quote into the next paragraph when that one opens with a mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Paragraphs for quote scanning: any line break (a quote does not run over a <br> line unless
# the next line reopens it, like a paragraph).
PARAGRAPH_RE = re.compile(r"[ \t\xa0]*\n\s*")
NON_SPACE_RE = re.compile(r"\S")  # what str.strip() keeps (the same whitespace)
DOUBLE_MARKS_RE = re.compile(r"[\"“”„«»]")
# Two straight apostrophes stand for a double mark in some archive conversions (''like this''):
# only with `doubled_apostrophes: true`, as modern news text hardly ever uses them.
DOUBLE_MARKS_WITH_APOSTROPHES_RE = re.compile(r"''|[\"“”„«»]")
SINGLE_MARKS_RE = re.compile(r"['‘’‚‹›]")
DOUBLE_CLOSERS = {"“": "„", "”": "“„\"”", '"': '"“', "»": "«"}


@dataclass
class Candidate:
    """A quote being built: its text pieces (offsets of the words inside the marks)."""

    pieces: list[tuple[int, int]]
    open_pos: int  # the first opening mark
    close_pos: int  # the last closing mark (or the end of the last piece when unclosed)
    para: int  # paragraph index of the first piece
    last_para: int
    para_start: bool  # opens its paragraph
    closed: bool = True
    mention: str | None = None
    cue: str | None = None
    mention_pos: int = -1
    adjacent: bool = False  # attributed by the words right after it ("...," he said)
    cue_gap: list[str] | None = None  # lowercased words between a cue before it and its mark
    cue_end: int = -1  # the end of that cue
    verbatim: bool = False  # fragments of one sentence: the row is the span from first to last
    antecedent: str | None = None  # the named subject a pronoun mention stands for



def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph (separated by blank lines)."""
    spans, start = [], 0
    for match in PARAGRAPH_RE.finditer(text):
        if NON_SPACE_RE.search(text, start, match.start()):
            spans.append((start, match.start()))
        start = match.end()
    if NON_SPACE_RE.search(text, start):
        spans.append((start, len(text.rstrip())))
    return spans


def _is_opener(text: str, i: int, start: int, end: int, size: int = 1) -> bool:
    """A mark that can open: at a word start (after space, bracket, dash or another mark)."""
    before = text[i - 1] if i > start else " "
    after = text[i + size] if i + size < end else " "
    return not before.isalnum() and not after.isspace() and before not in ".,;:!?"


def _is_closer(text: str, i: int, start: int, end: int, size: int = 1) -> bool:
    """A mark that can close: after a word or punctuation, not followed by a letter."""
    before = text[i - 1] if i > start else " "
    after = text[i + size] if i + size < end else " "
    return not before.isspace() and i > start and not after.isalnum()


def double_spans(text: str, start: int, end: int, marks_re: re.Pattern[str] = DOUBLE_MARKS_RE,
                 ) -> tuple[list[tuple[int, int]], int | None]:
    """Top-level (open, close) pairs of double marks in text[start:end] (positions of the marks'
    first characters), and the position of an opening mark left unclosed (None if all closed)."""
    stack: list[tuple[str, int]] = []
    pairs = []
    for match in marks_re.finditer(text, start, end):
        mark, i = match.group(0), match.start()
        opener = _is_opener(text, i, start, end, len(mark))
        closer = _is_closer(text, i, start, end, len(mark))
        mark = '"' if mark == "''" else mark
        closes = DOUBLE_CLOSERS.get(mark, "")
        depth = None
        if stack:
            depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] in closes), None)
        typo = mark == "“" and stack and stack[-1][0] == "“" and closer and not opener  # “Mostly False.“
        if typo:
            depth = len(stack) - 1
        german_only = mark == "“" and depth is not None and stack[depth][0] == "“" and not typo
        if depth is not None and (closer or not opener) and not german_only:
            # "“" closes only a German „; a straight mark closes the nearest straight opener.
            open_pos = stack[depth][1]
            del stack[depth:]
            if not stack:
                pairs.append((open_pos, i))
        elif mark in "“„«\"" and (opener or mark != '"'):
            stack.append((mark, i))
        elif mark == "”" and not stack and opener:
            stack.append((mark, i))  # a closing mark misused as an opener
        elif mark == "“" and depth is not None:
            open_pos = stack[depth][1]
            del stack[depth:]
            if not stack:
                pairs.append((open_pos, i))
    unclosed = stack[0][1] if stack else None
    if unclosed is not None and text[unclosed] == '"' and re.search("[“”„«»]", text[unclosed:end]):
        # A stray straight mark (a conversion artefact) that typographic quotes follow: skip it.
        inner, unclosed = double_spans(text, unclosed + 1, end, marks_re)
        pairs += inner
    return pairs, unclosed


def single_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) pairs of single marks used as primary quotation marks in text[start:end]."""
    pairs, open_at = [], None
    for match in SINGLE_MARKS_RE.finditer(text, start, end):
        mark, i = match.group(0), match.start()
        after = text[i + 1] if i + 1 < end else " "
        if text.startswith("''", i) or text.startswith("''", i - 1):
            continue  # a doubled apostrophe is a double mark
        if open_at is None:
            if mark in "‘'‚‹" and _is_opener(text, i, start, end) and not after.isdigit():
                open_at = i
        elif mark in "’'›‘" and _is_closer(text, i, start, end):
            pairs.append((open_at, i))
            open_at = None
    return pairs


def mark_len(text: str, i: int) -> int:
    """Length of the quotation mark at i: 2 for a doubled apostrophe, else 1."""
    return 2 if text.startswith("''", i) else 1


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _same_family(first: str, second: str) -> bool:
    """Straight and typographic marks do not mix in one quote: a paragraph reopened with “
    after one opened with a stray straight mark starts a quote of its own."""
    return (first in "\"'") == (second in "\"'")


def find_candidates(text: str, doubled_apostrophes: bool = False) -> list[Candidate]:
    """Quote spans of the whole text, with paragraph-spanning quotes joined."""
    marks_re = DOUBLE_MARKS_WITH_APOSTROPHES_RE if doubled_apostrophes else DOUBLE_MARKS_RE
    candidates: list[Candidate] = []
    pending: Candidate | None = None
    for index, (p_start, p_end) in enumerate(paragraphs(text)):
        body = text[p_start:p_end].strip() if pending is not None else ""
        if body and not any(c.isalnum() for c in body):
            pending.close_pos = p_start  # a stray closing mark alone in its paragraph
            candidates.append(pending)
            pending = None
            continue
        pairs, unclosed = double_spans(text, p_start, p_end, marks_re)
        spans = [(o, c, True) for o, c in pairs]
        if unclosed is not None:
            spans.append((unclosed, p_end, False))
        # Single marks as primary marks only outside double-quoted spans, and not in a paragraph
        # quoting with doubled apostrophes (there they are nested quotes or apostrophes).
        cursor = p_start
        singles = []
        if text.find("''", p_start, p_end) < 0:
            for o, c, _ in sorted(spans):
                singles += single_spans(text, cursor, o)
                cursor = c + mark_len(text, c)
            singles += single_spans(text, cursor, p_end) if unclosed is None else []
        spans += [(o, c, True) for o, c in singles]
        spans.sort()
        for o, c, closed in spans:
            piece = trim(text, o + mark_len(text, o), c)
            opens_para = o == p_start
            if pending is not None and opens_para and _same_family(text[pending.open_pos], text[o]):
                pending.pieces.append(piece)
                pending.last_para = index
                pending.close_pos = c
                if closed:
                    pending.closed = True
                    candidates.append(pending)
                    pending = None
                continue
            if pending is not None:
                candidates.append(pending)
                pending = None
            candidate = Candidate([piece], o, c, index, index, opens_para, closed)
            if closed:
                candidates.append(candidate)
            else:
                pending = candidate
        if pending is not None and pending.last_para != index:
            candidates.append(pending)  # unclosed, and this paragraph does not continue it
            pending = None
    if pending is not None:
        candidates.append(pending)
    candidates.sort(key=lambda c: c.open_pos)
    return candidates


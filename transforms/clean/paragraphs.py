"""Whitespace normalisation: any input layout in, a list of clean paragraphs out.

Handles CRLF, indentation, trailing spaces, no-break and zero-width spaces, extra blank lines,
texts whose paragraphs are separated by single newlines, and texts hard-wrapped at a fixed
width (lines joined back into paragraphs).
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f\u2000-\u200a\u3000\f\v]+")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2007\u202f\u2000-\u200a\u3000\f\v]")  # _SPACES but " "
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BLANK_LINES = re.compile(r"\n\s*\n")
# Hard-wrapped text: the longest line is at most this wide (wire services wrap at 64-80).
MAX_WRAP_WIDTH = 100
# Only a paragraph made of closing marks: a quote whose closing mark slipped to its own line.
_STRAY_CLOSER = re.compile("^[\"”’»›'\u201f]+$")


def normalise_line(line: str) -> str:
    if "  " in line or _ODD_SPACE.search(line):  # else every run of spaces is one " " already
        line = _SPACES.sub(" ", line)
    return line.strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of `text`, each on one line, whitespace collapsed, empty ones dropped."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [normalise_line(line) for line in text.split("\n")]
    blocks = _BLANK_LINES.split("\n".join(lines))
    width = max((len(line) for line in lines), default=0)
    wrapped = width <= MAX_WRAP_WIDTH and _looks_wrapped(lines, width)
    paragraphs: list[str] = []
    for block in blocks:
        block_lines = [line for line in block.split("\n") if line]
        paragraphs.extend(_join_wrapped(block_lines, width) if wrapped else block_lines)
    return merge_stray_closers(paragraphs)


def _looks_wrapped(lines: list[str], width: int) -> bool:
    """True when many lines end close to a common width (a fixed-width hard wrap)."""
    full = [line for line in lines if line]
    near_width = sum(1 for line in full if len(line) >= width - 15)
    return width >= 40 and len(full) >= 4 and near_width >= len(full) / 3


def _join_wrapped(lines: list[str], width: int) -> list[str]:
    """Re-join a block's wrapped lines; a line that had room for the next word ends a paragraph."""
    paragraphs: list[list[str]] = []
    for line in lines:
        if paragraphs:
            previous = paragraphs[-1][-1]
            next_word = line.split(" ", 1)[0]
            if len(previous) + 1 + len(next_word) > width:
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return [" ".join(group) for group in paragraphs]


def merge_stray_closers(paragraphs: list[str]) -> list[str]:
    """A paragraph of only a closing quote mark is glued back onto the paragraph before it."""
    merged: list[str] = []
    for paragraph in paragraphs:
        if merged and _STRAY_CLOSER.match(paragraph):
            merged[-1] += paragraph
        elif not _STRAY_CLOSER.match(paragraph):
            merged.append(paragraph)
    return merged


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)

"""What a regex's matches must hold, read from the regex: words to look for before running it.

Most paragraphs hold no cue of a banner, no agency's footer and no outlet's signature, and a
regex search costs tens of nanoseconds a character where a substring test or a set lookup costs
one. The regexes come from configs (furniture.yaml, sources.yaml), so the words are read from
their source: `_spellings` lists the strings a regex matches, with markers for what it does not
spell out, and gives up (ValueError) on what it does not read.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
# Letters that Python's re, ignoring case, takes for one another beyond their lower case (its
# re._casefix table: "ı" matches "i", "ſ" matches "s", ...). The first of each group stands for
# it; a lowered text that holds another one (or the combining dot "İ".lower() leaves) is searched
# with the regexes alone, and a word that holds one is not looked for.
_CASE_GROUPS = [
    "i\u0131", "s\u017f", "\u03bc\u00b5", "\u03b9\u0345\u1fbe", "\u0390\u1fd3", "\u03b0\u1fe3",
    "\u03b2\u03d0", "\u03b5\u03f5", "\u03b8\u03d1", "\u03ba\u03f0", "\u03c0\u03d6", "\u03c1\u03f1",
    "\u03c3\u03c2", "\u03c6\u03d5", "\u0432\u1c80", "\u0434\u1c81", "\u043e\u1c82", "\u0441\u1c83",
    "\u0442\u1c84\u1c85", "\u044a\u1c86", "\u0463\u1c87", "\ua64b\u1c88", "\u1e61\u1e9b", "\ufb05\ufb06",
]
_UNSURE = "".join(group[1:] for group in _CASE_GROUPS) + "\u0307"
_UNSURE_CHAR = re.compile(f"[{re.escape(_UNSURE)}]")
# Markers in spellings: one non-word character that matches only itself (\s, punctuation); \b;
# any characters (., \w, classes too large or negated, repeats)
_STOP, _BOUND, _GAP = "\x00", "\x01", "\x02"
MAX_SPELLINGS = 4096
MAX_CLASS = 16  # a larger character class is a gap
# A word of a spelling that is a whole word of the matched text: letters between delimiters
_DELIMITED = re.compile(f"(?<=[{_STOP}{_BOUND}])\\w+(?=[{_STOP}{_BOUND}])")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d*)(?:,(\d*))?\}")
_ESCAPED_STOPS = {"s", "W", "t", "n", "r", "f", "v"}
_ESCAPED_GAPS = {"d", "D", "w", "S", "x", "u", "U", "N", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
_ZERO_WIDTH = {"A", "Z", "B"}


def lowered_sure(text: str) -> str | None:
    """The text lowered, for words read from a case-blind regex; None when it holds a letter
    that case-blind matching takes for another (see _CASE_GROUPS): then only the regex can tell."""
    lowered = text.lower()
    return None if _UNSURE_CHAR.search(lowered) else lowered


def cue_words(text: str) -> list[str] | None:
    """The text's words, lowered, to test against cue heads (None: see lowered_sure)."""
    lowered = lowered_sure(text)
    return None if lowered is None else _WORDS.findall(lowered)


def cue_heads(cues: list[re.Pattern]) -> list[frozenset[str]] | None:
    """For each cue, words (lowered) one of which a text holds, as a whole word, wherever the cue
    matches: for each way of spelling the cue, its longest whole word. None when a cue's regex is
    beyond what _spellings reads or a spelling has no whole word (then no word test is made).

    A cue is `\\b...\\b` around letters, classes of letters, optional or alternative groups and
    \\s+: a run of its letters between \\b, a space or another non-word character matches a whole
    word of the text, lowered (unless the text holds an unsure letter, see lowered_sure)."""
    found = []
    for cue in cues:
        heads = set()
        spellings = _readable_spellings(cue)
        if spellings is None:
            return None
        for spelling in spellings:
            words = [w for w in _DELIMITED.findall(spelling) if w]
            if not words or any(_UNSURE_CHAR.search(w.lower()) for w in words):
                return None
            heads.add(max(words, key=len).lower())
        found.append(frozenset(heads))
    return found


def needed_word(pattern: re.Pattern) -> str | None:
    """A word that every match of the pattern holds, lowered if the pattern ignores case (the
    longest of the words all its spellings have); None when there is none."""
    spellings = _readable_spellings(pattern)
    if not spellings:
        return None
    common = set.intersection(*(set(_WORDS.findall(s)) for s in spellings))
    if pattern.flags & re.I:
        common = {w.lower() for w in common if not _UNSURE_CHAR.search(w.lower())}
    return max(sorted(common), key=len) if common else None


class Sieve:
    """A regex and a word each of its matches holds: a text without the word is not searched."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.word = needed_word(pattern)
        self.ignores_case = bool(pattern.flags & re.I)

    def rules_out(self, text: str, lowered: str | bool | None = False) -> bool:
        """Whether the regex cannot match the text. `lowered`: lowered_sure(text), if the caller
        has it (False: not computed)."""
        if self.word is None:
            return False
        if not self.ignores_case:
            return self.word not in text
        if lowered is False:
            lowered = lowered_sure(text)
        return lowered is not None and self.word not in lowered


def _readable_spellings(pattern: re.Pattern) -> set[str] | None:
    if pattern.flags & (re.X | re.L):
        return None
    try:
        spellings, at = _alternatives(pattern.pattern, 0)
    except (ValueError, IndexError):
        return None
    return spellings if at == len(pattern.pattern) else None


def _alternatives(pattern: str, at: int) -> tuple[set[str], int]:
    found: set[str] = set()
    while True:
        spellings, at = _sequence(pattern, at)
        found |= spellings
        if at < len(pattern) and pattern[at] == "|":
            at += 1
            continue
        return found, at


def _sequence(pattern: str, at: int) -> tuple[set[str], int]:
    spellings = {""}
    while at < len(pattern) and pattern[at] not in "|)":
        item, at = _item(pattern, at)
        quantifier = _QUANTIFIER.match(pattern, at)
        if quantifier:
            at = quantifier.end()
            if at < len(pattern) and pattern[at] in "?+":  # lazy or possessive
                at += 1
            least = 1 if quantifier[0] == "+" else 0 if quantifier[0] in "*?" else int(quantifier[1] or 0)
            if quantifier[0] == "?":
                item = item | {""}
            elif quantifier[0] == "{1}":
                pass
            elif item == {_STOP}:  # \s+: one non-word character stands for the run
                item = {_STOP} if least else {_STOP, ""}
            else:
                item = {_GAP} if least else {_GAP, ""}
        spellings = {s + i for s in spellings for i in item}
        if len(spellings) > MAX_SPELLINGS:
            raise ValueError(pattern)
    return spellings, at


def _item(pattern: str, at: int) -> tuple[set[str], int]:
    ch = pattern[at]
    if ch == "(":
        return _group(pattern, at)
    if ch == "[":
        return _class(pattern, at)
    if ch == "\\":
        escaped = pattern[at + 1]
        if escaped == "b":
            return {_BOUND}, at + 2
        if escaped in _ZERO_WIDTH:
            return {""}, at + 2
        if escaped in _ESCAPED_STOPS:
            return {_STOP}, at + 2
        if escaped in _ESCAPED_GAPS or escaped.isalnum() or escaped == "_":
            return {_GAP}, at + 2  # a class, a back-reference or a character given by its code
        return {_char(escaped)}, at + 2
    if ch in "^$":
        return {""}, at + 1
    if ch == ".":
        return {_GAP}, at + 1
    if ch in "*+?{}]":
        raise ValueError(pattern)
    return {_char(ch)}, at + 1


def _group(pattern: str, at: int) -> tuple[set[str], int]:
    if pattern.startswith("(?#", at):
        return {""}, pattern.index(")", at) + 1
    zero_width = False
    if pattern.startswith(("(?:", "(?>"), at):
        start = at + 3
    elif pattern.startswith(("(?=", "(?!"), at):
        start, zero_width = at + 3, True
    elif pattern.startswith(("(?<=", "(?<!"), at):
        start, zero_width = at + 4, True
    elif pattern.startswith("(?P<", at):
        start = pattern.index(">", at) + 1
    elif pattern.startswith("(?P=", at):
        return {_GAP}, pattern.index(")", at) + 1
    elif pattern.startswith("(?", at):
        raise ValueError(pattern)  # flags, conditionals
    else:
        start = at + 1
    spellings, at = _alternatives(pattern, start)
    if at >= len(pattern) or pattern[at] != ")":
        raise ValueError(pattern)
    return ({""} if zero_width else spellings), at + 1


def _class(pattern: str, at: int) -> tuple[set[str], int]:
    i = at + 1
    negated = pattern[i] == "^"
    i += negated
    if pattern[i] == "]":
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    body = pattern[at + 1:i]
    if negated or "\\" in body or "[" in body:
        return {_GAP}, i + 1
    chars: set[str] = set()
    j = 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            if ord(body[j + 2]) - ord(body[j]) >= MAX_CLASS:
                return {_GAP}, i + 1
            chars.update(chr(c) for c in range(ord(body[j]), ord(body[j + 2]) + 1))
            j += 3
        else:
            chars.add(body[j])
            j += 1
    if len(chars) > MAX_CLASS:
        return {_GAP}, i + 1
    return {_char(c) for c in chars}, i + 1


def _char(ch: str) -> str:
    """A letter as itself; an uncased non-word character (it matches only itself) as _STOP;
    anything else as _GAP."""
    if _WORD_CHAR.match(ch):
        return ch
    if ch.lower() != ch.upper() or ch in _UNSURE or ch in (_STOP, _BOUND, _GAP):
        return _GAP
    return _STOP

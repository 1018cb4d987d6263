"""Furniture found by repetition: a line that recurs in unrelated stories is not story text.

As C4, Gopher and datatrove clean web text with corpus line statistics, a paragraph whose
normalised form (digits and URLs masked; for the "masked" key also capitalised names) occurs in
articles of different stories, in this run or in the history kept under <state>/lines/, is
furniture (a consent banner, a newsletter promo, a press-office header, a republisher's
attribution line). Two articles tell different stories when the distinctive words they hold
outside that line barely overlap (containment of a hashed sample of their long words), so copies
of one story, which share their lines for the right reason, never count twice.

Pure: keys, sketches, the per-key decision, the history entries (JSON-able dicts) and the
removal of lines with the quote offsets that follow. The Beam wiring is in transforms/clean/beam.py,
the state file in transforms/clean/linestore.py.
"""

from __future__ import annotations

import bisect
import itertools
import re
import sys
import unicodedata
from array import array
from dataclasses import dataclass

import xxhash

MAX_LINE_CHARS = 1500  # longer paragraphs are story text (or not lines at all)
MIN_LETTERS = 3
SAMPLE_MOD = 4  # a doc sketch keeps the long words whose hash is 0 mod this (consistent sampling)
LONG_WORD = 6  # words this long carry the story (names, places, topic words)
MAX_SKETCH = 48  # values kept per sketch in the history
MAX_REPS = 4  # story sketches kept per line in the history
SAME_STORY = 0.2  # sketch containment at or above which two articles may tell one story
MIN_SKETCH = 3  # sketches smaller than this cannot tell stories apart
EXACT_GROUPS = 2  # different stories a verbatim line must occur in to be furniture
MASKED_GROUPS = 3  # ... and a line equal only once names are masked

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.U)
_NAME = re.compile(r"(?<=\s)[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.\-]*")
_SPACED_NAME = re.compile(r" [A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.\-]*")  # _NAME in single-spaced text
_LETTER = re.compile(r"[^\W\d_]")
_LONG_WORD = re.compile(rf"[^\W\d_]{{{LONG_WORD},}}")
_LITTLE_ENDIAN = sys.byteorder == "little"


def line_keys(paragraph: str) -> list[tuple[str, bool]]:
    """(key, masked) of a paragraph: the verbatim key (digits, URLs masked) and, when it differs,
    the key with capitalised names masked too. Empty for paragraphs no line statistic judges."""
    text = unicodedata.normalize("NFKC", paragraph).strip()
    if len(text) > MAX_LINE_CHARS or not _has_letters(text):
        return []
    if "@" in text or "http" in text or "www." in text:  # a URL's " U " may open the text
        text = _DIGITS.sub("0", _URL.sub(" U ", text))
        exact = " ".join(text.casefold().split())
        masked = " ".join(_NAME.sub("N", text).casefold().split())
    else:
        # the spaces made single first (casefold neither makes nor takes whitespace, digits and
        # names never span it): one split, and a name is a capital after a plain space
        text = _DIGITS.sub("0", " ".join(text.split()))
        exact = text.casefold()
        masked = _SPACED_NAME.sub(" N", text).casefold()
    keys = [(_hash(exact), False)]
    if masked != exact:
        keys.append((_hash(masked), True))
    return keys


def _mask_urls(text: str) -> str:
    """_URL matches only where "http", "www." or "@" is: most paragraphs have none, and its
    search (\\S+ runs tried at every position) cost more than the rest of a key."""
    if "@" in text or "http" in text or "www." in text:
        return _URL.sub(" U ", text)
    return text


def _has_letters(text: str) -> bool:
    """At least MIN_LETTERS letters (stops at the MIN_LETTERS-th instead of listing them all)."""
    return len(list(itertools.islice(_LETTER.finditer(text), MIN_LETTERS))) >= MIN_LETTERS


def _hash(text: str) -> str:
    return xxhash.xxh3_64_hexdigest(text.encode("utf-8"))


def sketch(text: str) -> set[int]:
    """A consistent sample of the long words of a text (their 32-bit hashes). The words are
    found per whitespace-separated token: a token of letters only is one word (the common
    case, no regex), a shorter token holds none."""
    out = set()
    for token in set(text.casefold().split()):
        if len(token) < LONG_WORD:
            continue
        for word in (token,) if token.isalpha() else _LONG_WORD.findall(token):
            value = xxhash.xxh32_intdigest(word.encode("utf-8"))
            if value % SAMPLE_MOD == 0:
                out.add(value)
    return out


def containment(a: set[int] | list[int], b: set[int] | list[int]) -> float | None:
    return set_containment(set(a), set(b))


def set_containment(a: set[int], b: set[int]) -> float | None:
    """containment of two sets (not copied: a caller that compares one sketch many times)."""
    smaller = min(len(a), len(b))
    if smaller < MIN_SKETCH:
        return None  # too little text to tell
    return len(a & b) / smaller


def _same_story(a, b) -> bool:
    share = set_containment(a, b)
    return share is None or share >= SAME_STORY


def encode_sketch(values) -> str:
    """A sketch (at most MAX_SKETCH smallest values) as a compact string for the history:
    8 hex digits per value (a list of ints costs several times more in memory and JSON)."""
    return encode_sorted(array("I", sorted(values)[:MAX_SKETCH]))


def encode_sorted(values: array) -> str:
    """encode_sketch of values already sorted and cut to MAX_SKETCH, in one call (big-endian
    bytes as hex are the 8-digit values one after the other)."""
    if _LITTLE_ENDIAN:
        values = array("I", values)
        values.byteswap()
    return values.tobytes().hex()


def decode_sketch(text) -> list[int]:
    if isinstance(text, list):  # tolerate a hand-written list
        return [int(v) for v in text]
    if len(text) % 8 == 0:  # as encode_sorted writes it: read as bytes, not 8-digit slices
        try:
            data = bytes.fromhex(text)
        except ValueError:  # not plain hex digits (int() also reads "0x", "_", signs)
            data = b""
        if 2 * len(data) == len(text):  # no whitespace skipped
            values = array("I", data)
            if _LITTLE_ENDIAN:
                values.byteswap()
            return values.tolist()
    return [int(text[i:i + 8], 16) for i in range(0, len(text), 8)]


@dataclass
class Verdict:
    furniture: bool
    entry: dict  # the key's history entry after this run: {"groups", "reps", "masked", "docs"}


def decide(masked: bool, history: dict | None, docs: list[tuple[str, list[int]]]) -> Verdict:
    """Is the line of one key furniture, given its history entry and this run's articles
    (article_id, sketch of the article without the line)? Different stories are counted by
    greedy grouping on sketch containment; the history keeps a few stories' sketches. Used for
    masked keys and for evidence against the history; verbatim keys shared within a run are
    judged pairwise on the whole texts (shared_furniture), which is sharper."""
    written = (history or {}).get("reps", [])  # decoded only when compared
    groups = int((history or {}).get("groups", len(written)))
    if not masked and not written:  # first seen: one story until the pairwise test says otherwise
        first = sorted(docs)[0][1] if docs else []
        return Verdict(False, {"groups": 1, "reps": [encode_sketch(first)], "masked": False,
                               "docs": len(docs)})
    if not masked and groups >= EXACT_GROUPS:
        return Verdict(True, {**(history or {}), "docs": int((history or {}).get("docs", 0)) + len(docs)})
    reps = [decode_sketch(r) for r in written]
    rep_sets: list[set[int]] = []  # the reps' sets, made when first compared (often never)
    for _, doc_sketch in sorted(docs):
        if reps:
            rep_sets += [set(rep) for rep in reps[len(rep_sets):]]
            doc_set = set(doc_sketch)
            if any(_same_story(doc_set, rep) for rep in rep_sets):
                continue
        groups += 1
        if len(reps) < MAX_REPS:
            reps.append(sorted(doc_sketch)[:MAX_SKETCH])
    need = MASKED_GROUPS if masked else EXACT_GROUPS
    entry = {"groups": groups, "reps": [encode_sketch(r) for r in reps], "masked": masked,
             "docs": int((history or {}).get("docs", 0)) + len(docs)}
    # a verbatim key: sketches only judge this run's articles against the history's stories
    from_history = masked or bool(history and history.get("reps"))
    return Verdict(groups >= need and from_history, entry)


CLEARLY_SAME = 0.5  # sketch containment at which a pair is plainly one story: not judged


def worth_judging(sketch_a, sketch_b) -> bool:
    """Whether a pair sharing a key needs the pairwise test: not when their word sketches
    already show one story (copies share most lines; this keeps the test to the few pairs
    that may be unrelated stories)."""
    share = set_containment(sketch_a if isinstance(sketch_a, set) else set(sketch_a),
                            sketch_b if isinstance(sketch_b, set) else set(sketch_b))
    return share is None or share < CLEARLY_SAME


def candidate_pairs(article_ids: list[str]) -> list[tuple[str, str]]:
    """Pairs of articles sharing one key: all pairs of the first few, then a chain (linear)."""
    ids = sorted(set(article_ids))
    head = ids[:MAX_PAIRS_PER_KEY]
    pairs = [(a, b) for i, a in enumerate(head) for b in head[i + 1:]]
    return pairs + list(itertools.pairwise(ids[MAX_PAIRS_PER_KEY - 1:]))


# --- shared runs inside long paragraphs -------------------------------------------------------
# Scraped texts often come as one long paragraph with the page's furniture glued in; there the
# evidence is a run of words shared with unrelated stories. Anchors are word 6-shingles (a
# consistent half of them); a run covered by furniture anchors is cut out.
LONG_PARAGRAPH_TOKENS = 80
SPAN_SHINGLE = 6
SPAN_SAMPLE = 2
SPAN_PREFIX = "s:"
_TOKEN = re.compile(r"\w+", re.U)


def span_anchors(text: str) -> list[tuple[str, int, int]]:
    """(key, start, end) character span of each sampled word shingle in the long paragraphs
    (the words made as in paragraphs_anchor_keys, a span only for a sampled shingle)."""
    out = []
    position = 0
    for paragraph in text.split("\n\n"):
        if len(paragraph) >= 2 * LONG_PARAGRAPH_TOKENS - 1:
            tokens = list(_TOKEN.finditer(paragraph))
            if len(tokens) >= LONG_PARAGRAPH_TOKENS:
                for i, value in enumerate(_shingle_values([token[0] for token in tokens])):
                    if value % SPAN_SAMPLE == 0:
                        start, end = tokens[i].start(), tokens[i + SPAN_SHINGLE - 1].end()
                        out.append((f"{SPAN_PREFIX}{value:016x}", position + start, position + end))
        position += len(paragraph) + 2
    return out


def anchor_keys(text: str) -> set[str]:
    """The keys of span_anchors(text), without their spans."""
    return paragraphs_anchor_keys(text.split("\n\n"))


def paragraphs_anchor_keys(paragraphs: list[str]) -> set[str]:
    """anchor_keys of the text of these paragraphs (the shingles of a paragraph made by zip; a
    paragraph shorter than 2 * LONG_PARAGRAPH_TOKENS - 1 characters cannot hold
    LONG_PARAGRAPH_TOKENS words: not tokenised)."""
    keys = set()
    for paragraph in paragraphs:
        if len(paragraph) < 2 * LONG_PARAGRAPH_TOKENS - 1:
            continue
        words = _TOKEN.findall(paragraph)
        if len(words) < LONG_PARAGRAPH_TOKENS:
            continue
        for value in _shingle_values(words):
            if value % SPAN_SAMPLE == 0:
                keys.add(f"{SPAN_PREFIX}{value:016x}")
    return keys


def _shingle_values(words: list[str]):
    """The hash of each SPAN_SHINGLE-word shingle of a paragraph's words, casefolded and digit-masked
    in one string (casefold makes no space and no digit from a letter, digits never span a space)
    and encoded once: a shingle's UTF-8 is its words' joined by a space."""
    encoded = _DIGITS.sub("0", " ".join(words).casefold()).encode("utf-8").split(b" ")
    shingles = map(b" ".join, zip(*(encoded[k:] for k in range(SPAN_SHINGLE)), strict=False))
    return map(xxhash.xxh3_64_intdigest, shingles)


def paragraph_keys(text: str) -> list[list[str]]:
    """The keys of each paragraph of a clean text (paragraphs separated by a blank line)."""
    return [[key for key, _ in line_keys(p)] for p in text.split("\n\n")]


def furniture_spans(text: str, furniture: set[str]) -> list[tuple[int, int]]:
    """Character spans of the text to remove: paragraphs whose key is furniture (with their
    separator) and runs covered by furniture anchors (with the spaces before them); sorted, merged."""
    if not furniture:
        return []  # no key can be furniture: the keys need not be computed
    spans: list[tuple[int, int]] = []
    position = 0
    paragraphs = text.split("\n\n")
    for i, paragraph in enumerate(paragraphs):
        end = position + len(paragraph) + (2 if i + 1 < len(paragraphs) else 0)
        if any(key in furniture for key, _ in line_keys(paragraph)):
            spans.append((position, end))
        position = end
    for key, start, end in span_anchors(text):
        if key in furniture:
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            spans.append((start, end))
    return _merged(spans)


def strip_lines(text: str, furniture: set[str]) -> tuple[str, list[tuple[int, int]]]:
    """The text without its furniture lines and runs, and the removed spans of the old text
    (for moving quote offsets). Never removes everything: then the text is kept as it is."""
    spans = furniture_spans(text, furniture)
    if not spans:
        return text, []
    if spans[0][0] == 0:  # the text opened with furniture: the space after it goes too
        end = spans[0][1]
        while end < len(text) and text[end].isspace():
            end += 1
        spans[0] = (0, end)
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    new_text = "".join(kept).rstrip()
    if not new_text:
        return text, []
    return new_text, spans


# --- pairwise evidence ----------------------------------------------------------------------
# Two articles that share a line or a run may be copies of one story (then the shared text is
# story) or unrelated stories that share furniture. As in dedup's verification, copies also
# share their *other* words; unrelated stories do not.
CONTENT_WORD = 4
MIN_RESIDUAL_WORDS = 5
DIFFERENT_STORIES = 0.13  # residual containment below which the stories differ
MOSTLY_SHARED = 0.5  # a text whose content words are this much in the shared text is a copy
MAX_PAIRS_PER_KEY = 20  # articles sharing one key: all pairs of the first few, then a chain


def text_keys(text: str) -> set[str]:
    """Every exact line key and span anchor of a text."""
    keys = {key for paragraph in text.split("\n\n") for key, masked in line_keys(paragraph) if not masked}
    return keys | anchor_keys(text)


class TextFacts:
    """What the pairwise test reads of one text, found once (a text is judged against several):
    its paragraphs' spans and line keys, its span anchors, its keys (text_keys) and, when first
    needed, its content words with their offsets in the casefolded text."""

    def __init__(self, text: str):
        self.text = text
        self.paragraphs: list[tuple[int, int, list[str]]] = []  # (start, end with separator, keys)
        exact = set()
        position = 0
        parts = text.split("\n\n")
        for i, paragraph in enumerate(parts):
            end = position + len(paragraph) + (2 if i + 1 < len(parts) else 0)
            keys = line_keys(paragraph)
            self.paragraphs.append((position, end, [key for key, _ in keys]))
            exact.update(key for key, masked in keys if not masked)
            position = end
        self.anchors = span_anchors(text)
        self.keys = exact | {key for key, _, _ in self.anchors}
        self._words: list[tuple[int, str]] | None = None

    @property
    def words(self) -> list[tuple[int, str]]:
        if self._words is None:
            self._words = [(match.start(), match[0]) for match in _WORD.finditer(self.text.casefold())
                           if len(match[0]) >= CONTENT_WORD]
        return self._words

    def spans(self, furniture: set[str]) -> list[tuple[int, int]]:
        """furniture_spans(self.text, furniture)."""
        if not furniture:
            return []
        spans = [(start, end) for start, end, keys in self.paragraphs
                 if any(key in furniture for key in keys)]
        text = self.text
        for key, start, end in self.anchors:
            if key in furniture:
                while start > 0 and text[start - 1] in " \t":
                    start -= 1
                spans.append((start, end))
        return _merged(spans)

    def residual_words(self, shared: set[str]) -> set[str]:
        """The content words outside the spans of the shared keys (the spans are sorted and
        disjoint: the one that may hold a word is the last that starts at or before it)."""
        spans = self.spans(shared)
        if not spans:
            return {word for _, word in self.words}
        starts = [start for start, _ in spans]
        return {word for offset, word in self.words
                if not (offset < spans[bisect.bisect_right(starts, offset) - 1][1] and offset >= starts[0])}


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def shared_furniture(text_a: str | TextFacts, text_b: str | TextFacts) -> set[str]:
    """The keys two articles share when, outside the shared text, they tell different stories
    (their remaining content words barely overlap); empty when they look like copies. A text
    judged against several others: pass its TextFacts."""
    a = text_a if isinstance(text_a, TextFacts) else TextFacts(text_a)
    b = text_b if isinstance(text_b, TextFacts) else TextFacts(text_b)
    shared = a.keys & b.keys
    if not shared:
        return set()
    rest_a, rest_b = a.residual_words(shared), b.residual_words(shared)
    smaller = min(len(rest_a), len(rest_b))
    if smaller < MIN_RESIDUAL_WORDS:
        return set()  # (almost) nothing outside the shared text: a copy
    whole_a, whole_b = a.residual_words(set()), b.residual_words(set())
    if max(1 - len(rest_a) / max(len(whole_a), 1), 1 - len(rest_b) / max(len(whole_b), 1)) >= MOSTLY_SHARED:
        return set()  # one text is mostly the other's: a (trimmed) copy
    return shared if len(rest_a & rest_b) / smaller < DIFFERENT_STORIES else set()


def move_offset(offset: int, spans: list[tuple[int, int]]) -> int | None:
    """Where an offset of the old text lands in the new one (None inside a removed span)."""
    shift = 0
    for start, end in spans:
        if offset >= end:
            shift += end - start
        elif offset >= start:
            return None
    return offset - shift


def prune(history: dict[str, dict], max_keys: int) -> dict[str, dict]:
    """Keep the history bounded: lines seen in several stories first, then the most seen."""
    if len(history) <= max_keys:
        return history
    ranked = sorted(history.items(), key=lambda kv: (-kv[1].get("groups", 0), -kv[1].get("docs", 0), kv[0]))
    return dict(ranked[:max_keys])

"""Furniture found by repetition across unrelated stories (transforms/clean/linestats.py) and its
state file (linestore.py), on made-up texts."""

from __future__ import annotations

import json
import random
import re
import unicodedata

import pytest
import xxhash

from transforms.clean import linestats, linestore

HARBOUR = [
    "The harbour authority said on Tuesday it would close the old pier for repairs after storms.",
    "Engineers found that several wooden beams beneath the walkway had rotted through completely.",
    "Fishing boats will moor at the eastern quay until the work is finished next spring.",
]
ELECTION = [
    "Voters in the northern province elected a new governor on Sunday in a closely fought race.",
    "The winner, a former schoolteacher, promised to rebuild rural roads and clinics quickly.",
    "Turnout reached record levels according to the electoral commission's preliminary count.",
]
BANNER = ("We value your privacy. We and our partners store cookies on your device; choose Accept all "
          "or Manage preferences to continue to the site.")


def _glued(story: list[str], banner: str) -> str:
    """A scraped page: one long paragraph with the banner glued into it."""
    return " ".join([story[0], banner, *story[1:], "More words about the matter follow here today."] * 2)


def test_unrelated_stories_sharing_a_line_mark_it_furniture():
    a = "\n\n".join([*HARBOUR, BANNER])
    b = "\n\n".join([BANNER, *ELECTION])
    shared = linestats.shared_furniture(a, b)
    assert shared
    text, spans = linestats.strip_lines(a, shared)
    assert "privacy" not in text and text.startswith("The harbour")
    assert spans


def test_copies_sharing_lines_keep_them():
    original = "\n\n".join([*HARBOUR, BANNER])
    copy = "\n\n".join([*HARBOUR[:2], BANNER])  # trimmed copy of the same story
    assert linestats.shared_furniture(original, copy) == set()


def test_glued_banner_is_cut_from_long_paragraphs():
    a, b = _glued(HARBOUR, BANNER), _glued(ELECTION, BANNER)
    shared = linestats.shared_furniture(a, b)
    assert shared
    text, _ = linestats.strip_lines(a, shared)
    assert "partners store cookies" not in text
    assert "wooden beams" in text


def test_offsets_move_with_removed_lines():
    text = "\n\n".join(["First paragraph here.", BANNER, 'He said "yes" at the end.'])
    keys = {key for key, _ in linestats.line_keys(BANNER)}
    new, spans = linestats.strip_lines(text, keys)
    old_start = text.index('"yes"') + 1
    moved = linestats.move_offset(old_start, spans)
    assert new[moved:moved + 3] == "yes"
    assert linestats.move_offset(text.index("privacy"), spans) is None


def test_masked_key_needs_three_stories():
    lines = ["This story first appeared on Riverside Gazette.", "This story first appeared on Hill Courier.",
             "This story first appeared on Northern Star."]
    masked = [next(k for k, m in linestats.line_keys(line) if m) for line in lines]
    assert len(set(masked)) == 1
    penguins = ["Scientists counted more penguins than ever on the remote southern island colony.",
                "Researchers attribute the increase to abundant krill and milder winters recently.",
                "Volunteers photographed nesting burrows along rocky coastline stretches."]
    stories = [HARBOUR, ELECTION, penguins]
    docs = [(f"a{i}", sorted(linestats.sketch(" ".join(story)))) for i, story in enumerate(stories)]
    assert not linestats.decide(True, None, docs[:2]).furniture
    assert linestats.decide(True, None, docs).furniture


def test_history_carries_evidence_to_a_later_run():
    key = linestats.line_keys(BANNER)[0][0]
    first = linestats.decide(False, None, [("a", sorted(linestats.sketch(" ".join(HARBOUR))))])
    assert not first.furniture and first.entry["groups"] == 1
    later = linestats.decide(False, first.entry, [("b", sorted(linestats.sketch(" ".join(ELECTION))))])
    assert later.furniture
    known = linestats.decide(False, {**first.entry, "groups": 2}, [("c", [])])
    assert known.furniture and key


def test_state_file_round_trip_and_version(tmp_path):
    history = {"abc": {"groups": 2, "reps": [[1, 2, 3]], "masked": False, "docs": 4}}
    path = linestore.attempt_path(str(tmp_path), "g00000001-abc")
    assert linestore.read(path) == {} and linestore.read(None) == {}  # nothing written yet
    linestore.write(path, history)
    assert linestore.read(path) == history
    written = tmp_path / "lines" / "lines-g00000001-abc.jsonl"
    first = written.read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first)["schema_version"] == linestore.SCHEMA_VERSION
    written.write_text('{"schema_version": 99}\n', encoding="utf-8")
    with pytest.raises(linestore.LineStateError):
        linestore.read(path)


def test_prune_keeps_lines_of_several_stories():
    history = {f"k{i}": {"groups": 1, "docs": 1} for i in range(10)} | {"boiler": {"groups": 3, "docs": 9}}
    kept = linestats.prune(history, 3)
    assert "boiler" in kept and len(kept) == 3


@pytest.mark.parametrize("text", [
    "Read more at https://example.com/a?b=1 today", "Mail desk@example.org now", "visit www.site.org.",
    "no address here at all", "an @ sign alone", "http without colon slash", "WWW.UPPER.COM stays",
])
def test_urls_masked_only_where_they_can_be(text):
    assert linestats._mask_urls(text) == linestats._URL.sub(" U ", text)


def test_anchor_keys_are_the_keys_of_span_anchors():
    odd = "Straße ǅemal ŉ 12ab 3½ x²"
    texts = [_glued(HARBOUR, BANNER), _glued(ELECTION, "Call 0800 123 456 or write to desk_2024@x.org " * 3),
             "\n\n".join([_glued(HARBOUR, odd), "short", _glued(ELECTION, BANNER)]), ""]
    for text in texts:
        assert linestats.anchor_keys(text) == {key for key, _, _ in linestats.span_anchors(text)}
    assert linestats.anchor_keys(texts[0])


def _line_keys_reference(paragraph: str) -> list[tuple[str, bool]]:
    """line_keys as first written: each normalisation on the whole text, names after any space."""
    text = unicodedata.normalize("NFKC", paragraph).strip()
    if len(text) > linestats.MAX_LINE_CHARS or len(linestats._LETTER.findall(text)) < linestats.MIN_LETTERS:
        return []
    text = linestats._DIGITS.sub("0", linestats._URL.sub(" U ", text))
    exact = " ".join(text.casefold().split())
    masked = " ".join(linestats._NAME.sub("N", text).casefold().split())
    keys = [(linestats._hash(exact), False)]
    return [*keys, (linestats._hash(masked), True)] if masked != exact else keys


def _sketch_reference(text: str) -> set[int]:
    words = {word for word in re.findall(r"[^\W\d_]+", text.casefold()) if len(word) >= linestats.LONG_WORD}
    return {value for value in (xxhash.xxh32_intdigest(word.encode("utf-8")) for word in words)
            if value % linestats.SAMPLE_MOD == 0}


def test_line_keys_and_sketch_match_their_first_definitions():
    """line_keys makes the spaces single first and masks names after a plain space; sketch finds
    words per whitespace token: the same keys and values on odd text (URLs opening the text,
    tabs, odd spaces and separators, letters that casefold to several, digits of other scripts)."""
    rng = random.Random(3)
    pieces = [*"aAbZ Éé\t\n\x1c\u2003 .-'’_0١²½Ⅻ@:/ Яя İßﬁ,ǅΣσς", "http://x.org/a ", "www.", "x@y.com",
              "Ölmanager", "İstanbul", "straße", "12ab34", "Harbour "]
    texts = [*HARBOUR, BANNER, "https://example.com opens it", "\tTabbed Name\u2003Here", "x" * 1501]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert linestats.line_keys(text) == _line_keys_reference(text), repr(text)
        assert linestats.sketch(text) == _sketch_reference(text), repr(text)


def test_residual_words_skip_words_in_any_span():
    text = "\n\n".join([*HARBOUR, BANNER, _glued(ELECTION, BANNER), *ELECTION])
    facts = linestats.TextFacts(text)
    keys = sorted(facts.keys | {key for _, _, keys in facts.paragraphs for key in keys})
    rng = random.Random(5)
    for shared in [set(), set(keys), *(set(rng.sample(keys, rng.randint(1, len(keys)))) for _ in range(50))]:
        spans = linestats.furniture_spans(text, shared)
        assert facts.spans(shared) == spans
        expected = {match[0] for match in linestats._WORD.finditer(text.casefold())
                    if len(match[0]) >= linestats.CONTENT_WORD
                    and not any(start <= match.start() < end for start, end in spans)}
        assert facts.residual_words(shared) == expected


@pytest.mark.parametrize("text", ["", "0000002a", "0000002A000000ff", "0x00002a", "0000_02a", "+000002a",
                                  " 000002a", "0000002a0"])
def test_decode_sketch_reads_as_int_did(text):
    assert linestats.decode_sketch(text) == [int(text[i:i + 8], 16) for i in range(0, len(text), 8)]

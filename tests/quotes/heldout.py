"""Scores the quote extractor on the held-out wire stories of tests/quotes/heldout/ (German, French,
Spanish, Russian), per language and half: each half was written before the rules were tuned on
it and scored once untouched; A was tuned on first, then B, C, ... in turn (the latest half is the
one still untouched).

A found quote matches a gold one when at least half the words of each are in the other (one to
one, best overlap first); `opt` gold quotes (short woven fragments) count neither as a miss nor,
when found, as a false find. Speaker accuracy is over matched quotes; a gold speaker may list
several acceptable names. `python -m tests.quotes.heldout [A|B|C]` prints the table (and, for one
half, its misses).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from transforms.common.config import load_config, section
from transforms.common.records import Quote
from transforms.quotes.extractor import QuoteExtractor

HERE = Path(__file__).parent / "heldout"
LANGS = ("de", "fr", "es", "ru")
WORD_RE = re.compile(r"\w+")


def stories(lang: str) -> list[dict]:
    with open(HERE / f"{lang}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["stories"]


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def overlap(a: str, b: str) -> float:
    """The smaller of the two shares of words one text has of the other."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    common = sum(min(wa.count(w), wb.count(w)) for w in set(wa))
    return min(common / len(wa), common / len(wb))


def _norm(name: str | None) -> str:
    return " ".join((name or "").lower().split())


@dataclass
class Score:
    found: int = 0  # found quotes, less those matching an optional gold quote
    gold: int = 0  # required gold quotes
    matched: int = 0  # required gold quotes found
    true_found: int = 0  # found quotes matching any gold quote (required or optional)
    speakers: int = 0  # matched quotes (required or optional) with the right speaker
    pairs: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_found / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def speaker(self) -> float:
        return self.speakers / self.pairs if self.pairs else 1.0


def score_story(story: dict, quotes: list[Quote], score: Score) -> None:
    gold = story["gold"]
    pairs = sorted(((overlap(g["q"], q.text), gi, qi) for gi, g in enumerate(gold)
                    for qi, q in enumerate(quotes)), reverse=True)
    taken_g: dict[int, int] = {}
    taken_q: set[int] = set()
    for share, gi, qi in pairs:
        if share >= 0.5 and gi not in taken_g and qi not in taken_q:
            taken_g[gi] = qi
            taken_q.add(qi)
    optional_found = sum(1 for gi in taken_g if gold[gi].get("opt"))
    score.found += len(quotes) - optional_found
    score.true_found += len(taken_q) - optional_found
    for gi, g in enumerate(gold):
        if not g.get("opt"):
            score.gold += 1
        if gi not in taken_g:
            if not g.get("opt"):
                score.misses.append(f"{story['id']}: MISSED {g['q'][:60]!r} ({g['s']})")
            continue
        score.matched += 0 if g.get("opt") else 1
        quote = quotes[taken_g[gi]]
        wanted = g["s"] if isinstance(g["s"], list) else [g["s"]]
        score.pairs += 1
        if _norm(quote.speaker) in {_norm(w) for w in wanted}:
            score.speakers += 1
        else:
            score.misses.append(f"{story['id']}: SPEAKER {quote.speaker!r} (mention "
                                f"{quote.speaker_mention!r}, cue {quote.cue!r}) for {g['q'][:40]!r}, "
                                f"want {wanted[0]!r}")
    for qi, quote in enumerate(quotes):
        if qi not in taken_q:
            score.misses.append(f"{story['id']}: FALSE {quote.text[:60]!r} ({quote.speaker})")


def evaluate(extractor: QuoteExtractor, lang: str, half: str) -> Score:
    score = Score()
    for story in stories(lang):
        if story["half"] == half:
            score_story(story, extractor.extract(story["text"], lang), score)
    return score


def main(argv: list[str]) -> None:
    extractor = QuoteExtractor.from_config(section(load_config(), "quotes"))
    halves = argv or sorted({s["half"] for lang in LANGS for s in stories(lang)})
    for half in halves:
        for lang in LANGS:
            s = evaluate(extractor, lang, half)
            print(f"{lang} half {half}: precision={s.precision:.3f} recall={s.recall:.3f} "
                  f"speaker={s.speaker:.3f} (found={s.found} gold={s.gold} matched={s.matched} "
                  f"speaker {s.speakers}/{s.pairs})")
    if len(halves) == 1:
        for lang in LANGS:
            for line in evaluate(extractor, lang, halves[0]).misses:
                print("  " + line)


if __name__ == "__main__":
    main(sys.argv[1:])

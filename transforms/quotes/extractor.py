"""Direct quotations and their speakers, by rules (no model).

Three passes over the clean text, each linear:
1. spans: quotation marks paired paragraph by paragraph (transforms.quotes.marks);
2. merging: "A," the source said, "B." is one quote, and so are a sentence's fragments;
3. attribution: a speech cue after or before the quote gives the mention
   (transforms.quotes.attribution); bare quoted paragraphs continue the previous speaker; the
   mention is resolved to a name by transforms.quotes.speakers.
The word lists are in configs/quotes.yaml (transforms.quotes.lexicon).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from transforms.common.config import PROJECT_ROOT, ConfigError
from transforms.common.records import Quote
from transforms.quotes.attribution import Attributor
from transforms.quotes.languages import LanguageQuotes
from transforms.quotes.lexicon import LanguageWords, Resources, load_languages, load_resources
from transforms.quotes.marks import Candidate, find_candidates, mark_len
from transforms.quotes.speakers import SpeakerResolver

DEFAULT_CUES_FILE = "configs/quotes.yaml"
PARTIAL_QUOTES = ("clause", "words")
MARKS_RE = re.compile(r"[\"“”„«»‘’'‚‹›\s]+")
MARKUP_RE = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]{0,4000})?/?>")


def quoted_words(text: str, pieces: list[tuple[int, int]]) -> str:
    """Only the words inside the marks: pieces that other words separate (an interrupting
    attribution, the writer's words between fragments) joined by " … ", a quote continued over
    paragraphs (only marks and spaces between) by a space."""
    out = text[pieces[0][0]:pieces[0][1]]
    for (_, end), (start, stop) in itertools.pairwise(pieces):
        between = MARKS_RE.sub("", text[end:start]).strip()
        out += (" … " if between else " ") + text[start:stop]
    return out


class QuoteExtractor:
    """Finds direct quotes in an article's clean text and attributes them."""

    def __init__(self, resources: Resources, doubled_apostrophes: bool = False,
                 languages: dict[str, LanguageWords] | None = None, partial_quotes: str = "clause") -> None:
        self.res = resources
        # "clause" (default): a short partial quote woven into its cue's clause is a row holding that
        # clause, and a sentence's fragments are one row with the words between them; "words":
        # rows hold only quoted words (short woven fragments are dropped, fragments joined by a
        # space). Either way a row's `quoted` is only the quoted words, and `kind` says which.
        self.clause_rows = partial_quotes == "clause"
        self.doubled_apostrophes = doubled_apostrophes
        self.attr = Attributor(resources)
        # Where a woven quote's clause ends after it: a comma, semicolon or dash, or "but"/"and said".
        self.clause_cut_re = re.compile(r"[;,―—–]|\s-\s|\s(?:but|and\s+(?:" + self.attr.cue_alt + r"))\b")
        # Other languages by the article's `lang`; any other code gets the English rules.
        self.languages = {lang: LanguageQuotes(words) for lang, words in (languages or {}).items()}


    @classmethod
    def from_config(cls, section: dict) -> QuoteExtractor:
        """Build from config["quotes"]; `cues_file` relative to the project root or absolute."""
        section = section or {}
        path = Path(section.get("cues_file") or DEFAULT_CUES_FILE)
        if not path.is_absolute():
            path = PROJECT_ROOT / path
        doubled = section.get("doubled_apostrophes", False)
        if not isinstance(doubled, bool):
            raise ConfigError("quotes.doubled_apostrophes must be true or false")
        partial = section.get("partial_quotes", "clause")
        if partial not in PARTIAL_QUOTES:
            raise ConfigError(f"quotes.partial_quotes must be one of {', '.join(PARTIAL_QUOTES)}")
        return cls(load_resources(path), doubled, load_languages(path), partial)

    # ---------------------------------------------------------------------------------------

    def extract(self, text: str, lang: str = "en") -> list[Quote]:
        """The article's quotes, in text order, each once; `lang` chooses the language's rules."""
        if lang in self.languages:
            return self.languages[lang].extract(text) if text else []
        if not text or not any(m in text for m in "\"“”„«»‘'"):
            return []
        # Markup left in a text (an embedded '<tweet author="...">') holds marks that quote
        # nothing: blank it out, keeping every offset.
        text = MARKUP_RE.sub(lambda m: " " * len(m.group(0)), text)
        candidates = self._merge_interrupted(text, find_candidates(text, self.doubled_apostrophes))
        resolver: SpeakerResolver | None = None  # the article's names, read at the first mention
        quotes, seen = [], set()
        previous_speaker: str | None = None
        previous_mention: str | None = None
        previous_para = -10
        for cand in candidates:
            if cand.mention is None:
                self.attr.attribute(text, cand)
            cand.mention = self.attr.tidy(cand.mention)
            words = sum(len(text[s:e].split()) for s, e in cand.pieces)
            woven = self._woven_content(text, cand)
            content = woven if self.clause_rows else None
            if content is None and not self._keep(text, cand, words):
                continue
            follows = cand.para - previous_para <= 2 and previous_mention
            same_para = cand.para == previous_para
            if cand.mention is None and ((cand.para_start and follows) or same_para):
                # A bare quoted paragraph, or an unattributed quote in the paragraph of an
                # attributed one, continues the previous speaker.
                cand.mention, speaker = previous_mention, previous_speaker
            else:
                pos = cand.mention_pos if cand.mention_pos >= 0 else cand.open_pos
                target = self.attr.resolvable(cand.antecedent or cand.mention) if cand.mention else None
                last = previous_speaker if previous_speaker and self.attr.speaks(previous_speaker) else None
                speaker = None
                if target:  # a pronoun is no document
                    resolver = resolver if resolver is not None else SpeakerResolver(text, self.res)
                    speaker = resolver.resolve(target, pos, last)
            quote_text = " ".join(text[s:e] for s, e in cand.pieces)
            if cand.verbatim and self.clause_rows:
                quote_text = text[cand.pieces[0][0]:cand.pieces[-1][1]]
            start, end = cand.pieces[0][0], cand.pieces[-1][1]
            if content is not None:
                start, end = content
                quote_text = text[start:end]
            key = " ".join(quote_text.lower().split())
            if key in seen:
                continue  # the same quote repeated in the article (a repeated lead)
            seen.add(key)
            kind = "partial" if woven is not None or cand.verbatim else "direct"
            quotes.append(Quote(quote_text, start, end, speaker, cand.mention, cand.cue, kind,
                                quoted_words(text, cand.pieces)))
            if cand.mention:
                previous_speaker, previous_mention = speaker, cand.mention
                previous_para = cand.last_para
        return quotes

    def _woven_content(self, text: str, cand: Candidate) -> tuple[int, int] | None:
        """A partial quote woven into its cue's clause ('called the plan "a betrayal of farmers"',
        'said the city would take "robust steps" in response'): the span of the attributed
        content, from after the cue (and its listener) to the end of the clause, marks included.
        None unless the quote has a cue before it in its sentence with a speaker as subject."""
        if cand.cue_end < 0 or cand.adjacent or not cand.mention or not cand.closed or len(cand.pieces) > 3:
            return None
        if not self.attr.speaks(cand.antecedent or cand.mention) or (
                cand.antecedent is None and cand.mention.lower() in self.res.not_subjects):
            return None
        start = cand.cue_end + self.attr.listener_length(cand.cue or "", text[cand.cue_end:cand.open_pos])
        gap = text[start:cand.open_pos]
        if re.search(r"[:.!?]\s|[:.!?,]\s*$", gap) or len(gap.split()) > self.res.woven_gap_words:
            return None  # 'said of the plan: "..."', 'told reporters later, "..."' set off a full quote
        if gap.split() and all(w.lower() in self.res.object_pronouns for w in gap.split()):
            return None  # 'call them "lone wolves"': the quote is the cue's own complement
        first = text[cand.pieces[0][0]]
        words = [w.lower() for w in gap.split()]
        if all(w in self.res.complementizers for w in words) and (not first.islower() or words):
            return None  # 'Putin said "..."', 'noting that "it is hard ..."': the quote is the complement
        span = text[cand.pieces[0][0]:cand.pieces[-1][1]]
        if self.attr.is_title(span) and self._names_work(text, cand.open_pos):
            return None  # 'said on "Face the Nation"'
        start, end = self._complement_start(text, start, cand.open_pos), self._clause_end(text, cand)
        quoted, clause = len(span.split()), len(text[start:end].split())
        if quoted > self.res.woven_max_words and quoted >= self.res.woven_share * clause:
            return None  # the quoted words stand for their clause: they are the row
        return start, end

    def _complement_start(self, text: str, start: int, open_pos: int) -> int:
        """Where the cue's complement starts: at its "that" ('told a crowd in Cleveland that he
        was "troubled"'), after a leading time phrase ('said this weekend he would')."""
        that = re.search(r"\bthat\b", text[start:open_pos])
        if that:
            return start + that.start()
        for word in re.finditer(r"\S+", text[start:open_pos]):
            bare = word.group(0).strip(",").lower()
            if not (bare in self.res.time_words or bare in self.res.time_openers):
                return start + word.start()
        return open_pos

    def _clause_end(self, text: str, cand: Candidate) -> int:
        """Where the clause holding the quote ends: its sentence's end, a semicolon or a dash."""
        close_end = cand.close_pos + mark_len(text, cand.close_pos)
        para_end = text.find("\n", close_end)
        para_end = len(text) if para_end < 0 else para_end
        sentence = self.attr.sentence_end_re.search(text, cand.pieces[-1][1] - 1, para_end + 1)
        end = sentence.start() + 1 if sentence else para_end
        if sentence and sentence.start() + 1 < close_end:
            end = close_end  # the quote ends its sentence: 'called it "a betrayal."'
        # A comma, semicolon or dash, or "but"/"and said" starting a clause of its own.
        cut = self.clause_cut_re.search(text[close_end:end])
        end = close_end + cut.start() if cut else end
        after = text[close_end:end].split()[:2]
        if after and (after[0].lower() in self.res.time_words or (
                after[0].lower() in self.res.time_openers and len(after) > 1
                and after[1].lower().strip(".,") in self.res.time_words)):
            end = close_end  # '"a disgrace" on Sunday': the time is the writer's
        while end > close_end and text[end - 1] in " .,:\xa0":
            end -= 1
        return max(end, close_end)

    def _keep(self, text: str, cand: Candidate, words: int) -> bool:
        """Drop scare quotes and titles: short and uncued, too short to be speech, or Title Case."""
        start, end = cand.pieces[0][0], cand.pieces[-1][1]
        exclaimed = text[end - 1] in "!?" and cand.mention is not None
        if words < self.res.min_words and not exclaimed:
            return False  # but '"What curfew?" protesters chanted' is speech
        woven = text[start].islower() and text[end - 1] not in ".!?," and not cand.para_start
        if words < self.res.min_words_partial and woven and not self._cue_just_before(cand, True):
            return False  # a few words inside the writer's sentence: 'won "every single debate" in'
        span = text[cand.pieces[0][0]:cand.pieces[-1][1]]
        if self.attr.is_title(span) and (not (cand.adjacent or self._cue_just_before(cand))
                                or self._names_work(text, cand.open_pos)):
            return False  # "Face the Nation", "Coal Isn't the Villain."
        if cand.mention is None and not cand.closed and cand.last_para == cand.para:
            return False  # a stray mark opening a paragraph that no mark closes or continues
        return cand.mention is not None or words >= self.res.min_words_uncued or cand.para_start

    def _cue_just_before(self, cand: Candidate, complement: bool = False) -> bool:
        """A cue at most a few words before the quote: 'it was labeled "Mostly True."'. With
        `complement`, the quote must be the cue's own complement ('call them "lone wolves"'),
        not part of a clause with a subject of its own ('said he won "every single vote"')."""
        gap = cand.cue_gap
        if gap is None or cand.mention is None or cand.adjacent:
            return False
        if complement and any(w in self.res.subject_pronouns or w in self.res.clause_gap_words for w in gap):
            return False
        return len(gap) <= self.res.cue_gap_words

    def _names_work(self, text: str, open_pos: int) -> bool:
        """The word before the mark is a preposition or a possessive: 'on CBS's "Face the
        Nation," Ryan said' quotes a title even though a speaker follows."""
        before = text[max(0, open_pos - 30):open_pos].split()
        last = before[-1].lower() if before else ""
        return last in self.res.prepositions or last in self.res.work_markers or last.endswith(("’s", "'s"))

    # ---------------------------------------------------------------------------------------

    def _merge_interrupted(self, text: str, candidates: list[Candidate]) -> list[Candidate]:
        """'"A," the source said, "B."' and 'called him a "liar" and "a bully"' -> one quote."""
        merged: list[Candidate] = []
        for cand in candidates:
            last = merged[-1] if merged else None
            if last is not None and self._joins(text, last, cand):
                last.pieces += cand.pieces
                last.close_pos, last.closed, last.last_para = cand.close_pos, cand.closed, cand.last_para
                continue
            merged.append(cand)
        return merged

    def _joins(self, text: str, last: Candidate, cand: Candidate) -> bool:
        """Whether cand continues last: after an attribution that interrupts the quote (which
        then becomes last's attribution), or as another fragment of the same sentence."""
        if not last.closed or last.last_para != cand.para:
            return False
        if self.attr.is_title(text[last.pieces[-1][0]:last.pieces[-1][1]]):
            return False
        between = text[last.close_pos + mark_len(text, last.close_pos):cand.open_pos]
        # A quote that ends its sentence, followed by a sentence that runs into the next quote
        # ('"A." She says it shows that "B."'), is not interrupted: that sentence introduces B.
        introduces = text[last.pieces[-1][1] - 1] in ".!?" and between.rstrip()[-1:] not in ".!?"
        attribution = None if introduces else self.attr.between_attribution(between)
        if attribution and not self.attr.has_own_attribution(text, cand):
            last.mention, last.cue = attribution
            last.mention_pos = last.close_pos
            last.adjacent = True
            return True
        if self._same_sentence_fragments(text, last, cand, between):
            last.verbatim = True  # the words joining the fragments stay in the row
            return True
        return False

    def _same_sentence_fragments(self, text: str, last: Candidate, cand: Candidate, between: str) -> bool:
        """'called him a "nasty guy," an "anchor baby" and "sick."': quoted fragments of one
        sentence, a few words apart with no cue between them, are one partial quote."""
        if cand.mention is not None or last.mention is not None:
            return False
        if len(between.split()) > self.res.fragment_gap_words or self.attr.cue_re.search(between):
            return False
        if any(c in between for c in ".,!?;:()"):
            return False
        if self.attr.sentence_end_re.search(text, last.close_pos - 1, cand.open_pos + 1):
            return False
        return not self.attr.is_title(text[cand.pieces[0][0]:cand.pieces[-1][1]])

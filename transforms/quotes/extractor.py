"""Direct quotations and their speakers, by rules (no model).

Three passes over the clean text, each linear:
1. spans: pair quotation marks paragraph by paragraph (a stack for double marks, nested marks
   stay inside; single marks count only outside double ones), carrying an unclosed quote into
   the next paragraph when that one opens with a mark;
2. merging: "A," the source said, "B." is one quote;
3. attribution: a speech cue (configs/quotes.yaml) right after the quote, or before it in the
   same sentence, gives the mention; bare quoted paragraphs continue the previous speaker; the
   mention is resolved to a name by transforms.quotes.speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from transforms.common.config import PROJECT_ROOT, ConfigError, read_yaml
from transforms.common.records import Quote
from transforms.quotes.speakers import SpeakerResolver

DEFAULT_CUES_FILE = "configs/quotes.yaml"

# Paragraphs for quote scanning: any line break (a quote does not run over a <br> line unless
# the next line reopens it, like a paragraph).
PARAGRAPH_RE = re.compile(r"[ \t\xa0]*\n\s*")
DOUBLE_MARKS_RE = re.compile(r"[\"“”„«»]")
# Two straight apostrophes stand for a double mark in some archive conversions (''like this''):
# only with `doubled_apostrophes: true`, as modern news text hardly ever uses them.
DOUBLE_MARKS_WITH_APOSTROPHES_RE = re.compile(r"''|[\"“”„«»]")
SINGLE_MARKS_RE = re.compile(r"['‘’‚‹›]")
DOUBLE_CLOSERS = {"“": "„", "”": "“„\"”", '"': '"“', "»": "«"}
# A sentence ends at . ! ? (optionally followed by a closing mark) before a space.
SENTENCE_END_RE = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\bGen)(?<!\bSt)(?<!\bLt)"
    r"(?<!\bCol)(?<!\bRev)(?<!\b[A-Z])[.!?][\"”’']?\s+(?=[\"“‘'A-Z0-9])")
TOKEN_RE = re.compile(r"\S+")
MARKUP_RE = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]{0,4000})?/?>")
ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. sen. rep. gov. gen. lt. col. sgt. st. jr. sr. prof. u.s. u.k. u.n. no. rev. pres."
    .split())
# Words that end a mention taken after a cue ("said Putin in an interview").
MENTION_STOPS = frozenset(
    "in on at during who which that when while after before to for with as from last yesterday today "
    "tonight this earlier later on. monday tuesday wednesday thursday friday saturday sunday and but "
    "because since if than was is has had".split())
LEADING_JUNK = frozenset("and but so also then while as yet or though although to which even".split())
DETERMINERS = frozenset("the a an another one his her their its this that".split())
SUBJECT_PRONOUNS = frozenset("he she they we i it".split())
SPEECH_ADVERBS = frozenset("also then later further again once previously recently just".split())
NAME_PARTICLES = frozenset("of de van von bin al la le da del".split())
CLAUSE_WORDS = frozenset("that who which when while and but because if as after before said says".split())
PREPOSITIONS = frozenset("in on at during after before for from with to by as under over since".split())
TITLE_MAX_WORDS = 8
SMALL_WORDS = frozenset("a an the of in on at to for and or but nor with by from as is it's vs.".split())
# Words that end a clause introducing its object rather than a speaker ("called him a").
OBJECT_INTRODUCERS = frozenset("a an the as his her their its of to about by for".split())
# Words that a speaker phrase does not contain (a clause was taken for the mention) or end with.
NOT_IN_MENTION = frozenset("was were is are be been had has have there's it's that's".split())
NOT_MENTION_END = frozenset("of who which that and but or to the a an by in on for with my our your".split())
# Quoted fragments at most this many words apart in one sentence are one partial quote.
FRAGMENT_GAP_WORDS = 8
# A Title Case quote this many words or fewer after its cue is speech, not a title.
CUE_GAP_WORDS = 3
# Words between a cue and a short quote that make the quote part of a clause of its own.
CLAUSE_GAP_WORDS = frozenset("that was is were".split())
# Cues that only add to an attribution already made ("said in an interview").
SECONDARY_CUES = frozenset(("in an interview", "in a statement"))
ADVERBS = r"(?:(?:also|then|later|further|again|once|previously|recently|repeatedly|simply|just)\s+)?"


def _is_title(quote: str) -> bool:
    """A short Title Case span: a show, book or slogan in quotation marks."""
    return len(quote.split()) <= TITLE_MAX_WORDS and _title_case(quote)


def _title_case(quote: str) -> bool:
    """Every word but the small ones capitalised: a title in quotation marks."""
    words = [w.strip(".,;:!?-–—'’\"") for w in quote.split()]
    words = [w for w in words if w and w.lower() not in SMALL_WORDS]
    return bool(words) and all(w[0].isupper() or not w[0].isalpha() for w in words)


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


@dataclass(frozen=True)
class Resources:
    cues: tuple[str, ...]
    listener_cues: frozenset[str]
    pronouns: frozenset[str]
    titles: frozenset[str]
    honorifics: frozenset[str]
    anonymous: frozenset[str]
    not_names: frozenset[str]
    min_words_uncued: int
    min_words: int
    min_words_partial: int


def load_resources(path: str | Path) -> Resources:
    """Read the word lists; a missing or malformed file is a ConfigError."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"quotes resources {path} must be a mapping")

    def words(key: str) -> list[str]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"quotes resources {path}: '{key}' must be a list of strings")
        return [v.strip().lower() for v in value if v.strip()]

    def number(key: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"quotes resources {path}: '{key}' must be an integer")
        return value

    return Resources(
        cues=tuple(words("cues")), listener_cues=frozenset(words("listener_cues")),
        pronouns=frozenset(words("pronouns")), titles=frozenset(words("titles")),
        honorifics=frozenset(words("honorifics")), anonymous=frozenset(words("anonymous")),
        not_names=frozenset(words("not_names")), min_words_uncued=number("min_words_uncued"),
        min_words=number("min_words"), min_words_partial=number("min_words_partial"))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph (separated by blank lines)."""
    spans, start = [], 0
    for match in PARAGRAPH_RE.finditer(text):
        if text[start:match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
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


def _mark_len(text: str, i: int) -> int:
    """Length of the quotation mark at i: 2 for a doubled apostrophe, else 1."""
    return 2 if text.startswith("''", i) else 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
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
        body = text[p_start:p_end].strip()
        if pending is not None and body and not any(c.isalnum() for c in body):
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
        if "''" not in text[p_start:p_end]:
            for o, c, _ in sorted(spans):
                singles += single_spans(text, cursor, o)
                cursor = c + _mark_len(text, c)
            singles += single_spans(text, cursor, p_end) if unclosed is None else []
        spans += [(o, c, True) for o, c in singles]
        spans.sort()
        for o, c, closed in spans:
            piece = _trim(text, o + _mark_len(text, o), c)
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


def _without_leading_junk(words: list[str], keep_last: bool = False) -> list[str]:
    """Without the conjunctions a clause boundary left in front ("To which she" -> "she");
    `keep_last` keeps the last word even if it is one."""
    floor = 1 if keep_last else 0
    while len(words) > floor and words[0].lower() in LEADING_JUNK:
        words = words[1:]
    return words


def _tidy_mention(mention: str | None) -> str | None:
    return " ".join(_without_leading_junk(mention.split(), keep_last=True)) if mention else mention


def _plausible(found: tuple[str, str] | None) -> tuple[str, str] | None:
    """The (mention, cue) unless the mention is a clause or a fragment ("she was secretary of")."""
    if found is None:
        return None
    words = found[0].lower().split()
    if any(w in NOT_IN_MENTION for w in words) or words[-1] in NOT_MENTION_END:
        return None
    return found


class QuoteExtractor:
    """Finds direct quotes in an article's clean text and attributes them."""

    def __init__(self, resources: Resources, doubled_apostrophes: bool = False) -> None:
        self.res = resources
        self.doubled_apostrophes = doubled_apostrophes
        cues = sorted(resources.cues, key=len, reverse=True)
        cues += [c[0].upper() + c[1:] for c in cues if c.startswith("according")]
        # Case-sensitive: "The Post", "State" are names, not cues. A determiner or possessive in
        # front makes the word a noun ("the claim", "Trump's remarks").
        not_noun = "".join(rf"(?<!\b{d} )" for d in ("the", "a", "an", "his", "her", "their", "its"))
        not_noun += r"(?<!’s )(?<!'s )(?<!-)"  # "-": "so-called" is no cue
        cue_alt = not_noun + "(?:" + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in cues) + ")"
        self.cue_alt = cue_alt
        self.cue_re = re.compile(rf"\b{cue_alt}\b")
        # "adding that ...", "said that ...": reported speech, whose quoted words are partial.
        self.cue_that_re = re.compile(rf"\b{cue_alt}\s+that\b")
        # Right after a closing mark: "said Putin" / "the source said" / "— Name".
        self.after_inverted_re = re.compile(rf"^[\s,;:]*{ADVERBS}(?P<cue>{cue_alt})\b")
        self.after_re = re.compile(
            rf"^[\s,;:]*(?P<m>(?:[^\s,;:!?“”\"]+\s+){{0,9}}?[^\s,;:!?“”\"]+)\s+{ADVERBS}(?P<cue>{cue_alt})\b")
        self.dash_re = re.compile(r"^\s*[―—–-]+\s*(?P<m>[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*){0,4})")
        self.view_re = re.compile(
            r"\b[Ii]n\s+(?P<m>his|her|their|[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)*?(?:’s|'s|’|'))\s+(?:view|opinion|words)\b")

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
        return cls(load_resources(path), doubled)

    # ---------------------------------------------------------------------------------------

    def extract(self, text: str) -> list[Quote]:
        """The article's quotes, in text order, each once."""
        if not text or not any(m in text for m in "\"“”„«»‘'"):
            return []
        # Markup left in a text (an embedded '<tweet author="...">') holds marks that quote
        # nothing: blank it out, keeping every offset.
        text = MARKUP_RE.sub(lambda m: " " * len(m.group(0)), text)
        candidates = self._merge_interrupted(text, find_candidates(text, self.doubled_apostrophes))
        resolver = SpeakerResolver(text, self.res.titles, self.res.honorifics, self.res.not_names,
                                   self.res.pronouns, self.res.anonymous)
        quotes, seen = [], set()
        previous_speaker: str | None = None
        previous_mention: str | None = None
        previous_para = -10
        for cand in candidates:
            if cand.mention is None:
                self._attribute(text, cand)
            cand.mention = _tidy_mention(cand.mention)
            words = sum(len(text[s:e].split()) for s, e in cand.pieces)
            if not self._keep(text, cand, words):
                continue
            follows = cand.para - previous_para <= 2 and previous_mention
            same_para = cand.para == previous_para
            if cand.mention is None and ((cand.para_start and follows) or same_para):
                # A bare quoted paragraph, or an unattributed quote in the paragraph of an
                # attributed one, continues the previous speaker.
                cand.mention, speaker = previous_mention, previous_speaker
            else:
                speaker = resolver.resolve(cand.mention, cand.mention_pos if cand.mention_pos >= 0
                                           else cand.open_pos, previous_speaker) if cand.mention else None
            quote_text = " ".join(text[s:e] for s, e in cand.pieces)
            key = " ".join(quote_text.lower().split())
            if key in seen:
                continue  # the same quote repeated in the article (a repeated lead)
            seen.add(key)
            quotes.append(Quote(quote_text, cand.pieces[0][0], cand.pieces[-1][1],
                                speaker, cand.mention, cand.cue))
            if cand.mention:
                previous_speaker, previous_mention = speaker, cand.mention
                previous_para = cand.last_para
        return quotes

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
        if _is_title(span) and (not (cand.adjacent or self._cue_just_before(cand))
                                or self._names_work(text, cand.open_pos)):
            return False  # "Face the Nation", "Coal Isn't the Villain."
        if cand.mention is None and not cand.closed and cand.last_para == cand.para:
            return False  # a stray mark opening a paragraph that no mark closes or continues
        return cand.mention is not None or words >= self.res.min_words_uncued or cand.para_start

    @staticmethod
    def _cue_just_before(cand: Candidate, complement: bool = False) -> bool:
        """A cue at most a few words before the quote: 'it was labeled "Mostly True."'. With
        `complement`, the quote must be the cue's own complement ('call them "lone wolves"'),
        not part of a clause with a subject of its own ('said he won "every single vote"')."""
        gap = cand.cue_gap
        if gap is None or cand.mention is None or cand.adjacent:
            return False
        if complement and any(w in SUBJECT_PRONOUNS or w in CLAUSE_GAP_WORDS for w in gap):
            return False
        return len(gap) <= CUE_GAP_WORDS

    @staticmethod
    def _names_work(text: str, open_pos: int) -> bool:
        """The word before the mark is a preposition or a possessive: 'on CBS's "Face the
        Nation," Ryan said' quotes a title even though a speaker follows."""
        before = text[max(0, open_pos - 30):open_pos].split()
        last = before[-1].lower() if before else ""
        return last in PREPOSITIONS or last in ("of", "episode") or last.endswith(("’s", "'s"))

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
        if _is_title(text[last.pieces[-1][0]:last.pieces[-1][1]]):
            return False
        between = text[last.close_pos + _mark_len(text, last.close_pos):cand.open_pos]
        # A quote that ends its sentence, followed by a sentence that runs into the next quote
        # ('"A." She says it shows that "B."'), is not interrupted: that sentence introduces B.
        introduces = text[last.pieces[-1][1] - 1] in ".!?" and between.rstrip()[-1:] not in ".!?"
        attribution = None if introduces else self._between_attribution(between)
        if attribution and not self._has_own_attribution(text, cand):
            last.mention, last.cue = attribution
            last.mention_pos = last.close_pos
            last.adjacent = True
            return True
        return self._same_sentence_fragments(text, last, cand, between)

    def _same_sentence_fragments(self, text: str, last: Candidate, cand: Candidate, between: str) -> bool:
        """'called him a "nasty guy," an "anchor baby" and "sick."': quoted fragments of one
        sentence, a few words apart with no cue between them, are one partial quote."""
        if cand.mention is not None or last.mention is not None:
            return False
        if len(between.split()) > FRAGMENT_GAP_WORDS or self.cue_re.search(between):
            return False
        if any(c in between for c in ".,!?;:()"):
            return False
        if SENTENCE_END_RE.search(text, last.close_pos - 1, cand.open_pos + 1):
            return False
        return not _is_title(text[cand.pieces[0][0]:cand.pieces[-1][1]])

    def _between_attribution(self, between: str) -> tuple[str, str] | None:
        """The (mention, cue) of the attribution between two fragments of one quote, else None:
        it follows the first fragment and holds one finite cue; a participle or "in an
        interview" may follow it ("DuVernay said, emphasizing why ..."), but a second finite cue
        or "adding that" introduces a quote of its own."""
        stripped = between.strip()
        if not stripped or len(stripped.split()) > 40:
            return None
        cues = list(self.cue_re.finditer(stripped))
        finite = [c for c in cues
                  if c.group(0).lower() not in SECONDARY_CUES and not c.group(0).endswith("ing")]
        if len(finite) != 1 or SENTENCE_END_RE.search(stripped, 0, finite[0].start()):
            return None  # a sentence ends before the attribution: it is not this quote's
        last = cues[-1]
        if last.group(0).endswith("ing") and len(stripped[last.end():].split()) <= 3:
            return None  # '..., Trump said, adding later, "B"': B is the participle's own quote
        if self.cue_that_re.search(stripped) or any(c in stripped for c in "!?;"):
            return None
        if stripped.split()[-1].lower() in OBJECT_INTRODUCERS:
            return None  # 'Trump called him a "nasty guy"': the second quote is an object
        ends = list(SENTENCE_END_RE.finditer(between))
        if ends and self.view_re.search(between[ends[-1].end():]):
            return None  # "In his view, ..." opens a quote of its own
        return self._after(between, "")

    def _has_own_attribution(self, text: str, cand: Candidate) -> bool:
        rest = self._right_context(text, cand)
        return self._after(rest, "") is not None

    # ---------------------------------------------------------------------------------------

    def _paragraph_bounds(self, text: str, pos: int) -> tuple[int, int]:
        start = text.rfind("\n", 0, pos)
        end = text.find("\n", pos)
        return (0 if start < 0 else start + 1), (len(text) if end < 0 else end)

    def _right_context(self, text: str, cand: Candidate) -> str:
        """Text after the closing mark up to the next opening mark or paragraph end."""
        if not cand.closed:
            return ""
        _, p_end = self._paragraph_bounds(text, cand.close_pos)
        rest = text[cand.close_pos + _mark_len(text, cand.close_pos):p_end]
        cut = re.search(r"[“„«]|(?<=\s)\"", rest)
        return rest[:cut.start()] if cut else rest

    def _left_context(self, text: str, cand: Candidate) -> tuple[str, int]:
        """The sentence before the opening mark (same paragraph), and its offset."""
        p_start, _ = self._paragraph_bounds(text, cand.open_pos)
        prefix = text[p_start:cand.open_pos]
        ends = list(SENTENCE_END_RE.finditer(prefix))
        offset = ends[-1].end() if ends else 0
        return prefix[offset:], p_start + offset

    def _introduces_next(self, text: str, cand: Candidate, rest: str) -> bool:
        """The clause after a quote runs from its cue into the next quote with no punctuation:
        the next quote is the cue's object ('Jones called the mayor a "failure"')."""
        after = cand.close_pos + _mark_len(text, cand.close_pos) + len(rest)
        if after >= len(text) or text[after] not in "“„«\"" or not rest.rstrip()[-1:].isalnum():
            return False
        cue = self.cue_re.search(rest)
        return cue is not None and not re.search(r"[,;:.!?―—–]", rest[cue.end():])

    def _attribute(self, text: str, cand: Candidate) -> None:
        """Set mention and cue from the words around the quote."""
        rest = self._right_context(text, cand)
        found = _plausible(self._after(rest, "")) or self._dash(rest)
        if found and self._introduces_next(text, cand, rest):
            found = None  # '"Sleepy Sam." Jones called the mayor a "failure"': the cue is B's
        if found:
            cand.mention, cand.cue = found
            cand.mention_pos = cand.close_pos
            cand.adjacent = True
            return
        left, left_pos = self._left_context(text, cand)
        cues = list(self.cue_re.finditer(left))
        found = _plausible(self._before(left, cues))
        if found and cues:
            cand.cue_gap = left[cues[-1].end():].lower().split()
        if found is None and cand.para_start:
            found = self._colon_intro(text, cand)
        if found and found[0]:
            cand.mention, cand.cue = found
            cand.mention_pos = left_pos

    def _after(self, rest: str, _unused: str) -> tuple[str, str] | None:
        """(mention, cue) from the words just after a quote: "said Putin", "the source said"."""
        match = self.after_inverted_re.match(rest)
        if match:
            cue = match.group("cue")
            tail = rest[match.end():]
            mention = self._mention_after(tail)
            if mention:
                return mention, cue
            return None
        match = self.after_re.match(rest)
        if match:
            mention = self._clean_mention(match.group("m").split())
            if mention and not self.cue_re.search(mention):
                cue = match.group("cue")
                return mention, self._with_listener(cue, rest[match.end():])
        return self._after_chunks(rest)

    def _after_chunks(self, rest: str) -> tuple[str, str] | None:
        """'," Flynn, a top Trump surrogate, said' and '... stock price, she said': the first
        comma-chunk if it names someone (an appositive follows), else the phrase before the cue."""
        sentence_end = SENTENCE_END_RE.search(rest)
        sentence = rest[:sentence_end.start() + 1] if sentence_end else rest
        cue = self.cue_re.search(sentence)
        if cue is None or len(sentence[:cue.start()].split()) > 25 or cue.group(0).endswith("ing"):
            return None
        chunks = [c.split() for c in sentence[:cue.start()].split(",") if c.strip()]
        if not chunks:
            return None
        first = chunks[0]
        if len(chunks) > 1 and len(first) <= 10 and self._names_someone(first):
            mention = self._clean_mention(first)
        else:
            tail = self._np_tail(chunks[-1])
            mention = " ".join(tail) if tail else None
        return (mention, self._with_listener(cue.group(0), sentence[cue.end():])) if mention else None

    def _names_someone(self, words: list[str]) -> bool:
        """Starts like a speaker: a pronoun, a determiner, or a capitalised non-function word."""
        head = words[0].strip("(“\"").lower()
        if head in self.res.pronouns or head in DETERMINERS:
            return True
        return words[0][:1].isupper() and head not in self.res.not_names

    def _np_tail(self, words: list[str]) -> list[str] | None:
        """The speaker phrase ending `words`: a pronoun, a capitalised name run ("Rep. Jason
        Chaffetz (R-Utah)"), or a determiner phrase ("the Russian president")."""
        words = [w for w in words if w.strip()]
        while words and (words[-1].lower() in SPEECH_ADVERBS or words[-1].lower().endswith("ly")):
            words = words[:-1]  # "he repeatedly said", "Trump also said"
        if not words or words[-1][-1:] in ",;:" or words[-1].lower() in ("and", "but", "or"):
            return None  # after "and" the cue shares the clause's subject (taken by _subject)
        if words[-1].lower() in self.res.pronouns:
            return words[-1:]
        i = len(words)
        while i > 0 and (words[i - 1][:1] == "(" or words[i - 1][:1].isupper()
                         or words[i - 1] in NAME_PARTICLES):
            if words[i - 1].rstrip("”\"’")[-1:] in ",;:" and i < len(words):  # 'Voters,” Ann Lee said
                break
            i -= 1
        while i < len(words) and (words[i] in NAME_PARTICLES or words[i].lower() in self.res.not_names):
            i += 1
        if i < len(words):
            return words[i:]
        for j in range(len(words) - 1, max(-1, len(words) - 7), -1):
            if words[j].lower() in DETERMINERS:
                phrase = words[j:]
                if any(w.lower() in CLAUSE_WORDS or w[-1:] in ",;:" for w in phrase[:-1]):
                    return None
                return phrase
        return None

    def _subject(self, words: list[str]) -> str | None:
        """The first pronoun or name of a clause (after a leading prepositional phrase)."""
        if words and words[0].lower() in PREPOSITIONS:
            cut = next((k for k, w in enumerate(words) if w.endswith(",")), None)
            words = words[cut + 1:] if cut is not None else []
        words = [w.lstrip("\"“‘'(") for w in words]
        for k, word in enumerate(words):
            if not word:
                continue
            bare = word.strip(",;:").lower()
            if bare in SUBJECT_PRONOUNS:
                return word.strip(",;:")
            if word[:1].isupper() and bare not in self.res.not_names:
                run = [word]
                for nxt in words[k + 1:]:
                    if run[-1][-1:] in ",;:" or not (nxt[:1].isupper() or nxt[:1] == "("):
                        break
                    run.append(nxt)
                return " ".join(run).strip(",;: ")
        return None

    def _dash(self, rest: str) -> tuple[str, str] | None:
        match = self.dash_re.match(rest)
        return (match.group("m").rstrip("."), "―") if match else None

    def _before(self, left: str, cues: list[re.Match[str]] | None = None) -> tuple[str, str] | None:
        """(mention, cue) from the sentence before a quote: "Putin said:", "According to him,".
        `cues`: the cue matches of `left`, when the caller has them already."""
        views = list(self.view_re.finditer(left))
        view = views[-1] if views else None
        cues = list(self.cue_re.finditer(left)) if cues is None else cues
        if view and (not cues or view.start() > cues[-1].start()):
            mention = re.sub(r"(’s|'s|’|')$", "", view.group("m"))
            return mention, view.group(0)[: view.start("m") - view.start()].strip() + " view"
        if not cues:
            return None
        cue = cues[-1]
        word = cue.group(0)
        if word.lower() in ("according to", "in an interview", "in a statement") or word.lower().startswith(
                ("according", "quoted")):
            mention = self._mention_after(left[cue.end():])
            if word.lower() == "according to" and mention:
                return mention, word
        before_words = left[:cue.start()].split()
        if word.lower().endswith("ing") and len(cues) > 1:
            # A participle ("adding that") speaks for the subject of the earlier cue.
            earlier = self._before(left[:cues[-2].end()], cues[:-1])
            if earlier:
                return earlier[0], word
        if not before_words:
            mention = self._mention_after(left[cue.end():])  # "Said Trump: ..."
        else:
            tail = None if word.lower().endswith("ing") else self._np_tail(before_words)
            mention = " ".join(tail) if tail else self._subject(before_words)
        return (mention, self._with_listener(word, left[cue.end():])) if mention else None

    def _colon_intro(self, text: str, cand: Candidate) -> tuple[str, str] | None:
        """'Caddell continued:' closing the previous paragraph introduces this one."""
        p_start, _ = self._paragraph_bounds(text, cand.open_pos)
        previous = text[:p_start].rstrip()
        if not previous.endswith(":"):
            return None
        sentence_start = previous.rfind("\n") + 1
        ends = list(SENTENCE_END_RE.finditer(previous, sentence_start))
        sentence = previous[ends[-1].end() if ends else sentence_start:]
        return self._before(sentence)

    def _with_listener(self, cue: str, after: str) -> str:
        """'told' takes its listener: "told Sputnik", "told reporters"."""
        if cue.lower() not in self.res.listener_cues:
            return cue
        match = re.match(r"\s+((?:the\s+)?[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,3}|reporters|journalists|"
                         r"me|us|him|her|them)", after)
        return f"{cue} {match.group(1)}" if match else cue

    def _mention_after(self, tail: str) -> str | None:
        """The speaker words after an inverted cue: "said Putin" -> "Putin"."""
        words = []
        for token in TOKEN_RE.findall(tail)[:10]:
            bare = token.strip("()")
            if not words and bare.lower() in MENTION_STOPS:
                return None
            if words and bare.lower() in MENTION_STOPS:
                break
            if bare[:1] in "“\"‘":
                break
            end_punct = bare[-1:] in ",;:!?" or (bare.endswith(".") and bare.lower() not in ABBREVIATIONS
                                                  and not re.fullmatch(r"[A-Z]\.", bare))
            words.append(bare.rstrip(",;:!?.") if end_punct else bare)
            if end_punct:
                break
        return self._clean_mention(words)

    def _clean_mention(self, words: list[str]) -> str | None:
        """The last clause's words before a cue, without leading conjunctions, at most 8."""
        kept: list[str] = []
        for word in reversed(words):
            if word[-1:] in ",;:!?.”\"" and kept and word.lower() not in ABBREVIATIONS and not re.fullmatch(
                    r"[A-Z]\.", word):
                break
            if word.lower() in ("that", "and", "but", "because", "when", "while", "as") and kept:
                break
            kept.append(word)
            if len(kept) >= 8:
                break
        kept = _without_leading_junk(kept[::-1])
        while kept and kept[-1].lower() in ("also", "then", "later"):
            kept = kept[:-1]
        mention = " ".join(kept).strip(",;: ")
        if not mention or not any(c.isalpha() for c in mention):
            return None
        return mention

"""Quotes in the wire's other languages (German, French, Spanish, Russian), by rules.

The same three steps as the English extractor, with each language's marks and word lists
(configs/quotes.yaml, `languages`): pair the marks ("„…“", "«…»", "»…«", "‹…›") and read
dialogue dashes that open a quote ("— …, — заявил Песков"); find the cue after the quote, in
either word order ('», a déclaré le président', '“, sagte Scholz', '», — заявил он', '“, so
Berger'), or before it in its sentence ('Roth sagte: „…“'), or an "according to" phrase
('laut X', 'X zufolge', 'selon X', 'según X', 'по словам X', 'по его мнению'); resolve the
mention to a name with transforms.quotes.speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.common.records import Quote
from transforms.quotes.lexicon import LanguageWords
from transforms.quotes.speakers import LOWER, UPPER, SpeakerResolver

PARAGRAPH_RE = re.compile(r"[^\n]+")
DASHES = "—–―"
# A dialogue line: a dash opens the paragraph; the quote runs to the dash that opens its attribution.
DIALOGUE_RE = re.compile(rf"[{DASHES}]\s*")
SENTENCE_END_RE = re.compile(rf"[.!?…]\s+(?=[{UPPER}\"„«»“{DASHES}])")
INFLECTED = frozenset(("ru",))
COMPOUNDING = frozenset(("de",))
# A quote without a cue must be this long to count (short ones are names: «Газпром», „Die Zeit“).
MIN_WORDS_UNCUED = 6
MIN_WORDS = 2
MAX_MENTION_WORDS = 8


@dataclass
class Piece:
    start: int  # first character inside the marks
    end: int
    open_pos: int  # the opening mark (or dash)
    close_end: int  # just after the closing mark (or where the attribution starts)
    para: int
    para_start: bool
    dialogue: bool = False
    parts: list[tuple[int, int]] | None = None  # the fragments of a quote joined over paragraphs
    inner: tuple[str, str, int] | None = None  # an attribution inside the marks (mention, cue, pos)

    def text(self, text: str) -> str:
        return " ".join(text[s:e] for s, e in (self.parts or [(self.start, self.end)]))


def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Alternation of phrases on word boundaries, case-insensitive, spaces as any whitespace."""
    if not phrases:
        return None
    alt = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


class LanguageQuotes:
    """Quotes of one language other than English."""

    def __init__(self, words: LanguageWords) -> None:
        self.w = words
        self.openers = {o: c for o, c in words.marks}
        self.cue_re = _phrase_re(words.cues)
        self.before_re = _phrase_re(words.according_before)
        self.after_re = _phrase_re(words.according_after)
        self.opinion_re = _phrase_re(words.opinion)
        conj = "|".join(map(re.escape, words.conjunctions)) or "(?!)"
        self.cue_tail_re = re.compile(rf"\s*(?:(?:{conj})\s*)?[:,]?\s*$", re.IGNORECASE)

    # --- marks ----------------------------------------------------------------------------------

    def pieces(self, text: str) -> list[Piece]:
        found: list[Piece] = []
        for index, para in enumerate(PARAGRAPH_RE.finditer(text)):
            start, end = para.start(), para.end()
            dialogue = DIALOGUE_RE.match(text, start, end)
            if dialogue:
                piece = self._dialogue(text, dialogue.end(), end, start, index)
                if piece:
                    found.append(piece)
                    start = piece.close_end
            found += self._marked(text, start, end, index, para.start())
        return found

    def _split_inner(self, text: str, piece: Piece) -> Piece:
        """'«Работа будет продолжена, — подчеркнул Песков. — Решение за президентом»': an
        attribution between dashes inside the marks splits the quote and attributes it."""
        if self.cue_re is None or piece.dialogue or piece.parts:
            return piece
        inner = re.search(rf"(?<=[,.!?…])\s*[{DASHES}]\s*", text[piece.start:piece.end])
        if inner is None:
            return piece
        at = piece.start + inner.end()
        cue = self.cue_re.match(text, at, piece.end)
        if cue is None:
            return piece
        back = re.search(rf"[,.]\s*[{DASHES}]\s*", text[cue.end():piece.end])
        if back is None:
            return piece
        mention = self._mention_after(text[cue.end():cue.end() + back.start() + 1])
        if not mention:
            return piece
        first = _trim(text, piece.start, piece.start + inner.start())
        second = _trim(text, cue.end() + back.end(), piece.end)
        return Piece(first[0], second[1], piece.open_pos, piece.close_end, piece.para, piece.para_start,
                     parts=[first, second], inner=(mention, cue.group(0), cue.end()))

    def _marked(self, text: str, start: int, end: int, para: int, para_pos: int) -> list[Piece]:
        """Top-level mark pairs of the paragraph; an unclosed one runs to the paragraph end."""
        stack: list[tuple[str, int]] = []
        found = []
        for i in range(start, end):
            ch = text[i]
            closing = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] == ch), None)
            if closing is not None and (i + 1 >= end or not text[i + 1].isalnum() or ch not in self.openers):
                open_pos = stack[closing][1]
                del stack[closing:]
                if not stack:
                    s, e = _trim(text, open_pos + 1, i)
                    piece = Piece(s, e, open_pos, i + 1, para, open_pos == para_pos)
                    found.append(self._split_inner(text, piece))
            elif (ch in self.openers and ((i + 1 < end and not text[i + 1].isspace()) or ch in "«‹")
                  and (i == start or not text[i - 1].isalnum())):
                stack.append((self.openers[ch], i))  # « may stand apart from its words (French)
        if stack:
            open_pos = stack[0][1]
            s, e = _trim(text, open_pos + 1, end)
            found.append(Piece(s, e, open_pos, end, para, open_pos == para_pos))
        return found

    def _dialogue(self, text: str, start: int, end: int, para_pos: int, para: int) -> Piece | None:
        """'— Мы готовы, — заявил он.' / '—Estamos listos —dijo el ministro—.': the words up to the
        dash that a cue follows."""
        if self.cue_re is None:
            return None
        for dash in re.finditer(rf"\s*[{DASHES}]\s*", text[start:end]):
            after = text[start + dash.end():end]
            if self.cue_re.match(after):
                s, e = _trim(text, start, start + dash.start())
                return Piece(s, e, para_pos, start + dash.start(), para, True, True) if e > s else None
        return None

    # --- attribution ----------------------------------------------------------------------------

    def attribute(self, text: str, piece: Piece) -> tuple[str, str, int] | None:
        """(mention, cue, position) of the quote's speaker, or None."""
        para_end = text.find("\n", piece.close_end)
        para_end = len(text) if para_end < 0 else para_end
        rest = text[piece.close_end:para_end]
        cut = re.search("[" + re.escape("".join(self.openers)) + "]", rest)
        rest = rest[:cut.start()] if cut else rest
        found = self._after(rest)
        if found:
            return found[0], found[1], piece.close_end
        para_start = text.rfind("\n", 0, piece.open_pos) + 1
        left = text[para_start:piece.open_pos]
        ends = list(SENTENCE_END_RE.finditer(left))
        left = left[ends[-1].end():] if ends else left
        found = self._before(left) or self._according(left) or self._according(self._sentence(rest))
        return (found[0], found[1], para_start) if found else None

    @staticmethod
    def _sentence(rest: str) -> str:
        end = SENTENCE_END_RE.search(rest)
        return rest[:end.start()] if end else rest

    def _after(self, rest: str) -> tuple[str, str] | None:
        """'», a déclaré le président X' (inverted) or '», le président a déclaré' (subject first)."""
        if self.cue_re is None:
            return None
        body = re.sub(rf"^[\s,;:{DASHES}]+", "", rest)
        if len(body) == len(rest) and rest[:1].isalnum():
            return None  # the quote runs on into the writer's sentence: no attribution here
        cue = self.cue_re.match(body)
        if cue:
            mention = self._mention_after(body[cue.end():]) or self._pronoun_in_cue(cue.group(0))
            if mention is None and cue.group(0).lower() in self.w.impersonal:
                # '— говорится в заявлении министерства', 'hieß es in einer Mitteilung': the source
                # is the document named after the cue
                source = re.match(r"[^,.;:!?«»„“]+", body[cue.end():])
                mention = source.group(0).strip() if source and source.group(0).strip() else cue.group(0)
            return (mention, cue.group(0)) if mention else None
        sentence = self._sentence(body)
        cue = self.cue_re.search(sentence)
        if cue is None or len(sentence[:cue.start()].split()) > MAX_MENTION_WORDS:
            return None
        mention = self._subject(sentence[:cue.start()])
        return (mention, cue.group(0)) if mention else None

    def _before(self, left: str) -> tuple[str, str] | None:
        """'Roth sagte: „…“', 'sagte Roth: „…“', 'a affirmé que « … »'."""
        if self.cue_re is None:
            return None
        cues = list(self.cue_re.finditer(left))
        if not cues:
            return None
        cue = cues[-1]
        tail = left[cue.end():]
        if self.cue_tail_re.fullmatch(tail):
            mention = self._subject(left[:cue.start()]) or self._pronoun_in_cue(cue.group(0))
        else:
            mention = self._mention_after(tail) or self._subject(left[:cue.start()])
        return (mention, cue.group(0)) if mention else None

    def _according(self, sentence: str) -> tuple[str, str] | None:
        """'laut X', 'selon X', 'по словам X', 'X zufolge', 'по его мнению'."""
        if self.opinion_re is not None:
            opinion = self.opinion_re.search(sentence)
            if opinion:
                words = opinion.group(0).lower().split()
                pronoun = next((self.w.opinion_pronoun[w] for w in words if w in self.w.opinion_pronoun),
                               None)
                if pronoun:
                    return pronoun, opinion.group(0)
        if self.before_re is not None:
            for match in self.before_re.finditer(sentence):
                mention = self._mention_after(sentence[match.end():], names_only=True)
                if mention:
                    return mention, match.group(0)
        if self.after_re is not None:
            for match in self.after_re.finditer(sentence):
                mention = self._subject(sentence[:match.start()], names_only=True)
                if mention:
                    return mention, match.group(0)
        return None

    # --- mentions -------------------------------------------------------------------------------

    def _pronoun_in_cue(self, cue: str) -> str | None:
        """'a-t-elle ajouté' holds its own subject."""
        match = re.search(r"-t-(\w+)", cue)
        return match.group(1) if match and match.group(1).lower() in self.w.pronouns else None

    def _is_speakerish(self, word: str) -> bool:
        bare = word.lower()
        return (word[:1].isupper() or bare in self.w.articles or bare in self.w.titles
                or bare in self.w.pronouns or bare in self.w.honorifics)

    def _mention_after(self, tail: str, names_only: bool = False) -> str | None:
        """The speaker words after an inverted cue, up to punctuation or a stop word."""
        words: list[str] = []
        for token in tail.split()[:MAX_MENTION_WORDS + 4]:
            bare = token.strip("()" + DASHES)
            if not bare:
                break
            lowered = bare.lower().rstrip(",.;:!?")
            if lowered in self.w.mention_stops or bare[:1] in "„“«»\"":
                break
            if not words and not self._is_speakerish(bare.rstrip(",.;:!?")):
                return None
            if (any(w[:1].isupper() for w in words) and bare[:1].islower()
                    and lowered not in self.w.name_particles and not self.titled(lowered)):
                break  # the name is over: 'laut Anna Berger ist ...'
            words.append(bare.rstrip(",.;:!?"))
            if lowered in self.w.pronouns or bare[-1:] in ",.;:!?" or len(words) >= MAX_MENTION_WORDS:
                break
        if words and tail.split()[len(words) - 1:len(words)] and tail.split()[len(words) - 1].endswith(","):
            name = self._apposition(tail.split()[len(words):], words)
            if name:
                words = [*words[:-1], words[-1] + ",", *name]  # "el portavoz del Gobierno, Andrés Molina"
        mention = " ".join(words).strip()
        if not mention or (names_only and not any(w[:1].isupper() for w in words)
                           and mention.lower() not in self.w.pronouns):
            return None
        return mention

    def _apposition(self, rest: list[str], words: list[str]) -> list[str]:
        """'la ministra de Pesca, Elena Vidal,': a title phrase followed by the name it means."""
        if not any(self.titled(w.lower()) for w in words):
            return []
        name: list[str] = []
        for token in rest[:4]:
            if not token[:1].isupper() or token.lower().rstrip(",.;") in self.w.not_names:
                return []
            name.append(token.rstrip(",.;:"))
            if token[-1:] in ",.;:":
                return name if len(name) >= 2 else []
        return []

    def titled(self, word: str) -> bool:
        """A title word; in German also a compound ending in one ("Bundesinnenministerin")."""
        return word in self.w.titles or (self.w.lang in COMPOUNDING and any(
            word.endswith(t) for t in self.w.titles if len(t) >= 4))

    def _subject(self, before: str, names_only: bool = False) -> str | None:
        """The speaker phrase ending right before a cue: a pronoun, a name run with its titles
        ("Finanzminister Karl Roth", "la ministre Claire Martin"), or an article and a title."""
        words = before.replace(",", " , ").split()
        while words and words[-1] in (",", *DASHES):
            words = words[:-1]
        if words and words[-1].lower() in self.w.pronouns:
            return words[-1]
        i = len(words)
        while i > 0 and words[i - 1] != "," and (
                words[i - 1][:1].isupper() or self.titled(words[i - 1].lower())
                or words[i - 1].lower() in self.w.name_particles
                or (words[i - 1].lower() in self.w.articles and i < len(words))):
            i -= 1
        phrase = words[i:]
        while phrase and phrase[0].lower() in self.w.not_names and phrase[0].lower() not in self.w.articles:
            phrase = phrase[1:]
        if not phrase or len(phrase) > MAX_MENTION_WORDS:
            return None
        if names_only and not any(w[:1].isupper() for w in phrase):
            return None
        content = [w for w in phrase if w.lower() not in self.w.articles]
        if not content:
            return None
        if not any(w[:1].isupper() for w in content) and not self.titled(content[-1].lower()):
            return None
        return " ".join(phrase)

    def name_of(self, mention: str) -> str:
        """The name inside a mention: "le président Jean Dumont" -> "Jean Dumont"; a mention
        without one stays whole (resolved by its title: "der Kanzler")."""
        words = mention.split()
        run: list[str] = []
        for word in reversed(words):
            lowered = word.lower()
            name_word = word[:1].isupper() and not self.titled(lowered) and lowered not in self.w.not_names
            if not (name_word or (run and lowered in self.w.name_particles)) or (run and word.endswith(",")):
                break  # "el portavoz del Gobierno, Andrés Molina": the name after the comma
            run.insert(0, word)
        while run and (run[0].lower() in self.w.name_particles or (len(run) > 1 and run[0].isupper())):
            run = run[1:]  # "МИД Мария Захарова": an acronym names an organisation
        return " ".join(run) if run else mention

    # --- the whole article ----------------------------------------------------------------------

    def extract(self, text: str) -> list[Quote]:
        resolver = SpeakerResolver(text, self.w, inflected=self.w.lang in INFLECTED, titled=self.titled)
        quotes: list[Quote] = []
        seen: set[str] = set()
        previous: tuple[str | None, str | None, int] = (None, None, -10)  # speaker, mention, para
        previous_end, named_since = 0, False
        for piece in self._joined(text, self.pieces(text)):
            quote = piece.text(text)
            words = len(quote.split())
            found = piece.inner or self.attribute(text, piece)
            speaker = mention = cue = None
            if found:
                mention, cue, pos = found
                lookup = mention if cue.lower() in self.w.impersonal else self._resolvable(mention)
                if lookup in self.w.pronouns:
                    # A pronoun is the last person named before the quote, the previous speaker
                    # only when no one was named since.
                    pos = piece.open_pos
                    named_since = resolver.named_between(previous_end, pos)
                speaker = resolver.resolve(lookup, pos, None if lookup in self.w.pronouns and named_since
                                           else previous[0])
            elif piece.para - previous[2] <= 2 and previous[1] and (
                    piece.para_start or piece.para == previous[2]):
                speaker, mention = previous[0], previous[1]  # a bare quoted paragraph continues its speaker
            if words < MIN_WORDS or (mention is None and words < MIN_WORDS_UNCUED):
                continue
            if mention is None and not piece.para_start and self._title_case(text[piece.start:piece.end]):
                continue
            key = " ".join(quote.lower().split())
            if key in seen:
                continue
            seen.add(key)
            quotes.append(Quote(quote, piece.start, piece.end, speaker, mention, cue))
            if found:
                previous = (speaker, mention, piece.para)
                previous_end = piece.close_end
        return quotes

    def _resolvable(self, mention: str) -> str:
        """What the resolver looks up: the pronoun, the name, or the title phrase."""
        if mention.lower() in self.w.pronouns:
            return mention.lower()
        name = self.name_of(mention)
        if name != mention:
            return name
        return " ".join(w for w in mention.split() if w.lower() not in self.w.articles) or mention

    @staticmethod
    def _title_case(span: str) -> bool:
        words = [w for w in re.findall(rf"[{UPPER}{LOWER}]+", span) if len(w) > 3]
        return bool(words) and len(words) <= 6 and all(w[:1].isupper() for w in words)

    @staticmethod
    def _joined(text: str, pieces: list[Piece]) -> list[Piece]:
        """An unclosed quote continued by the next paragraph's opening mark is one quote."""
        joined: list[Piece] = []
        for piece in pieces:
            last = joined[-1] if joined else None
            if (last is not None and not last.dialogue and last.close_end == _para_end(text, last.start)
                    and text[last.close_end - 1] not in "“»«”\"" and piece.para == last.para + 1
                    and piece.para_start):
                joined[-1] = Piece(last.start, piece.end, last.open_pos, piece.close_end, piece.para,
                                   last.para_start, parts=(last.parts or [(last.start, last.end)])
                                   + [(piece.start, piece.end)])
                continue
            joined.append(piece)
        return joined


def _para_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end

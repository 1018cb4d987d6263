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
from transforms.quotes.antecedents import SENTENCE_END_RE, Antecedents
from transforms.quotes.lexicon import LanguageWords
from transforms.quotes.mentions import DASHES, MAX_MENTION_WORDS
from transforms.quotes.phrases import alternation
from transforms.quotes.russian import nominative
from transforms.quotes.speakers import LOWER, UPPER

PARAGRAPH_RE = re.compile(r"[^\n]+")
# A dialogue line: a dash opens the paragraph; the quote runs to the dash that opens its attribution.
DIALOGUE_RE = re.compile(rf"[{DASHES}]\s*")
# A quote without a cue must be this long to count (short ones are names: «Газпром», „Die Zeit“).
MIN_WORDS_UNCUED = 6
MIN_WORDS = 2
MIN_WORDS_WOVEN = 3
IMPLICIT = ""  # the mention of a cue without a subject (pro-drop): the last person named


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
    alt = alternation(sorted(phrases, key=len, reverse=True), re.IGNORECASE)
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])", re.IGNORECASE)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


class LanguageQuotes(Antecedents):
    """Quotes of one language other than English."""

    def __init__(self, words: LanguageWords) -> None:
        super().__init__(words)
        self.openers = {o: c for o, c in words.marks}
        marks = "".join(o + c for o, c in words.marks)
        self.marks_re = re.compile(f"[{re.escape(marks)}]" if marks else "(?!)")
        self.cue_re = _phrase_re(words.cues)
        self.before_re = _phrase_re(words.according_before)
        self.after_re = _phrase_re(words.according_after)
        self.opinion_re = _phrase_re(words.opinion)
        self.aux_re = _phrase_re(tuple(words.auxiliaries))
        insertions = _phrase_re(words.cue_insertions)
        self.insertions_re = (re.compile(rf"(?:\s*,?\s*{insertions.pattern})+", re.IGNORECASE)
                              if insertions else None)
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
        for mark in self.marks_re.finditer(text, start, end):  # (other characters change nothing)
            i, ch = mark.start(), mark.group(0)
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
                if e <= s:
                    return None
                piece = Piece(s, e, para_pos, start + dash.start(), para, True, True)
                # '—No es una subida —explicó Cuerpo—, es una cuestión de justicia': the words go on
                # after the dash that closes the attribution
                close = re.search(rf"[{DASHES}][\s,.;:]*", after)
                if close and len(after[close.end():].split()) >= 2:
                    s2, e2 = _trim(text, start + dash.end() + close.end(), end)
                    piece.end, piece.parts = e2, [(s, e), (s2, e2)]
                return piece
        return None

    # --- attribution ----------------------------------------------------------------------------

    def attribute(self, text: str, piece: Piece) -> tuple[str, str, int] | None:
        """(mention, cue, position) of the quote's speaker, or None."""
        para_end = text.find("\n", piece.close_end)
        para_end = len(text) if para_end < 0 else para_end
        rest = text[piece.close_end:para_end]
        rest = rest[:self._next_quote(rest)]
        found = self._after(rest)
        if found:
            return found[0], found[1], piece.close_end
        para_start = text.rfind("\n", 0, piece.open_pos) + 1
        left = text[para_start:piece.open_pos]
        # (the opening mark is read too: a sentence ends before a quote that opens the next one)
        ends = list(SENTENCE_END_RE.finditer(text[para_start:piece.open_pos + 1]))
        left = left[ends[-1].end():] if ends else left
        found = (self._before(left) or self._according(left) or self._according(self._sentence(rest))
                 or self._colon(left))
        if found is None and ends and not left.strip():
            found = self._earlier(text[para_start:para_start + ends[-1].end()])
        return (found[0], found[1], para_start) if found else None

    def _earlier(self, left: str) -> tuple[str, str] | None:
        """'Les travaux commenceront dès la rentrée, a-t-elle précisé. « Nous avons fait
        l'inventaire. »': a quote opening a sentence after its speaker's reported words."""
        cues = list(self.cue_re.finditer(left)) if self.cue_re else []
        if not cues:
            return None
        cue = cues[-1]
        after = self._mention_after(left[cue.end():])
        mention = (self._pronoun_in_cue(cue.group(0)) or (after if after and self._speaks(after) else None)
                   or self._subject(left[:cue.start()]))
        return (mention, cue.group(0)) if mention else None

    def _next_quote(self, rest: str) -> int:
        """Where the next quotation opens in the rest of a paragraph; a short quoted name on the way
        ('директор госкорпорации «Росатом» Алексей Лихачев') is read through."""
        for mark in re.finditer("[" + re.escape("".join(self.openers)) + "]", rest):
            close = rest.find(self.openers[mark.group(0)], mark.end(), mark.end() + 40)
            if close < 0 or len(rest[mark.end():close].split()) > 4:
                return mark.start()
        return len(rest)

    def _colon(self, left: str) -> tuple[str, str] | None:
        """'Fiala schloss sich an: „…“': a sentence that opens with its subject and ends in a colon
        introduces its subject's words, whatever its verb."""
        if not left.rstrip().endswith(":"):
            return None
        words = left.rstrip()[:-1].split()
        opener = words[:1] and (words[0].lower() in self.w.articles or words[0].lower() in self.w.determiners)
        i = 1 if opener else 0
        j = i
        while j < len(words) and j - i < MAX_MENTION_WORDS and (
                self._named(words[j]) or self.titled(words[j].lower().rstrip(",")) or (
                    j > i and words[j].lower() in self.w.name_particles)):
            j += 1  # 'Su presidenta, Christine Lagarde, evitó comprometerse: «…»'
        while j > i and words[j - 1].endswith(",") and not any(map(self._named, words[i:j])):
            j -= 1
        subject, verb = [w.rstrip(",") if k == j - 1 else w for k, w in enumerate(words[:j])], words[j:]
        if j == i or not verb or len(verb) > 5 or not any(map(self._named, subject)):
            return None
        return " ".join(subject), " ".join(verb)

    @staticmethod
    def _sentence(rest: str) -> str:
        end = SENTENCE_END_RE.search(rest)
        return rest[:end.start()] if end else rest

    def _after(self, rest: str) -> tuple[str, str] | None:
        """'», a déclaré le président X' (inverted) or '», le président a déclaré' (subject first)."""
        if self.cue_re is None:
            return None
        body = re.sub(rf"^[\s,;:{DASHES}]+", "", rest)
        cue = self.cue_re.match(body)
        if cue is None and not re.match(rf"\s*[,;:.!?{DASHES}]", rest):
            return None  # the quote runs on into the writer's sentence: no attribution here
        if cue:
            after = body[cue.end():]
            skip = self.insertions_re.match(after) if self.insertions_re else None
            after = after[skip.end():] if skip else after  # 'a souligné de son côté', 'dijo a EFE'
            mention = self._mention_after(after) or self._pronoun_in_cue(cue.group(0))
            if mention is None and cue.group(0).lower() in self.w.impersonal:
                # '— говорится в заявлении министерства', 'hieß es in einer Mitteilung': the source
                # is the document named after the cue
                source = re.match(r"[^,.;:!?«»„“]+", body[cue.end():])
                mention = source.group(0).strip() if source and source.group(0).strip() else cue.group(0)
            if mention is None:
                mention = self._source_after(after)
            if mention is None and self.w.pro_drop:
                mention = IMPLICIT  # '«…», denunció.': the subject is the last person named
            return (mention, cue.group(0)) if mention is not None else None
        sentence = self._sentence(body)
        aux = self.aux_re.match(body) if self.aux_re else None
        cue = self.cue_re.search(sentence, aux.end()) if aux else None
        if aux and cue:
            # 'hat Faeser am Montag in Berlin gesagt': the subject follows the auxiliary
            mention = self._mention_after(sentence[aux.end():cue.start()])
            return (mention, f"{aux.group(0)} {cue.group(0)}") if mention else None
        cue = self.cue_re.search(sentence)
        if cue is None or len(sentence[:cue.start()].split()) > MAX_MENTION_WORDS:
            return None
        mention = self._subject(sentence[:cue.start()])
        return (mention, cue.group(0)) if mention else None

    def _source_after(self, tail: str) -> str | None:
        """'— заявили ТАСС в пресс-службе ведомства': a cue without a subject, then (past its
        listener) the place the words came from."""
        words = tail.split()
        i = 0
        while i < len(words) and words[i].lower() in self.w.mention_stops and (
                words[i].lower() not in self.w.source_prepositions):
            i += 1
        if i >= len(words) or words[i].lower() not in self.w.source_prepositions:
            return None
        source = re.match(r"[^,.;:!?«»„“]+", " ".join(words[i:i + MAX_MENTION_WORDS]))
        return source.group(0).strip() if source and len(source.group(0).split()) > 1 else None

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
            subject = self._subject(left[:cue.start()])
            after = self._mention_after(tail)
            if after and not self._speaks(after):
                after = None  # 'lamentó la eliminación: «…»': the cue's object, not its subject
            quoting = cue.group(0).lower() in self.w.quoting_cues  # 'Tass zitierte sie': she speaks
            if subject and not quoting and (subject.lower() in self.w.pronouns or self._strong(subject)):
                after = None  # 'Baerbock sagte der Nachrichtenagentur Reuters: „…“': a listener
            mention = after or subject
        return (mention, cue.group(0)) if mention else None

    def _strong(self, subject: str) -> bool:
        """A subject that is surely a speaker: a title, or a name of two words or more."""
        words = subject.split()
        return sum(map(self._named, words)) >= 2 or any(self.titled(w.lower().strip(",")) for w in words)

    def _speaks(self, mention: str) -> bool:
        """Whether a phrase can name a speaker: a name, a title, a pronoun or an anonymous source."""
        words = [w.lower().strip(",.") for w in mention.split()]
        return (any(w[:1].isupper() for w in mention.split()) or any(map(self.titled, words))
                or any(w in self.w.pronouns or w in self.w.anonymous for w in words))

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
                # 'selon l'opposition', 'según la policía': a group speaks; 'pour le moment' does not
                loose = match.group(0).lower() not in self.w.according_names_only
                mention = self._mention_after(sentence[match.end():], names_only=not loose)
                if mention:
                    return mention, match.group(0)
        if self.after_re is not None:
            for match in self.after_re.finditer(sentence):
                mention = self._subject(sentence[:match.start()], names_only=True)
                if mention:
                    return mention, match.group(0)
        return None

    # --- the whole article ----------------------------------------------------------------------

    def extract(self, text: str) -> list[Quote]:
        resolver = None  # the article's names, read when a quote first needs them
        quotes: list[Quote] = []
        seen: set[str] = set()
        previous: tuple[str | None, str | None, int] = (None, None, -10)  # speaker, mention, para
        previous_end, named_since = 0, False
        for piece in self._joined(text, self.pieces(text)):
            quote = piece.text(text)
            words = len(quote.split())
            found = piece.inner or self.attribute(text, piece)
            if self._is_work(text, piece.open_pos) and (found is None or self._named_span(text, piece)):
                continue  # 'das Buch „…“', 'l'opération « … »', 'фракция «Единая Россия»': a title
            speaker = mention = cue = None
            if resolver is None and (found or not piece.para_start):
                resolver = self._resolver(text)
            if found:
                mention, cue, pos = found
                lookup = mention if cue.lower() in self.w.impersonal else self._resolvable(mention)
                if lookup in self.w.pronouns or mention == IMPLICIT:
                    # A pronoun is the last person named before it ('Er forderte Verdi auf, „…“':
                    # before 'Er'), the previous speaker only when no one was named since.
                    said = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)",
                                                           text[pos:piece.open_pos])] if mention else []
                    pos = pos + said[-1] if said and pos < piece.open_pos else piece.open_pos
                    named_since = resolver.named_between(previous_end, pos)
                    lookup = lookup or next(iter(sorted(self.w.pronouns)))
                speaker = resolver.resolve(lookup, pos, None if lookup in self.w.pronouns and named_since
                                           else previous[0])
                named = [w for w in lookup.split() if w.lower() not in self.w.honorifics]
                if speaker and lookup[:1].isupper() and len(named) >= 2 and not any(
                        w[:4] == named[0][:4] for w in speaker.split()):
                    speaker = lookup  # 'Joao Silva' is not 'Luiz Inácio Lula da Silva'
                if mention == IMPLICIT:
                    speaker = self._implicit_subject(text, resolver, piece.open_pos, previous[0]) or speaker
                elif lookup in self.w.pronouns:
                    speaker = self._indefinite_subject(text, piece.open_pos) or speaker
                if speaker == lookup and self._role(mention, cue):
                    speaker = (self._implicit_subject(text, resolver, piece.open_pos, previous[0])
                               or previous[0] or self._last_named(resolver, piece.open_pos) or speaker)
                elif mention and mention.split()[0].lower() in self.w.indefinite:
                    speaker = " ".join(mention.split()[1:])  # 'ein Sprecher des LKA': no one named before
                mention = mention or None
            elif not piece.para_start and (subject := self._sentence_subject(text, resolver, piece.open_pos)):
                speaker = mention = subject
            elif piece.para - previous[2] <= 2 and previous[1] and (
                    piece.para_start or piece.para == previous[2]):
                speaker, mention = previous[0], previous[1]  # a bare quoted paragraph continues its speaker
            if words < MIN_WORDS or (mention is None and words < MIN_WORDS_UNCUED and not found):
                continue
            before = text[max(0, piece.open_pos - 20):piece.open_pos].rstrip()[-1:]
            if words <= MIN_WORDS_WOVEN and quote[:1].isupper() and before.isalnum():
                continue  # '— сказал он «Парламентской газете»': a short capitalised name inside a clause
            if words < MIN_WORDS_WOVEN and quote[:1].islower() and not piece.para_start:
                continue  # 'la «retórica belicista» de': a woven fragment too short to stand alone
            if mention is None and not piece.para_start and self._title_case(text[piece.start:piece.end]):
                continue
            key = " ".join(quote.lower().split())
            if key in seen:
                continue
            seen.add(key)
            if self.w.lang == "ru" and speaker:
                speaker = nominative(speaker)
            # A lower-case fragment right after a word is woven into the writer's sentence.
            woven = quote[:1].islower() and before.isalnum() and not piece.para_start
            quotes.append(Quote(quote, piece.start, piece.end, speaker, mention, cue,
                                kind="partial" if woven else "direct"))
            if found:
                previous = (speaker, mention or speaker, piece.para)
                previous_end = piece.close_end
        return quotes

    def _is_work(self, text: str, open_pos: int) -> bool:
        """Whether the words before an opening mark name a kind of work or organisation, or are an
        article ('der „Süddeutschen Zeitung“', 'le quotidien « Le Monde »')."""
        before = re.findall(r"[\w-]+", text[max(0, open_pos - 40):open_pos].lower())
        return bool(before) and (before[-1] in self.w.work_markers or before[-1] in self.w.articles
                                 or before[-1] in self.w.contractions
                                 or " ".join(before[-2:]) in self.w.work_markers)

    def _named_span(self, text: str, piece: Piece) -> bool:
        """A short Title Case span ('Süddeutschen Zeitung', 'Le Monde'): a name, even beside a cue."""
        return len(piece.text(text).split()) <= 4 and self._title_case(piece.text(text))

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

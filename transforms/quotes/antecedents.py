"""Who a phrase without a name means, across one article: the subject of the sentence before a
cue without a subject ('», denunció.'), a title phrase that refers back ('der CSU-Chef', 'глава
государства'), an indefinite speaker a pronoun refers to ('un porte-parole ... « … », a-t-il
affirmé'); and the article's names, cleaned of what names no one."""

from __future__ import annotations

import re

from transforms.quotes.mentions import DASHES, MentionReader
from transforms.quotes.russian import is_person_word, strip_organisations
from transforms.quotes.speakers import UPPER, Entity, SpeakerResolver, same_surname

SENTENCE_END_RE = re.compile(rf"[.!?…]\s+(?=[{UPPER}\"„«»“{DASHES}])")
INFLECTED = frozenset(("ru",))
# An acronym joined to a noun ('DWD-Meteorologe', 'CDU-Politikerin', 'UN-Generalsekretär'): a role.
ACRONYM_ROLE_RE = re.compile(rf"^[{UPPER}]{{2,}}-[{UPPER}][a-zäöüßа-яё]+$")


class Antecedents(MentionReader):
    """Speakers that the text names before the phrase that means them."""

    def _resolver(self, text: str) -> SpeakerResolver:
        resolver = SpeakerResolver(text, self.w, inflected=self.w.lang in INFLECTED, titled=self.titled)
        entities = []
        surnames: set[str] = set()  # the last word of each name kept so far
        for entity in resolver.entities:
            words = entity.name.split()
            # "L'économiste Anne-Laure Delatte": an elided article's noun is no name;
            # "Председатель Госдумы Вячеслав Володин": the organisation is no name
            kept = words[1:] if len(words) > 1 and re.match(r"[LlDd][’']", words[0]) else words
            kept = strip_organisations(kept) if self.w.lang == "ru" else kept
            while len(kept) > 1 and (kept[0].lower() in self.w.mention_stops
                                     or ACRONYM_ROLE_RE.match(kept[0])):
                kept = kept[1:]  # 'a Efe Rosa Quispe', 'DWD-Meteorologe Adrian Leyser': no part of the name
            while len(kept) > 1 and kept[-1].lower() in self.w.name_particles:
                kept = kept[:-1]  # 'sagte zusätzliche Hilfen zu': a particle ends no name
            if self.w.lang == "ru" and not any(map(is_person_word, kept)):
                continue  # 'в Новой Москве': a place
            dropped = {w.lower() for w in words[:len(words) - len(kept)]}
            if dropped:
                entity = Entity(entity.pos + entity.name.find(kept[0]), " ".join(kept),
                                entity.title | dropped)
            before = text[max(0, entity.pos - 12):entity.pos].split()[-1:]
            article = before and (before[0].lower() in self.w.articles or before[0] in self.w.contractions)
            if article and not any(self.titled(t) for t in entity.title):
                continue  # 'der Deutschen Presse-Agentur', 'la Banque de France': a name takes no article
            if entity.name[:1].islower() and before and self.titled(before[0].lower().rstrip(",")):
                continue  # 'Ministerpräsidentin von Mecklenburg-Vorpommern': a title's place
            if " " not in entity.name and not self._titled_before(text, entity.pos) and not (
                    entity.name in surnames or (resolver.inflected and any(
                        same_surname(s, entity.name, True) for s in surnames))):
                continue  # 'kündigte Konsequenzen an': a lone capitalised word names someone after a title
            entities.append(entity)
            surnames.add(entity.name.split()[-1])
        resolver.entities = entities
        resolver.positions = [e.pos for e in entities]
        return resolver

    def _role(self, mention: str | None, cue: str | None) -> bool:
        """A speaker phrase without a name that refers back ('der CSU-Chef', 'le chef de l'Etat',
        'глава государства'): not a pronoun, not an anonymous source, not indefinite."""
        if not mention or not cue or cue.lower() in self.w.impersonal or self.name_of(mention) != mention:
            return False
        words = [w.lower().strip(",.") for w in mention.split()]
        if words[0] in self.w.indefinite or any(w in self.w.anonymous for w in words):
            return False
        if not any(self.titled(w) for w in words):
            return False  # 'le ministère algérien': an institution, not a person named before
        if self.w.lang == "ru":
            return mention[:1].islower() and not mention.startswith(("в ", "во "))
        return words[0] in self.w.articles or words[0] in self.w.determiners

    def _implicit_subject(self, text: str, resolver: SpeakerResolver, open_pos: int,
                          previous: str | None) -> str | None:
        """The subject a pro-drop cue shares: in the sentence before the quote (or the quote's own),
        the first name at its start, after a comma or after a title ('El director de la OMS,
        Tedros Adhanom Ghebreyesus, advirtió ...'); a sentence whose subject is a title without a
        name ('El mandatario añadió ...') continues the previous speaker."""
        para_start = text.rfind("\n", 0, open_pos) + 1
        left = text[para_start:open_pos]
        ends = [0] + [m.end() for m in SENTENCE_END_RE.finditer(left)]
        # the quote's own sentence when it has words before the quote, then the one before it
        own = [ends[-1]] if left[ends[-1]:].strip(" «“\"—–") else []
        starts = own + ends[-2:-1 if len(ends) > 1 else None]
        for start, stop in zip(starts, [open_pos - para_start, *starts], strict=False):
            for entity in resolver.entities:
                if para_start + start <= entity.pos < para_start + stop:
                    before = text[para_start + start:entity.pos].split()
                    if not before or before[-1].endswith(",") or self._title_run(before[-3:]):

                        return resolver.full_name(entity.name, entity.pos)
            first = text[para_start + start:para_start + stop].split()[:3]
            if first and first[0].lower() in self.w.articles and any(
                    self.titled(w.lower()) for w in first[1:]):
                return previous or self._last_named(resolver, para_start + start)
        return None

    @staticmethod
    def _last_named(resolver: SpeakerResolver, pos: int) -> str | None:
        before = resolver.entities[:sum(1 for p in resolver.positions if p < pos)]
        return resolver.full_name(before[-1].name, pos) if before else None

    def _title_run(self, words: list[str]) -> bool:
        """A title, then only capitalised words up to the name: 'Президент РФ Владимир Путин'
        (not 'el director de la Organización ...')."""
        for k in range(len(words) - 1, -1, -1):
            if self.titled(words[k].lower().strip(",")):
                return all(w[:1].isupper() for w in words[k + 1:])
        return False

    def _sentence_subject(self, text: str, resolver: SpeakerResolver, open_pos: int) -> str | None:
        """'Kremlsprecher Dmitri Peskow warf Berlin vor, den Krieg „künstlich zu verlängern“': a
        quote inside a sentence, with no cue, is its subject's words."""
        para_start = text.rfind("\n", 0, open_pos) + 1
        left = text[para_start:open_pos]
        ends = [m.end() for m in SENTENCE_END_RE.finditer(left)]
        start = para_start + (ends[-1] if ends else 0)
        if len(text[start:open_pos].split()) < 3:
            return None
        for entity in resolver.entities:
            if start <= entity.pos < open_pos:
                before = text[start:entity.pos].split()
                if not before or self._title_run(before[-3:]) or (
                        len(before) == 1 and before[0].lower() in self.w.articles):
                    return resolver.full_name(entity.name, entity.pos)
                return None
        return None

    def _titled_before(self, text: str, pos: int) -> bool:
        """Whether the word before a position is a title or an honorific ('capitaine Marquinhos')."""
        before = text[max(0, pos - 40):pos].split()[-1:]
        return bool(before) and (self.titled(before[0].lower().strip(","))
                                 or before[0].lower() in self.w.honorifics)

    def _indefinite_subject(self, text: str, open_pos: int) -> str | None:
        """'À Bruxelles, un porte-parole de la Commission a défendu le texte. « … », a-t-il
        affirmé.': a pronoun means the unnamed subject of the sentence before, not a name further
        back."""
        para_start = text.rfind("\n", 0, open_pos) + 1
        left = text[para_start:open_pos]
        ends = [0] + [m.end() for m in SENTENCE_END_RE.finditer(left)]
        start = ends[-2] if len(ends) > 1 and not left[ends[-1]:].strip() else ends[-1]
        sentence = left[start:]
        intro = re.match(r"[^,.;:]{0,40},\s*", sentence)
        for body in ([sentence[intro.end():]] if intro else []) + [sentence]:
            words = body.split()
            if len(words) > 2 and words[0].lower() in self.w.indefinite and any(
                    self.titled(w.lower()) or w.lower() in self.w.anonymous for w in words[1:3]):
                mention = self._mention_after(body)
                return " ".join(mention.split()[1:]) if mention else None
        return None

"""Reading a speaker phrase in the other languages: the mention after an inverted cue ('a déclaré
le porte-parole du Kremlin, Dmitri Peskov'), the subject before a cue ('Finanzminister Karl Roth
sagte'), and the name inside a mention."""

from __future__ import annotations

import re

from transforms.quotes.lexicon import LanguageWords
from transforms.quotes.russian import is_person_word

DASHES = "—–―"
COMPOUNDING = frozenset(("de",))
MAX_MENTION_WORDS = 8


class MentionReader:
    """Speaker phrases of one language (its word lists in `w`)."""

    w: LanguageWords

    def __init__(self, words: LanguageWords) -> None:
        self.w = words
        # The titles a German compound may end with ("Bundesinnenministerin"), for one endswith.
        compounding = words.lang in COMPOUNDING
        self.title_suffixes = tuple(t for t in words.titles if len(t) >= 4) if compounding else ()

    def _pronoun_in_cue(self, cue: str) -> str | None:
        """'a-t-elle ajouté', 'dit-elle' hold their own subject."""
        match = re.search(r"-(?:t-)?(\w+)$", cue) or re.search(r"-t-(\w+)", cue)
        return match.group(1) if match and match.group(1).lower() in self.w.pronouns else None

    def _is_speakerish(self, word: str) -> bool:
        bare = word.lower()
        return (word[:1].isupper() or bare in self.w.articles or bare in self.w.titles
                or bare in self.w.pronouns or bare in self.w.honorifics or bare in self.w.determiners
                or bare in self.w.anonymous or bare in self.w.indefinite
                or re.match(r"[ld][’'][\w]", bare) is not None)  # "selon l'opposition"

    def _named(self, word: str) -> bool:
        """A capitalised word that is no title (in German every noun is capitalised)."""
        return word[:1].isupper() and not self.titled(word.lower().rstrip(",.;:"))

    def _mention_after(self, tail: str, names_only: bool = False) -> str | None:
        """The speaker words after an inverted cue, up to punctuation or a stop word."""
        tokens = tail.split()[:MAX_MENTION_WORDS + 12]
        words: list[str] = []
        reached: list[str] = []
        for i, token in enumerate(tokens[:MAX_MENTION_WORDS + 4]):
            bare = token.strip("()" + DASHES)
            if not bare:
                break
            lowered = bare.lower().rstrip(",.;:!?")
            if token[:1] == "(" and words:
                break  # 'Innenminister Herbert Reul (CDU)': the party is no part of the name
            if not words and not self._is_speakerish(bare.rstrip(",.;:!?")) and (
                    lowered not in self.w.mention_stops) and not any(
                    self.titled(t.lower().rstrip(",.")) for t in tokens[i + 1:i + 3]):
                return None  # (an adjective before a title: 'генеральный директор', 'le nouveau ministre')
            if bare.lower() in self.w.honorifics:
                words.append(bare)  # 'M. Orban': the honorific's period ends nothing
                continue
            stop = ((lowered in self.w.mention_stops and not self._inside_name(bare, words))
                    or bare[:1] in "„“«»\"")
            # 'sagte Claus Weselsky der Deutschen Presse-Agentur': a listener follows the name
            listener = (bare[:1].islower() and lowered in self.w.articles and any(map(self._named, words))
                        and words[-1].lower() not in self.w.name_particles)
            over = (any(map(self._named, words)) and bare[:1].islower()  # 'laut Anna Berger ist'
                    and lowered not in self.w.name_particles and not self.titled(lowered)
                    # 'des Affaires étrangères', 'del Partido Popular': an organisation's adjective
                    and not (len(words) > 1 and words[-2].lower() in self.w.name_particles
                             and lowered not in self.w.conjunctions))
            if stop or listener or over:
                reached = self._reach_name(tokens, i, words)
                break
            words.append(bare.rstrip(",.;:!?"))
            if lowered in self.w.pronouns or bare[-1:] in ",.;:!?" or len(words) >= MAX_MENTION_WORDS:
                break
        if not words:
            return self._detour(tokens, names_only)
        if reached:
            words = [*words, *reached]
        elif words and tokens[len(words) - 1:len(words)] and tokens[len(words) - 1].endswith(","):
            name = self._apposition(tokens[len(words):], words)
            if name:
                words = [*words[:-1], words[-1] + ",", *name]  # "el portavoz del Gobierno, Andrés Molina"
        mention = " ".join(words).strip()
        grammar = self.w.articles | self.w.determiners | self.w.indefinite
        if not mention or all(w.lower() in grammar for w in words):
            return None  # 'a dénoncé un « passage en force »': an article is no speaker
        if names_only and not any(w[:1].isupper() or w.lower() in self.w.anonymous for w in words) and (
                mention.lower() not in self.w.pronouns):
            return None
        return mention

    @staticmethod
    def _inside_name(token: str, words: list[str]) -> bool:
        """A capitalised stop word inside a phrase is part of a name ('la organización Sin
        Fronteras'); an acronym is not ('— сказал Морозов ТАСС')."""
        return bool(words) and token[:1].isupper() and not token.rstrip(",.;:").isupper()

    def _detour(self, tokens: list[str], names_only: bool) -> str | None:
        """'dijo en rueda de prensa el ministro X', 'a déclaré mardi à Paris le président X': past
        a place or time phrase, the speaker is the next article and title."""
        if not tokens or (not self.w.articles and tokens[0].lower() in self.w.source_prepositions):
            return None  # '— сообщили в пресс-службе губернатора': the source, read apart
        for j, token in enumerate(tokens[:8]):
            lowered = token.lower()
            if token[-1:] in ",.;:!?" or lowered in self.w.conjunctions or token[:1] in "„“«»\"":
                return None
            if (j and lowered in self.w.articles and lowered not in self.w.indefinite and j + 1 < len(tokens)
                    and any(self.titled(t.lower().rstrip(",.")) for t in tokens[j + 1:j + 3])):
                return self._mention_after(" ".join(tokens[j:]), names_only)
            if j and not self.w.articles and (self.titled(lowered) or (
                    token[:1].isupper() and is_person_word(token) and j + 1 < len(tokens)
                    and tokens[j + 1][:1].isupper() and is_person_word(tokens[j + 1]))):
                return self._mention_after(" ".join(tokens[j:]), names_only)  # '— заявила на брифинге X'
        return None

    def _reach_name(self, tokens: list[str], i: int, words: list[str]) -> list[str]:
        """A title phrase runs on to the name it means: 'le premier secrétaire du Parti socialiste,
        Olivier Faure', 'заммэра по вопросам градостроительной политики Андрей Бочкарев'."""
        if not words or not any(self.titled(w.lower().rstrip(",")) for w in words):
            return []
        quoted = False
        for j in range(i, min(i + 8, len(tokens))):
            token = tokens[j]
            lowered = token.lower().strip(",.;:!?")
            if token[:1] in "„«" or quoted:  # 'директор госкорпорации «Росатом» Алексей Лихачев'
                quoted = not token.rstrip(",.;:!?").endswith(("“", "»"))
                continue
            linked = lowered in self.w.title_links or self._inside_name(token, words)
            if token[:1] in "“»\"" or (lowered in self.w.mention_stops and not linked):
                return []
            if token.endswith(","):
                name = self._apposition(tokens[j + 1:], words)
                return [*tokens[i:j + 1], *name] if name else []
            if token[-1:] in ".;:!?":
                return []
            if self.w.lang == "ru" and j + 1 < len(tokens) and all(
                    t[:1].isupper() and is_person_word(t) for t in tokens[j:j + 2]):
                end = j + 2 if tokens[j][-1:].isalpha() else j + 1
                return [t.rstrip(",.;:!?") for t in tokens[i:end]]
        return []

    def _apposition(self, rest: list[str], words: list[str]) -> list[str]:
        """'la ministra de Pesca, Elena Vidal,': a title phrase followed by the name it means."""
        if not any(self.titled(w.lower()) for w in words) and words[0].lower() not in (
                self.w.articles | self.w.determiners):
            return []  # ('la négociatrice du groupe africain, Fatima Diallo': an article phrase too)
        name: list[str] = []
        for token in rest[:5]:
            lowered = token.lower().rstrip(",.;")
            if name and lowered in self.w.name_particles:
                name.append(token)  # 'Guirec Le Bras', 'François Villeroy de Galhau'
                continue
            if not token[:1].isupper() or lowered in self.w.not_names:
                return []
            name.append(token.rstrip(",.;:"))
            if token[-1:] in ",.;:":
                return name if len(name) >= 2 else []
        return []

    def titled(self, word: str) -> bool:
        """A title word; in German also a compound ending in one ("Bundesinnenministerin")."""
        return word in self.w.titles or word.endswith(self.title_suffixes)

    def _subject(self, before: str, names_only: bool = False) -> str | None:
        """The speaker phrase ending right before a cue: a pronoun, a name run with its titles
        ("Finanzminister Karl Roth", "la ministre Claire Martin"), or an article and a title."""
        inserted = re.search(r",\s*(\S+)[^,]*,\s*$", before)
        if inserted and inserted.group(1).lower() in self.w.mention_stops:
            before = before[:inserted.start()]  # 'Machado, en declaraciones a EFE, aseguró'
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
            name_word = (word[:1].isupper() and not self.titled(lowered) and lowered not in self.w.not_names
                         and (self.w.lang != "ru" or is_person_word(word)))  # not 'представитель Кремля'
            if not (name_word or (run and lowered in self.w.name_particles)) or (run and word.endswith(",")):
                break  # "el portavoz del Gobierno, Andrés Molina": the name after the comma
            run.insert(0, word)
        while run and (run[0].lower() in self.w.name_particles or (len(run) > 1 and run[0].isupper())):
            run = run[1:]  # "МИД Мария Захарова": an acronym names an organisation
        before = words[len(words) - len(run) - 1:len(words) - len(run)] if run else []
        if before and (before[0] in self.w.articles or before[0] in self.w.contractions):
            return mention  # 'el jugador del Atlético de Madrid': a name after an article is a club
        return " ".join(run) if run else mention

    def _resolvable(self, mention: str) -> str:
        """What the resolver looks up: the pronoun, the name, or the title phrase."""
        if mention.lower() in self.w.pronouns:
            return mention.lower()
        name = self.name_of(mention)
        if name != mention:
            return name
        words = mention.split()
        while len(words) > 1 and words[0].lower() in self.w.articles:
            words = words[1:]  # 'une porte-parole de la compagnie' -> 'porte-parole de la compagnie'
        return " ".join(words)

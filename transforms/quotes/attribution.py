"""Who said a quote: the speech cue around it and the speaker mention it names (no parser).

A cue (configs/quotes.yaml) right after the quote ('," said Putin', '," the source said') or
before it in the same sentence ('Putin said: "..."', 'According to him, "..."') gives the
mention; transforms.quotes.speakers resolves it to a name.
"""

from __future__ import annotations

import re

from transforms.quotes import clauses
from transforms.quotes.lexicon import Resources
from transforms.quotes.marks import Candidate, mark_len
from transforms.quotes.phrases import alternation


class Attributor:
    """The attribution rules over one set of word lists."""

    def __init__(self, resources: Resources) -> None:
        self.res = resources
        res = resources
        self.sentence_end_re = res.sentence_end_re()
        cues = sorted(res.cues, key=len, reverse=True)
        cues += [c[0].upper() + c[1:] for c in cues if c in res.following_speaker_cues]
        # Case-sensitive: "The Post", "State" are names, not cues. A determiner or possessive in
        # front makes the word a noun ("the claim", "Trump's remarks").
        not_noun = "".join(rf"(?<!\b{d} )" for d in res.noun_determiners)
        not_noun += r"(?<!’s )(?<!'s )(?<!-)"  # "-": "so-called" is no cue
        # (the lookahead on the cues' first characters spares the lookbehinds at other words)
        first = "".join(sorted({re.escape(c[0]) for c in cues}))
        cue_alt = (f"(?=[{first}])" if first else "") + not_noun + "(?:" + alternation(cues) + ")"
        self.cue_alt = cue_alt
        self.cue_re = re.compile(rf"\b{cue_alt}\b")
        # "adding that ...", "said that ...": reported speech, whose quoted words are partial.
        self.cue_that_re = re.compile(rf"\b{cue_alt}\s+that\b")
        adverbs = r"(?:(?:" + "|".join(map(re.escape, res.adverbs)) + r")\s+)?"
        # Right after a closing mark: "said Putin" / "the source said" / "— Name".
        self.after_inverted_re = re.compile(rf"^[\s,;:]*{adverbs}(?P<cue>{cue_alt})\b")
        self.after_re = re.compile(
            rf"^[\s,;:]*(?P<m>(?:[^\s,;:!?“”\"]+\s+){{0,9}}?[^\s,;:!?“”\"]+)\s+{adverbs}(?P<cue>{cue_alt})\b")
        self.dash_re = re.compile(r"^\s*[―—–-]+\s*(?P<m>[A-Z][\w.’'\-]*(?:\s+[A-Z][\w.’'\-]*){0,4})")
        self.view_re = re.compile(
            r"\b[Ii]n\s+(?P<m>his|her|their|[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)*?(?:’s|'s|’|'))\s+(?:view|opinion|words)\b")
        self.listener_re = re.compile(r"\s+((?:the\s+)?[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,3}|"
                                      + "|".join(map(re.escape, res.listeners)) + ")")

    # --- small word tests -----------------------------------------------------------------------

    def is_title(self, quote: str) -> bool:
        """A short Title Case span: a show, book or slogan in quotation marks."""
        return len(quote.split()) <= self.res.title_max_words and self.title_case(quote)

    def title_case(self, quote: str) -> bool:
        """Every word but the small ones capitalised: a title in quotation marks."""
        words = [w.strip(".,;:!?-–—'’\"") for w in quote.split()]
        words = [w for w in words if w and w.lower() not in self.res.small_words]
        return bool(words) and all(w[0].isupper() or not w[0].isalpha() for w in words)

    def without_leading_junk(self, words: list[str], keep_last: bool = False) -> list[str]:
        """Without the conjunctions a clause boundary left in front ("To which she" -> "she");
        `keep_last` keeps the last word even if it is one."""
        floor = 1 if keep_last else 0
        while len(words) > floor and words[0].lower() in self.res.leading_junk:
            words = words[1:]
        return words

    def tidy(self, mention: str | None) -> str | None:
        return " ".join(self.without_leading_junk(mention.split(), keep_last=True)) if mention else mention

    def plausible(self, found: tuple[str, str] | None) -> tuple[str, str] | None:
        """The (mention, cue) unless the mention is a clause or a fragment ("she was secretary of")."""
        if found is None:
            return None
        words = found[0].lower().split()
        if any(w in self.res.not_in_mention for w in words) or words[-1] in self.res.not_mention_end:
            return None
        return None if clauses.numeric(found[0]) else found

    # --- attribution ----------------------------------------------------------------------------

    def between_attribution(self, between: str) -> tuple[str, str] | None:
        """The (mention, cue) of the attribution between two fragments of one quote, else None:
        it follows the first fragment and holds one finite cue; a participle or "in an
        interview" may follow it ("DuVernay said, emphasizing why ..."), but a second finite cue
        or "adding that" introduces a quote of its own."""
        stripped = between.strip()
        if not stripped or len(stripped.split()) > 40:
            return None
        cues = list(self.cue_re.finditer(stripped))
        finite = [c for c in cues
                  if c.group(0).lower() not in self.res.secondary_cues and not c.group(0).endswith("ing")]
        if len(finite) != 1 or self.sentence_end_re.search(stripped, 0, finite[0].start()):
            return None  # a sentence ends before the attribution: it is not this quote's
        last = cues[-1]
        if last.group(0).endswith("ing") and len(stripped[last.end():].split()) <= 3:
            return None  # '..., Trump said, adding later, "B"': B is the participle's own quote
        complement = clauses.complement_follows(stripped, finite[0], self.res)  # 'Lee said it was "B"'
        if self.cue_that_re.search(stripped) or any(c in stripped for c in "!?;") or complement:
            return None
        if stripped.split()[-1].lower() in self.res.object_introducers:
            return None  # 'Trump called him a "nasty guy"': the second quote is an object
        ends = list(self.sentence_end_re.finditer(between))
        if ends and self.view_re.search(between[ends[-1].end():]):
            return None  # "In his view, ..." opens a quote of its own
        return self._after(between)

    def has_own_attribution(self, text: str, cand: Candidate) -> bool:
        rest = self._right_context(text, cand)
        return self._after(rest) is not None

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
        rest = text[cand.close_pos + mark_len(text, cand.close_pos):p_end]
        cut = re.search(r"[“„«]|(?<=\s)\"", rest)
        return rest[:cut.start()] if cut else rest

    def _left_context(self, text: str, cand: Candidate) -> tuple[str, int]:
        """The sentence before the opening mark (same paragraph), and its offset."""
        p_start, _ = self._paragraph_bounds(text, cand.open_pos)
        prefix = text[p_start:cand.open_pos]
        ends = list(self.sentence_end_re.finditer(prefix))
        offset = ends[-1].end() if ends else 0
        return prefix[offset:], p_start + offset

    def _introduces_next(self, text: str, cand: Candidate, rest: str) -> bool:
        """The clause after a quote runs from its cue into the next quote with no punctuation:
        the next quote is the cue's object ('Jones called the mayor a "failure"')."""
        after = cand.close_pos + mark_len(text, cand.close_pos) + len(rest)
        if after >= len(text) or text[after] not in "“„«\"":
            return False
        ended = text[cand.pieces[-1][1] - 1] in ".!?" and rest.strip()[:1].isupper()
        if ended and rest.rstrip()[-1:] in ",:" and self.cue_re.search(rest):
            return True  # '"A." To which she said, "B."': a new sentence introducing B
        if not rest.rstrip()[-1:].isalnum():
            return False
        cue = self.cue_re.search(rest)
        return cue is not None and not re.search(r"[,;:.!?―—–]", rest[cue.end():])

    def attribute(self, text: str, cand: Candidate) -> None:
        """Set mention and cue from the words around the quote."""
        rest = self._right_context(text, cand)
        dash = self.dash_re.match(rest)  # '"..." ― Name'
        found = self.plausible(self._after(rest)) or ((dash.group("m").rstrip("."), "―") if dash else None)
        if found and self._introduces_next(text, cand, rest):
            found = None  # '"Sleepy Sam." Jones called the mayor a "failure"': the cue is B's
        if found and self._reports_anew(text, cand, rest):
            found = None  # '"... our state." She said the police had arrested two men.'

        if found:
            cand.mention, cand.cue = found
            cand.mention_pos = cand.close_pos
            cand.adjacent = True
            return
        left, left_pos = self._left_context(text, cand)
        cues = [c for c in self.cue_re.finditer(left)
                if not clauses.noun_use(c.group(0), left[:c.start()], self.res)]
        found = self._before(left, cues)
        relative = found is not None and found[0].lower() in self.res.relative_pronouns
        found = found if relative else self.plausible(found)
        if relative and found and cues:  # 'Jim Hale, now the county treasurer, who in 2012 said'
            antecedent = clauses.relative_subject(left[:cues[-1].start()].split(), self.res)
            cand.antecedent = antecedent[1] if antecedent else None
        if found and cues:
            cand.cue_gap = left[cues[-1].end():].lower().split()
            cand.cue_end = left_pos + cues[-1].end()
        if found is None and cand.para_start:
            found = self._colon_intro(text, cand)
        if found and found[0]:
            cand.mention, cand.cue = found
            cand.mention_pos = left_pos
            if found[0].lower() in self.res.subject_pronouns and cues:
                cand.antecedent = self._main_subject(left[:cues[-1].start()], found[0])

    def _reports_anew(self, text: str, cand: Candidate, rest: str) -> bool:
        """A cue in a sentence after the quote's own ('a "grave threat" to peace. He said the
        ...'), or, after a quote that ends its sentence, a cue with an object of its own ('She
        said the police had ...'), reports something else: it is not this quote's."""
        cue = self.cue_re.search(rest)
        if cue is None or self.after_inverted_re.match(rest):
            return False  # 'Said Trump, ...'
        if text[cand.pieces[-1][1] - 1] not in ".!?":
            return self.sentence_end_re.search(rest, 0, cue.start()) is not None
        if not rest.strip()[:1].isupper():
            return False
        after = rest[cue.end():]
        return clauses.has_own_object(after[self.listener_length(cue.group(0), after):], self.res)

    def _main_subject(self, before: str, pronoun: str) -> str | None:
        """'Ban Ki-moon condemned what he called a "brazen breach"': a pronoun inside the clause
        of a named subject is that subject."""
        words = before.split()
        if len(words) < 3 or words[-1].strip(",") != pronoun or words[-2].lower() not in self.res.embedders:
            return None
        main = self._subject(words[:-2])
        return main if main and main[:1].isupper() and main.lower() not in self.res.pronouns else None

    def _after(self, rest: str) -> tuple[str, str] | None:
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
        if match and not clauses.noun_use(match.group("cue"), rest[:match.start("cue")], self.res):
            mention = self._clean_mention(match.group("m").split())
            if mention and not self.cue_re.search(mention):
                cue = match.group("cue")
                return mention, self._with_listener(cue, rest[match.end():])
        return self._after_chunks(rest)

    def _after_chunks(self, rest: str) -> tuple[str, str] | None:
        """'," Flynn, a top Trump surrogate, said' and '... stock price, she said': the first
        comma-chunk if it names someone (an appositive follows), else the phrase before the cue."""
        sentence_end = self.sentence_end_re.search(rest)
        sentence = rest[:sentence_end.start() + 1] if sentence_end else rest
        cue = next((c for c in self.cue_re.finditer(sentence)
                    if not clauses.noun_use(c.group(0), sentence[:c.start()], self.res)), None)
        if cue is None or len(sentence[:cue.start()].split()) > 25 or cue.group(0).endswith("ing"):
            return None
        chunks = [c.split() for c in sentence[:cue.start()].split(",") if c.strip()]
        if not chunks:
            return None
        first = chunks[0]
        if len(chunks) > 1 and len(first) <= 10 and self._names_someone(first):
            mention = self._clean_mention(first)
            if mention and clauses.titled_phrase(mention, self.res) and clauses.is_name(chunks[1], self.res):
                mention = f"{mention}, {' '.join(chunks[1])}"  # the agency's spokeswoman, Maria Zakharova
        else:
            tail = self._np_tail(chunks[-1])
            mention = " ".join(tail) if tail else None
        return (mention, self._with_listener(cue.group(0), sentence[cue.end():])) if mention else None

    def _names_someone(self, words: list[str]) -> bool:
        """Starts like a speaker: a pronoun, a determiner, or a capitalised non-function word."""
        head = words[0].strip("(“\"").lower()
        if head in self.res.pronouns or head in self.res.determiners:
            return True
        return words[0][:1].isupper() and head not in self.res.not_names

    def _np_tail(self, words: list[str]) -> list[str] | None:
        """The speaker phrase ending `words`: a pronoun, a capitalised name run ("Rep. Jason
        Chaffetz (R-Utah)"), or a determiner phrase ("the Russian president")."""
        words = [w for w in words if w.strip()]
        while words and (words[-1].lower() in self.res.adverbs or words[-1].lower().endswith("ly")
                         or words[-1].lower() in self.res.auxiliaries):
            words = words[:-1]  # "he repeatedly said", "Trump also said"
        if not words or words[-1][-1:] in ",;:" or words[-1].lower() in self.res.coordinators:
            return None  # after "and" the cue shares the clause's subject (taken by _subject)
        if words[-1].lower() in self.res.pronouns:
            return words[-1:]
        i = len(words)
        while i > 0 and (words[i - 1][:1] == "(" or words[i - 1][:1].isupper()
                         or words[i - 1] in self.res.name_particles):
            if words[i - 1].rstrip("”\"’")[-1:] in ",;:" and i < len(words):  # 'Voters,” Ann Lee said
                break
            i -= 1
        res = self.res
        while i < len(words) and (words[i] in res.name_particles or words[i].lower() in res.not_names
                                  or clauses.timeish(words[i], self.res)):
            i += 1  # "In May Smith said": the month is no part of the name
        if i < len(words):
            return words[self._over_preposition(words, i):]
        for j in range(len(words) - 1, max(-1, len(words) - 7), -1):
            if words[j].lower() in self.res.determiners or words[j].lower() in self.res.quantifiers:
                j -= j > 0 and words[j - 1].lower() in self.res.determiners  # "The two senators"
                phrase = words[j:]
                if any(w.lower() in self.res.clause_words or w[-1:] in ",;:" for w in phrase[:-1]):
                    return None
                clause = words[max((k + 1 for k, w in enumerate(words[:j]) if w[-1:] in ",;:"), default=0):j]
                if any(w.lower() in self.res.relative_pronouns for w in clause):
                    return None  # 'the man who shot the officer said': the noun is the clause's
                return words[self._over_preposition(words, j):]
        return clauses.coordinated_title(words, self.res)

    def _over_preposition(self, words: list[str], start: int) -> int:
        """Where the speaker phrase starts when the phrase at `start` is a preposition's object:
        'a spokesman for the company', 'Jones of the Heritage Foundation' (else `start`)."""
        p, res = start - 1, self.res
        preposition = words[p].lower() in res.prepositions | res.noun_prepositions if p >= 1 else False
        if not preposition or words[p - 1][-1:] in ",;:":
            return start
        head = words[p - 1].lower()  # a determiner before it: 'the crowd outside the courthouse'
        determined = any(w.lower() in res.determiners for w in words[max(0, p - 4):p - 1])
        if not (head in res.titles or head in res.anonymous or words[p - 1][:1].isupper() or determined):
            return start  # 'footage of Hillary': no speaker noun before the preposition
        for k in range(p - 1, max(-1, p - 4), -1):
            word = words[k]
            if word[-1:] in ",;:" or word.lower() in self.res.clause_words:
                return start
            if word.lower() in self.res.determiners or (
                    word[:1].isupper() and (k == 0 or not words[k - 1][:1].isupper())
                    and word.lower() not in self.res.not_names):
                return k if not clauses.timeish(word, self.res) else start
        return start

    def _subject(self, words: list[str]) -> str | None:
        """The first pronoun or name of a clause (after a leading prepositional phrase)."""
        while words and (words[0].lower() in self.res.prepositions | self.res.intro_words):
            # "In May, ...", "Once in my early 20s, when ...,": an opening phrase is no subject
            cut = next((k for k, w in enumerate(words) if w.endswith(",")), None)
            words = words[cut + 1:] if cut is not None else []
        words = [w.lstrip("\"“‘'(") for w in words]
        for k, word in enumerate(words):
            if not word:
                continue
            bare = word.strip(",;:").lower()
            if bare in self.res.subject_pronouns:
                return word.strip(",;:")
            timeish = clauses.timeish(word, self.res)
            if timeish or (k + 1 < len(words) and clauses.timeish(words[k + 1], self.res)):
                continue  # "Last week", "On Monday", "In 2019"
            counted = k == 0 and bare in self.res.quantifiers  # "Two local pastors wrote"
            if word[:1].isupper() and bare not in self.res.not_names and not counted:
                run = [word]
                for n, nxt in enumerate(words[k + 1:], k + 1):
                    if run[-1][-1:] in ",;:":
                        break
                    title = (nxt.lower() in self.res.titles and n + 1 < len(words)
                             and words[n + 1][:1].isupper())
                    if not (nxt[:1].isupper() or nxt[:1] == "(" or title):
                        break
                    run.append(nxt)  # "Foreign Ministry spokeswoman Maria Zakharova"
                owner = run[-1].endswith(("’s", "'s"))  # "Scott's daughter wrote"
                end = clauses.possessed_end(words, k + len(run), self.res) if owner else 0
                return (owner and clauses.apposition(words, k, self.res)) or " ".join(
                    words[k:end] if end else run).strip(",;: ")
            if k == 0 and (word.lower() in self.res.articles or word.lower() in self.res.quantifiers):
                # 'The senator, who wrote it, said'; 'several farm groups granted ..., saying'
                phrase = self._leading_phrase(words) or clauses.noun_phrase_subject(words, self.res)
                if phrase and self.speaks(phrase):
                    return phrase
        return None

    def _leading_phrase(self, words: list[str]) -> str | None:
        """'The senator, who wrote the report, said': the determiner phrase opening the clause."""
        phrase: list[str] = []
        for word in words[:6]:
            if phrase and (word.lower() in self.res.clause_words or word.lower() in self.res.prepositions):
                break
            phrase.append(word)
            if word[-1:] in ",;:":
                break
        text = " ".join(phrase).strip(",;: ")
        if len(phrase) < 2 or not phrase[-1].endswith(",") or not self.speaks(text):
            return None  # only a phrase that a comma sets off from its relative clause or apposition
        rest = words[len(phrase):]
        cut = next((k for k, w in enumerate(rest) if w[-1:] in ",;:"), None)
        name = [w.strip(",;:") for w in rest[:cut + 1]] if cut is not None else []
        if phrase[-1].endswith(",") and clauses.is_name(name, self.res):
            text += ", " + " ".join(name)  # "The agency's spokeswoman, Maria Zakharova,"
        return text

    def resolvable(self, mention: str) -> str:
        return clauses.resolvable(mention, self.res)

    def _before(self, left: str, cues: list[re.Match[str]] | None = None) -> tuple[str, str] | None:
        """(mention, cue) from the sentence before a quote: "Putin said:", "According to him,".
        `cues`: the cue matches of `left`, when the caller has them already."""
        views = list(self.view_re.finditer(left))
        view = views[-1] if views else None
        cues = list(self.cue_re.finditer(left)) if cues is None else cues
        if view and (not cues or view.start() > cues[-1].start()):
            mention = re.sub(r"(’s|'s|’|')$", "", view.group("m"))
            return mention, view.group(0)[: view.start("m") - view.start()].strip() + " view"
        light = clauses.light_verb_cue(left, self.res)
        if light and (not cues or cues[-1].start() >= light.start()):
            words = left[:light.start()].split()  # 'Senator Lee made the following remark:'
            tail = self._np_tail(words)
            mention = " ".join(tail) if tail else self._subject(words)
            return (mention, light.group(0).strip(" ,:")) if mention else None
        if not cues:
            return None
        cue = cues[-1]
        if cue.group(0).lower() in self.res.secondary_cues and len(cues) > 1:
            cue = cues[-2]  # 'The senator's office said in a statement that': the verb is the cue
        word = cue.group(0)
        if word.lower() in self.res.following_speaker_cues:
            mention = self._mention_after(left[cue.end():])
            if mention:
                return mention, word
        before_words = left[:cue.start()].split()
        if clauses.naming_participle(before_words, word, left[cue.end():].split(), self.res):
            return None  # 'The plan, dubbed "Medicare for All,"', 'a group called "Moms Unite"'
        if word.lower().endswith("ing") and len(cues) > 1:
            # A participle ("adding that") speaks for the subject of the earlier cue.
            main = [c for c in cues[:-1] if c.group(0).lower() not in self.res.secondary_cues]
            earlier = self._before(left[:main[-1].end()], main) if main else None
            if earlier:  # ('... said in a statement, adding that': "in a statement" speaks for no one)
                return earlier[0], word
        if not before_words:
            mention = self._mention_after(left[cue.end():])  # "Said Trump: ..."
        else:
            relative = clauses.relative_subject(before_words, self.res)
            tail = None if word.lower().endswith("ing") or relative else self._np_tail(before_words)
            mention = relative[0] if relative else " ".join(tail) if tail else self._subject(before_words)
        return (mention, self._with_listener(word, left[cue.end():])) if mention else None

    def _colon_intro(self, text: str, cand: Candidate) -> tuple[str, str] | None:
        """'Caddell continued:' closing the previous paragraph introduces this one."""
        p_start, _ = self._paragraph_bounds(text, cand.open_pos)
        previous = text[:p_start].rstrip()
        if not previous.endswith(":"):
            return None
        sentence_start = previous.rfind("\n") + 1
        ends = list(self.sentence_end_re.finditer(previous, sentence_start))
        sentence = previous[ends[-1].end() if ends else sentence_start:]
        return self._before(sentence)

    def listener_length(self, cue: str, after: str) -> int:
        """How many characters of `after` the listener of a listener cue takes ("told reporters")."""
        if cue.split()[0].lower() not in self.res.listener_cues:
            return 0
        match = self.listener_re.match(after)
        return match.end() if match else 0

    def speaks(self, mention: str) -> bool:
        """Whether a mention can be a speaker: not a time, a date, a number or a document."""
        words = [w.strip(",.;:()").lower() for w in mention.split()]
        words = [w for w in words if w]
        if not words or words[-1] in self.res.non_speakers or words[0] in self.res.non_speakers:
            return False
        return not any(c.isdigit() for c in words[-1])

    def _with_listener(self, cue: str, after: str) -> str:
        """'told' takes its listener: "told Sputnik", "told reporters"."""
        if cue.lower() not in self.res.listener_cues:
            return cue
        match = self.listener_re.match(after)
        return f"{cue} {match.group(1)}" if match else cue

    def _mention_after(self, tail: str) -> str | None:
        """The speaker words after an inverted cue: "said Putin" -> "Putin"; "said the agency's
        spokeswoman, Maria Zakharova" keeps the name its title phrase stands for."""
        mention = self._words_after(tail)
        titled = bool(mention) and (clauses.titled_phrase(mention, self.res)
                                    or clauses.common(mention, self.res))  # 'one voter, Maria Gomez'
        if mention and titled and tail.count(",") and tail.find(mention) >= 0:
            after = tail[tail.find(mention) + len(mention):]
            name = re.match(r"\s*,\s*((?:[A-Z][\w.’'\-]*\s+){0,3}[A-Z][\w’'\-]*)\s*(?:[,.;:!?]|$)", after)
            if name:
                return f"{mention}, {name.group(1)}"
        return mention

    def _words_after(self, tail: str) -> str | None:
        words = []
        for token in tail.split()[:10]:
            bare = clauses.unbracket(token)  # a party tag "(D-Md.)," stays whole
            if not words and bare.lower() in self.res.mention_stops:
                return None
            if words and bare.lower() in self.res.mention_stops:
                break
            if bare[:1] in "“\"‘":
                break
            abbreviated = clauses.abbreviated(bare, self.res)
            end_punct = bare[-1:] in ",;:!?" or (bare.endswith(".") and not abbreviated)
            words.append(bare.rstrip(",;:!?.") if end_punct else bare)
            if end_punct:
                break
        return self._clean_mention(words)

    def _clean_mention(self, words: list[str]) -> str | None:
        """The last clause's words before a cue, without leading conjunctions, at most 8."""
        kept: list[str] = []
        for word in reversed(words):
            if word[-1:] in ",;:!?.”\"" and kept and not clauses.abbreviated(word, self.res):
                break
            if word.lower() in self.res.mention_clause_breaks and kept:
                break
            kept.append(word)
            if len(kept) >= 8:
                break
        kept = self.without_leading_junk(kept[::-1])
        while kept and kept[-1].lower() in self.res.trailing_adverbs | self.res.auxiliaries:
            kept = kept[:-1]  # "he also", "Trump has" (said)
        mention = " ".join(kept).strip(",;: ")
        if not mention or not any(c.isalpha() for c in mention):
            return None
        return mention

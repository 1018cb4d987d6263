"""Clause shapes around a cue that the mention finder of transforms.quotes.attribution asks about,
by word lists only (no parser): the lower-case noun phrase opening a clause ("several farm
groups granted ..."), the antecedent of a relative pronoun subject ("Jim Hale, now the county
treasurer, who in 2012 said"), a light verb with a speech noun ("made the following remark:"),
and a cue with an object of its own after a quote that ended its sentence."""

from __future__ import annotations

import re
from functools import cache

from transforms.quotes.lexicon import Resources

# A run of digits (with %, commas, periods): a quantity, never part of a speaker phrase.
NUMBER_RE = re.compile(r"^[\d.,%$]+%?$")


def bare(word: str) -> str:
    return word.strip(",;:.()“”\"'‘’").lower()


def is_verb(words: list[str], k: int, res: Resources) -> bool:
    """Whether words[k] reads as the clause's finite verb: a listed finite form, or a word in
    -ed followed by what opens an object ('granted the mayor', 'issued a statement'), so that an
    adjective in -ed ('the embattled governor') is no verb."""
    word = bare(words[k])
    if word in res.finite_verbs:
        return True
    if not word.endswith("ed") or k + 1 >= len(words):
        return False
    nxt = words[k + 1]
    return (bare(nxt) in res.determiners or bare(nxt) in res.pronouns or bare(nxt) in res.prepositions
            or bare(nxt) in res.complementizers or nxt[:1].isupper())


def noun_phrase_subject(words: list[str], res: Resources) -> str | None:
    """'several farm groups granted ...', 'the city council issued ...': a clause opening with a
    determiner or quantifier has the words up to its verb as subject (at most five)."""
    if not words or not (bare(words[0]) in res.articles or bare(words[0]) in res.quantifiers):
        return None
    relative, k = False, 0
    while k + 1 < min(len(words), 10 if relative else 6):
        k += 1
        if words[k - 1][-1:] in ",;:":
            return None
        if bare(words[k]) in res.relative_pronouns and k > 1 and not relative:
            relative = True  # 'The man who shot the officer told police': the main verb is the second
            continue
        if bare(words[k]) in res.clause_words:
            return None
        if relative and is_verb(words, k, res) and bare(words[k - 1]) in res.relative_pronouns:
            continue  # the relative clause's own verb
        if is_verb(words, k, res):
            phrase = [w.strip(",;:") for w in words[:k]]
            while phrase and (bare(phrase[-1]) in res.adverbs or bare(phrase[-1]).endswith("ly")):
                phrase.pop()  # 'The nominee also outlined'
            return " ".join(phrase) if len(phrase) > 1 else None
    # The words end (at the cue) after a relative clause: 'The man who shot the officer' told
    return " ".join(w.strip(",;:") for w in words) if relative and k == len(words) - 1 else None


def relative_subject(words: list[str], res: Resources) -> tuple[str, str] | None:
    """('who', its antecedent) when the cue's subject is a relative pronoun: 'Jim Hale, now the
    county treasurer, who in 2012 said'. The antecedent is the name before the comma, over an
    apposition set off by commas; else the noun phrase there."""
    k = len(words)
    while k > 0 and (bare(words[k - 1]) in res.time_words or bare(words[k - 1]) in res.time_openers
                     or NUMBER_RE.match(bare(words[k - 1]) or "x") or bare(words[k - 1]) in res.adverbs
                     or bare(words[k - 1]).endswith("ly")):
        k -= 1  # 'who in 2012', 'who last week', 'who later'
    if k < 2 or bare(words[k - 1]) not in res.relative_pronouns or bare(words[k - 1]) == "whose":
        return None
    before = " ".join(words[:k - 1]).rstrip(", ")
    if not words[k - 2].endswith(","):
        return None  # 'the man who said': a defining clause, the noun is the clause's own
    chunks = [c.split() for c in before.split(",") if c.strip()]
    for chunk in reversed(chunks[-2:]):
        name = _name_tail(chunk, res)
        if name:
            return bare(words[k - 1]), name
    # no name: the noun phrase before the comma ("Sanders' supporters, who call themselves")
    return (bare(words[k - 1]), " ".join(chunks[-1][-3:])) if chunks and len(chunks[-1]) <= 3 else None


def _name_tail(words: list[str], res: Resources) -> str | None:
    """The capitalised name run ending a chunk ('Voters remember Jim Hale' -> 'Jim Hale')."""
    i = len(words)
    while i > 0 and (words[i - 1][:1].isupper() or words[i - 1] in res.name_particles):
        i -= 1
    run = [w for w in words[i:] if bare(w) not in res.not_names]
    return " ".join(run) if run and i < len(words) and run[0][:1].isupper() else None


def light_verb_cue(left: str, res: Resources) -> re.Match[str] | None:
    """'Senator Lee made the following remark:', 'the council issued this statement:': a light
    verb and a speech noun ending the words before a quote make a cue, its subject the speaker."""
    return _light_verb_re(res.light_verbs, res.speech_nouns).search(left)


@cache
def _light_verb_re(light_verbs: frozenset[str], speech_nouns: frozenset[str]) -> re.Pattern[str]:
    verbs = "|".join(map(re.escape, sorted(light_verbs, key=len, reverse=True)))
    nouns = "|".join(map(re.escape, sorted(speech_nouns, key=len, reverse=True)))
    pattern = (rf"\b(?P<verb>{verbs})\s+(?:\S+\s+){{1,3}}?(?P<noun>{nouns})"
               rf"(?:\s+(?:to|on|in|at)\s+(?:\S+\s+){{0,3}}?\S+?)?\s*[:,]?\s*$")
    return re.compile(pattern, re.IGNORECASE)


def has_own_object(after_cue: str, res: Resources) -> bool:
    """'She said the police had arrested two men': the cue's own object follows it, so the
    clause reports something else and does not attribute the quote before it."""
    words = after_cue.split()
    if not words or words[0][:1] in ",.;:!?" or words[0][-1:] in ",.;:!?":
        return False
    first = bare(words[0])
    return (first in res.complementizers or first in res.subject_pronouns or first in res.articles
            or first in res.quantifiers)


def complement_follows(between: str, cue: re.Match[str], res: Resources) -> bool:
    """Between two quotes, 'and Mayor Lee said it was': the second quote is the cue's own
    complement, not the first one's continuation (not after an inverted cue, 'said the Rev. X',
    or a listener cue, 'told the host')."""
    if not between[:cue.start()].split() or cue.group(0).lower() in res.listener_cues:
        return False
    return has_own_object(between[cue.end():], res)


def numeric(mention: str) -> bool:
    """A mention holding a quantity ('compared to 11% of Democratic'): no speaker phrase."""
    return any(NUMBER_RE.match(bare(w) or "x") and any(c.isdigit() for c in w) for w in mention.split())


def is_name(words: list[str], res: Resources) -> bool:
    """A short run of capitalised words (particles allowed): a person's name."""
    return 0 < len(words) <= 4 and words[0].lower() not in res.not_names and all(
        w[:1].isupper() or w in res.name_particles for w in words)


def timeish(word: str, res: Resources) -> bool:
    """A time expression's word, a date or a number: never a speaker ("Last week", "In May")."""
    word = word.strip(",;:.()").lower()
    return word in res.time_words or any(c.isdigit() for c in word)


def titled_phrase(phrase: str, res: Resources) -> bool:
    """'the agency's spokeswoman', 'a senior official': a title or anonymous head."""
    head = phrase.split()[-1].lower().strip(".")
    return head in res.titles or head in res.anonymous


def abbreviated(word: str, res: Resources) -> bool:
    """A title's abbreviation or an initial: its period ends nothing."""
    return word.lower() in res.abbreviations or re.fullmatch(r"[A-Z]\.", word) is not None


def quantity(word: str, res: Resources) -> bool:
    word = bare(word)
    return (bool(NUMBER_RE.match(word or "x")) and any(c.isdigit() for c in word)) or word in res.quantities


def noun_use(cue: str, before: str, res: Resources) -> bool:
    """A speech noun counted by a quantity is no cue: '32% of Republican claims', 'most of the
    remarks', 'two comments' (but 'a mother of three said')."""
    if cue.lower() not in res.speech_nouns:
        return False
    words = before.split()[-4:]
    if words and quantity(words[-1], res):
        return True
    of = [k for k, w in enumerate(words) if w.lower() == "of"]
    return bool(of) and of[-1] > 0 and len(words) - of[-1] <= 3 and quantity(words[of[-1] - 1], res)


def possessed_end(words: list[str], start: int, res: Resources) -> int:
    """After a possessive ("Scott's"), where the noun it owns ends when a verb follows within
    three words ("Scott's daughter wrote", "the mayor's chief of staff said"), else 0; 0 also
    for a contraction ("It's") and for a document or statement, which speaks for its owner
    ("Trump's lawyers' brief said": Trump's)."""
    if bare(words[start - 1])[:-2] in res.pronouns | res.not_subjects | res.determiners:
        return 0
    end = len(words) if start < len(words) <= start + 3 else 0  # the cue follows: "Scott's aide said"
    for k in range(start, min(len(words), start + 4)):
        if words[k - 1][-1:] in ",;:":
            return 0
        if k > start and is_verb(words, k, res):
            end = k
            break
    owned = bare(words[end - 1]) if end else ""
    return 0 if owned in res.non_speakers or owned in res.speech_nouns else end


def unbracket(token: str) -> str:
    """A word without its brackets, but a whole bracketed tag ("(D-Md.),") kept as it is."""
    core = token.rstrip(",;:!?")
    if core.startswith("(") and core.rstrip(".").endswith(")"):
        return token
    return token.strip("()")


def apposition(words: list[str], start: int, res: Resources) -> str | None:
    """"Trump's campaign manager, Kellyanne Conway, said": the possessive phrase and the name set
    off by commas after it, as "phrase, Name" (resolved to the name), else None."""
    cut = next((k for k in range(start, min(len(words), start + 5)) if words[k].endswith(",")), None)
    if cut is None or bare(words[cut]) in res.non_speakers:
        return None  # the owner makes a role of any noun: "Clinton's running mate, Tim Kaine,"
    close = next((k for k in range(cut + 1, min(len(words), cut + 5)) if words[k].endswith(",")), None)
    name = words[cut + 1:close + 1] if close is not None else words[cut + 1:]
    name = [w.rstrip(",") for w in name if not w.startswith("(") and not w.rstrip(",").endswith(")")]
    if (close is None and len(name) > 4) or not is_name(name, res):
        return None
    return " ".join(words[start:cut + 1]) + " " + " ".join(name)


def resolvable(mention: str, res: Resources) -> str:
    """What names the speaker in a mention: the name of an apposition ("the agency's
    spokeswoman, Maria Zakharova"), the head before a preposition ("a spokesman for the
    company"), the name after a title ("Foreign Ministry spokeswoman Maria Zakharova"), without
    a bracketed party tag ("Rep. Jason Chaffetz (R-Utah)")."""
    parts = [p.strip() for p in mention.split(",") if p.strip()]
    if len(parts) > 1:
        named = [p for p in parts[1:] if p[:1].isupper() and p.split()[0].lower() not in res.not_names]
        mention = named[0] if named and (titled_phrase(parts[0], res) or common(parts[0], res)) else parts[0]
    words = [w for w in mention.split() if not w.startswith("(")] or mention.split()
    cut = next((k for k, w in enumerate(words) if k > 0 and w.lower() in res.prepositions), None)
    if cut is not None and cut + 1 < len(words):
        words = words[:cut]
    last_title = max((k for k, w in enumerate(words) if w.lower() in res.titles), default=-1)
    rest = words[last_title + 1:]
    if last_title >= 0 and rest and all(w[:1].isupper() for w in rest) and (
            words[last_title].islower() or len(rest) > 1):  # "Rep. Jim Jordan", "Chairman Jason Chaffetz"
        words = rest
    return " ".join(words)


def naming_participle(before: list[str], cue: str, gap: list[str], res: Resources) -> bool:
    """A naming verb as a participle gives a name, and nobody says it: after a comma ('The plan,
    dubbed "Medicare for All,"') or right before the quote after a common noun ('a group
    called "Moms Unite"'), not 'Trump called it "a disaster"'."""
    if cue.lower() not in res.naming_cues or not before or gap:
        return False  # 'Jones, a spokesman, called the ruling "..."': the verb has its object
    last = bare(before[-1])
    if any(bare(w) in res.embedders for w in before[-3:]):
        return False  # 'what multiple lawmakers called "fraud"': a verb with its subject
    return before[-1].endswith(",") or (
        before[-1][:1].islower() and last not in res.pronouns and last not in res.adverbs
        and last not in res.not_in_mention)  # 'it was labeled "Mostly True"' is a passive verb


def common(phrase: str | None, res: Resources) -> bool:
    """A common noun phrase ('one voter', "Clinton's running mate"): a name set off after it is its
    name."""
    words = (phrase or "").split()
    return len(words) > 1 and (words[0].lower() in res.determiners or words[0].lower() in res.quantifiers
                               or words[0].endswith(("’s", "'s")))  # "Clinton's running mate"


def coordinated_title(words: list[str], res: Resources) -> list[str] | None:
    """'the former secretary of state and current Democratic presidential nominee said': a long
    determiner phrase ending in a title, whose parts "and" joins, is the speaker."""
    if not words or bare(words[-1]) not in res.titles:
        return None
    for j in range(len(words) - 1, max(-1, len(words) - 13), -1):
        word = bare(words[j])
        if words[j][-1:] in ",;:" or (word in res.clause_words and word not in res.coordinators):
            return None
        if word in res.articles:
            return words[j:]
    return None

"""The quote extractor's word lists, read from configs/quotes.yaml (their one home) and checked.

Every list a rule of transforms/quotes/ uses is a field here; no rule module holds words of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from transforms.common.config import ConfigError, read_yaml

WORDS = frozenset  # a case-insensitive word list (lowercased)


@dataclass(frozen=True)
class Resources:
    cues: tuple[str, ...]
    listener_cues: WORDS
    pronouns: WORDS
    titles: WORDS
    honorifics: WORDS
    anonymous: WORDS
    not_names: WORDS
    mention_stops: WORDS
    leading_junk: WORDS
    determiners: WORDS
    noun_determiners: tuple[str, ...]
    subject_pronouns: WORDS
    adverbs: tuple[str, ...]
    trailing_adverbs: WORDS
    auxiliaries: WORDS
    name_particles: tuple[str, ...]
    name_run_particles: tuple[str, ...]
    articles: WORDS
    clause_words: WORDS
    mention_clause_breaks: WORDS
    coordinators: WORDS
    prepositions: WORDS
    noun_prepositions: WORDS
    small_words: WORDS
    object_introducers: WORDS
    not_in_mention: WORDS
    not_mention_end: WORDS
    clause_gap_words: WORDS
    secondary_cues: WORDS
    following_speaker_cues: WORDS
    listeners: tuple[str, ...]
    work_markers: WORDS
    non_speakers: WORDS
    time_words: WORDS
    relative_pronouns: WORDS
    embedders: WORDS
    intro_words: WORDS
    time_openers: WORDS
    not_subjects: WORDS
    object_pronouns: WORDS
    complementizers: WORDS
    naming_cues: WORDS
    quantifiers: WORDS
    quantities: WORDS
    finite_verbs: WORDS
    light_verbs: WORDS
    speech_nouns: WORDS
    abbreviations: WORDS
    sentence_abbreviations: tuple[str, ...]
    min_words_uncued: int
    min_words: int
    min_words_partial: int
    title_max_words: int
    fragment_gap_words: int
    cue_gap_words: int
    woven_gap_words: int
    woven_max_words: int
    woven_share: float

    def sentence_end_re(self) -> re.Pattern[str]:
        """A sentence ends at . ! ? (optionally followed by a closing mark) before a space, except
        after a title's abbreviation ("Mr.") or an initial."""
        behind = "".join(rf"(?<!\b{re.escape(a)})" for a in self.sentence_abbreviations)
        # (the lookahead first spares the lookbehinds at every other character)
        return re.compile(rf"(?=[.!?]){behind}(?<!\b[A-Z])[.!?][\"”’']?\s+(?=[\"“‘'A-Z0-9])")


# Lists kept in their file order (tuples) and the case-sensitive ones (not lowercased).
ORDERED = frozenset(("cues", "noun_determiners", "adverbs", "name_particles", "name_run_particles",
                     "listeners", "sentence_abbreviations"))
CASE_SENSITIVE = frozenset(("noun_determiners", "sentence_abbreviations"))


def word_list(mapping: dict, key: str, where: str, lower: bool = True) -> list[str]:
    """mapping[key] as a list of stripped (and lower-cased) words; anything else is a ConfigError
    naming the file and key."""
    value = mapping.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return [v.strip().lower() if lower else v.strip() for v in value if v.strip()]


def load_resources(path: str | Path) -> Resources:
    """Read the word lists; a missing or malformed file is a ConfigError."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"quotes resources {path} must be a mapping")

    def words(key: str) -> list[str]:
        return word_list(data, key, f"quotes resources {path}", lower=key not in CASE_SENSITIVE)

    def number(key: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"quotes resources {path}: '{key}' must be an integer")
        return value

    def share(key: str) -> float:
        value = data.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
            raise ConfigError(f"quotes resources {path}: '{key}' must be a number from 0 to 1")
        return float(value)

    values: dict[str, object] = {}
    for field in fields(Resources):
        if field.type == "int":
            values[field.name] = number(field.name)
        elif field.type == "float":
            values[field.name] = share(field.name)
        else:
            listed = words(field.name)
            values[field.name] = tuple(listed) if field.name in ORDERED else frozenset(listed)
    return Resources(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LanguageWords:
    """The word lists of one language other than English (configs/quotes.yaml, `languages`)."""

    lang: str
    marks: tuple[tuple[str, str], ...]  # (opening, closing) mark pairs
    cues: tuple[str, ...]
    according_before: tuple[str, ...]
    according_after: tuple[str, ...]
    opinion: tuple[str, ...]
    opinion_pronoun: dict[str, str]
    mention_stops: WORDS
    pronouns: WORDS
    titles: WORDS
    honorifics: WORDS
    anonymous: WORDS
    not_names: WORDS
    articles: WORDS
    conjunctions: tuple[str, ...]
    impersonal: WORDS
    name_particles: tuple[str, ...]
    examples: tuple[dict[str, str], ...]
    auxiliaries: WORDS = frozenset()  # a perfect split by its subject: 'hat Faeser am Montag gesagt'
    determiners: WORDS = frozenset()  # possessives that open a speaker phrase ('sa présidente')
    indefinite: WORDS = frozenset()  # 'ein Sprecher', 'une porte-parole': no one named before
    work_markers: WORDS = frozenset()  # nouns whose quoted complement is a title ('das Buch „…“')
    source_prepositions: WORDS = frozenset()  # '— заявили в пресс-службе': the source after the cue
    title_links: WORDS = frozenset()  # words a title phrase runs on through to its name ('по', 'à')
    cue_insertions: tuple[str, ...] = ()  # between a cue and its subject ('de son côté', 'à l'AFP')
    contractions: WORDS = frozenset()  # article + preposition ('du', 'del', 'vom'): no name follows
    according_names_only: WORDS = frozenset()  # 'pour X' attributes only with a name ('pour le moment')
    quoting_cues: WORDS = frozenset()  # 'Tass zitierte sie': the one quoted speaks, not the subject
    pro_drop: bool = False  # a cue without a subject speaks for the last person named ('», denunció.')

    @property
    def name_run_particles(self) -> tuple[str, ...]:
        return self.name_particles


LANGUAGE_LISTS = ("cues", "according_before", "according_after", "opinion", "mention_stops", "pronouns",
                  "titles", "honorifics", "anonymous", "not_names", "articles", "conjunctions", "impersonal",
                  "name_particles")
OPTIONAL_LISTS = ("auxiliaries", "determiners", "indefinite", "work_markers", "source_prepositions",
                  "title_links", "contractions", "according_names_only", "quoting_cues")


def cue_forms(where: str, groups: object) -> list[str]:
    """`cue_forms`: each group's every prefix + stem + ending ('a-t-elle' + 'déclar' + 'é',
    'заяви' + 'ла'); a prefix is joined by a space."""
    if not isinstance(groups, list):
        raise ConfigError(f"{where}: 'cue_forms' must be a list of {{prefixes, stems, endings}}")
    forms = []
    for group in groups:
        if not isinstance(group, dict) or not set(group) <= {"prefixes", "stems", "endings"}:
            raise ConfigError(f"{where}: each 'cue_forms' entry has only prefixes, stems and endings")
        parts = {key: group.get(key, [""]) for key in ("prefixes", "stems", "endings")}
        if not all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in parts.values()):
            raise ConfigError(f"{where}: 'cue_forms' prefixes, stems and endings are lists of strings")
        prefixes, stems, endings = ([w.strip().lower() for w in parts[key]] for key in parts)
        forms += [f"{p} {s}{e}".strip() for p in prefixes for s in stems for e in endings]
    return forms


def load_languages(path: str | Path) -> dict[str, LanguageWords]:
    """The `languages` section: language code -> its word lists (none when the file has none)."""
    data = read_yaml(path)
    section = data.get("languages", {}) if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise ConfigError(f"quotes resources {path}: 'languages' must be a mapping")
    return {lang: _language(path, lang, entry) for lang, entry in section.items()}


def _language(path: str | Path, lang: str, entry: object) -> LanguageWords:
    where = f"quotes resources {path}: languages.{lang}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping")

    def words(key: str) -> list[str]:
        return word_list(entry, key, where)

    lists = {key: words(key) for key in LANGUAGE_LISTS}
    lists["cues"] = list(dict.fromkeys(lists["cues"] + cue_forms(where, entry.get("cue_forms", []))))
    optional: dict = {key: frozenset(word_list(entry, key, where)) for key in OPTIONAL_LISTS if key in entry}
    if "cue_insertions" in entry:
        optional["cue_insertions"] = tuple(word_list(entry, "cue_insertions", where))
    if not isinstance(entry.get("pro_drop", False), bool):
        raise ConfigError(f"{where}: 'pro_drop' must be true or false")
    marks = entry.get("marks")
    if not isinstance(marks, list) or not all(isinstance(m, str) and len(m) == 2 for m in marks):
        raise ConfigError(f"{where}: 'marks' must be a list of two-character strings (opening, closing)")
    pronoun_map = entry.get("opinion_pronoun", {})
    examples = entry.get("examples", [])
    if not isinstance(pronoun_map, dict) or not isinstance(examples, list) or not all(
            isinstance(e, dict) and {"text", "quote", "speaker"} <= set(e) for e in examples):
        raise ConfigError(f"{where}: 'opinion_pronoun' must be a mapping, 'examples' a list of "
                          "{text, quote, speaker}")
    return LanguageWords(
        lang=lang, marks=tuple((m[0], m[1]) for m in marks),
        cues=tuple(sorted(lists["cues"], key=len, reverse=True)),
        according_before=tuple(lists["according_before"]), according_after=tuple(lists["according_after"]),
        opinion=tuple(lists["opinion"]),
        opinion_pronoun={str(k).lower(): str(v).lower() for k, v in pronoun_map.items()},
        mention_stops=frozenset(lists["mention_stops"]), pronouns=frozenset(lists["pronouns"]),
        titles=frozenset(lists["titles"]), honorifics=frozenset(lists["honorifics"]),
        anonymous=frozenset(lists["anonymous"]), not_names=frozenset(lists["not_names"]),
        articles=frozenset(lists["articles"]), conjunctions=tuple(lists["conjunctions"]),
        impersonal=frozenset(lists["impersonal"]),
        name_particles=tuple(lists["name_particles"]), examples=tuple(examples),
        pro_drop=entry.get("pro_drop", False), **optional)

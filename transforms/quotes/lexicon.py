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
    name_particles: tuple[str, ...]
    name_run_particles: tuple[str, ...]
    articles: WORDS
    clause_words: WORDS
    mention_clause_breaks: WORDS
    coordinators: WORDS
    prepositions: WORDS
    small_words: WORDS
    object_introducers: WORDS
    not_in_mention: WORDS
    not_mention_end: WORDS
    clause_gap_words: WORDS
    secondary_cues: WORDS
    following_speaker_cues: WORDS
    listeners: tuple[str, ...]
    work_markers: WORDS
    abbreviations: WORDS
    sentence_abbreviations: tuple[str, ...]
    min_words_uncued: int
    min_words: int
    min_words_partial: int
    title_max_words: int
    fragment_gap_words: int
    cue_gap_words: int

    def sentence_end_re(self) -> re.Pattern[str]:
        """A sentence ends at . ! ? (optionally followed by a closing mark) before a space, except
        after a title's abbreviation ("Mr.") or an initial."""
        behind = "".join(rf"(?<!\b{re.escape(a)})" for a in self.sentence_abbreviations)
        return re.compile(rf"{behind}(?<!\b[A-Z])[.!?][\"”’']?\s+(?=[\"“‘'A-Z0-9])")


# Lists kept in their file order (tuples) and the case-sensitive ones (not lowercased).
ORDERED = frozenset(("cues", "noun_determiners", "adverbs", "name_particles", "name_run_particles",
                     "listeners", "sentence_abbreviations"))
CASE_SENSITIVE = frozenset(("noun_determiners", "sentence_abbreviations"))


def load_resources(path: str | Path) -> Resources:
    """Read the word lists; a missing or malformed file is a ConfigError."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"quotes resources {path} must be a mapping")

    def words(key: str) -> list[str]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"quotes resources {path}: '{key}' must be a list of strings")
        return [v.strip() if key in CASE_SENSITIVE else v.strip().lower() for v in value if v.strip()]

    def number(key: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"quotes resources {path}: '{key}' must be an integer")
        return value

    values: dict[str, object] = {}
    for field in fields(Resources):
        if field.type == "int":
            values[field.name] = number(field.name)
        else:
            listed = words(field.name)
            values[field.name] = tuple(listed) if field.name in ORDERED else frozenset(listed)
    return Resources(**values)  # type: ignore[arg-type]

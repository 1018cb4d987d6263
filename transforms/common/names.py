"""Comparison keys of outlet and agency names: one rule for the profiles' lookup and the dedup
stage's canonical choice, so that "A.P.", "ap" and "A P" are the same name everywhere."""

from __future__ import annotations

import re

_IGNORED = re.compile(r"[\s.\-_'’]+")


def name_key(name: str | None) -> str:
    """Case-folded, with dots, hyphens, underscores, apostrophes and spaces dropped; "" for none."""
    return _IGNORED.sub("", name.casefold()) if name else ""

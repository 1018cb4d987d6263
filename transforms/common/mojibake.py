"""The one test for likely mojibake (UTF-8 bytes decoded as cp1252 or latin-1): a lead byte's
character followed by a continuation-looking one. ftfy repairs it but is slow, so the cleaning
stage (encoding repair) and the dedup stage (tokens of a fingerprint) call it only where this
matches."""

from __future__ import annotations

import re

MOJIBAKE_HINT = re.compile(
    "[ÂÃâÅÐÑØÙÚÛÜÝÞßàáä][\u0080-\u00bf\u0152-\u0178\u02c6-\u02dc\u2013-\u203a\u20ac\u2122]"
)


def looks_mojibaked(text: str) -> bool:
    return MOJIBAKE_HINT.search(text) is not None

"""The trie alternation of transforms.quotes.phrases matches what the plain alternation matches."""

import re

from transforms.quotes.phrases import alternation, plain

PHRASES = ["a-t-elle déclaré", "a déclaré", "a dit", "a", "dit", "dit-il", "déclare", "sagte", "sagt",
           "so", "según", "sagten laut", "sagte der", "по словам", "по", "заявил", "заявила"]
TEXT = ("Elle a déclaré hier, a-t-elle déclaré, « non », dit-il ; sagte der Minister, sagt er, sagten "
        "laut  Berichten, So SAGTE  DER Chef — по  словам Пескова, заявила она, заявил он, a dit, a\ndit, "
        "déclarer, dits, ado, A-T-ELLE DÉCLARÉ")


def _spans(pattern: str, flags: int) -> list[tuple[int, int]]:
    regex = re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", flags)
    return [m.span() for m in regex.finditer(TEXT)] + [
        m.span() if (m := regex.match(TEXT, pos)) else None for pos in range(len(TEXT))]


def test_trie_matches_like_the_plain_alternation():
    phrases = sorted(PHRASES, key=len, reverse=True)
    for flags in (0, re.IGNORECASE):
        trie = alternation(phrases, flags)
        assert trie != plain(phrases)
        assert _spans(trie, flags) == _spans(plain(phrases), flags)


def test_falls_back_where_the_order_or_the_spaces_would_change_matches():
    assert alternation(["a", "a dit"]) == plain(["a", "a dit"])  # a prefix before its extension
    assert alternation(["a  dit", "b"]) == plain(["a  dit", "b"])  # two spaces
    assert alternation(["Sagte", "sagt"], re.IGNORECASE) == plain(["Sagte", "sagt"])  # S and s overlap
    assert alternation(["Sagte", "sagt"]) != plain(["Sagte", "sagt"])  # not when case matters

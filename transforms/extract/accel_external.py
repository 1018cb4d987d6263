"""Faster stand-ins for parts of trafilatura's fallback extractors (readability, jusText) that
do the same work: installed and removed by accel.install()/uninstall() with the XPath ones."""

from __future__ import annotations

import hashlib
import inspect
from importlib.metadata import version

import justext.core
from lxml import etree
from trafilatura import external, readability_lxml

PINNED_JUSTEXT = "3.0.2"  # the jusText version these were written against (requirements.lock)
STOCK_REMOVE_UNLIKELY = readability_lxml.Document.remove_unlikely_candidates
STOCK_CLASS_WEIGHT = readability_lxml.Document.class_weight
STOCK_PATH_INFO = justext.core.PathInfo
STOCK_STOPLIST_INIT = external.jt_stoplist_init
STOCK_TEXT_LENGTH = readability_lxml.text_length
STOCK_LINK_DENSITY = readability_lxml.Document.get_link_density
# SHA-256 of the stock text_length and get_link_density sources these were written against
LENGTH_HASH = "cabdd29d41a03a2d"


def remove_unlikely_candidates(self) -> None:
    """readability_lxml.Document.remove_unlikely_candidates, the same document left: the stock
    method lists self.doc.findall(".//*"), which lxml's ElementPath makes from
    iterdescendants("*") (the same list, without ElementPath's generator chain), then tests
    " ".join(filter(None, (class, id))), lower-cased, against two regular expressions once
    per distinct string, and drops each element that fails (a string shorter than two
    characters and a frame element, html or body, never do). The string depends on (class,
    id) only, so the verdict is remembered per (class, id) pair, without joining (a bounded
    memo across calls). An element dropped takes its subtree out of the document: the stock
    method goes on to visit, and maybe drop, its descendants (right after it in the list)
    inside the detached subtree, which nothing reads again; here they are skipped."""
    if not isinstance(self.doc, etree._Element):
        STOCK_REMOVE_UNLIKELY(self)
        return
    unlikely = readability_lxml.REGEXES["unlikelyCandidatesRe"].search
    maybe = readability_lxml.REGEXES["okMaybeItsACandidateRe"].search
    frames = readability_lxml.FRAME_TAGS
    verdicts = _VERDICTS
    if len(verdicts) >= MEMO:
        verdicts.clear()
    elems = list(self.doc.iterdescendants("*"))
    index, count = 0, len(elems)
    while index < count:
        elem = elems[index]
        index += 1
        key = (elem.get("class"), elem.get("id"))
        verdict = verdicts.get(key)
        if verdict is None:
            attrs = " ".join(filter(None, key))
            low = attrs.lower()
            verdict = verdicts[key] = len(attrs) >= 2 and bool(unlikely(low)) and not maybe(low)
        if verdict and elem.tag not in frames:
            index += sum(1 for _ in elem.iterdescendants("*"))
            elem.drop_tree()


MEMO = 2_000  # as accel._Search.MEMO
_VERDICTS: dict[tuple, bool] = {}
_WEIGHTS: dict[str, int] = {}


def class_weight(self, elem) -> int:
    """readability_lxml.Document.class_weight: -25 for each of the element's class and id
    (when not empty) that negativeRe finds something in, +25 for each that positiveRe does;
    the weight of one attribute value is worked out once (a bounded memo across calls)."""
    weights = _WEIGHTS
    if len(weights) >= MEMO:
        weights.clear()
    weight = 0
    for attribute in (elem.get("class"), elem.get("id")):
        if attribute:
            part = weights.get(attribute)
            if part is None:
                regexes = readability_lxml.REGEXES
                part = weights[attribute] = ((-25 if regexes["negativeRe"].search(attribute) else 0)
                                             + (25 if regexes["positiveRe"].search(attribute) else 0))
            weight += part
    return weight


def text_length(elem) -> int:
    """readability_lxml.text_length, len(trim(elem.text_content())): trim is an lru_cache of
    " ".join(string.split()).strip() (the strip finds nothing to take off a join of split
    words: both use the same white-space test), whose cache hashes each subtree's whole text
    for entries that are rarely found again; text_content() gives a str, so trim's
    AttributeError/TypeError fallback is never taken."""
    return len(" ".join(elem.text_content().split()))


def get_link_density(self, elem) -> float:
    """readability_lxml.Document.get_link_density; lxml's ElementPath makes .//a from
    iterdescendants("a"), the same elements in the same order."""
    total_length = text_length(elem) or 1
    link_length = sum(text_length(link) for link in elem.iterdescendants("a"))
    return link_length / total_length


class PathInfo(STOCK_PATH_INFO):
    """justext.core.PathInfo with its dom and xpath strings kept per depth as elements are
    pushed and popped: jusText reads both for every paragraph it starts (Paragraph.__init__),
    and the stock properties join the whole path each time. dom is ".".join of the tag names
    and xpath "/" + "/".join of "%s[%d]" % (tag, order): the string at depth k is the one at
    depth k - 1, the separator, and the new part ("" and "/" at depth 0, as the joins give)."""

    def __init__(self):
        super().__init__()
        self._doms: list[str] = []
        self._xpaths: list[str] = []

    @property
    def dom(self):
        return self._doms[-1] if self._doms else ""

    @property
    def xpath(self):
        return self._xpaths[-1] if self._xpaths else "/"

    def append(self, tag_name):
        super().append(tag_name)
        part = "%s[%d]" % self._elements[-1][:2]  # noqa: UP031 -- the stock format, kept as is
        if self._doms:
            self._doms.append(f"{self._doms[-1]}.{tag_name}")
            self._xpaths.append(f"{self._xpaths[-1]}/{part}")
        else:
            self._doms.append(tag_name)
            self._xpaths.append(f"/{part}")
        return self

    def pop(self):
        super().pop()
        self._doms.pop()
        self._xpaths.pop()
        return self


class HashedStoplist(tuple):
    """trafilatura's all-languages stoplist (a tuple of 20,000+ words) with its hash kept:
    justext's classify_paragraphs passes it through define_stoplist, an lru_cache, which
    hashes the whole tuple at each call to find the same frozenset. The hash is the tuple's
    own and equality is a tuple's, so the cache finds the same entry."""

    def __hash__(self):
        try:
            return self._hash
        except AttributeError:
            self._hash = tuple.__hash__(self)
            return self._hash


def jt_stoplist_init() -> tuple:
    """external.jt_stoplist_init, the stoplist kept as a HashedStoplist."""
    external.JT_STOPLIST = HashedStoplist(STOCK_STOPLIST_INIT())
    return external.JT_STOPLIST


def install() -> list:
    """Put the stand-ins in place; what uninstall() needs to put the stock ones back."""
    if version("jusText") != PINNED_JUSTEXT:
        return []
    readability_lxml.Document.remove_unlikely_candidates = remove_unlikely_candidates
    readability_lxml.Document.class_weight = class_weight
    justext.core.PathInfo = PathInfo
    external.jt_stoplist_init = jt_stoplist_init
    if external.JT_STOPLIST is not None:
        external.JT_STOPLIST = HashedStoplist(external.JT_STOPLIST)
    originals = [(readability_lxml.Document, "remove_unlikely_candidates", STOCK_REMOVE_UNLIKELY),
                 (readability_lxml.Document, "class_weight", STOCK_CLASS_WEIGHT),
                 (justext.core, "PathInfo", STOCK_PATH_INFO),
                 (external, "jt_stoplist_init", STOCK_STOPLIST_INIT)]
    if _digest(STOCK_TEXT_LENGTH, STOCK_LINK_DENSITY) == LENGTH_HASH:
        readability_lxml.text_length = text_length
        readability_lxml.Document.get_link_density = get_link_density
        originals += [(readability_lxml, "text_length", STOCK_TEXT_LENGTH),
                      (readability_lxml.Document, "get_link_density", STOCK_LINK_DENSITY)]
    return originals


def _digest(*functions) -> str:
    source = "".join(inspect.getsource(function) for function in functions)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def uninstall() -> None:
    """What install() changed beyond the attributes it listed."""
    if external.JT_STOPLIST is not None:
        external.JT_STOPLIST = tuple(external.JT_STOPLIST)

"""Faster stand-ins for trafilatura's costliest steps, with the same results.

trafilatura selects page sections with big XPath expressions whose `re:test(...)` clauses are
EXSLT regular expressions that lxml runs as a Python callback per element and clause: a few
callbacks per element of the page, several times per page, about a third of bare_extraction's
CPU time. Each stand-in here selects the same nodes with one walk over the elements in Python,
the same Python regular expressions (lxml compiles a re:test pattern with re.UNICODE, plus
re.IGNORECASE for the 'i' flag, and tests with .search), each distinct attribute value tested
once (a bounded memo per pattern). An XPath expression's node set comes back in document order
and so does a walk (`iterdescendants`), so the same set means the same list;
tests/extract/test_accel.py checks each stand-in against its XPath on fixtures and on random
trees. accel_external.py holds the stand-ins for parts of the readability and jusText fallbacks,
accel_meta.py those for page loading and JSON-LD metadata.

How each XPath construct reads in Python (E is the element tested):
- `.//*[self::a or self::b]` from a context element: E.iterdescendants("a", "b"), the context
  itself excluded, elements only (no comments or processing instructions);
- `@x` as a string (contains, starts-with, re:test, =): E.get("x"), "" when it is missing (the
  string value of an empty node set); `@x='v'` is E.get("x") == "v"; `@x` alone: it exists;
- `@x|@y` as a string: the first of the two in document order, which for attributes of one
  element is their order in the source (libxml2 sorts a function's node-set argument);
- translate(s, 'N', 'n'): the same per-character replacement with str.translate.

The stand-ins are installed only on the trafilatura version they were written against
(PINNED_VERSION, the one requirements.lock pins) and each only over the expression it was
written for (the SHA-256 of its XPath text): anything else stays stock, with one log line.
"""

from __future__ import annotations

import contextlib
import copy as copy_module
import hashlib
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator

import trafilatura
import trafilatura.xpaths as xpaths
from lxml import etree
from trafilatura import core
from trafilatura.settings import _COOKIE_CONSENT_RE

from transforms.extract import accel_external, accel_meta

LOGGER = logging.getLogger(__name__)
PINNED_VERSION = "2.3.1"  # tests/extract/test_accel.py checks it against requirements.lock
BASELINE = sys.modules["trafilatura.baseline"]  # the package's name `baseline` is the function


class _Search(dict):
    """pattern.search(value) is not None, worked out once per distinct value: class and id
    values repeat across a page's elements (about 200 distinct class values for 700 classes)
    and across the expressions' several calls per page. At most MEMO values are kept."""

    __slots__ = ("pattern",)
    MEMO = 2_000  # a few pages worth: values repeat within a page and a site, memory stays small

    def __init__(self, pattern: str, flags: int = 0):
        super().__init__()
        self.pattern = re.compile(pattern, re.UNICODE | flags)  # as lxml compiles re:test patterns

    def __missing__(self, value: str) -> bool:
        if len(self) >= self.MEMO:
            self.clear()
        found = self[value] = self.pattern.search(value) is not None
        return found


def _first(elem, name: str, other: str) -> str:
    """string(@name|@other): the value of whichever comes first on the element, else ""."""
    value, second = elem.get(name), elem.get(other)
    if value is None:
        return second or ""
    if second is None:
        return value
    keys = elem.keys()
    return value if keys.index(name) < keys.index(other) else second


_BLOCKS = ("div", "item", "list", "p", "section", "span")
_NAV = str.maketrans("N", "n")
_CM = str.maketrans("CM", "cm")
_CP = str.maketrans("CP", "cp")
_ALT = xpaths._alt


# RAW_TREE_PRUNE_XPATH[0]: .//*[self::div or self::section or self::aside][re:test(@id, A) or
# re:test(@class, A)][not(.//h1) or re:test(@id, B) or re:test(@class, B)]
_INFINITE = _Search("mvp-post-add-(?:box|wrap)|infinite-?scroll")
_MVP = _Search("mvp-post-add-(?:box|wrap)")


def raw_prune_0(tree) -> list:
    out = []
    for elem in tree.iterdescendants("div", "section", "aside"):
        ident, cls = elem.get("id") or "", elem.get("class") or ""
        if (_INFINITE[ident] or _INFINITE[cls]) and (
                next(elem.iterdescendants("h1"), None) is None or _MVP[ident] or _MVP[cls]):
            out.append(elem)
    return out


# RAW_TREE_PRUNE_XPATH[1]: .//*[self::div or self::section or self::aside]
# [contains(@class, 'elementor-share-buttons')]
def raw_prune_1(tree) -> list:
    return [elem for elem in tree.iterdescendants("div", "section", "aside")
            if "elementor-share-buttons" in (elem.get("class") or "")]


# REMOVE_COMMENTS_AND_LISTS_XPATH[0]: .//*[self::div or self::list or self::section or
# self::details or self::ol or self::ul][re:test(@id, '^(?:ID|disqus_thread|dsq-comments)') or
# re:test(@class, CLASS)][not(self::ol or self::ul) or re:test(@id, '^(?:ID)') or
# re:test(@class, CLASS)]
_COMMENT_IDS = _Search(f"^(?:{xpaths._COMMENTS_ID}|disqus_thread|dsq-comments)")
_COMMENT_LIST_IDS = _Search(f"^(?:{xpaths._COMMENTS_ID})")
_COMMENT_CLASSES = _Search(xpaths._COMMENTS_CLASS)


def remove_comments_and_lists(tree) -> list:
    ids, list_ids, classes = _COMMENT_IDS, _COMMENT_LIST_IDS, _COMMENT_CLASSES
    out = []
    for elem in tree.iterdescendants("div", "list", "section", "details", "ol", "ul"):
        ident, cls = elem.get("id") or "", elem.get("class") or ""
        if (ids[ident] or classes[cls]) and (
                elem.tag not in ("ol", "ul") or list_ids[ident] or classes[cls]):
            out.append(elem)
    return out


# OVERALL_DISCARD_XPATH[0]: .//*[self::div or self::item or self::list or self::p or
# self::section or self::span][@data-lp-replacement-content or contains(translate(@role, 'N',
# 'n'), 'nav') or contains(@data-component, 'MostPopularStories') or re:test(@id|@class, 'cookie')
# or re:test(@id, IDS) or re:test(@class, CLASSES)]
_DISCARD_COOKIE = _Search(_ALT(xpaths._CONSENT_ID_CLASS_TOKENS))
_DISCARD_IDS = _Search(_ALT(xpaths._OVERALL_DISCARD_BOTH_TOKENS + xpaths._OVERALL_DISCARD_ID_TOKENS))
_DISCARD_CLASSES = _Search(_ALT(xpaths._OVERALL_DISCARD_BOTH_TOKENS + xpaths._OVERALL_DISCARD_CLASS_TOKENS))


def overall_discard_0(tree) -> list:
    cookie, ids, classes = _DISCARD_COOKIE, _DISCARD_IDS, _DISCARD_CLASSES
    out = []
    for elem in tree.iterdescendants(*_BLOCKS):
        get = elem.get
        if (get("data-lp-replacement-content") is not None
                or "nav" in (get("role") or "").translate(_NAV)
                or "MostPopularStories" in (get("data-component") or "")
                or cookie[_first(elem, "id", "class")]
                or ids[get("id") or ""]
                or classes[get("class") or ""]):
            out.append(elem)
    return out


# OVERALL_DISCARD_XPATH[1]: .//*[@class='comments-title' or starts-with(@id|@class, 'reply-') or
# re:test(@id|@style, 'hidden') or contains(@style, 'display:none') or contains(@style,
# 'display: none') or re:test(@id, IDS) or re:test(@class, CLASSES) or @aria-hidden='true']
_HIDDEN = _Search("hidden")
_HIDDEN_IDS = _Search("reader-comments|akismet")
_HIDDEN_CLASSES = _Search("^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-"
                          "|hide-print| hidden| hide|noprint|notloaded")


def overall_discard_1(tree) -> list:
    hidden, ids, classes = _HIDDEN, _HIDDEN_IDS, _HIDDEN_CLASSES
    out = []
    for elem in tree.iterdescendants("*"):
        get = elem.get
        cls, style = get("class"), get("style") or ""
        if (cls == "comments-title"
                or _first(elem, "id", "class").startswith("reply-")
                or hidden[_first(elem, "id", "style")]
                or "display:none" in style or "display: none" in style
                or ids[get("id") or ""]
                or classes[cls or ""]
                or get("aria-hidden") == "true"):
            out.append(elem)
    return out


# TEASER_DISCARD_XPATH[0]: .//*[self::div or self::item or self::list or self::p or self::section
# or self::span][contains(translate(@id, 'T', 't'), 'teaser') or contains(translate(@class, 'T',
# 't'), 'teaser')]
_TEASER = str.maketrans("T", "t")


def teaser_discard(tree) -> list:
    return [elem for elem in tree.iterdescendants(*_BLOCKS)
            if "teaser" in (elem.get("id") or "").translate(_TEASER)
            or "teaser" in (elem.get("class") or "").translate(_TEASER)]


# DISCARD_IMAGE_ELEMENTS[0]: the same elements [contains(@id, 'caption') or
# contains(@class, 'caption')]
def discard_image(tree) -> list:
    return [elem for elem in tree.iterdescendants(*_BLOCKS)
            if "caption" in (elem.get("id") or "") or "caption" in (elem.get("class") or "")]


# BASIC_CLEAN_XPATH: .//aside|.//div[contains(@class|@id, 'footer')]|.//fencedframe|.//footer|
# .//script|.//style|.//svg|.//template|.//*[re:test(@class, C, 'i') or re:test(@id, C, 'i')]:
# a union, so each element once, in document order.
_CLEANED = frozenset(("aside", "fencedframe", "footer", "script", "style", "svg", "template"))
_CONSENT = _Search(_COOKIE_CONSENT_RE, re.IGNORECASE)


def basic_clean(tree) -> list:
    consent = _CONSENT
    out = []
    for elem in tree.iterdescendants("*"):
        tag = elem.tag
        if (tag in _CLEANED
                or (tag == "div" and "footer" in _first(elem, "class", "id"))
                or consent[elem.get("class") or ""]
                or consent[elem.get("id") or ""]):
            out.append(elem)
    return out


# BODY_XPATH[0]: .//*[self::article or self::div or self::main or self::section][@class='post' or
# @class='entry' or @itemprop='articleBody' or @id='articleContent' or re:test(@id, IDS) or
# re:test(@class, CLASSES)][1]: the [1] applies per parent (child axis), so each element that
# matches and has no earlier matching sibling, in document order.
_FRAMES = ("article", "div", "main", "section")
_BODY_IDS = _Search(_ALT(xpaths._ARTICLE_CONTENT_ID_TOKENS))
_BODY_CLASSES = _Search(_ALT(xpaths._ARTICLE_CONTENT_CLASS_TOKENS))


def body_0(tree) -> list:
    ids, classes = _BODY_IDS, _BODY_CLASSES
    out, parents = [], set()
    for elem in tree.iterdescendants(*_FRAMES):
        get = elem.get
        cls, ident = get("class"), get("id")
        if (cls == "post" or cls == "entry" or get("itemprop") == "articleBody" or ident == "articleContent"
                or ids[ident or ""] or classes[cls or ""]):
            parent = elem.getparent()
            if parent not in parents:
                parents.add(parent)
                out.append(elem)
    return out


# BODY_XPATH[2]: (.//*[self::article or self::div or self::main or self::section][@role='article'
# or @id='article' or @id='story' or @class='postarea' or @class='art-postcontent' or @class='text'
# or @class='cell' or @class='story' or re:test(@id, IDS) or re:test(@class, 'fulltext', 'i') or
# re:test(@class, CLASSES)])[1]: the first such element in document order.
_STORY_CLASSES = frozenset(("postarea", "art-postcontent", "text", "cell", "story"))
_STORY_IDS = _Search(_ALT(xpaths._STORY_ID_TOKENS))
_FULLTEXT = _Search("fulltext", re.IGNORECASE)
_STORY_CLASS_RE = _Search(_ALT(xpaths._STORY_CLASS_TOKENS))


def body_2(tree) -> list:
    ids, fulltext, classes = _STORY_IDS, _FULLTEXT, _STORY_CLASS_RE
    for elem in tree.iterdescendants(*_FRAMES):
        get = elem.get
        ident, cls = get("id"), get("class")
        if (get("role") == "article" or ident == "article" or ident == "story" or cls in _STORY_CLASSES
                or ids[ident or ""] or fulltext[cls or ""] or classes[cls or ""]):
            return [elem]
    return []


# BODY_XPATH[3]: (.//*[self::article or self::div or self::main or self::section][@id='content' or
# @class='content' or re:test(@id, IDS) or re:test(@class, CLASSES) or contains(translate(@id,
# 'CM','cm'), 'main-content') or contains(translate(@class, 'CM','cm'), 'main-content') or
# contains(translate(@class, 'CP','cp'), 'page-content')])[1]
_MAIN_IDS = _Search(_ALT(xpaths._MAIN_CONTENT_ID_TOKENS))
_MAIN_CLASSES = _Search(_ALT(xpaths._MAIN_CONTENT_CLASS_TOKENS))


def body_3(tree) -> list:
    ids, classes = _MAIN_IDS, _MAIN_CLASSES
    for elem in tree.iterdescendants(*_FRAMES):
        ident, cls = elem.get("id") or "", elem.get("class") or ""
        if (ident == "content" or cls == "content" or ids[ident] or classes[cls]
                or "main-content" in ident.translate(_CM) or "main-content" in cls.translate(_CM)
                or "page-content" in cls.translate(_CP)):
            return [elem]
    return []


# BODY_XPATH[4]: (.//*[self::article or self::div or self::section][starts-with(@class, 'main') or
# starts-with(@id, 'main') or starts-with(@role, 'main')])[1]|(.//main)[1]: the first of each,
# the two in document order (one walk meets them in that order).
def body_4(tree) -> list:
    out, framed, main = [], False, False
    for elem in tree.iterdescendants("article", "div", "section", "main"):
        if elem.tag == "main":
            if not main:
                main = True
                out.append(elem)
        elif not framed and ((elem.get("class") or "").startswith("main")
                             or (elem.get("id") or "").startswith("main")
                             or (elem.get("role") or "").startswith("main")):
            framed = True
            out.append(elem)
        if framed and main:
            break
    return out


class FastXPath:
    """Called like the XPath object it stands for (same path, str() and results); an
    evaluation it was not written for (XPath variables, a context that is no element) goes to
    the original."""

    __slots__ = ("original", "path", "select")

    def __init__(self, original: etree.XPath, select: Callable):
        self.original, self.path, self.select = original, original.path, select

    def __call__(self, context, **variables):
        if variables or not isinstance(context, etree._Element):
            return self.original(context, **variables)
        return self.select(context)

    def __str__(self) -> str:
        return str(self.original)

    def __repr__(self) -> str:
        return f"FastXPath({self.select.__name__})"


# (list in trafilatura.xpaths, index, SHA-256 prefix of the XPath text it was written for, stand-in)
STAND_INS = [
    ("RAW_TREE_PRUNE_XPATH", 0, "01e7c660fd6406f2", raw_prune_0),
    ("RAW_TREE_PRUNE_XPATH", 1, "3c7afe92279543d5", raw_prune_1),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0, "9cc18d34e6e2d258", remove_comments_and_lists),
    ("OVERALL_DISCARD_XPATH", 0, "a837e58a1b1ea116", overall_discard_0),
    ("OVERALL_DISCARD_XPATH", 1, "c1d5b70b8cd03783", overall_discard_1),
    ("TEASER_DISCARD_XPATH", 0, "ebb02f066626551d", teaser_discard),
    ("DISCARD_IMAGE_ELEMENTS", 0, "cb1ab981e44913f7", discard_image),
    ("BODY_XPATH", 0, "caaa561ceca17064", body_0),
    ("BODY_XPATH", 2, "6c9b5e1fdc092943", body_2),
    ("BODY_XPATH", 3, "10a7ceacc0ff8cdf", body_3),
    ("BODY_XPATH", 4, "95f15d1c1b6d4052", body_4),
]
BASIC_CLEAN_HASH = "db6c25acd08aef99"


def _digest(expression) -> str:
    return hashlib.sha256(expression.path.encode()).hexdigest()[:16]


# bare_extraction(tree) copies an lxml tree it is given before working on it (core.py:
# `if tree is filecontent: tree = copy(tree)`), so that the caller's tree stays as it was. A
# caller that never reads the tree again can donate it: the first copy() in trafilatura.core of
# the donated tree (that one, the first thing bare_extraction does with it) returns the tree
# itself; every later copy of it is a real copy, as before. Only a document's root element
# with nothing beside it is taken as it is: a copy is the root of a document of its own (no
# parent, no siblings), and everything trafilatura reads of the tree is under that root.
_DONATION = threading.local()


def _copy(obj):
    if obj is not None and obj is getattr(_DONATION, "tree", None):
        _DONATION.tree = None
        if obj.getparent() is None and obj.getprevious() is None and obj.getnext() is None:
            return obj
    return copy_module.copy(obj)


@contextlib.contextmanager
def donated(tree) -> Iterator[None]:
    """bare_extraction(tree) in this block may work on the tree itself instead of a copy: for
    a caller that does not read the tree afterwards. No effect unless installed."""
    _DONATION.tree = tree
    try:
        yield
    finally:
        _DONATION.tree = None


_STATE: dict = {"installed": False, "originals": [], "warned": False}


def install() -> bool:
    """Put the stand-ins in place (idempotent); False when this trafilatura is not the pinned one."""
    if _STATE["installed"]:
        return True
    if trafilatura.__version__ != PINNED_VERSION:
        if not _STATE["warned"]:
            LOGGER.warning("trafilatura %s is not %s: extraction runs stock, without accel",
                           trafilatura.__version__, PINNED_VERSION)
            _STATE["warned"] = True
        return False
    originals = []
    for name, index, digest, select in STAND_INS:
        expressions = getattr(xpaths, name)
        if _digest(expressions[index]) != digest:
            LOGGER.warning("trafilatura's %s[%s] is not the expression accel knows: left stock", name, index)
            continue
        originals.append((expressions, index, expressions[index]))
        expressions[index] = FastXPath(expressions[index], select)
    if _digest(BASELINE.BASIC_CLEAN_XPATH) == BASIC_CLEAN_HASH:
        originals.append((BASELINE, "BASIC_CLEAN_XPATH", BASELINE.BASIC_CLEAN_XPATH))
        BASELINE.BASIC_CLEAN_XPATH = FastXPath(BASELINE.BASIC_CLEAN_XPATH, basic_clean)
    originals.append((core, "copy", core.copy))
    core.copy = _copy
    originals.extend(accel_external.install())
    originals.extend(accel_meta.install())
    _STATE.update(installed=True, originals=originals)
    return True


def uninstall() -> None:
    """Put trafilatura back as it was."""
    for holder, key, original in reversed(_STATE["originals"]):
        if isinstance(key, str):
            setattr(holder, key, original)
        else:
            holder[key] = original
    accel_external.uninstall()
    _STATE.update(installed=False, originals=[])


@contextlib.contextmanager
def stock() -> Iterator[None]:
    """Run the block with stock trafilatura, then put the stand-ins back if they were in."""
    was = _STATE["installed"]
    uninstall()
    try:
        yield
    finally:
        if was:
            install()

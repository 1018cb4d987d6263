"""accel's stand-ins give what stock trafilatura gives: the same node lists from each replaced
XPath expression, the same bare_extraction Documents and the same Drafts."""

from __future__ import annotations

import random
import re
from copy import copy
from pathlib import Path

import justext.core
import lxml.html
import pytest
import trafilatura
from lxml import etree
from trafilatura import readability_lxml, xpaths

from transforms.common.records import RawRecord
from transforms.extract import accel, accel_external
from transforms.extract.html import ExtractionError, draft_from_record, page_metadata, parse_page

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"favor_precision": False, "include_tables": False, "min_text_chars": 40}
VARIANTS = [
    {"include_comments": False, "include_tables": False, "favor_precision": False},
    {"include_comments": True, "include_tables": True, "favor_precision": True},
    {"include_comments": False, "include_tables": True, "favor_recall": True},
    {"include_comments": True, "include_tables": False, "fast": True},
]
SENTENCES = [
    "The council voted on Monday to extend the tram line to the northern suburbs, after years of debate.",
    "Officials said construction would begin next spring and last about two years, costing 40 million euros.",
    "Residents of the area welcomed the decision, although some shop owners fear months of roadworks.",
    "The opposition argued that buses would have been cheaper, and asked for an independent cost review.",
    "A spokeswoman for the transport authority said the new line would carry twelve thousand people a day.",
]


def para(i: int, n: int = 2) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n))


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>Tram line</title>{head}</head><body>{body}</body></html>"


ARTICLE = "".join(f"<p>{para(i)}</p>" for i in range(5))
NAV = '<nav><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav>'
FORUM_LD = ('<script type="application/ld+json">{"@type": "DiscussionForumPosting", '
            '"headline": "Tram"}</script>')
FIXTURES = {
    "article": page(f"{NAV}<article><h1>Tram line</h1>{ARTICLE}</article><footer>(c) Gazette</footer>"),
    "body-classes": page(
        f'<div class="post">{ARTICLE}</div><div class="entry"><p>{para(1)}</p></div>'
        f'<section itemprop="articleBody"><p>{para(2)}'
        f'</p></section><div id="articleContent"><p>{para(3)}</p></div>'
        f'<div class="Article-Body"><p>{para(4)}</p></div><div class="entry-content"><p>{para(0)}</p></div>'),
    "story": page(
        f'<div id="story-body" role="article"><div class="FullText">{ARTICLE}</div></div>'
        f'<div class="story-content"><p>{para(3)}</p>'
        f'</div><main class="wpb_text_column"><p>{para(1)}</p></main>'),
    "main-content": page(
        f'<div class="wrap"><div id="Main-Content"><p>{para(0)}</p><p>{para(1)}</p></div>'
        f'<div class="Page-Content"><p>{para(2)}</p>'
        f'</div><div class="content-body"><p>{para(4)}</p></div></div>'),
    "starts-main": page(
        f'<div><div role="mainstage"><p>{para(0, 3)}</p></div><main><p>{para(2, 3)}</p></main></div>'
        f'<section id="main-area"><p>{para(1)}</p></section>'),
    "main-first": page(f'<main><p>{para(0, 3)}</p></main><div class="main-col"><p>{para(2, 3)}</p></div>'),
    "comments": page(
        f'<article>{ARTICLE}</article>'
        f'<div id="comments"><h2>3 comments</h2><ol class="commentlist"><li><p>{para(1)}</p></li></ol></div>'
        f'<ul id="Comment-stream"><li>{para(2)}</li></ul><ol class="commentary"><li>{para(3)}</li></ol>'
        f'<section class="post-comments"><p>{para(4)}'
        f'</p></section><details id="disqus_thread"><p>x</p></details>'
        f'<div id="commentary-box"><p>{para(0)}</p></div><div class="comment-list"><p>{para(1)}</p></div>'
        '<div id="respond">Leave a reply</div><div class="comments-title">Comments</div>'),
    "boilerplate": page(
        f'<div class="content"><div class="share-buttons">Share</div><p>{para(0)}</p>'
        f'<div role="Navigation"><a href="/a">A</a>'
        f'</div><div data-component="MostPopularStories">Popular</div>'
        f'<span data-lp-replacement-content="">lp</span><div class="cookie-notice" id="x">Cookies</div>'
        f'<div id="cookie-bar" class="y">Cookies</div><p class="x" id="cookie">{para(1)}</p>'
        f'<div class="sidebar"><p>{para(2)}</p></div>'
        f'<div class="ad-slot">Ad</div><div class="big ad here">Ad</div>'
        f'<div class="byline">By A. Writer</div><div class="article-meta">Meta</div><p>{para(3)}</p>'
        f'<div class="teaser-box"><p>{para(4)}</p></div>'
        f'<div id="Teaser">T</div><div class="caption">Photo</div>'
        f'<div class="tags">Tags</div><div id="related-links"><a href="/r">Related</a></div>'
        f'<div id="reply-7" class="c">r</div><div class="reply-box" id="c">r'
        f'</div><p style="display:none">{para(0)}</p>'
        f'<div id="is-hidden" style="color:red">h</div><div style="visibility: hidden" id="v">{para(1)}</div>'
        f'<div aria-hidden="true">{para(2)}</div><div class="msg hide-print">p</div><div id="akismet">a</div>'
        f'<div class="mvp-post-add-box"><h1>Next</h1><p>{para(3)}</p></div><p>{para(4)}</p></div>'),
    "infinite-scroll": page(
        f'<div class="content"><h1>Tram line</h1>{ARTICLE}</div>'
        f'<div id="infinite-scroll"><article><h1>Next story</h1><p>{para(2, 3)}</p></article></div>'
        f'<section class="infinitescroll"><p>{para(3)}</p></section>'
        f'<aside class="elementor-share-buttons">Share'
        f'</aside><div class="elementor-widget"><p>{para(4)}</p></div>'),
    "consent": page(
        f'<div id="main">{ARTICLE}<div class="Cookie-Banner"><p>{para(0)}</p></div>'
        f'<div id="onetrust-consent-sdk"><p>{para(1)}</p></div><div class="footer-links">x</div>'
        f'<div id="Footer" class="a">f</div><div class="b" id="footer">f</div><template><p>t</p></template>'
        f'<svg><text>s</text></svg><aside><p>{para(2)}</p></aside><fencedframe></fencedframe></div>'),
    "tables": page(
        f'<div class="article-body"><p>{para(0)}</p><table><tr><th>Line</th><th>Cost</th></tr>'
        f'<tr><td>North</td><td>40m</td></tr></table>'
        f'<figure><table><tr><td>{para(1)}</td></tr></table></figure>'
        f'<table role="presentation"><tr><td><p>{para(2)}</p></td></tr></table></div>'),
    "forum": page(
        f'<div class="thread"><div class="comment-list"><div class="comment"><p>{para(0)}</p></div>'
        f'<div class="comment"><p>{para(2)}</p></div></div></div>', FORUM_LD),
    "readability": page(
        "".join(f"<div><div>{para(i, 3)}</div><div>Short line {i}</div></div>" for i in range(4))),
    "short": page("<div><span>Tram line</span> <a href='/x'>more</a></div><p>Too short.</p>"),
    "justext": page(
        f"<table><tr><td>{para(0, 4)}</td></tr><tr><td>{para(2, 4)}</td></tr></table>"
        '<div class="nav-links"><a href="/a">A</a> <a href="/b">B</a></div>'),
    "json-ld-body": page("<div><p>Tram</p></div>",
                         '<script type="application/ld+json">{"@type": "NewsArticle", "articleBody": "'
                         + para(0, 4) + '"}</script>'),
    "malformed": "<html><body><div class='post'><p>" + para(0) + "<div><p>" + para(1)
                 + "</span></div></div></div><p>" + para(2) + "<table><td>" + para(3) + "</body>",
    "fragment": f"<p>{para(0, 4)}</p>",
    "nested-lists": page(
        f'<div class="entry-content"><ul><li>{para(0)}'
        f'</li><li>{para(1)}</li></ul><dl><dt>A</dt><dd>{para(2)}</dd>'
        f'</dl><ol id="comment-list"><li>{para(3)}</li></ol><p>{para(4)}</p><pre>code {{ x }}</pre></div>'),
}


def bare(html: str, **options):
    tree = parse_page(html)
    if tree is None:
        return None
    page_metadata(tree, None, SETTINGS)
    document = trafilatura.bare_extraction(tree, with_metadata=False, deduplicate=False, **options)
    if document is None:
        return None
    return {name: etree.tostring(value, encoding=str) if isinstance(value, etree._Element) else value
            for name in type(document).__slots__ if (value := getattr(document, name, None)) is not None}


def draft(html: str):
    try:
        return draft_from_record(RawRecord(input_ref="x", html=html), SETTINGS)
    except ExtractionError as error:
        return ("error", str(error), error.error_type)


def test_pinned_version_is_the_locked_one():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert re.search(rf"^trafilatura=={re.escape(accel.PINNED_VERSION)}$", lock, re.MULTILINE)
    assert trafilatura.__version__ == accel.PINNED_VERSION


def test_installed_and_uninstalled():
    assert accel.install()  # html.py installed them at import: idempotent
    assert isinstance(xpaths.OVERALL_DISCARD_XPATH[0], accel.FastXPath)
    with accel.stock():
        assert all(type(x) is etree.XPath for x in xpaths.OVERALL_DISCARD_XPATH + xpaths.BODY_XPATH)
        assert type(accel.BASELINE.BASIC_CLEAN_XPATH) is etree.XPath
    assert sum(isinstance(x, accel.FastXPath) for x in xpaths.BODY_XPATH) == 4
    assert isinstance(accel.BASELINE.BASIC_CLEAN_XPATH, accel.FastXPath)
    assert str(xpaths.BODY_XPATH[0]) == str(xpaths.BODY_XPATH[0].original)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_same_documents_and_drafts(name):
    html = FIXTURES[name]
    with accel.stock():
        expected = [bare(html, **options) for options in VARIANTS], draft(html)
    assert [bare(html, **options) for options in VARIANTS] == expected[0]
    assert draft(html) == expected[1]


def test_fixtures_reach_the_fallbacks():
    """The fixtures take the paths they are meant for (else the comparison above proves less)."""
    calls = []
    external = trafilatura.external
    originals = external.try_readability, external.try_justext, trafilatura.core.baseline
    external.try_readability = lambda *a: calls.append("readability") or originals[0](*a)
    external.try_justext = lambda *a: calls.append("justext") or originals[1](*a)
    trafilatura.core.baseline = lambda *a: calls.append("baseline") or originals[2](*a)
    try:
        for html in FIXTURES.values():
            for options in VARIANTS:
                bare(html, **options)
    finally:
        external.try_readability, external.try_justext, trafilatura.core.baseline = originals
    assert {"readability", "justext", "baseline"} <= set(calls)


class Shadow:
    """Stands in for an original XPath: gives its result, and records whether the stand-in's
    result is the same node list."""

    def __init__(self, original, select, seen):
        self.original, self.select, self.seen = original, select, seen

    def __call__(self, context, **variables):
        expected = self.original(context, **variables)
        got = self.select(context)
        self.seen.append((self.select.__name__, len(expected) == len(got) and all(
            a is b for a, b in zip(expected, got, strict=True))))
        return expected


def test_stand_ins_select_what_their_xpath_selects_during_extraction():
    seen: list = []
    with accel.stock():
        saved = [(getattr(xpaths, name), index) for name, index, _, _ in accel.STAND_INS]
        for (expressions, index), (_, _, _, select) in zip(saved, accel.STAND_INS, strict=True):
            expressions[index] = Shadow(expressions[index], select, seen)
        basic = accel.BASELINE.BASIC_CLEAN_XPATH
        accel.BASELINE.BASIC_CLEAN_XPATH = Shadow(basic, accel.basic_clean, seen)
        try:
            for html in FIXTURES.values():
                for options in VARIANTS:
                    bare(html, **options)
        finally:
            for expressions, index in saved:
                expressions[index] = expressions[index].original
            accel.BASELINE.BASIC_CLEAN_XPATH = basic
    assert seen and all(same for _, same in seen), [name for name, same in seen if not same]
    assert {name for name, _ in seen} == {select.__name__ for *_, select in accel.STAND_INS} | {"basic_clean"}


TAGS = ["div", "span", "p", "section", "article", "main", "aside", "list", "item", "ol", "ul", "details",
        "h1", "footer", "script", "style", "svg", "template", "fencedframe", "a", "li", "header", "b"]
ATTRIBUTES = ["class", "id", "role", "style", "aria-hidden", "itemprop", "data-component",
              "data-lp-replacement-content"]
WORDS = ["post", "entry", "articleBody", "articleContent", "article", "story", "text", "cell", "content",
         "postarea", "comment", "Comment", "commentary", "comments-title", "comol", "disqus_thread",
         "dsq-comments", "article-comments", "reply-", "hidden", "hide-", "display:none", "display: none",
         "true", "nav", "Navigation", "MostPopularStories", "cookie", "Cookie-Banner", "onetrust", "footer",
         "Footer", "share-", "sidebar", "byline", "ad", " ad ", "-ad-", "tags", "teaser", "Teaser", "caption",
         "main", "Main-Content", "page-Content", "content-body", "fulltext", "FullText", "story-body",
         "entry-content", "mvp-post-add-box", "infinite-scroll", "elementor-share-buttons", "akismet",
         "message", "x", "", " ", "-", "_", "é", "K"]


def random_tree(rng: random.Random, size: int):
    root = etree.Element("html")
    body = etree.SubElement(root, "body")
    nodes = [body]
    for _ in range(size):
        elem = etree.SubElement(rng.choice(nodes), rng.choice(TAGS))
        for name in rng.sample(ATTRIBUTES, rng.randint(0, 4)):
            elem.set(name, "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3))))
        elem.text = rng.choice(["", "x", None])
        nodes.append(elem)
    # through the HTML parser as trafilatura's trees are made (attribute order kept)
    return lxml.html.document_fromstring(etree.tostring(root, encoding=str))


def test_stand_ins_on_random_trees():
    rng = random.Random(16)
    checked = 0
    for _ in range(400):
        tree = random_tree(rng, rng.randint(5, 80))
        contexts = [tree, *rng.sample(list(tree.iter()), 3)]
        stand_ins = [(getattr(xpaths, name)[index], select) for name, index, _, select in accel.STAND_INS]
        stand_ins.append((accel.BASELINE.BASIC_CLEAN_XPATH, accel.basic_clean))
        for expression, select in stand_ins:
            original = expression.original
            for context in contexts:
                expected = original(context)
                assert [id(e) for e in select(context)] == [id(e) for e in expected], (select.__name__,
                                                                                        etree.tostring(context))
                checked += bool(expected)
    assert checked > 1000  # the random trees do hit the expressions


def test_first_attribute_in_source_order():
    for html, expected in [('<div class="a" id="b"/>', "a"), ('<div id="b" class="a"/>', "b"),
                           ('<div id="b"/>', "b"), ('<div class=""/>', ""), ("<div/>", "")]:
        elem = lxml.html.fragment_fromstring(html)
        assert accel._first(elem, "id", "class") == expected
        assert elem.xpath("string(@id|@class)") == expected


def test_donated_tree_is_used_once_and_only_as_a_whole_document():
    html = FIXTURES["article"]
    tree = parse_page(html)
    with accel.donated(tree):
        assert trafilatura.core.copy(tree) is tree
        assert trafilatura.core.copy(tree) is not tree  # only the first copy
    fragment = lxml.html.fromstring(FIXTURES["fragment"])
    assert fragment.getparent() is not None
    before = etree.tostring(fragment.getroottree())
    with accel.donated(fragment):
        assert trafilatura.bare_extraction(fragment, deduplicate=False) is not None
    assert etree.tostring(fragment.getroottree()) == before
    other = parse_page(html)
    assert trafilatura.core.copy(other) is not other  # nothing left over from a donation


def test_stock_elsewhere_when_the_version_differs(monkeypatch):
    with accel.stock():
        monkeypatch.setattr(trafilatura, "__version__", "0.0")
        assert accel.install() is False
        assert type(xpaths.BODY_XPATH[0]) is etree.XPath
        monkeypatch.undo()
    assert isinstance(xpaths.BODY_XPATH[0], accel.FastXPath)


def test_jusText_pin_is_the_locked_one():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert re.search(rf"^jusText=={re.escape(accel_external.PINNED_JUSTEXT)}$", lock, re.MULTILINE)


def test_external_stand_ins_installed_and_uninstalled():
    assert justext.core.PathInfo is accel_external.PathInfo
    assert readability_lxml.Document.remove_unlikely_candidates is accel_external.remove_unlikely_candidates
    with accel.stock():
        assert justext.core.PathInfo is accel_external.STOCK_PATH_INFO
        assert readability_lxml.Document.remove_unlikely_candidates is accel_external.STOCK_REMOVE_UNLIKELY
        assert readability_lxml.Document.class_weight is accel_external.STOCK_CLASS_WEIGHT
        assert trafilatura.external.jt_stoplist_init is accel_external.STOCK_STOPLIST_INIT
        assert type(trafilatura.external.JT_STOPLIST) in (tuple, type(None))
    assert trafilatura.external.jt_stoplist_init is accel_external.jt_stoplist_init
    assert readability_lxml.Document.class_weight is accel_external.class_weight


def test_remove_unlikely_candidates_drops_the_same_elements():
    rng = random.Random(7)
    trees = [random_tree(rng, rng.randint(5, 80)) for _ in range(300)]
    trees += [lxml.html.document_fromstring(html) for html in FIXTURES.values()]
    for tree in trees:
        for frame in (tree, tree.find("body")):  # frames are never dropped
            if frame is not None:
                frame.set("class", rng.choice(["comment", "", "x"]))
        stock, fast = readability_lxml.Document(copy(tree)), readability_lxml.Document(copy(tree))
        accel_external.STOCK_REMOVE_UNLIKELY(stock)
        accel_external.remove_unlikely_candidates(fast)
        assert etree.tostring(fast.doc) == etree.tostring(stock.doc)


def test_path_info_gives_the_stock_strings():
    rng = random.Random(3)
    stock, fast = accel_external.STOCK_PATH_INFO(), accel_external.PathInfo()
    for _ in range(5000):
        if stock._elements and rng.random() < 0.45:
            stock.pop(), fast.pop()
        else:
            tag = rng.choice(["div", "p", "h1", "a", "br", "select"])
            stock.append(tag), fast.append(tag)
        assert (fast.dom, fast.xpath) == (stock.dom, stock.xpath)
        assert fast._elements == stock._elements


def test_hashed_stoplist_finds_the_same_stoplist():
    words = tuple(f"Word{i}" for i in range(1000))
    hashed = accel_external.HashedStoplist(words)
    assert hash(hashed) == hash(words) and hashed == words
    assert justext.core.define_stoplist(hashed) == frozenset(w.lower() for w in words)
    assert justext.core.define_stoplist(hashed) is justext.core.define_stoplist(words)


def test_class_weight_is_the_stock_one():
    rng = random.Random(5)
    document = readability_lxml.Document(lxml.html.document_fromstring("<p>x</p>"))
    for _ in range(3000):
        elem = lxml.html.fragment_fromstring("<div/>")
        for name in rng.sample(["class", "id", "role"], rng.randint(0, 3)):
            elem.set(name, "".join(rng.choice([*WORDS, "Widget", "BODY", "com-", "promo"])
                                   for _ in range(rng.randint(1, 3))))
        expected = accel_external.STOCK_CLASS_WEIGHT(document, elem)
        assert accel_external.class_weight(document, elem) == expected


def test_memos_cleared_when_full_give_the_same_results(monkeypatch):
    monkeypatch.setattr(accel._Search, "MEMO", 2)
    monkeypatch.setattr(accel_external, "MEMO", 2)
    for memo in [*(m for m in vars(accel).values() if isinstance(m, accel._Search)),
                 accel_external._WEIGHTS, accel_external._VERDICTS]:
        memo.clear()
    for name in ("boilerplate", "comments", "readability", "consent"):
        html = FIXTURES[name]
        with accel.stock():
            expected = [bare(html, **options) for options in VARIANTS]
        assert [bare(html, **options) for options in VARIANTS] == expected
    assert len(accel._DISCARD_CLASSES) <= 2 and len(accel_external._WEIGHTS) <= 2

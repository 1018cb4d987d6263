"""accel_meta's stand-ins give what stock trafilatura gives: the same repaired page text, the same
minified and normalised JSON-LD, the same page_metadata Documents; and accel_external's
readability text_length and get_link_density the stock values."""

from __future__ import annotations

import copy
import random

import pytest
import trafilatura.json_metadata as json_module
import trafilatura.metadata as metadata_module
import trafilatura.utils as utils_module
from lxml import etree
from trafilatura import readability_lxml

from bench.extract_identity import document_fields as fields
from transforms.extract import accel, accel_external, accel_meta
from transforms.extract.html import BYLINE_XPATH, byline_author, byline_nodes, page_metadata, parse_page

SETTINGS = {"min_text_chars": 40}
LD = '<script type="application/ld+json">{}</script>'
BODY = ("<body><article><h1>Tram line</h1><p>The council voted on Monday to extend the tram line.</p>"
        "</article></body>")
PAGES = {
    "plain": f"<!DOCTYPE html><html><head><title>Tram | Gazette</title></head>{BODY}</html>",
    "json-ld": ("<html><head>" + LD.format(
        '{"@context": "https://schema.org", "@type": "NewsArticle",\n  "headline": "Tram  line \\u00e9",'
        '\n\t"author": {"@type": "Person", "name": "Ann  Lee"}, "datePublished": "2024-05-03T10:00:00Z",'
        '"publisher": {"@type": "Organization", "name": "The Gazette"}, "description": "A <b>tram</b>\\n"}')
        + f"</head>{BODY}</html>"),
    "json-ld-broken": ("<html><head>" + LD.format(
        '{"@type": "NewsArticle", "headline": "Broken \\ud83d title", "author": {"name": "Bo Li"},,}')
        + f"</head>{BODY}</html>"),
    "json-ld-surrogates": ("<html><head>" + LD.format(
        '[{"@type": "Article", "name": "Sur\\ud800rogate \\udfff\\u00e9", "author": "Cy Do"}]')
        + f"</head>{BODY}</html>"),
    "settings-json": ("<html><head><script type=\"application/settings+json\">{\"@type\": \"WebSite\", "
                      f"\"name\": \"Gazette Online\"}}</script></head>{BODY}</html>"),
    "control-chars": f"<html>\x00<head><title>A\x0bB\x1f\ufffe</title></head>{BODY}\uffff</html>",
    "self-closing-html": f'<!DOCTYPE html/>\n<html lang="en"/>\n<head></head>{BODY}</html>',
    "meta-tags": ("<html><head>" + "".join(f'<meta {attrs}>' for attrs in [
        'property="og:title" content="OG title"', 'property="og:site_name" content="@Gazette"',
        'property="og:url" content="https://example.org/og"', 'property="og:author" content="By Ann Lee"',
        'property="og:description" content="  "', 'property="article:author" content="Bo Li"',
        'property="article:tag" content="trams"', 'property="article:publisher" content="Pub"',
        'name="author" content="Cy <b>Do</b>"', 'name="description" content="Meta description"',
        'name="twitter:site" content="@gaz"', 'name="twitter:url" content="https://example.org/t"',
        'name="keywords" content="a, b"', 'itemprop="headline" content="Item headline"',
        'itemprop="author" content="Di Eh"', 'charset="utf-8"', 'http-equiv="x" content="y"',
        'foo="bar" content="z"', 'property="og:image"', 'name="title"']) +
        f"<title>Tram</title></head>{BODY}</html>"),
    "two-heads": ('<html><head><meta name="description" content="first"></head><body><p>x</p>'
                  '<div><head><meta name="description" content="second"><meta property="og:title" '
                  f'content="Second"></head></div>{BODY}</body></html>'),
    "wide": f"<html><head><title>Wide \U0001F600 \u20ac</title></head>{BODY}\x01</html>",
}


def test_installed_and_uninstalled():
    assert utils_module.repair_faulty_html is accel_meta.repair_faulty_html
    assert metadata_module.extract_meta_json is accel_meta.extract_meta_json
    assert metadata_module.examine_meta is accel_meta.examine_meta
    with accel.stock():
        assert metadata_module.examine_meta is accel_meta.STOCK_EXAMINE
        assert utils_module.repair_faulty_html is accel_meta.STOCK_REPAIR
        assert metadata_module.extract_meta_json is accel_meta.STOCK_META_JSON
    assert metadata_module.extract_meta_json is accel_meta.extract_meta_json


def test_left_stock_when_the_code_differs(monkeypatch):
    with accel.stock():
        monkeypatch.setattr(accel_meta, "STAND_INS", [(*accel_meta.STAND_INS[0][:3], "0" * 16,
                                                       accel_meta.repair_faulty_html)])
        assert accel_meta.install() == []
        monkeypatch.setattr(accel_meta, "PATTERNS", ("x", "y"))
        assert accel_meta.install() == []
        assert utils_module.repair_faulty_html is accel_meta.STOCK_REPAIR


@pytest.mark.parametrize("name", sorted(PAGES))
def test_same_page_metadata(name):
    html = PAGES[name]
    with accel.stock():
        repaired = utils_module.repair_faulty_html(html, html[:50].lower())
        expected = fields(page_metadata(parse_page(html), "https://example.org/a", SETTINGS))
    assert accel_meta.repair_faulty_html(html, html[:50].lower()) == repaired
    assert fields(page_metadata(parse_page(html), "https://example.org/a", SETTINGS)) == expected
    tree = parse_page(html)
    for node in (tree, *tree):  # from the root and from the elements below it
        with accel.stock():
            expected = fields(metadata_module.examine_meta(node))
        assert fields(accel_meta.examine_meta(node)) == expected


def random_text(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def test_repair_on_random_strings():
    rng = random.Random(3)
    alphabet = "<>html/ \n\tab\x00\x08\x09\x0b\x0c\x0d\x1f\x20\ufffe\uffff\ufffd\u00e9\U0001F600"
    for _ in range(2000):
        text = random_text(rng, alphabet, rng.randint(0, 60))
        for beginning in (text[:50].lower(), "<!doctype html>"):
            assert accel_meta.repair_faulty_html(text, beginning) == accel_meta.STOCK_REPAIR(text, beginning)


def test_minify_and_normalize_on_random_strings():
    rng = random.Random(5)
    alphabet = '"\\ \n\t\r\x0b\x1c\u2028\u00a0abn{}:,<>/u0d8\ud800\udfff'
    for _ in range(5000):
        text = random_text(rng, alphabet, rng.randint(0, 40))
        assert accel_meta.minify_json(text) == metadata_module.JSON_MINIFY.sub(r"\1", text)
        assert accel_meta.normalize_json(text) == json_module.normalize_json(text)
    for text in ['"\\ud83d\\ude00 x"', "\\u0041\\ud800\\n<i>y</i>&amp; z", "\\udfff\\t"]:
        assert accel_meta.normalize_json(text) == json_module.normalize_json(text)


def byline_page(rng: random.Random, size: int) -> str:
    """A page of nested elements with byline-ish, author-ish and comment-ish attributes."""
    values = ["", "byline", "post-author", "Author", "comments", "x comment-list", "nav", "by-line"]
    parts, open_tags = [], []
    for _ in range(size):
        if open_tags and rng.random() < 0.35:
            parts.append(f"</{open_tags.pop()}>")
            continue
        tag = rng.choice(["div", "span", "a", "p", "section"])
        attrs = []
        if rng.random() < 0.6:
            attrs.append(f'class="{rng.choice(values)}"')
        if rng.random() < 0.15:
            attrs.append(f'rel="{rng.choice(["author", "nofollow", "Author"])}"')
        if rng.random() < 0.15:
            attrs.append(f'itemprop="{rng.choice(["author", "name"])}"')
        text = rng.choice(["", "By Ann Lee", "x", "A" * 130, "Bo Li and Cy Do"])
        parts.append(f"<{tag} {' '.join(attrs)}>{text}<!-- c -->")
        open_tags.append(tag)
    parts.extend(f"</{tag}>" for tag in reversed(open_tags))
    return f"<html><head><title>t</title></head><body>{''.join(parts)}</body></html>"


def test_byline_nodes_are_the_xpath_node_set():
    rng = random.Random(11)
    for _ in range(400):
        tree = parse_page(byline_page(rng, rng.randint(1, 60)))
        assert list(byline_nodes(tree)) == tree.xpath(BYLINE_XPATH)
        for node in (tree, *tree.iterdescendants("div")):  # from an element below the root too
            assert list(byline_nodes(node)) == node.xpath(BYLINE_XPATH)
        stock = None
        for node in tree.xpath(BYLINE_XPATH)[:5]:
            text = " ".join(node.text_content().split())
            if 2 <= len(text) <= 120:
                stock = json_module.normalize_authors(None, text)
                break
        assert byline_author(tree) == stock


def test_examine_meta_with_no_head_or_several():
    for count in (0, 1, 2, 3):
        tree = parse_page(PAGES["meta-tags"])
        head = tree.find("head")
        for index in range(1, count):  # more heads, deeper in the body (the parser makes one)
            extra = copy.deepcopy(head)
            extra[0].set("content", f"OG title {index}")
            tree.find("body").insert(0, extra)
        if count == 0:
            tree.remove(head)
        assert len(tree.xpath(".//head")) == count
        with accel.stock():
            expected = fields(metadata_module.examine_meta(tree))
        assert fields(accel_meta.examine_meta(tree)) == expected


def test_text_length_and_link_density_are_the_stock_ones():
    assert readability_lxml.text_length is accel_external.text_length
    with accel.stock():
        assert readability_lxml.text_length is accel_external.STOCK_TEXT_LENGTH
        assert readability_lxml.Document.get_link_density is accel_external.STOCK_LINK_DENSITY
    assert readability_lxml.Document.get_link_density is accel_external.get_link_density
    rng = random.Random(13)
    pages = [byline_page(rng, rng.randint(1, 80)) for _ in range(200)] + list(PAGES.values())
    pages.append("<html><body><a> \u00a0\u2003 </a><p>a\u3000b <a>x<a>y</a></a>\n\t c</p></body></html>")
    for html in pages:
        tree = parse_page(html)
        document = readability_lxml.Document(tree)
        for elem in tree.iter(etree.Element):
            assert accel_external.text_length(elem) == accel_external.STOCK_TEXT_LENGTH(elem)
            assert (accel_external.get_link_density(document, elem)
                    == accel_external.STOCK_LINK_DENSITY(document, elem))

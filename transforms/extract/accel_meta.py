"""Faster stand-ins for trafilatura's page loading and JSON-LD metadata steps, same results.

Installed by accel.install() (pinned trafilatura only), each only over the stock function whose
source it was written against (SHA-256 of inspect.getsource), removed by accel.uninstall().
html.py calls both through trafilatura's modules, so accel.stock() gives the stock ones back.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import re
from html import unescape

import trafilatura.json_metadata as json_module
import trafilatura.metadata as metadata_module
import trafilatura.utils as utils_module
from trafilatura.json_metadata import JSON_UNICODE_REPLACE, extract_json, extract_json_parse_error
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_STRIP_TAGS, INVALID_XML_CHARS, trim

LOGGER = logging.getLogger(__name__)
STOCK_REPAIR = utils_module.repair_faulty_html
STOCK_META_JSON = metadata_module.extract_meta_json
STOCK_EXAMINE = metadata_module.examine_meta
# What INVALID_XML_CHARS ([\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]) matches, one by one.
INVALID_CHARS = tuple(chr(code) for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                             0xFFFE, 0xFFFF))
# JSON_MINIFY ("(?:\\.|[^"\\])*")|\s with whole runs of white space as one match (see below)
JSON_MINIFY_RUNS = re.compile(r'("(?:\\.|[^"\\])*")|\s+')
JSON_SCRIPT_TYPES = ("application/ld+json", "application/settings+json")
SURROGATES = re.compile("[\ud800-\udfff]")


def repair_faulty_html(htmlstring: str, beginning: str) -> str:
    """trafilatura.utils.repair_faulty_html: INVALID_XML_CHARS.sub("", page) scans the whole
    page in the regex engine (0.7 ms for 250 KB); a `in` test per character of its class is a
    memchr-like scan each (a character wider than the string's own kind is answered at once)
    and, when none is there, the sub would return the same text. The rest is the stock code."""
    if any(char in htmlstring for char in INVALID_CHARS):
        htmlstring = INVALID_XML_CHARS.sub("", htmlstring)
    if "doctype" in beginning:
        firstline, _, rest = htmlstring.partition("\n")
        htmlstring = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in htmlstring[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            htmlstring = FAULTY_HTML.sub(r"\1>", htmlstring, count=1)
            break
    return htmlstring


def minify_json(text: str) -> str:
    """JSON_MINIFY.sub(r"\\1", text): keeps each quoted string, drops each white-space character
    outside them. Python 3.11 expands the r"\\1" template with a Python function per match (one
    per blank); here re.split does the same scan in C. Matching a run of blanks as one match
    visits the same positions (a blank never starts a quoted string), and split returns the
    pieces between matches and each match's group 1 (None for a blank run, which filter()
    drops with the empty pieces): joined, the same text."""
    return "".join(filter(None, JSON_MINIFY_RUNS.split(text)))


def normalize_json(string: str) -> str:
    """trafilatura.json_metadata.normalize_json; the character-by-character filter of lone
    surrogates (U+D800-U+DFFF) is the same as one regex sub over that range."""
    if "\\" in string:
        string = string.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        string = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), string)
        if SURROGATES.search(string):
            string = SURROGATES.sub("", string)
        string = unescape(string)
    return trim(HTML_STRIP_TAGS.sub("", string))


def extract_meta_json(tree, metadata):
    """trafilatura.metadata.extract_meta_json with minify_json and normalize_json above; its
    XPath .//script[@type="application/ld+json" or @type="application/settings+json"] is the
    script elements below the tree in document order whose type is one of the two."""
    for elem in tree.iterdescendants("script"):
        if elem.get("type") not in JSON_SCRIPT_TYPES:
            continue
        if not elem.text:
            continue
        element_text = normalize_json(minify_json(elem.text))
        try:
            schema = json.loads(element_text, strict=False)
            metadata = extract_json(schema, metadata)
        except json.JSONDecodeError:
            metadata = extract_json_parse_error(element_text, metadata)
    return metadata


def extract_opengraph(og_elements) -> dict:
    """trafilatura.metadata.extract_opengraph over the elements its XPath selects."""
    m = metadata_module
    result = dict.fromkeys(("title", "author", "url", "description", "sitename", "image", "pagetype"))
    for elem in og_elements:
        property_name, content = elem.get("property"), elem.get("content")
        if content and not content.isspace():
            if property_name in m.OG_PROPERTIES:
                result[m.OG_PROPERTIES[property_name]] = content
            elif property_name == "og:url" and m.is_valid_url(content):
                result["url"] = content
            elif property_name in m.OG_AUTHOR:
                result["author"] = m.normalize_authors(None, content)
    return result


def examine_meta(tree):
    """trafilatura.metadata.examine_meta: its XPath .//head/meta[starts-with(@property, "og:")]
    and its ElementPath .//head/meta[@content] each walk the whole tree for head elements (0.2
    ms each on a news page); with a single head below the tree (any other count: the stock
    function) both are that head's meta children in document order, with a property that
    starts with "og:" (a missing one is "") and with a content attribute: found with one walk.
    The rest is the stock code, but the debug line's tostring() is made only when debug
    logging is on (what is logged is the same)."""
    heads = list(tree.iterdescendants("head"))
    if len(heads) != 1:
        return STOCK_EXAMINE(tree)
    metas = list(heads[0].iterchildren("meta"))
    m = metadata_module
    metadata = m.Document().from_dict(extract_opengraph(
        [elem for elem in metas if (elem.get("property") or "").startswith("og:")]))
    tags, backup_sitename = [], None
    for elem in metas:
        if elem.get("content") is None:
            continue
        content_attr = HTML_STRIP_TAGS.sub("", elem.get("content", "")).strip()
        if not content_attr:
            continue
        if "property" in elem.attrib:
            property_attr = elem.get("property", "").lower()
            if property_attr.startswith("og:"):
                continue
            if property_attr == "article:tag":
                tags.append(m.normalize_tags(content_attr))
            elif property_attr in m.PROPERTY_AUTHOR:
                metadata.author = m.normalize_authors(metadata.author, content_attr)
            elif property_attr == "article:publisher":
                metadata.sitename = metadata.sitename or content_attr
            elif property_attr in m.METANAME_IMAGE:
                metadata.image = metadata.image or content_attr
        elif "name" in elem.attrib:
            name_attr = elem.get("name", "").lower()
            if name_attr in m.METANAME_AUTHOR:
                metadata.author = m.normalize_authors(metadata.author, content_attr)
            elif name_attr in m.METANAME_TITLE:
                metadata.title = metadata.title or content_attr
            elif name_attr in m.METANAME_DESCRIPTION:
                metadata.description = metadata.description or content_attr
            elif name_attr in m.METANAME_PUBLISHER:
                metadata.sitename = metadata.sitename or content_attr
            elif name_attr in m.METANAME_IMAGE:
                metadata.image = metadata.image or content_attr
            elif name_attr in m.TWITTER_ATTRS or "twitter:app:name" in name_attr:
                backup_sitename = content_attr
            elif name_attr == "twitter:url" and not metadata.url and m.is_valid_url(content_attr):
                metadata.url = content_attr
            elif name_attr in m.METANAME_TAG:
                tags.append(m.normalize_tags(content_attr))
        elif "itemprop" in elem.attrib:
            itemprop_attr = elem.get("itemprop", "").lower()
            if itemprop_attr == "author":
                metadata.author = m.normalize_authors(metadata.author, content_attr)
            elif itemprop_attr == "description":
                metadata.description = metadata.description or content_attr
            elif itemprop_attr == "headline":
                metadata.title = metadata.title or content_attr
        elif all(key not in elem.attrib for key in m.EXTRA_META) and m.LOGGER.isEnabledFor(logging.DEBUG):
            m.LOGGER.debug("unknown attribute: %s",
                           m.tostring(elem, pretty_print=False, encoding="unicode").strip())
    metadata.sitename = metadata.sitename or backup_sitename
    metadata.tags = tags
    return metadata


def _digest(*functions) -> str:
    source = "".join(inspect.getsource(function) for function in functions)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


# module, attribute, SHA-256 of the stock source (extract_meta_json's with normalize_json's,
# which its stand-in also replaces), stand-in
STAND_INS = [
    (utils_module, "repair_faulty_html", (), "7e68c7a3cb24910c", repair_faulty_html),
    (metadata_module, "extract_meta_json", (json_module.normalize_json,), "ed8cd22210d4f2a4",
     extract_meta_json),
    (metadata_module, "examine_meta", (metadata_module.extract_opengraph,), "ba1565636c37cd2f", examine_meta),
]
# the stock patterns the stand-ins were written for: INVALID_XML_CHARS, JSON_MINIFY
PATTERNS = (r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", r'("(?:\\.|[^"\\])*")|\s')


def install() -> list:
    """Put the stand-ins in place; the (holder, name, original) triples to undo it."""
    originals = []
    if (INVALID_XML_CHARS.pattern, metadata_module.JSON_MINIFY.pattern) != PATTERNS:
        LOGGER.warning("trafilatura's INVALID_XML_CHARS or JSON_MINIFY is not the pattern accel_meta "
                       "knows: left stock")
        return originals
    for holder, name, also, digest, stand_in in STAND_INS:
        original = getattr(holder, name)
        if original is stand_in:
            continue
        if _digest(original, *also) != digest:
            LOGGER.warning("trafilatura's %s is not the code accel_meta knows: left stock", name)
            continue
        originals.append((holder, name, original))
        setattr(holder, name, stand_in)
    return originals

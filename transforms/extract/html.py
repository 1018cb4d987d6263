"""Extraction stage: a RawRecord becomes a Draft (body text plus metadata hints).

HTML pages go through trafilatura once (body and metadata from the same parse); plain texts are
taken as they are. The record's own url/title/source/published/summary win over what the page
says: they come from the feed or the caller, which knows better than page metadata.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from itertools import islice

import justext.core
import lxml.html
import trafilatura
import trafilatura.metadata as trafilatura_metadata
import trafilatura.utils as trafilatura_utils
from htmldate import find_date
from lxml import etree
from trafilatura import external
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    Document,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.utils import is_dubious_html

from transforms.common.records import Draft, RawRecord
from transforms.extract import accel

# trafilatura's costliest XPath selections done in Python, same results (accel.py); stock on
# any trafilatura other than the pinned one.
accel.install()

_LINE_BREAKS = re.compile(r"\n+")
# trafilatura's parser settings, but each element's Python class chosen in C: lxml.html's own
# lookup is a Python call per element proxy (millions per page in trafilatura), and it only adds
# form-field classes that neither trafilatura, htmldate nor this module use (0.75 ms/page less).
PAGE_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                                   remove_comments=True, remove_pis=True)
PAGE_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
# htmldate's default output is the date alone: ask for the time of day and zone too (a page's
# 14:30+01:00 is 13:30 UTC, not midnight); a date-only page gives T00:00:00, read as UTC.
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


class ExtractionError(ValueError):
    """A record that yields no usable text (the pipeline makes it a rejects row of this type)."""

    def __init__(self, message: str, error_type: str = "no_text"):
        super().__init__(message)
        self.error_type = error_type


def release_caches() -> None:
    """Drop the process-wide word lists extraction built: trafilatura's all-languages jusText
    stoplist and justext's lower-cased set of it (~27 MB per process), rebuilt on next use. For a
    worker whose article step is over (the tail's stages run in the same process)."""
    external.JT_STOPLIST = None
    justext.core.define_stoplist.cache_clear()


def check_length(text: str, settings: dict, what: str) -> None:
    """extract.min_text_chars applies to every kind of input: a page's extracted body, a text
    file, a JSONL `text`, a feed entry's content."""
    minimum = int(settings.get("min_text_chars", 40))
    length = len(text.strip())
    if not length:
        raise ExtractionError(f"no usable text in {what}")
    if length < minimum:
        raise ExtractionError(f"{what} too short: {length} characters, extract.min_text_chars is {minimum}",
                              "too_short")


def draft_from_record(record: RawRecord, settings: dict) -> Draft:
    if record.html is not None and not (record.text and not record.html.strip()):
        return _draft_from_html(record, settings)
    check_length(record.text or "", settings, "text")
    return Draft(
        text=record.text or "",
        title=record.title,
        url=record.url,
        source=record.source,
        published=record.published,
        summary=record.summary,
        from_html=False,
    )


def _draft_from_html(record: RawRecord, settings: dict) -> Draft:
    try:
        tree = parse_page(record.html)  # parsed once: metadata and body both read this tree
        if tree is None:
            raise ExtractionError("not an HTML document")
        meta = page_metadata(tree, record.url, settings)
        with accel.donated(tree):  # nothing reads the tree after this: no need for a copy of it
            document = trafilatura.bare_extraction(
                tree,
                url=record.url,
                with_metadata=False,  # page_metadata() did the cheap part of it
                include_comments=False,  # reader comments are not the article
                include_tables=bool(settings.get("include_tables", False)),
                favor_precision=bool(settings.get("favor_precision", False)),
                deduplicate=False,  # its cache is process-wide: results would depend on bundle order
            )
    except ExtractionError:
        raise
    except Exception as error:
        raise ExtractionError(f"trafilatura failed: {type(error).__name__}: {error}") from error
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    check_length(text, settings, "page")
    # trafilatura puts one paragraph per line; the Draft contract is blank-line separated.
    text = "\n\n".join(_LINE_BREAKS.split(text))
    author = meta.author
    return Draft(
        text=text,
        title=record.title or meta.title,
        url=record.url or meta.url,
        source=record.source or meta.sitename,
        published=record.published or meta.date,
        authors=[a.strip() for a in author.split(";") if a.strip()] if author else [],
        summary=record.summary or meta.description,
        from_html=True,
    )


def parse_page(html: str):
    """trafilatura.utils.load_html of a str (the same repairs, fallbacks and rejection of what is
    not HTML), parsed with PAGE_PARSER; None when it is no HTML document."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = trafilatura_utils.repair_faulty_html(html, beginning)  # accel_meta's when installed
    tree, from_bytes = None, False
    try:
        tree = lxml.html.fromstring(html, parser=PAGE_PARSER)
    except ValueError:  # a str that declares its encoding: lxml wants its bytes
        tree, from_bytes = _parse_bytes(html), True
    except Exception:  # as trafilatura: a page lxml cannot parse gives no tree
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _parse_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        tree = None
    return tree


def _parse_bytes(html: str):
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=PAGE_PARSER)
    except Exception:
        return None


# Elements that hold a byline (byline_nodes walks it): one XPath over the tree instead of
# trafilatura's author search, which copies and prunes the whole tree first.
BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'byline') or "
    "contains(@class, 'author')][not(ancestor::*[contains(@class, 'comment')])]"
)


def byline_author(tree) -> str | None:
    """The first short byline-like element's text, normalised as trafilatura does ("By AP" ->
    "AP"), else None."""
    for node in islice(byline_nodes(tree), 5):
        text = " ".join(node.text_content().split())
        if 2 <= len(text) <= 120:
            return normalize_authors(None, text)
    return None


def byline_nodes(tree) -> Iterator:
    """BYLINE_XPATH's node set, lazily: `//*` is every element of the document in document
    order (the root tree's iter over elements: no comments, PIs or entities), `@a='v'` is
    get(a) == "v", contains(@class, 's') is "s" in the class value (a missing attribute is the
    empty string) and the ancestor test looks at each element above. byline_author stops at
    the first usable node, mostly well before the end of the page, where the XPath went on to
    the end (1.2 ms a page)."""
    for node in tree.getroottree().iter(etree.Element):
        get = node.get
        css = get("class")
        if (get("rel") == "author" or get("itemprop") == "author"
                or (css is not None and ("byline" in css or "author" in css))) and not any(
                    "comment" in (above.get("class") or "") for above in node.iterancestors()):
            yield node


def page_metadata(tree, url: str | None, settings: dict) -> Document:
    """Title, site name, description, date and author from meta tags, JSON-LD and the title
    elements: trafilatura's metadata pass less its costly parts (a DOM-wide author search,
    licence, categories and tags), which took half of the extraction time for fields that
    the cleaning stage finds better in the byline or does not use."""
    meta = trafilatura_metadata.examine_meta(tree)  # accel_meta's when installed
    with contextlib.suppress(Exception):  # trafilatura's JSON-LD parser has known bugs
        meta = trafilatura_metadata.extract_meta_json(tree, meta)  # accel_meta's when installed
    if not meta.title:
        meta.title = extract_title(tree)
    if not meta.author:
        meta.author = byline_author(tree)
    if not meta.url:
        meta.url = extract_url(tree, url)
    date_params = {
        "extensive_search": bool(settings.get("extensive_date_search", False)),
        "original_date": True,
        "url": meta.url,
        "outputformat": DATE_FORMAT,
    }
    meta.date = find_date(tree, **date_params)
    if not meta.sitename:
        meta.sitename = extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
    meta.clean_and_trim()  # whitespace and length limits, as trafilatura does
    return meta

"""Stock against accelerated trafilatura (transforms/extract/accel.py) on a folder of pages.

    python -m bench.extract_identity [--pages DIR ...] [--limit N]

For each page it runs the extraction step (transforms/extract/html.py: parse, page metadata,
bare_extraction) once with stock trafilatura and once with accel's stand-ins installed, and
compares what comes out: the Draft (or the ExtractionError), the repaired page text, every
field of page_metadata's Document, and every field of the Document bare_extraction returns
(its body and comments serialised), with html.py's options and with other options that take
other paths (tables, comments, precision, recall); and html.py's byline walk against its XPath.
It prints how many pages differ (must be 0) and the CPU ms/doc of the extraction step, stock
and accelerated (time.process_time, each over all pages, the options of configs/default.yaml).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import trafilatura
import trafilatura.utils as trafilatura_utils
from lxml import etree

from transforms.common.records import RawRecord
from transforms.extract import accel
from transforms.extract.html import (
    BYLINE_XPATH,
    ExtractionError,
    byline_nodes,
    draft_from_record,
    page_metadata,
    parse_page,
)

DEFAULT_PAGES = [Path("../shared/data/dev/extraction/inputs")]
SETTINGS = {"favor_precision": False, "include_tables": False, "min_text_chars": 40,
            "extensive_date_search": False}
# html.py's bare_extraction options, then others that take other paths through trafilatura
VARIANTS = [
    {"include_comments": False, "include_tables": False, "favor_precision": False},
    {"include_comments": True, "include_tables": True, "favor_precision": True},
    {"include_comments": False, "include_tables": True, "favor_recall": True},
]


def step(html: str):
    """The extraction step's result, an error included."""
    try:
        return draft_from_record(RawRecord(input_ref="page", html=html), SETTINGS)
    except ExtractionError as error:
        return ("ExtractionError", str(error), error.error_type)


def documents(html: str) -> list:
    """Every field of bare_extraction's Document, for each set of options."""
    # parse_page's repairs (accel_meta's repair_faulty_html) and page_metadata's whole Document
    # (accel_meta's extract_meta_json), then bare_extraction's
    found = [trafilatura_utils.repair_faulty_html(html, html[:50].lower())]
    for options in VARIANTS:
        tree = parse_page(html)
        if tree is None:
            found.append(None)
            continue
        meta = page_metadata(tree, None, SETTINGS)
        if options is VARIANTS[0]:
            found.append(document_fields(meta))
        document = trafilatura.bare_extraction(tree, with_metadata=False, deduplicate=False, **options)
        if document is None:
            found.append(None)
            continue
        found.append(document_fields(document))
    return found


def same_bylines(html: str) -> bool:
    """html.py's byline walk (byline_nodes) finds BYLINE_XPATH's nodes, in the same order."""
    tree = parse_page(html)
    return tree is None or list(byline_nodes(tree)) == tree.xpath(BYLINE_XPATH)


def document_fields(document) -> dict:
    """A trafilatura Document's fields, its elements serialised."""
    fields = {}
    for name in type(document).__slots__:
        value = getattr(document, name, None)
        fields[name] = etree.tostring(value, encoding=str) if isinstance(value, etree._Element) else value
    return fields


def timed(htmls: list[str], installed: bool) -> tuple[float, list]:
    """CPU ms/doc of the extraction step over all pages, and its results."""
    if installed:
        accel.install()
    else:
        accel.uninstall()
    results, spent = [], 0.0
    for html in htmls:
        start = time.process_time()
        results.append(step(html))
        spent += time.process_time() - start
    return spent * 1000 / max(len(htmls), 1), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, nargs="+", default=DEFAULT_PAGES,
                        help="folders of .html pages (default: the dev extraction inputs)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages per folder")
    parser.add_argument("--no-documents", action="store_true",
                        help="compare the extraction step only, not bare_extraction's Documents")
    args = parser.parse_args(argv)
    if not accel.install():
        print("accel is not installed on this trafilatura: nothing to compare", file=sys.stderr)
        return 2
    failed = False
    for folder in args.pages:
        paths = sorted(folder.glob("*.html"))[: args.limit or None]
        htmls = [path.read_text(encoding="utf-8", errors="replace") for path in paths]
        timed(htmls[:20], True)  # one-time costs (stoplists, regex compilation) out of the way
        timed(htmls[:20], False)
        stock_ms, stock = timed(htmls, False)
        fast_ms, fast = timed(htmls, True)
        differ = [path.name for path, a, b in zip(paths, stock, fast, strict=True) if a != b]
        differ += [path.name for path, html in zip(paths, htmls, strict=True)
                   if path.name not in differ and not same_bylines(html)]
        if not args.no_documents:
            for path, html in zip(paths, htmls, strict=True):
                with accel.stock():
                    expected = documents(html)
                if documents(html) != expected and path.name not in differ:
                    differ.append(path.name)
        failed = failed or bool(differ)
        named = ": " + ", ".join(differ[:10]) if differ else ""
        print(f"{folder}: {len(htmls)} pages, {len(differ)} differ{named}")
        print(f"  extraction step CPU: stock {stock_ms:.2f} ms/doc, accelerated {fast_ms:.2f} ms/doc "
              f"({fast_ms - stock_ms:+.2f}, x{fast_ms / stock_ms:.3f})")
    accel.install()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

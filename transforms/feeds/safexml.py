"""Feed bytes made safe for feedparser: UTF-8 by our own charset detection, and no DOCTYPE,
so no entity can be expanded (billion laughs) or loaded (external entities).

The document is parsed by lxml with entity expansion, DTD loading and the network off; a
well-formed feed is serialised back from that tree, whose root carries no DOCTYPE. A feed that
is not well-formed (bare "&", HTML entities, a truncated body) goes to feedparser's tolerant
parser as it is, less its DOCTYPE, whose span expat locates (comments, PIs and quoted strings
are read as the parser reads them, so a decoy DOCTYPE inside a comment hides nothing).
"""

from __future__ import annotations

import html.entities
import re
import xml.parsers.expat

import lxml.etree

from transforms.fetch.charset import detect_charset

_XML_DECL = re.compile(rb"^(\s*<\?xml[^>]*?)\bencoding\s*=\s*[\"'][^\"']*[\"']", re.I)
_MAX_DOCTYPES = 8  # XML allows one; a document with more is refused past this many


class UnsafeFeed(ValueError):
    """A DOCTYPE that cannot be located exactly (malformed, or too many)."""


def to_utf8(body: bytes, content_type: str | None = None) -> bytes:
    """The body transcoded to UTF-8, its XML declaration saying so."""
    codec, _ = detect_charset(body, content_type)
    text = body.decode(codec, errors="replace").lstrip("\ufeff \t\r\n")  # nothing may precede <?xml
    return _XML_DECL.sub(rb'\1encoding="utf-8"', text.encode("utf-8"), count=1)


def strict_tree(data: bytes) -> lxml.etree._Element | None:
    """The root of a well-formed document, entities left unexpanded; None when not well-formed."""
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        strip_cdata=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        return lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError:
        return None


def _drop_entity_refs(root: lxml.etree._Element) -> None:
    """Entity references become their character when HTML names one (RSS 0.91's DTD declares
    the HTML entities), else nothing: their declarations are never read."""
    for ref in list(root.iter(lxml.etree.Entity)):
        text = html.entities.html5.get(f"{ref.name};", "") + (ref.tail or "")
        previous, parent = ref.getprevious(), ref.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(ref)


class _Stop(Exception):
    pass


def doctype_span(data: bytes) -> tuple[int, int] | None:
    """Byte span of the DOCTYPE declaration as expat reads the prolog (it stops at the root
    element; parameter entities are never loaded, general ones never referenced)."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: dict[str, int] = {}

    def start_doctype(*_args) -> None:
        found["start"] = parser.CurrentByteIndex

    def end_doctype() -> None:
        found["end"] = parser.CurrentByteIndex
        raise _Stop

    def start_element(*_args) -> None:
        found["root"] = parser.CurrentByteIndex
        raise _Stop

    parser.StartDoctypeDeclHandler = start_doctype
    parser.EndDoctypeDeclHandler = end_doctype
    parser.StartElementHandler = start_element
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except xml.parsers.expat.ExpatError as error:
        if "start" in found or re.search(rb"<!ENTITY", data, re.I):
            raise UnsafeFeed(f"a DOCTYPE or entity declaration the parser cannot delimit ({error})") from None
    if "end" not in found:
        return None
    # expat reports the DOCTYPE once its name is read; nothing but the name and external id
    # can stand between "<!DOCTYPE" and that point
    return data.rindex(b"<!DOCTYPE", 0, found["start"] + 1), data.index(b">", found["end"]) + 1


def without_doctypes(data: bytes) -> bytes:
    """The document less its DOCTYPE (and any further one that becomes first once it is cut)."""
    for _ in range(_MAX_DOCTYPES):
        span = doctype_span(data)
        if span is None:
            return data
        data = data[: span[0]] + data[span[1] :]
    raise UnsafeFeed(f"more than {_MAX_DOCTYPES} DOCTYPE declarations")


def safe_bytes(body: bytes, content_type: str | None = None) -> tuple[bytes, bool]:
    """(UTF-8 bytes without DOCTYPE, whether the document was well-formed). Raises UnsafeFeed."""
    data = to_utf8(body, content_type)
    root = strict_tree(data)
    if root is None:
        return without_doctypes(data), False
    _drop_entity_refs(root)
    return lxml.etree.tostring(root, encoding="utf-8", xml_declaration=True), True

"""Extraction core: HTML pages through trafilatura, plain texts as they are."""

from __future__ import annotations

import pytest

from transforms.common.records import RawRecord
from transforms.extract.html import ExtractionError, draft_from_record

SETTINGS = {"favor_precision": False, "include_tables": False, "min_text_chars": 40}
PARAGRAPHS = [
    "The harbour authority said on Tuesday it would close the old pier for repairs, citing storm damage "
    "found during a routine inspection last month.",
    "Work is expected to last three months and cost about 2 million euros, officials said at a briefing "
    "in the town hall on Tuesday afternoon.",
]
PAGE = f"""<html><head><title>Old pier to close | Example Gazette</title>
<meta property="og:site_name" content="Example Gazette">
<meta name="description" content="Repairs will take three months">
<meta name="author" content="Ana Lima"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Old pier to close</h1><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p></article>
<footer>© Example Gazette</footer></body></html>"""


def test_html_page():
    draft = draft_from_record(RawRecord(input_ref="x", html=PAGE, url="https://gazette.invalid/a"), SETTINGS)
    assert draft.from_html
    assert draft.text.endswith("\n\n".join(PARAGRAPHS))  # the <h1> may lead; cleaning removes it
    assert "Home" not in draft.text and "©" not in draft.text
    assert draft.title == "Old pier to close"
    assert draft.source == "Example Gazette"
    assert draft.authors == ["Ana Lima"]
    assert draft.summary == "Repairs will take three months"


def test_record_hints_win():
    record = RawRecord(input_ref="x", html=PAGE, title="Given title", source="Given source")
    draft = draft_from_record(record, SETTINGS)
    assert (draft.title, draft.source) == ("Given title", "Given source")


def test_plain_text_taken_as_is():
    text = "  Title\r\nBody of a story, long enough to count as one.  "
    record = RawRecord(input_ref="x", text=text, title="T", published="2021-01-01")
    draft = draft_from_record(record, SETTINGS)
    assert (draft.text, draft.title, draft.published, draft.from_html) == (
        text,
        "T",
        "2021-01-01",
        False,
    )


@pytest.mark.parametrize("text", ["Hello", "  Short text.  ", "Ok\n\n" * 3])
def test_short_text_record_is_too_short(text):
    """Issue 14: min_text_chars applies to text records too, not only to pages."""
    with pytest.raises(ExtractionError, match="too short") as caught:
        draft_from_record(RawRecord(input_ref="x", text=text), SETTINGS)
    assert caught.value.error_type == "too_short"


@pytest.mark.parametrize("html", ["<html><body><nav>Home</nav></body></html>", "", "\x00\x01 not html"])
def test_empty_page_is_an_extraction_error(html):
    with pytest.raises(ExtractionError):
        draft_from_record(RawRecord(input_ref="x", html=html), SETTINGS)


def test_byline_element_gives_the_author_hint():
    from transforms.common.config import load_config
    from transforms.common.records import RawRecord
    from transforms.extract.html import draft_from_record

    page = ("<html><head><title>Heat beat Hawks</title></head><body><article><h1>Heat beat Hawks</h1>"
            "<div class='byline'>By AP</div>"
            + "".join(f"<p>Paragraph {i} of the game report, with words to count.</p>" for i in range(5))
            + "</article></body></html>")
    draft = draft_from_record(RawRecord("x.html", html=page), load_config()["extract"])
    assert draft.authors == ["AP"]


def test_page_time_of_day_and_zone_are_kept():
    page = PAGE.replace("<head>", '<head><meta property="article:published_time" '
                                  'content="2024-03-05T14:30:00+01:00">')
    draft = draft_from_record(RawRecord(input_ref="x", html=page), SETTINGS)
    from transforms.clean.dates import parse_iso

    assert parse_iso(draft.published).isoformat() == "2024-03-05T13:30:00+00:00"

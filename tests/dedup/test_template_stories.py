"""Stories generated from one template (automated earnings reports) are different stories;
copies of one such report, trimmed or not, are the same story."""

from __future__ import annotations

from transforms.common.config import load_config
from transforms.dedup.clusters import choose_canonical
from transforms.dedup.minhash import fingerprint
from transforms.dedup.verify import numbers_differ, same_story

TEMPLATE = (
    "{company} reported third-quarter revenue of {revenue} million dollars on Thursday, compared with "
    "{previous} million dollars a year earlier, beating analyst estimates.\n\n"
    "Net income for the quarter came to {income} million dollars, or {eps} cents per share, the company "
    "said in a statement released after the close of trading.\n\n"
    "Shares of {company} rose {move} percent in extended trading. The company expects full-year revenue "
    "between {low} and {high} million dollars.\n\n"
    "The company will hold a conference call with analysts on Friday morning to discuss the results "
    "and its outlook for the coming year, it said."
)
ACME = dict(company="Acme Tools", revenue=412, previous=388, income=57, eps=81, move=14, low=1600, high=1650)
BOLT = dict(company="Bolt Fasteners", revenue=96, previous=120, income=11, eps=23, move=37, low=350, high=375)


def _settings() -> dict:
    return load_config()["dedup"]


def test_template_stories_with_other_figures_are_different():
    a, b = (fingerprint(TEMPLATE.format(**values), 5) for values in (ACME, BOLT))
    assert numbers_differ(a, b, _settings())
    assert not same_story(a, b, _settings())


def test_copies_of_one_report_are_the_same_story():
    text = TEMPLATE.format(**ACME)
    trimmed = "\n\n".join(text.split("\n\n")[:3])
    a, b = fingerprint(text, 5), fingerprint(trimmed.upper(), 5)
    assert not numbers_differ(a, b, _settings())
    assert same_story(a, b, _settings())


def test_texts_with_few_numbers_are_not_judged_by_them():
    a = fingerprint("The minister resigned on Monday after 12 days in office. " * 6, 5)
    b = fingerprint("The minister resigned on Monday after 40 days in office. " * 6, 5)
    assert not numbers_differ(a, b, _settings())


def test_agency_text_without_url_is_canonical():
    members = [
        {"article_id": "copy", "source": "Example Herald", "credited_agency": "AP", "published_at": 1000.0},
        {"article_id": "own", "source": None, "credited_agency": "AP", "published_at": None,
         "agency_text": True},
        {"article_id": "agg", "source": "Example Aggregator", "credited_agency": "AP", "published_at": 900.0,
         "republisher": True},
    ]
    assert choose_canonical(members) == "own"


def test_agency_site_named_by_its_host_is_its_own_copy():
    members = [
        {"article_id": "copy", "source": "Example Herald", "credited_agency": "TASS", "published_at": 100.0,
         "url": "https://herald.example/a"},
        {"article_id": "own", "source": "tassnews.example", "credited_agency": "TASS",
         "published_at": 200.0, "url": "https://www.tassnews.example/a"},
    ]
    assert choose_canonical(members) == "own"

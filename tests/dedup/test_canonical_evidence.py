"""The canonical choice on outlets no profile knows: evidence from the copies themselves (their
URLs, their text, the cleaning hints), not from outlet names. All texts are made up."""

from __future__ import annotations

import pytest

from transforms.clean.cleaner import Cleaner
from transforms.common.config import load_config
from transforms.common.records import Draft
from transforms.dedup.clusters import choose_canonical


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.from_config(load_config()["clean"])


# Texts in an agency's house style (its signature), as a republisher copies them verbatim.
AGENCY_STYLE = [
    "MOSCOW, May 3. /TASS/. The river port will open two new berths for cargo barges next month, "
    "its director told reporters.\n\nWork on the berths began last autumn.",
    "KAZAN, October 19. /TASS/. A regional orchestra will tour six cities in the spring, the "
    "culture ministry said on Monday.\n\nTickets go on sale next week.",
    "VLADIVOSTOK, July 1. /TASS/. Fishermen landed a record catch of salmon this week, the port "
    "authority reported.\n\nThe season runs until September.",
]
OTHER_HOSTS = ["https://www.example-gazette.com/world/berths", "https://news.sample-daily.net/a/123",
               "https://regionpost.example.org/2024/story"]


@pytest.mark.parametrize("text", AGENCY_STYLE)
@pytest.mark.parametrize("url", OTHER_HOSTS)
def test_house_style_does_not_name_the_outlet_of_a_page_on_another_host(cleaner, text, url):
    cleaned = cleaner.clean(Draft(text=text, url=url))
    assert cleaned.source != "TASS"
    assert cleaned.credited_agency == "TASS"  # the style still credits the agency


@pytest.mark.parametrize("text", AGENCY_STYLE)
@pytest.mark.parametrize("declared", ["Sample Daily", "Example Gazette"])
def test_house_style_does_not_override_the_declared_outlet(cleaner, text, declared):
    assert cleaner.clean(Draft(text=text, source=declared)).source == declared


@pytest.mark.parametrize("text", AGENCY_STYLE)
def test_house_style_names_the_outlet_when_nothing_else_does(cleaner, text):
    assert cleaner.clean(Draft(text=text)).source == "TASS"
    # a host that names the agency (no profile lists it) does not contradict the style
    assert cleaner.clean(Draft(text=text, url="https://tass.example/a")).source == "TASS"


def _meta(article_id, **fields):
    return {"article_id": article_id, "source": None, "url": None, "credited_agency": "TASS",
            "published_at": None, "text_len": 300, "completeness": 1.0, "republisher": False,
            "agency_text": False, **fields}


@pytest.mark.parametrize("copy_time", [100.0, 5000.0])
def test_agency_page_by_its_url_beats_a_copy_in_its_style(copy_time):
    members = [
        _meta("a", source="TASS", url="https://tass.com/politics/1", published_at=4000.0),
        _meta("b", source="Example Gazette", url="https://www.example-gazette.com/x", published_at=copy_time),
    ]
    assert choose_canonical(members) == "a"


@pytest.mark.parametrize("trimmed_share", [0.4, 0.7, 0.9])
def test_a_trimmed_copy_in_the_agency_style_is_not_its_own_copy(trimmed_share):
    """No URL on either: the agency's style marks both, and the trimmed one is the copy."""
    members = [
        _meta("a", source="TASS", completeness=trimmed_share, text_len=int(300 * trimmed_share)),
        _meta("b", agency_text=True),  # no outlet known, opens with the agency's own dateline
        _meta("c", source="Example Gazette", url="https://www.example-gazette.com/x", published_at=10.0),
    ]
    assert choose_canonical(members) == "b"


def test_an_undated_agency_text_beats_timestamped_pages_of_other_outlets():
    members = [
        _meta("a", agency_text=True),
        _meta("b", source="news.sample-daily.net", url="https://news.sample-daily.net/a", published_at=10.0),
        _meta("c", source="regionpost.example.org", url="https://regionpost.example.org/s", published_at=5.0),
    ]
    assert choose_canonical(members) == "a"

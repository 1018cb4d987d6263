"""Generic cleaning rules on made-up texts in the usual wire and outlet styles."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime, timezone

import pytest

from transforms.clean.cleaner import Cleaner
from transforms.clean.dateline import parse_dateline
from transforms.clean.encoding import repair_encoding
from transforms.clean.furniture import (
    _NAME_LIST,
    furniture_kind,
    is_timestamp,
    parse_byline,
    strip_name_lists,
    strip_trailing_promo,
)
from transforms.clean.paragraphs import split_paragraphs
from transforms.clean.profiles import ProfileSet
from transforms.common.config import ConfigError
from transforms.common.records import Draft

BODY = [
    "The harbour authority said on Tuesday it would close the old pier for repairs, citing storm damage.",
    '"We cannot let people walk on it until the beams are replaced," a spokeswoman said.',
    "Work is expected to last three months and cost about 2 million euros, officials said.",
]


@pytest.fixture(scope="module")
def profiles() -> ProfileSet:
    return ProfileSet.from_file("configs/sources.yaml")


@pytest.fixture(scope="module")
def cleaner(profiles) -> Cleaner:
    return Cleaner(profiles)


@pytest.mark.parametrize(
    ("opening", "place", "agency"),
    [
        ("MOSCOW, June 6. /TASS/.", "MOSCOW", "TASS"),
        ("KAZAN /Tatarstan/, March 3. /TASS/.", "KAZAN", "TASS"),
        ("LISBON (UrduPoint News / Sputnik - 2nd May, 2021)", "LISBON", "Sputnik"),
        ("MEXICO CITY (AP) —", "MEXICO CITY", "AP"),
        ("SPRINGFIELD, Ill. (AP) —", "SPRINGFIELD", "AP"),
        ("OSLO, May 2 (Reuters) -", "OSLO", "Reuters"),
        ("Hamburg (dpa) -", "Hamburg", "dpa"),
        ("PARIS, Aug 29, 2014 (AFP) -", "PARIS", "AFP"),
        ("OSAKA, Japan, Dec. 9 Kyodo -", "OSAKA", "Kyodo"),
        ("ANKARA (Anadolu Agency) -", "ANKARA", "AA"),
        ("(MENAFN - Xinhua) BEIJING (Xinhua) -", "BEIJING", "Xinhua"),
        ("(MENAFN - IANS)", None, "IANS"),
        ("Feb. 3 (BusinessDesk) -", None, "BusinessDesk"),
        ("NAIROBI —", "NAIROBI", None),
    ],
)
def test_datelines(profiles, opening, place, agency):
    dateline = parse_dateline(f"{opening} {BODY[0]}", profiles)
    assert dateline is not None
    assert (dateline.place, dateline.agency, dateline.rest) == (place, agency, BODY[0])


@pytest.mark.parametrize("paragraph", [*BODY, "UPDATE: the pier reopened.", "The Minister (AP) said no."])
def test_no_dateline_in_prose(profiles, paragraph):
    assert parse_dateline(paragraph, profiles) is None


def test_bylines(profiles):
    byline = parse_byline("By JANE ROE and JOHN-PAUL DOE, Associated Press", profiles)
    assert byline.authors == ["Jane Roe", "John-Paul Doe"] and byline.agency == "AP"
    byline = parse_byline("Ana Lima (@analima) 2 hours ago Mon 3rd May 2021 | 10:15 AM", profiles)
    assert byline.authors == ["Ana Lima"] and byline.stamp.startswith("2 hours ago")
    assert parse_byline("By Reuters Staff", profiles).agency == "Reuters"
    assert parse_byline("By the time rescuers arrived, the pier had collapsed.", profiles) is None


@pytest.mark.parametrize(
    "line",
    [
        "Updated 3 hours ago",
        "4 Min Read",
        "Published: Mar 3, 2021 10:15 am",
        "Updated 9:05 PM EST, May 1, 2020",
    ],
)
def test_timestamps(line):
    assert is_timestamp(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share on WhatsApp",
        "Follow us on Instagram",
        "Read more: Pier closed for repairs",
        "ADVERTISEMENT",
        "Home › Europe › Latest",
        "© 2021 Example News. All rights reserved.",
        "(Reporting by Ana Lima; Editing by Tom)",
        "==Kyodo",
        "ab/cd",
        "___",
    ],
)
def test_furniture_lines(line):
    assert furniture_kind(line)


def test_story_sentences_are_not_furniture():
    for line in [*BODY, "She shared the video on Facebook, where it was watched a million times."]:
        assert furniture_kind(line) is None
        assert not is_timestamp(line)
    assert strip_trailing_promo(BODY[0]) == BODY[0]


def test_trailing_promo_cut():
    paragraph = f"{BODY[2]} Follow Example News on Twitter and Facebook."
    assert strip_trailing_promo(paragraph) == BODY[2]


def test_encoding_repair():
    assert repair_encoding("the pierâ€™s beams â€” old") == "the pier’s beams — old"
    assert repair_encoding("the pier\ufffds beams \ufffd old") == "the pier’s beams — old"


def test_whitespace_and_hard_wrap():
    wrapped = "\n\n".join(textwrap.fill(p, 70) for p in BODY)
    assert split_paragraphs(wrapped) == BODY
    messy = "\r\n".join(f"   {p}\u00a0 " for p in BODY) + "\r\n\r\n\r\n"
    assert split_paragraphs(messy) == BODY


def test_full_wire_copy(cleaner):
    text = "\n\n".join(
        [
            "PIER CLOSED FOR REPAIRS",
            "By ANA LIMA, Associated Press",
            "Updated 2 hours ago",
            f"LISBON, Portugal (AP) — {BODY[0]}",
            "Advertisement",
            BODY[1],
            "Share on Facebook",
            BODY[2],
            "Also read: Another story entirely",
            "Tom Roe contributed to this report.",
        ]
    )
    cleaned = cleaner.clean(
        Draft(
            text=text,
            title="Pier closed for repairs",
            url="https://www.example-copy.invalid/x",
            published="2021-05-03T10:00:00+02:00",
        )
    )
    assert cleaned.text == "\n\n".join(BODY)
    assert cleaned.credited_agency == "AP" and cleaned.dateline_place == "LISBON"
    assert cleaned.authors == ["Ana Lima"]
    assert cleaned.published_at == datetime(2021, 5, 3, 8, tzinfo=timezone.utc)
    assert cleaned.source == "example-copy.invalid"


def test_standfirst_goes_to_summary(cleaner):
    text = "\n\n".join(["Old pier to close", "Repairs will take three months", "By Ana Lima", *BODY])
    cleaned = cleaner.clean(Draft(text=text))
    assert cleaned.title == "Old pier to close"
    assert cleaned.summary == "Repairs will take three months"
    assert cleaned.text == "\n\n".join(BODY)


def test_source_from_url_profile(cleaner):
    cleaned = cleaner.clean(
        Draft(text="\n\n".join(BODY), url="https://www.urdupoint.com/en/x.html", source="UP")
    )
    assert cleaned.source == "UrduPoint"


def test_odd_input_never_raises(cleaner):
    for text in ["", "\n\n", "\ufffd", "By", "(MENAFN - TASS)", "a" * 5000]:
        cleaner.clean(Draft(text=text))


def test_broken_sources_file(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("outlets:\n  - name: X\n    signatures: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        ProfileSet.from_file(bad)
    bad.write_text("outlets: [\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        ProfileSet.from_file(bad)
    with pytest.raises(ConfigError):
        Cleaner.from_config({"sources_file": str(tmp_path / "missing.yaml")})


@pytest.mark.parametrize("text", [
    "Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria Azerbaijan Bahamas "
    "Bahrain Bangladesh Barbados",
    "Afghanistan, Albania, Algeria, Andorra, Angola, Argentina, Armenia, Australia, Austria, Azerbaijan, "
    "Bahamas, Bahrain and the Bangladesh",
    "The minister met Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia Austria envoys.",
    "A B C D E F G H I J K L M N O P",
])
def test_name_lists_are_cut_as_by_the_list_regex_alone(text):
    expected = re.sub(r"\s{2,}", " ", _NAME_LIST.sub(" ", text)).strip() if _NAME_LIST.search(text) else text
    assert strip_name_lists(text) == expected

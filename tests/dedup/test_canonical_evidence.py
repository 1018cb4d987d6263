"""The canonical choice on outlets no profile knows: evidence from the copies themselves (their
URLs, their text, the cleaning hints), not from outlet names. All texts are made up."""

from __future__ import annotations

import json

import pytest

from tests.helpers import read_rows, run_cli
from transforms.clean.cleaner import Cleaner
from transforms.common.config import load_config
from transforms.common.records import Draft
from transforms.dedup import index as state
from transforms.dedup.clusters import choose_canonical, resolve_clusters
from transforms.dedup.streaming import resolve_article


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


# --- the story names its own outlet ------------------------------------------------------------

STORY = ("The harbour board approved a plan to dredge the northern channel on Tuesday, after two "
         "years of delays.\n\n{mention}\n\nDredging is expected to start in the autumn.")
MENTIONS = [
    ("Example Courier", "The board's chair told the Example Courier that the money was in place."),
    ("The Sample Herald", "A spokesman told The Sample Herald the work would take a year."),
    ("Sample Herald", "In an interview with the Sample Herald, the mayor welcomed the decision."),
    ("Regional Wire", "Regional Wire reporters saw the survey boats leave the port on Monday."),
    ("NWB", "The minister said answering a question from NWB."),
]


@pytest.mark.parametrize(("outlet", "mention"), MENTIONS)
def test_a_story_that_names_the_outlet_of_its_copy_marks_it(cleaner, outlet, mention):
    text = STORY.format(mention=mention)
    assert cleaner.clean(Draft(text=text, source=outlet)).self_named
    assert not cleaner.clean(Draft(text=text, source="Aggregated Daily")).self_named
    assert not cleaner.clean(Draft(text=text)).self_named


@pytest.mark.parametrize(("outlet", "mention"), [
    ("The Independent", "The Independent Electoral Commission will publish the results."),
    ("Sample Herald", "Sample Herald Square was closed to traffic during the works."),
    ("The Guardian", "Guardian angels, the mayor joked, had watched over the project."),
    ("Example Courier", "An example courier van blocked the quay."),
])
def test_a_longer_name_or_a_common_word_is_not_the_outlet(cleaner, outlet, mention):
    assert not cleaner.clean(Draft(text=STORY.format(mention=mention), source=outlet)).self_named


@pytest.mark.parametrize("order", [0, 1, 2])
def test_the_copy_whose_story_names_its_outlet_beats_earlier_copies(order):
    members = [
        _meta("a", credited_agency=None, source="Example Courier", url="https://excourier.example/x",
              published_at=9000.0, self_named=True),
        _meta("b", credited_agency=None, source="aggregated.example", url="https://aggregated.example/1",
              published_at=100.0),
        _meta("c", credited_agency=None, source="Reader Hub", url="https://readerhub.example/2",
              published_at=200.0),
    ]
    members = members[order:] + members[:order]
    assert choose_canonical(members) == "a"


def test_a_trimmed_copy_does_not_win_by_naming_the_outlet():
    members = [
        _meta("a", credited_agency=None, source="Example Courier", self_named=True, completeness=0.6),
        _meta("b", credited_agency=None, source="Reader Hub", published_at=100.0),
    ]
    assert choose_canonical(members) == "b"


# --- the standfirst that copies drop -----------------------------------------------------------

STANDFIRSTS = [
    "Channel dredging approved after two years of delays\n\n{sf}\n\nBy Jo Example\n\n{body}",
    "Harbour board backs dredging plan\n\n{sf}\n\nPublished: 3 May 2024, 10:15\n\n{body}",
    "Dredging to start in autumn\n\n{sf}\n\nBy Sam Sample and Lee Example\n\nUpdated 4 hours ago\n\n{body}",
]
SF = "The work will cost more than planned, but the port says it cannot wait any longer"
BODY = ("The harbour board approved a plan to dredge the northern channel on Tuesday, after two years "
        "of delays.\n\nDredging is expected to start in the autumn and to last about a year.")


@pytest.mark.parametrize("layout", STANDFIRSTS)
def test_a_standfirst_in_the_text_is_noted(cleaner, layout):
    cleaned = cleaner.clean(Draft(text=layout.format(sf=SF, body=BODY)))
    assert cleaned.standfirst and SF not in cleaned.text
    dropped = "\n\n".join(p for p in layout.format(sf=SF, body=BODY).split("\n\n") if p != SF)
    assert not cleaner.clean(Draft(text=dropped)).standfirst


def test_a_summary_given_by_the_input_is_no_standfirst(cleaner):
    assert not cleaner.clean(Draft(text=BODY, summary=SF)).standfirst


@pytest.mark.parametrize("copy_time", [50.0, 500.0, None])
def test_the_copy_that_kept_its_standfirst_beats_the_earlier_ones(copy_time):
    members = [
        _meta("a", credited_agency=None, standfirst=True, published_at=1000.0),
        _meta("b", credited_agency=None, source="Reader Hub", url="https://readerhub.example/2",
              published_at=copy_time),
    ]
    assert choose_canonical(members) == "a"


def test_without_evidence_the_earliest_still_decides():
    members = [_meta("a", credited_agency=None, published_at=900.0),
               _meta("b", credited_agency=None, published_at=100.0)]
    assert choose_canonical(members) == "b"


def test_the_hints_survive_the_state_index(tmp_path):
    entry = _meta("a", self_named=True, standfirst=True, agency_text=True, cluster_id="c1", is_canonical=True)
    state.write_index(str(tmp_path), {"a": entry})
    back = state.read_index(str(tmp_path))["a"]
    assert back["self_named"] and back["standfirst"] and back["agency_text"]


# --- the outlet that other copies credit -------------------------------------------------------

ATTRIBUTIONS = [
    ("This story first appeared on Example Daily.", "exampledaily.com"),
    ("This article was originally published on The Sample Times.", "sampletimes.co.uk"),
    ("Read the full story at sample-news.com", "www.sample-news.com"),
    ("This article first appeared in The Harbour Review and is republished with permission.",
     "theharbourreview.org"),
]


@pytest.mark.parametrize(("line", "host"), ATTRIBUTIONS)
def test_an_attribution_line_names_the_origin(cleaner, line, host):
    cleaned = cleaner.clean(Draft(text=BODY + "\n\n" + line, url="https://reader-hub.example/x"))
    assert cleaned.republished and cleaned.origin
    assert line not in cleaned.text


@pytest.mark.parametrize(("line", "host"), ATTRIBUTIONS)
def test_the_page_on_the_credited_outlet_is_the_original(cleaner, line, host):
    copy = cleaner.clean(Draft(text=BODY + "\n\n" + line, url="https://reader-hub.example/x"))
    members = [
        _meta("a", credited_agency=None, source="Reader Hub", url="https://reader-hub.example/x",
              published_at=50.0, republished=copy.republished, origin=copy.origin),
        _meta("b", credited_agency=None, source="Another Portal", url="https://portal.example/9",
              published_at=20.0),
        _meta("c", credited_agency=None, source=host, url=f"https://{host}/2024/dredging",
              published_at=700.0),
    ]
    assert choose_canonical(members) == "c"


@pytest.mark.parametrize("source", ["Example Daily", "The Example Daily", "exampledaily.com"])
def test_the_credited_outlet_is_known_by_its_source_without_url(source):
    members = [
        _meta("a", credited_agency=None, source="Reader Hub", published_at=50.0, origin="Example Daily"),
        _meta("b", credited_agency=None, source="Another Portal", published_at=20.0),
        _meta("c", credited_agency=None, source=source, published_at=None),
    ]
    assert choose_canonical(members) == "c"


def test_a_credit_naming_no_member_changes_nothing():
    members = [
        _meta("a", credited_agency=None, source="Reader Hub", published_at=50.0, origin="Example Daily"),
        _meta("b", credited_agency=None, source="Another Portal", published_at=20.0),
    ]
    assert choose_canonical(members) == "b"


# --- through the pipeline: the hints reach the canonical choice, in a run and from the state ----

LONG_BODY = "\n\n".join([
    "The harbour board approved a plan on Tuesday to dredge the northern channel, after two years of "
    "delays caused by disputes over the cost and the disposal of the silt.",
    "Board members voted seven to two in favour of the plan, which will allow larger cargo ships to "
    "reach the container terminal at any tide, the chair said after the meeting.",
    "Dredging is expected to start in the autumn and last about a year, with the silt taken to a "
    "licensed site far out at sea rather than spread on the nearby marshes.",
    "Fishermen who opposed the plan said they would ask the regional court to review the decision, "
    "arguing that the work would drive fish away from their traditional grounds.",
])


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_pipeline_keeps_the_original_with_its_standfirst_from_the_state_over_earlier_copies(tmp_path):
    first, second = tmp_path / "in1", tmp_path / "in2"
    first.mkdir()
    second.mkdir()
    header = "Harbour board backs dredging plan\n\n{sf}By Jo Example\n\n"
    _jsonl(first / "a.jsonl", [{"id": "orig", "text": header.format(sf=SF + "\n\n") + LONG_BODY}])
    _jsonl(second / "b.jsonl", [  # later copies, stamped earlier; the original comes from the state
        {"id": "copy1", "url": "https://reader-hub.example/n/1", "published": "2024-05-03T08:00:00+00:00",
         "text": header.format(sf="") + LONG_BODY},
        {"id": "copy2", "url": "https://portal.example/s/2", "published": "2024-05-03T07:00:00+00:00",
         "text": header.format(sf="") + LONG_BODY},
    ])
    out, state_dir = tmp_path / "out", tmp_path / "state"
    for folder in (first, second):
        result = run_cli("run", "--input", str(folder), "--output", str(out), "--state", str(state_dir))
        assert result.returncode == 0, result.stderr
    rows = read_rows(out, "articles")
    original = next(row for row in rows if row["url"] is None)
    copies = [row for row in rows if row["url"]]
    assert len(copies) == 2
    assert {row["canonical_id"] for row in copies} == {original["article_id"]}
    assert not any(row["is_canonical"] for row in copies)


# --- a copy wrapped in an aggregator's furniture ----------------------------------------------

PARAS = LONG_BODY.split("\n\n")
WRAPPERS = [
    [PARAS[0], "Advertisement", *PARAS[1:]],
    [PARAS[0], PARAS[1], "Also Read: Ferry timetable changes for the summer season", *PARAS[2:]],
    [*PARAS, "Share on Facebook"],
    [*PARAS, "Follow us on Google News"],
    [PARAS[0], "Read more: City council approves new cycle lanes", *PARAS[1:], "Share this article"],
]
HEADERS_ONLY = [
    ["Harbour board backs dredging plan", "By Jo Example", "Updated 3 hours ago", *PARAS],
    ["Latest news", "Harbour board backs dredging plan", "Published: 3 May 2024, 10:15", *PARAS],
    [*PARAS, "(Reporting by Jo Example; Editing by Sam Sample)"],
]


@pytest.mark.parametrize("paragraphs", WRAPPERS)
def test_engagement_furniture_around_the_story_marks_a_wrapped_copy(cleaner, paragraphs):
    assert cleaner.clean(Draft(text="\n\n".join(paragraphs))).wrapped


@pytest.mark.parametrize("paragraphs", HEADERS_ONLY)
def test_a_publishers_header_or_an_agency_signoff_is_no_wrapping(cleaner, paragraphs):
    assert not cleaner.clean(Draft(text="\n\n".join(paragraphs))).wrapped


@pytest.mark.parametrize("copy_time", [10.0, 5000.0])
def test_a_wrapped_copy_that_another_holds_whole_is_not_the_original(copy_time):
    members = [
        _meta("a", credited_agency=None, source="Reader Hub", url="https://readerhub.example/1",
              published_at=copy_time, wrapped=True, covered=1.0),
        _meta("b", credited_agency=None, covered=1.0),  # undated, unwrapped
    ]
    assert choose_canonical(members) == "b"


def test_wrapping_alone_does_not_decide_when_no_copy_holds_it_whole():
    members = [
        _meta("a", credited_agency=None, published_at=10.0, wrapped=True, covered=0.8),
        _meta("b", credited_agency=None, published_at=500.0, covered=1.0),
    ]
    assert choose_canonical(members) == "a"


def test_resolution_records_how_much_of_each_article_a_neighbour_holds():
    metas = [_meta("a", credited_agency=None, wrapped=True, published_at=10.0),
             _meta("b", credited_agency=None, published_at=900.0)]
    # a holds all of b; b holds all of a's story (its furniture is gone from the text)
    out = dict(resolve_clusters([("a", "b", 1.0, 0.99)], metas, {}))
    assert out["index"]["a"]["covered"] == pytest.approx(0.99)
    assert out["index"]["b"]["covered"] == pytest.approx(1.0)
    assert out["assign"]["a"][1] == "b"


def test_streaming_resolution_records_coverage_both_ways():
    index: dict = {}
    resolve_article(index, _meta("a", credited_agency=None, published_at=900.0), [], 1e9)
    # the new article b: a holds all of b, b holds 99% of a
    (_, canonical), _ = resolve_article(
        index, _meta("b", credited_agency=None, wrapped=True, published_at=10.0), [("a", 0.99, 1.0)], 1e9)
    assert index["b"]["covered"] == pytest.approx(1.0)
    assert index["a"]["covered"] == pytest.approx(0.99)
    assert canonical == "a"

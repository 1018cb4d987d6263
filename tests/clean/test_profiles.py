"""Every outlet profile of configs/sources.yaml carries a made-up example in the outlet's style;
each is cleaned here and must give the fields it expects (as fundus tests each publisher
against a fixture)."""

from __future__ import annotations

import pytest

from transforms.articles.rows import source_of
from transforms.clean.cleaner import Cleaner
from transforms.clean.profiles import ProfileSet
from transforms.common.config import PROJECT_ROOT, read_yaml
from transforms.common.records import Draft

SOURCES = PROJECT_ROOT / "configs" / "sources.yaml"
OUTLETS = read_yaml(SOURCES, "sources file")["outlets"]
FIELDS = ("source", "credited_agency", "dateline_place")


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner(ProfileSet.from_file(SOURCES))


@pytest.mark.parametrize("outlet", OUTLETS, ids=[outlet["name"] for outlet in OUTLETS])
def test_profile_example_gives_its_expected_fields(outlet, cleaner):
    example = outlet.get("example")
    assert example, f"profile {outlet['name']} has no example"
    assert sorted(example["expect"]) == sorted(FIELDS)
    draft = Draft(text=example["text"], url=example.get("url"), source=example.get("input_source"))
    cleaned = cleaner.clean(draft)
    found = {"source": source_of(cleaned.source, draft.url), "credited_agency": cleaned.credited_agency,
             "dateline_place": cleaned.dateline_place}
    assert found == example["expect"]
    for furniture in example.get("text_lacks", []):
        assert furniture not in cleaned.text
    assert cleaned.text.strip()


def test_every_profile_is_exercised_as_source_or_credit():
    """An example names its own outlet: as the source that published it, or the agency credited."""
    for outlet in OUTLETS:
        expect = outlet["example"]["expect"]
        assert outlet["name"] in (expect["source"], expect["credited_agency"]), outlet["name"]

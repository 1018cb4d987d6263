"""The seed requirements of issue 2, asserted on the cleaning core (no Beam)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from transforms.clean.cleaner import Cleaner
from transforms.common.records import RawRecord
from transforms.extract.html import draft_from_record

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner.from_config({"sources_file": "configs/sources.yaml"})


def clean_seed(cleaner: Cleaner, prefix: str):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    record = RawRecord(input_ref=str(path), text=path.read_text(encoding="utf-8"))
    return cleaner.clean(draft_from_record(record, {}))


def test_urdupoint_seed(cleaner):
    cleaned = clean_seed(cleaner, "000")
    lead = "Moscow will support any steps"
    assert cleaned.source == "UrduPoint"
    assert cleaned.credited_agency == "Sputnik"
    assert cleaned.dateline_place == "MOSCOW"
    assert (
        cleaned.title == "Chances Of Kim-Trump Summit Depend On US Moves - Source In Russian Foreign Ministry"
    )
    # 02:52 PM Pakistan time (UTC+5, the profile's Asia/Karachi) on 13 June 2019
    assert cleaned.published_at == datetime(2019, 6, 13, 9, 52, tzinfo=timezone.utc)
    text = cleaned.text
    assert text.startswith(lead)
    assert text.count(lead) == 1
    for junk in (
        "Fahad Shabbir",
        "@FahadShabbir",
        "5 hours ago",
        "(UrduPoint News / Sputnik",
        "Chances of Kim",
    ):
        assert junk not in text
    assert "\ufffd" not in text
    assert 'two simple things."\n\n"It is impossible' in text  # the stray closing mark merged back
    assert cleaned.authors == ["Fahad Shabbir"]
    assert "\n\n\n" not in text and not text.endswith("\n")


def test_tass_seed(cleaner):
    cleaned = clean_seed(cleaner, "004")
    assert cleaned.source == "TASS"
    assert cleaned.credited_agency == "TASS"
    assert cleaned.dateline_place == "MOSCOW"
    assert cleaned.title == "Putin welcomes Trump’s courageous, mature decision to meet with Kim Jong-un"
    assert cleaned.summary.startswith("He also expressed hope") and cleaned.summary.endswith(
        "positive results"
    )
    text = cleaned.text
    assert "All news" not in text
    assert "/TASS/" not in text
    assert text.startswith("US President Donald Trump made a courageous")
    assert text.endswith('should be enhanced."')
    paragraphs = text.split("\n\n")
    assert paragraphs[1].startswith("He also expressed hope that the June 12 meeting")  # body copy kept
    assert cleaned.published_at is None  # "June 6." has no year

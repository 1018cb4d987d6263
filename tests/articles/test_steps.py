"""The articles stage: its named steps as pure functions, and ProcessRecords on a TestPipeline."""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.articles.beam import QUOTES, ProcessRecords
from transforms.articles.steps import STEPS, Rejected, Tools, Work, clean, extract
from transforms.common.config import load_config
from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
STORY = ("MOSCOW, March 3 (Sputnik) - The city council approved the new tram line on Tuesday after a "
         "long debate about its cost and its route through the old town.\n\n"
         "\"This line will change how people move across the city,\" the mayor said after the vote.\n\n"
         "Construction is expected to start next spring and to take about three years.")


@pytest.fixture(scope="module")
def tools() -> Tools:
    return Tools.from_config(load_config(), "run-1", NOW)


def run_steps(record: RawRecord, tools: Tools) -> Work:
    work = Work(record)
    for _, step in STEPS:
        work = step(work, tools)
    return work


def test_steps_build_the_article_row_and_its_quotes(tools):
    work = run_steps(RawRecord(input_ref="/in/tram.txt", text=STORY, source_id="t1"), tools)
    article = work.article
    assert article["input_ref"] == "/in/tram.txt" and article["source_id"] == "t1"
    assert article["dateline_place"] == "MOSCOW" and article["credited_agency"] == "Sputnik"
    assert article["lang"] == "en" and article["run_id"] == "run-1" and article["ingested_at"] == NOW
    assert article["date"] == "2026-01-02"  # no publication time: the ingestion date
    assert "republisher" not in article
    assert [q["text"] for q in work.quotes] == ["This line will change how people move across the city,"]
    quote = work.quotes[0]
    assert quote["speaker_mention"] == "the mayor" and quote["cue"] == "said"
    assert (quote["kind"], quote["quoted"]) == ("direct", quote["text"])
    assert article["text"][quote["start_char"]:quote["end_char"]] == quote["text"]
    assert (quote["date"], quote["lang"], quote["source"]) == (article["date"], "en", article["source"])


def test_a_step_leaves_its_input_as_it_was(tools):
    work = Work(RawRecord(input_ref="/in/tram.txt", text=STORY))
    drafted = extract(work, tools)
    assert work.draft is None and drafted.draft is not None
    assert clean(drafted, tools).cleaned.text.startswith("The city council approved")


def test_a_page_without_text_is_rejected_by_extract(tools):
    with pytest.raises(Rejected) as verdict:
        extract(Work(RawRecord(input_ref="/in/empty.html", html="<html><body></body></html>")), tools)
    assert verdict.value.error_type == "no_text"


def test_process_records_sends_articles_quotes_and_rejects_to_their_outputs():
    records = [
        {"input_ref": "/in/tram.txt", "text": STORY},
        {"input_ref": "/in/empty.html", "html": "<html><body><p>Hi</p></body></html>"},
        {"input_ref": "/in/blank.txt", "text": "   "},
    ]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        out = (pipeline | beam.Create(records)
               | beam.ParDo(ProcessRecords(load_config(), "run-1", NOW)).with_outputs(
                   REJECTS, QUOTES, main="articles"))
        assert_that(out.articles | "Refs" >> beam.Map(lambda a: (a["input_ref"], a["lang"])),
                    equal_to([("/in/tram.txt", "en")]), label="articles")
        assert_that(out[QUOTES] | "Speakers" >> beam.Map(lambda q: q["speaker_mention"]),
                    equal_to(["the mayor"]), label="quotes")
        assert_that(out[REJECTS] | "Why" >> beam.Map(lambda r: (r["input_ref"], r["stage"], r["error_type"])),
                    equal_to([("/in/empty.html", "extract", "too_short"),  # "Hi": under min_text_chars
                              ("/in/blank.txt", "extract", "no_text")]), label="rejects")


def test_teardown_drops_the_libraries_word_lists_and_a_new_setup_gives_the_same_rows():
    """A multi-process run's worker tears the article step down before the tail's stages
    (pipeline/allocator.py): trafilatura's jusText stoplist and pymorphy3's dictionaries go,
    and are built again if the step runs once more in that process."""
    from trafilatura import external

    from transforms.quotes import russian

    page = ("<html><body><article><h1>Рабочие строят мост</h1>"
            + "<p>Строители начали работы на мосту через реку в понедельник утром.</p>" * 3
            + "<p>«Мы закончим к осени», — сказал Иван Петров, глава компании.</p>"
            + "</article><div>" + "<a href='/x'>menu</a> " * 40 + "</div></body></html>")
    raw = vars(RawRecord(input_ref="/in/bridge.html", html=page)).copy()
    fn = ProcessRecords(load_config(), "run-1", NOW)

    def outputs():
        return [(item.tag, item.value) if isinstance(item, beam.pvalue.TaggedOutput) else ("main", item)
                for item in fn.process(raw)]

    fn.setup()
    first = outputs()
    assert any(tag == QUOTES for tag, _ in first)
    fn.teardown()
    assert external.JT_STOPLIST is None and russian._analyzer.cache_info().currsize == 0
    fn.setup()
    assert outputs() == first
    fn.teardown()

"""The whole batch job on the seeds, read back with pyarrow and DuckDB."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import duckdb
import pyarrow.dataset as ds

from tests.helpers import read_rows, run_cli
from transforms.common.schemas import ARTICLES, QUOTES

URDUPOINT = "000_12d806bfd7423d3e.txt"
TASS = "004_5bba252c8173aefd.txt"


def by_file(rows: list[dict]) -> dict[str, dict]:
    return {row["input_ref"].rsplit("/", 1)[-1]: row for row in rows}


def test_seed_urdupoint_copy_is_its_story(seeds_output):
    row = by_file(read_rows(seeds_output, "articles"))[URDUPOINT]
    assert row["source"] == "UrduPoint"
    assert row["credited_agency"] == "Sputnik"
    assert row["dateline_place"] == "MOSCOW"
    assert row["title"] == ("Chances Of Kim-Trump Summit Depend On US Moves - "
                            "Source In Russian Foreign Ministry")
    assert row["published_at"].astimezone(timezone.utc).date() == datetime(2019, 6, 13).date()
    assert row["lang"] == "en"
    text = row["text"]
    assert text.startswith("Moscow will support any steps")
    assert text.count("Moscow will support any steps") == 1
    for junk in ("Fahad Shabbir", "@FahadShabbir", "5 hours ago", "(UrduPoint News / Sputnik", "\ufffd",
                 "Chances of Kim-Trump Summit Depend on US Moves"):
        assert junk not in text, junk
    assert '"two simple things."' in text.replace("\n\n\"", '"') or "two simple things." in text
    assert "It is impossible to say" in text


def test_seed_tass_original_is_its_story(seeds_output):
    row = by_file(read_rows(seeds_output, "articles"))[TASS]
    assert row["source"] == "TASS"
    assert row["credited_agency"] == "TASS"
    assert row["dateline_place"] == "MOSCOW"
    assert row["title"] == "Putin welcomes Trump’s courageous, mature decision to meet with Kim Jong-un"
    assert row["lang"] == "en"
    assert "All news" not in row["text"]
    assert row["summary"].startswith("He also expressed hope")
    assert row["summary"].endswith("positive results")
    assert row["text"].startswith("US President Donald Trump made a courageous")
    assert row["text"].endswith("should be enhanced.\"")
    assert "MOSCOW, June 6. /TASS/." not in row["text"]


def test_seeds_are_two_canonical_stories(seeds_output):
    rows = read_rows(seeds_output, "articles")
    assert len(rows) == 2
    assert len({row["cluster_id"] for row in rows}) == 2
    assert all(row["is_canonical"] and row["canonical_id"] == row["article_id"] for row in rows)


def test_seed_quotes_have_speakers(seeds_output):
    articles = by_file(read_rows(seeds_output, "articles"))
    quotes = read_rows(seeds_output, "quotes")
    for name in (URDUPOINT, TASS):
        mine = [q for q in quotes if q["article_id"] == articles[name]["article_id"]]
        assert mine, name
        assert all(q["speaker"] for q in mine)
        text = articles[name]["text"]
        for quote in mine:  # offsets point at the quote in the article's text
            assert text[quote["start_char"]:quote["end_char"]].split()[:3] == quote["text"].split()[:3]
    speakers = {q["speaker"] for q in quotes} | {q["speaker_mention"] for q in quotes}
    assert speakers & {"the source", "Putin", "Vladimir Putin", "the Russian president"}


def test_tables_follow_the_contract_schemas(seeds_output):
    articles = ds.dataset(seeds_output / "articles", format="parquet", partitioning="hive")
    for field in ARTICLES:
        assert field.name in articles.schema.names
    assert "date" in articles.schema.names
    quotes = ds.dataset(seeds_output / "quotes", format="parquet", partitioning="hive")
    for field in QUOTES:
        assert quotes.schema.field(field.name).type == field.type
    files = list((seeds_output / "articles").rglob("*.parquet"))
    assert all(f.parent.name.startswith("lang=") and f.parent.parent.name.startswith("date=") for f in files)


def test_duckdb_reads_the_partitions(seeds_output):
    pattern = str(seeds_output / "articles" / "**" / "*.parquet")
    rows = duckdb.sql(f"SELECT lang, typeof(date), count(*) FROM read_parquet('{pattern}', "
                      "hive_partitioning = true) GROUP BY ALL").fetchall()
    assert rows == [("en", "DATE", 2)]
    result = run_cli("query", "--output", str(seeds_output),
                     "SELECT count(*) AS n FROM quotes JOIN articles USING (article_id) WHERE is_canonical")
    assert result.returncode == 0, result.stderr
    assert "n" in result.stdout


def test_run_record_and_summary(seeds_output):
    record = json.loads((seeds_output / "_runs" / "seeds-test.json").read_text())
    assert record["counts"]["articles"] == 2
    assert record["counts"]["rejects"] == 0
    assert record["counts"]["records"] == 2
    assert record["counts"]["quotes"] >= 10
    # seconds inside each stage, for operators; the stage timers are no counts
    assert {"read", "extract", "clean", "lang", "build", "quotes", "write"} <= set(record["stage_seconds"])
    assert all(seconds >= 0 for seconds in record["stage_seconds"].values())
    assert not any(name.startswith("stage_us.") for name in record["counts"])


def test_rerun_replaces_files_instead_of_adding(tmp_path):
    from tests.helpers import SEEDS

    for run_id in ("first", "second"):
        result = run_cli("run", "--input", str(SEEDS), "--output", str(tmp_path), "--run-id", run_id,
                         "--full-refresh")
        assert result.returncode == 0, result.stderr
        assert "articles: 2" in result.stdout
    assert len(read_rows(tmp_path, "articles")) == 2
    files = list((tmp_path / "articles").rglob("*.parquet"))
    assert len(files) == len({f.parent for f in files})  # one file per partition, none added
    assert not list(tmp_path.rglob("*.tmp"))

"""`schema`, `query` and `report` against a real output folder: the DuckDB SQL is executed as
printed, the BigQuery field list is parsed and checked against the Parquet files' schema, the
Spark DDL runs in a local Spark session where pyspark (and Java) are installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import lxml.html
import pyarrow.dataset as ds
import pytest

from tests.helpers import SEEDS, run_cli

CONFIG = "output:\n  partition_by: [lang, date]\n"  # not the default order: the DDL must follow it


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("warehouse")
    config = tmp / "config.yaml"
    config.write_text(CONFIG)
    bad = tmp / "in" / "bad.jsonl"
    bad.parent.mkdir()
    bad.write_text("{not json\n")
    out = tmp / "out"
    result = run_cli("run", "--input", str(SEEDS), "--input", str(bad), "--output", str(out),
                     "--config", str(config))
    assert result.returncode == 0, result.stderr
    return out, config


def schema(*args: str) -> str:
    result = run_cli("schema", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_duckdb_sql_runs_as_printed_with_typed_partitions(output):
    out, config = output
    con = duckdb.connect()
    con.execute(schema("--format", "duckdb", "--output", str(out), "--config", str(config)))
    assert con.sql("SELECT count(*) FROM articles").fetchall() == [(2,)]
    kinds = con.sql("SELECT DISTINCT typeof(date), typeof(lang) FROM articles").fetchall()
    assert kinds == [("DATE", "VARCHAR")]
    assert con.sql("SELECT count(*) FROM rejects").fetchall() == [(1,)]
    assert con.sql("SELECT typeof(date) FROM rejects").fetchall() == [("DATE",)]
    offsets = con.sql("SELECT start_char, end_char FROM quotes").fetchall()  # no reserved word to quote
    assert offsets and all(start < end for start, end in offsets)
    con.sql("SELECT * FROM clusters").fetchall()  # empty or not, the view exists


def test_bigquery_fields_match_the_parquet_files(output):
    out, config = output
    kinds = {"string": "STRING", "bool": "BOOLEAN", "int32": "INTEGER", "int64": "INTEGER",
             "double": "FLOAT", "timestamp[us, tz=UTC]": "TIMESTAMP"}
    for table in ("articles", "quotes", "rejects"):
        fields = json.loads(schema("--format", "bigquery", "--table", table, "--output", str(out),
                                   "--config", str(config)))
        files = ds.dataset(out / table, format="parquet").schema  # the files' own columns
        assert [f["name"] for f in fields] == files.names
        for field in fields:
            arrow = files.field(field["name"])
            if field["mode"] == "REPEATED":
                assert str(arrow.type.value_type) == "string" and field["type"] == "STRING"
            else:
                assert kinds[str(arrow.type)] == field["type"], field
                assert (field["mode"] == "REQUIRED") == (not arrow.nullable), field
        assert "date" not in [f["name"] for f in fields]  # BigQuery takes partition keys from the URI
    hint = run_cli("schema", "--format", "bigquery", "--table", "rejects", "--output", str(out)).stderr
    assert f"{out}/rejects/{{date:DATE}}\n" in hint  # rejects have no lang partition
    overview = json.loads(schema("--format", "bigquery", "--output", str(out), "--config", str(config)))
    assert sorted(overview) == ["articles", "clusters", "quotes", "rejects"]


def test_spark_ddl_follows_partition_by_and_discovers_partitions(output, tmp_path):
    out, config = output
    ddl = schema("--format", "spark", "--output", str(out), "--config", str(config))
    assert "PARTITIONED BY (`lang`, `date`)" in ddl and "MSCK REPAIR TABLE articles" in ddl
    pyspark = pytest.importorskip("pyspark.sql", reason="pyspark not installed: the DDL is not executed")
    if not shutil.which("java"):
        pytest.skip("no java: Spark cannot start")
    spark = (pyspark.SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
             .config("spark.sql.warehouse.dir", str(tmp_path / "spark")).getOrCreate())
    try:
        for statement in ddl.split(";"):
            lines = [line for line in statement.splitlines() if not line.strip().startswith("--")]
            if "".join(lines).strip():
                spark.sql("\n".join(lines))
        assert spark.sql("SELECT count(*) AS n FROM articles").collect()[0]["n"] == 2
        assert spark.sql("SELECT count(*) AS n FROM rejects").collect()[0]["n"] == 1
        assert spark.sql("SELECT count(*) AS n FROM quotes WHERE start_char < end_char").collect()[0]["n"] > 0
    finally:
        spark.stop()


def test_query_and_report_on_a_missing_folder_stop_with_one_line(tmp_path):
    missing = str(tmp_path / "nowhere")
    for args in (("query", "--output", missing, "SELECT 1"), ("report", "--output", missing)):
        result = run_cli(*args)
        assert result.returncode == 2, result
        assert len(result.stderr.strip().splitlines()) == 1 and "nowhere" in result.stderr
        assert "rows" not in result.stdout


CHARTS = ("articles-by-source", "articles-by-lang", "rejects-by-type", "cluster-sizes", "run-durations")


def browser() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def test_html_report_renders_its_charts_in_a_headless_browser(output, tmp_path):
    out, _ = output
    page = tmp_path / "report.html"
    result = run_cli("report", "--output", str(out), "--html", str(page))
    assert result.returncode == 0, result.stderr
    source = page.read_text()
    assert "<script src" not in source and "<link" not in source  # self-contained: nothing fetched
    assert source.count("http") == source.count("http://www.w3.org/2000/svg")
    chromium = browser()
    if chromium is None:
        pytest.skip("no chromium: apt-get install -y chromium to render the report")
    rendered = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    tree = lxml.html.fromstring(rendered.stdout)
    for name in CHARTS:
        chart = tree.xpath(f'//figure[@data-chart="{name}"]')
        assert chart, name
        assert chart[0].xpath('.//*[local-name()="svg"]//*[local-name()="rect"][@class="bar"]'), name
    tile = tree.xpath('//figure[@data-chart="freshness"]//div[@data-age-seconds]')
    assert tile and float(tile[0].get("data-age-seconds")) > 0

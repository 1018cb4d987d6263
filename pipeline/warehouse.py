"""`query`, `report` and `schema`: the output folder as a warehouse, through DuckDB."""

from __future__ import annotations

import glob
import json
import os

import duckdb

from pipeline import report_html
from pipeline.ddl import duckdb_view
from transforms.common.schemas import DEFAULT_PARTITION_BY, TABLES


class MissingOutput(ValueError):
    """The output folder to read does not exist: exit 2 with one line."""


def check_output(output: str) -> None:
    if "://" not in output and not os.path.isdir(output):
        raise MissingOutput(f"output folder {output} does not exist (run the job or give --output DIR)")


def keys_on_disk(files: list[str], folder: str) -> list[str]:
    """The Hive partition keys of a table, read from its first file's folder names."""
    parts = os.path.relpath(files[0], folder).split(os.sep)[:-1]
    return [part.split("=", 1)[0] for part in parts if "=" in part]


def connect(output: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per table over the Parquet, partition keys typed."""
    check_output(output)
    con = duckdb.connect()
    for table in TABLES:
        folder = os.path.join(output, table)
        files = glob.glob(os.path.join(folder, "**", "*.parquet"), recursive=True)
        if files:
            keys = keys_on_disk(files, folder)
            con.execute(duckdb_view(table, output, tuple(keys) if table in ("articles", "quotes") else ()))
        else:  # an empty table with the right columns, so queries still run
            con.execute(duckdb_view(table, output, DEFAULT_PARTITION_BY))
    return con


def command_query(output: str, sql: str) -> int:
    con = connect(output)
    relation = con.sql(sql)
    if relation is None:
        return 0
    relation.show(max_rows=10_000, max_width=10_000)
    return 0


def command_report(output: str, html_path: str | None = None) -> int:
    con = connect(output)
    if html_path:
        report_html.write_html(con, output, html_path)
        print(f"report written to {html_path}")
        return 0
    print(f"Output folder: {os.path.abspath(output)}")
    for table in TABLES:
        print(f"  {table}: {con.sql(f'SELECT count(*) FROM {table}').fetchall()[0][0]} rows")
    sections = {
        "Articles by date and language": "SELECT date, lang, count(*) AS articles FROM articles "
                                         "GROUP BY ALL ORDER BY ALL",
        "Top sources": "SELECT source, count(*) AS articles, count(*) FILTER (is_canonical) AS "
                       "canonical FROM articles GROUP BY ALL ORDER BY articles DESC, source LIMIT 15",
        "Stories": "SELECT count(DISTINCT cluster_id) AS stories, count(*) FILTER (NOT is_canonical) "
                   "AS duplicates, max(n) AS largest_cluster FROM articles, (SELECT cluster_id c, "
                   "count(*) n FROM articles GROUP BY 1) WHERE c = cluster_id",
        "Top speakers": "SELECT speaker, count(*) AS quotes FROM quotes WHERE speaker IS NOT NULL "
                        "GROUP BY ALL ORDER BY quotes DESC, speaker LIMIT 10",
        "Rejects by stage and type": "SELECT stage, error_type, count(*) AS rejects FROM rejects "
                                     "GROUP BY ALL ORDER BY rejects DESC, stage, error_type",
    }
    for title, sql in sections.items():
        print(f"\n{title}:")
        con.sql(sql).show(max_rows=50)
    runs = sorted(glob.glob(os.path.join(output, "_runs", "*.json")))[-5:]
    if runs:
        print("\nLast runs:")
        for path in runs:
            with open(path, encoding="utf-8") as handle:
                record = json.load(handle)
            counts = record.get("counts") or {}  # a failed run's record may have none
            status = " (failed)" if "fail" in str(record.get("status", "")) else ""
            print(f"  {record.get('run_id', path)}{status}: {counts.get('articles', 0)} articles, "
                  f"{counts.get('rejects', 0)} rejects, {counts.get('quotes', 0)} quotes, "
                  f"{record.get('duration_s', '?')} s")
    return 0

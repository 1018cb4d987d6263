"""`query`, `report` and `schema`: the output folder as a warehouse, through DuckDB."""

from __future__ import annotations

import glob
import json
import os

import duckdb
import pyarrow as pa

from transforms.common.schemas import REJECTS_PARTITION_BY, TABLES

# Partition columns as they come back from the folder names.
PARTITION_TYPES = {"date": "DATE", "lang": "VARCHAR", "source": "VARCHAR"}
DEFAULT_PARTITION_BY = ("date", "lang")


def connect(output: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views `articles`, `quotes`, `rejects` over the Parquet."""
    con = duckdb.connect()
    for table, schema in TABLES.items():
        folder = os.path.join(output, table)
        files = glob.glob(os.path.join(folder, "**", "*.parquet"), recursive=True)
        if files:
            pattern = os.path.join(folder, "**", "*.parquet").replace("'", "''")
            con.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{pattern}', "
                "hive_partitioning = true, union_by_name = true)"
            )
        else:  # an empty table with the right columns, so queries still run
            partitions = partitions_of(table)
            columns = [f'"{f.name}" {duckdb_type(f.type)}' for f in schema if f.name not in partitions]
            columns += [f'"{key}" {PARTITION_TYPES[key]}' for key in partitions]
            con.execute(f"CREATE VIEW {table} AS SELECT s.* FROM (SELECT NULL::STRUCT("
                        f"{', '.join(columns)}) AS s) WHERE false")
    return con


def partitions_of(table: str) -> tuple[str, ...]:
    return DEFAULT_PARTITION_BY if table in ("articles", "quotes") else REJECTS_PARTITION_BY


def duckdb_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type):
        return "VARCHAR"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_int32(arrow_type):
        return "INTEGER"
    if pa.types.is_int64(arrow_type):
        return "BIGINT"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_list(arrow_type):
        return f"{duckdb_type(arrow_type.value_type)}[]"
    raise ValueError(f"no DuckDB type for {arrow_type}")


def bigquery_type(arrow_type: pa.DataType) -> tuple[str, str]:
    """(type, mode) of a BigQuery schema field."""
    if pa.types.is_list(arrow_type):
        return bigquery_type(arrow_type.value_type)[0], "REPEATED"
    names = {"VARCHAR": "STRING", "BOOLEAN": "BOOL", "INTEGER": "INT64", "BIGINT": "INT64",
             "DOUBLE": "FLOAT64", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "DATETIME"}
    return names[duckdb_type(arrow_type)], "NULLABLE"


def spark_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_list(arrow_type):
        return f"ARRAY<{spark_type(arrow_type.value_type)}>"
    names = {"VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "INTEGER": "INT", "BIGINT": "BIGINT",
             "DOUBLE": "DOUBLE", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "TIMESTAMP_NTZ"}
    return names[duckdb_type(arrow_type)]


def command_query(output: str, sql: str) -> int:
    con = connect(output)
    relation = con.sql(sql)
    if relation is None:
        return 0
    relation.show(max_rows=10_000, max_width=10_000)
    return 0


def command_report(output: str) -> int:
    con = connect(output)
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
            if record.get("status") == "failed":  # a failed run committed nothing
                print(f"  {record['run_id']}: failed ({record.get('error', '')[:100]})")
                continue
            counts = record["counts"]
            print(f"  {record['run_id']}: {counts['articles']} articles, {counts['rejects']} rejects, "
                  f"{counts['quotes']} quotes, {record['duration_s']} s")
    return 0


def command_schema(fmt: str) -> int:
    for table, schema in TABLES.items():
        partitions = partitions_of(table)
        fields = [f for f in schema if f.name not in partitions]
        if fmt == "duckdb":
            columns = [f'  "{f.name}" {duckdb_type(f.type)}' + ("" if f.nullable else " NOT NULL")
                       for f in fields]
            columns += [f'  "{key}" {PARTITION_TYPES[key]}  -- Hive partition' for key in partitions]
            print(f"CREATE TABLE {table} (\n" + ",\n".join(columns) + "\n);")
        elif fmt == "bigquery":
            entries = []
            for f in fields:
                kind, mode = bigquery_type(f.type)
                if mode != "REPEATED" and not f.nullable:
                    mode = "REQUIRED"
                entries.append({"name": f.name, "type": kind, "mode": mode})
            print(f"-- {table}: hive partition keys {', '.join(partitions)} "
                  "(use hive_partitioning_mode=AUTO or CUSTOM with {date:DATE}/{lang:STRING})")
            print(json.dumps(entries, indent=2))
        else:
            columns = [f"  `{f.name}` {spark_type(f.type)}" + ("" if f.nullable else " NOT NULL")
                       for f in fields]
            columns += [f"  `{key}` {'DATE' if key == 'date' else 'STRING'}" for key in partitions]
            print(f"CREATE TABLE {table} (\n" + ",\n".join(columns) + "\n) USING PARQUET\n"
                  f"PARTITIONED BY ({', '.join(partitions)})\nLOCATION '<OUTPUT>/{table}';")
    return 0

"""`pipeline schema`: each table's schema as a warehouse runs it.

- duckdb: views over the Hive folders of an output folder, partition keys typed (`hive_types`);
  the SQL runs in DuckDB as printed.
- spark: CREATE TABLE ... USING PARQUET PARTITIONED BY (the config's partition keys) LOCATION,
  then MSCK REPAIR TABLE, without which Spark sees no partition (and no row).
- bigquery: one table's JSON field list (`--table`), as `bq load` takes it (without
  `--table`, one JSON object of every table's list). It
  holds the files' columns only: BigQuery refuses partition keys that are also file columns;
  they come from the source URI prefix (`{date:DATE}/{lang:STRING}`, printed on stderr).
"""

from __future__ import annotations

import glob
import json
import os
import sys

import pyarrow as pa

from transforms.common.schemas import REJECTS_PARTITION_BY, TABLES

FORMATS = ("duckdb", "bigquery", "spark")
# Partition key types; `date` holds YYYY-MM-DD, the others plain strings.
PARTITION_TYPES = {
    "duckdb": {"date": "DATE"},
    "spark": {"date": "DATE"},
    "bigquery": {"date": "DATE"},
}
STRING_TYPE = {"duckdb": "VARCHAR", "spark": "STRING", "bigquery": "STRING"}


def partitions_of(table: str, partition_by: tuple[str, ...]) -> tuple[str, ...]:
    """Articles and quotes use the config's keys; rejects and clusters the run's date only."""
    return tuple(partition_by) if table in ("articles", "quotes") else REJECTS_PARTITION_BY


def partition_type(key: str, fmt: str) -> str:
    return PARTITION_TYPES[fmt].get(key, STRING_TYPE[fmt])


def file_fields(table: str, partition_by: tuple[str, ...]) -> list[pa.Field]:
    """The columns stored in the files: the partition keys live in the folder names only."""
    partitions = partitions_of(table, partition_by)
    return [f for f in TABLES[table] if f.name not in partitions]


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
    names = {"VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "INTEGER": "INTEGER", "BIGINT": "INTEGER",
             "DOUBLE": "FLOAT", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "DATETIME"}
    return names[duckdb_type(arrow_type)], "NULLABLE"


def spark_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_list(arrow_type):
        return f"ARRAY<{spark_type(arrow_type.value_type)}>"
    names = {"VARCHAR": "STRING", "BOOLEAN": "BOOLEAN", "INTEGER": "INT", "BIGINT": "BIGINT",
             "DOUBLE": "DOUBLE", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP", "TIMESTAMP": "TIMESTAMP_NTZ"}
    return names[duckdb_type(arrow_type)]


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def has_files(folder: str) -> bool:
    if "://" in folder:
        return True  # an object store: trust that the run wrote the table
    return bool(glob.glob(os.path.join(folder, "**", "*.parquet"), recursive=True))


def duckdb_view(table: str, output: str, partition_by: tuple[str, ...]) -> str:
    partitions = partitions_of(table, partition_by)
    folder = f"{output}/{table}"
    keys = ", ".join(f"{key} ({partition_type(key, 'duckdb')})" for key in partitions)
    head = f"-- {table}: Hive partitions {keys} from the folder names\n"
    if not has_files(folder):  # no file yet: an empty view with the table's columns
        columns = [f'NULL::{duckdb_type(f.type)} AS "{f.name}"' for f in file_fields(table, partition_by)]
        columns += [f'NULL::{partition_type(key, "duckdb")} AS "{key}"' for key in partitions]
        return (f"{head}-- (no file under {folder} yet: an empty view; print this again after a run)\n"
                f"CREATE OR REPLACE VIEW {table} AS SELECT {', '.join(columns)} WHERE false;")
    types = ", ".join(f"{sql_string(key)}: {partition_type(key, 'duckdb')}" for key in partitions)
    # union_by_name: files written before a column was added (quotes' kind, quoted) read as
    # null there; the empty typed SELECT makes every column exist even when no file has it yet.
    columns = ", ".join(f'NULL::{duckdb_type(f.type)} AS "{f.name}"'
                        for f in file_fields(table, partition_by))
    return (f"{head}CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet(\n"
            f"  {sql_string(folder + '/**/*.parquet')},\n"
            f"  hive_partitioning = true, hive_types = {{{types}}}, union_by_name = true)\n"
            f"UNION ALL BY NAME SELECT {columns} WHERE false;")


def spark_table(table: str, output: str, partition_by: tuple[str, ...]) -> str:
    partitions = partitions_of(table, partition_by)
    columns = [f"  `{f.name}` {spark_type(f.type)}" for f in file_fields(table, partition_by)]
    columns += [f"  `{key}` {partition_type(key, 'spark')}" for key in partitions]
    keys = ", ".join(f"`{key}`" for key in partitions)
    folder = f"{output}/{table}"
    # Spark's MSCK fails on a missing folder: a table no run has written yet gets it commented out
    repair = f"MSCK REPAIR TABLE {table};" if has_files(folder) else (
        f"-- (no file under {folder} yet) MSCK REPAIR TABLE {table};")
    return (f"CREATE TABLE IF NOT EXISTS {table} (\n" + ",\n".join(columns) + "\n) USING PARQUET\n"
            f"PARTITIONED BY ({keys})\nLOCATION {sql_string(folder)};\n"
            f"-- partition discovery: run again after every pipeline run, or new partitions stay unseen\n"
            f"{repair}")


def bigquery_fields(table: str, partition_by: tuple[str, ...]) -> list[dict]:
    entries = []
    for f in file_fields(table, partition_by):
        kind, mode = bigquery_type(f.type)
        if mode != "REPEATED" and not f.nullable:
            mode = "REQUIRED"
        entries.append({"name": f.name, "type": kind, "mode": mode})
    return entries


def bigquery_prefix(table: str, output: str, partition_by: tuple[str, ...]) -> str:
    keys = "/".join(f"{{{key}:{partition_type(key, 'bigquery')}}}"
                    for key in partitions_of(table, partition_by))
    return f"{output}/{table}/{keys}"


def command_schema(fmt: str, output: str, partition_by: tuple[str, ...], table: str | None) -> int:
    """Print the schema; `output` is where the tables are (absolute, or a gs:// / s3:// URL)."""
    tables = [table] if table else list(TABLES)
    if fmt == "bigquery":
        if table:
            print(json.dumps(bigquery_fields(table, partition_by), indent=2))
        else:  # an overview; bq takes one table's list: --table T
            print(json.dumps({name: bigquery_fields(name, partition_by) for name in tables}, indent=2))
            print("# a bq schema file holds one table's fields: add --table T", file=sys.stderr)
        for name in tables:
            print(f"# {name}: --hive_partitioning_mode=CUSTOM --hive_partitioning_source_uri_prefix="
                  f"{bigquery_prefix(name, output, partition_by)}", file=sys.stderr)
        return 0
    make = duckdb_view if fmt == "duckdb" else spark_table
    print("\n\n".join(make(name, output, partition_by) for name in tables))
    return 0

"""Hive-partitioned Parquet, written whole or not at all.

Beam's own Parquet sinks cannot partition (WriteToParquet) or silently lose rows when the
partition folders do not exist (fileio.WriteToFiles): see docs/architecture.md. So rows are keyed by
partition, grouped, and each group is written with pyarrow to a temporary name, then renamed
into place (atomic on a local disk; on GCS an object appears only once complete). File names
derive from the rows' ids, so re-running the same input replaces files instead of adding
copies, and the same input gives the same files on any machine.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.common import fs, ids
from transforms.common.schemas import ROW_KEYS, TABLES

LOG = logging.getLogger("newspipe.writer")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def partition_path(row: dict, partition_by: tuple[str, ...]) -> str:
    """`date=2019-06-13/lang=en` for a row (values URI-escaped, as Hive and pyarrow expect)."""
    parts = []
    for key in partition_by:
        value = row.get(key)
        text = NULL_PARTITION if value in (None, "") else quote(str(value), safe="")
        parts.append(f"{key}={text}")
    return "/".join(parts)


def file_schema(table: str, partition_by: tuple[str, ...]) -> pa.Schema:
    """The table's schema less its partition columns (they live in the folder names)."""
    schema = TABLES[table]
    return pa.schema([field for field in schema if field.name not in partition_by])


def sort_key(table: str):
    keys = ROW_KEYS[table]
    return lambda row: tuple("" if row.get(k) is None else row[k] for k in keys)


def file_name(table: str, rows: list[dict], prefix: str = "") -> str:
    """part-<prefix><digest of the rows' keys>.parquet: the same rows, the same name (the
    prefix, the commit's generation, keeps names of different commits apart)."""
    keys = ROW_KEYS[table]
    fingerprint = ids.digest(*("|".join(str(row.get(k)) for k in keys) for row in rows))
    return f"part-{prefix}{fingerprint[:20]}.parquet"


def write_parquet(path: str, table: pa.Table, compression: str) -> None:
    """Write whole then rename into place: readers never see a partial file."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=compression)
    fs.write_atomic(path, buffer.getvalue())

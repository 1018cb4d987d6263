"""Hive-partitioned Parquet, written whole or not at all.

Beam's own Parquet sinks cannot partition (WriteToParquet) or silently lose rows when the
partition folders do not exist (fileio.WriteToFiles): see NOTES-beam.md. So rows are keyed by
partition, grouped, and each group is written with pyarrow to a temporary name, then renamed
into place (atomic on a local disk; on GCS an object appears only once complete). File names
derive from the rows' ids, so re-running the same input replaces files instead of adding
copies, and the same input gives the same files on any machine.
"""

from __future__ import annotations

import io
import logging
import uuid
from urllib.parse import quote

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from transforms import ids
from transforms.schemas import ROW_KEYS, TABLES

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


def file_name(table: str, rows: list[dict]) -> str:
    """part-<digest of the rows' keys>.parquet: the same rows, the same name."""
    keys = ROW_KEYS[table]
    fingerprint = ids.digest(*("|".join(str(row.get(k)) for k in keys) for row in rows))
    return f"part-{fingerprint[:20]}.parquet"


def write_parquet(path: str, table: pa.Table, compression: str) -> None:
    """Write to a temporary sibling, then rename: readers never see a partial file."""
    folder, name = path.rsplit("/", 1)
    temporary = f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=compression)
    with FileSystems.create(temporary) as handle:
        handle.write(buffer.getvalue())
    # replaces an older file of the same name in one step (os.rename; a GCS copy)
    FileSystems.rename([temporary], [path])


class WritePartition(beam.DoFn):
    def __init__(self, table: str, output_dir: str, partition_by: tuple[str, ...], max_rows: int,
                 compression: str):
        self.table = table
        self.partition_by = partition_by
        self.output_dir = output_dir.rstrip("/")
        self.max_rows = max_rows
        self.compression = compression

    def process(self, element):
        partition, rows = element
        rows = sorted(rows, key=sort_key(self.table))
        schema = file_schema(self.table, self.partition_by)
        for start in range(0, len(rows), self.max_rows):
            chunk = rows[start : start + self.max_rows]
            path = f"{self.output_dir}/{self.table}/{partition}/{file_name(self.table, chunk)}"
            write_parquet(path, pa.Table.from_pylist(chunk, schema=schema), self.compression)
            LOG.info("wrote %d %s rows to %s", len(chunk), self.table, path)
            yield {"table": self.table, "path": path, "rows": len(chunk)}


class WriteTable(beam.PTransform):
    """rows -> Parquet files under OUTPUT/<table>/<key=value>/...; emits one dict per file."""

    def __init__(self, table: str, output_dir: str, partition_by, settings: dict):
        super().__init__()
        self.table = table
        self.output_dir = output_dir
        self.partition_by = tuple(partition_by)
        self.settings = settings

    def expand(self, rows):
        partition_by = self.partition_by
        return (
            rows
            | "KeyByPartition" >> beam.Map(lambda row: (partition_path(row, partition_by), row))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(WritePartition(
                self.table, self.output_dir, partition_by, self.settings["max_rows_per_file"],
                self.settings["compression"]))
        )

"""The write stage's Beam side: rows keyed by partition, grouped, each group written whole."""

from __future__ import annotations

import logging

import apache_beam as beam
import pyarrow as pa

from transforms.common.faults import fault
from transforms.write.files import file_name, file_schema, partition_path, sort_key, write_parquet

LOG = logging.getLogger("newspipe.writer")


class WritePartition(beam.DoFn):
    def __init__(self, table: str, output_dir: str, partition_by: tuple[str, ...], max_rows: int,
                 compression: str, prefix: str = ""):
        self.table = table
        self.prefix = prefix
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
            path = f"{self.output_dir}/{self.table}/{partition}/{file_name(self.table, chunk, self.prefix)}"
            write_parquet(path, pa.Table.from_pylist(chunk, schema=schema), self.compression)
            fault("write")
            LOG.info("wrote %d %s rows to %s", len(chunk), self.table, path)
            yield {"table": self.table, "path": path, "rows": len(chunk)}


class WriteTable(beam.PTransform):
    """rows -> Parquet files under OUTPUT/<table>/<key=value>/...; emits one dict per file. A run
    writes under its staging folder (OUTPUT/_staging/<attempt>) and the commit moves the files."""

    def __init__(self, table: str, output_dir: str, partition_by, settings: dict, prefix: str = ""):
        super().__init__()
        self.prefix = prefix
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
                self.settings["compression"], self.prefix))
        )

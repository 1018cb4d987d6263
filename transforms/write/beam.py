"""The write stage's Beam side: rows keyed by partition, grouped, each group written whole."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

import apache_beam as beam
import pyarrow as pa
from apache_beam.utils.windowed_value import PaneInfoTiming

from transforms.common.beam import decode_row, encode_row
from transforms.common.faults import fault
from transforms.common.metrics import METRICS_NAMESPACE, STAGE_TIME_PREFIX
from transforms.common.schemas import ROW_KEYS
from transforms.write import windows
from transforms.write.files import file_name, file_schema, partition_path, sort_key, write_parquet

LOG = logging.getLogger("newspipe.writer")


DECODE_BATCH = 1000  # rows decoded at once when a file's Arrow table is built

def _arrow_table(chunk: list[tuple[tuple, tuple, bytes]], schema: pa.Schema) -> pa.Table:
    batches = [pa.Table.from_pylist([decode_row(data) for _, _, data in chunk[i:i + DECODE_BATCH]],
                                    schema=schema) for i in range(0, len(chunk), DECODE_BATCH)]
    return pa.concat_tables(batches) if batches else pa.Table.from_pylist([], schema=schema)


class WritePartition(beam.DoFn):
    def __init__(self, table: str, output_dir: str, partition_by: tuple[str, ...], max_rows: int,
                 compression: str, prefix: str = ""):
        self.table = table
        self.prefix = prefix
        self.partition_by = partition_by
        self.output_dir = output_dir.rstrip("/")
        self.max_rows = max_rows
        self.compression = compression
        self.keys = ROW_KEYS[table]
        self.order = sort_key(table)

    def setup(self):
        self.write_us = beam.metrics.Metrics.counter(METRICS_NAMESPACE, f"{STAGE_TIME_PREFIX}write")

    def process(self, element):
        started = time.perf_counter()
        partition, encoded = element
        keyed = self._keyed(encoded)
        schema = file_schema(self.table, self.partition_by)
        for start in range(0, len(keyed), self.max_rows):
            chunk = keyed[start : start + self.max_rows]
            name = file_name(self.table, [dict(zip(self.keys, raw, strict=True)) for _, raw, _ in chunk],
                             self.prefix)
            path = f"{self.output_dir}/{self.table}/{partition}/{name}"
            if isinstance(chunk[0][2], dict):  # a small partition: its rows decoded once
                table = pa.Table.from_pylist([row for _, _, row in chunk], schema=schema)
            else:
                table = _arrow_table(chunk, schema)
            write_parquet(path, table, self.compression)
            fault("write")
            LOG.info("wrote %d %s rows to %s", len(chunk), self.table, path)
            self.write_us.inc(int((time.perf_counter() - started) * 1e6))
            yield {"table": self.table, "path": path, "rows": len(chunk)}
            started = time.perf_counter()

    def _keyed(self, encoded) -> list[tuple[tuple, tuple, dict | bytes]]:
        """(sort key, the key columns' values, the row) per row, sorted (stable). The row is the
        decoded dict while the partition has at most DECODE_BATCH rows (most do: one decode per
        row, one Arrow batch as before), else the encoded bytes (decoded again a batch at a time
        when its file is built: a partition's rows as dicts would cost several times their
        encoded size)."""
        keyed, rows = [], []
        for data in encoded:
            row = decode_row(data)
            keyed.append((self.order(row), tuple(row.get(k) for k in self.keys), data))
            if rows is not None:
                rows.append(row)
                if len(rows) > DECODE_BATCH:
                    rows = None
        if rows is not None:
            keyed = [(order, raw, row) for (order, raw, _), row in zip(keyed, rows, strict=True)]
        keyed.sort(key=lambda item: item[0])
        return keyed


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
            | "KeyByPartition" >> beam.Map(lambda row: (partition_path(row, partition_by), encode_row(row)))
            | "GroupByPartition" >> beam.GroupByKey()
            | "WriteFiles" >> beam.ParDo(WritePartition(
                self.table, self.output_dir, partition_by, self.settings["max_rows_per_file"],
                self.settings["compression"], self.prefix))
        )


# --- streaming: windowed writes, one commit per window pane (transforms/write/windows.py) ------


class WriteWindow(beam.DoFn):
    """(_, [(table, row)...]) of one window pane -> its files published as one commit; emits the
    commit record. `fault(step, n)`, if given, is called between the commit's steps (tests)."""

    def __init__(self, output_dir: str, partition_by: dict, settings: dict, run_id: str, fault=None):
        self.output_dir = output_dir.rstrip("/")
        self.partition_by = {table: tuple(keys) for table, keys in partition_by.items()}
        self.settings, self.run_id, self.fault = settings, run_id, fault

    def setup(self):
        self.counters = {name: beam.metrics.Metrics.counter("newspipe", f"write.{name}")
                         for name in ("commits", "commits_already_done", "files", "late_panes")}

    def process(self, element, window=beam.DoFn.WindowParam, pane=beam.DoFn.PaneInfoParam):
        started = datetime.now(timezone.utc)
        by_table: dict[str, list[dict]] = {}
        for table, row in element[1]:
            by_table.setdefault(table, []).append(row)
        wid = windows.window_id(float(window.start), float(window.end), pane.index)
        files = [pending for table, rows in sorted(by_table.items()) for pending in windows.table_files(
            table, rows, self.partition_by[table], self.settings["max_rows_per_file"],
            self.settings["compression"], wid)]
        timing = PaneInfoTiming.to_string(pane.timing)
        run = windows.window_run_record(self.run_id, wid, window, pane, timing, by_table, started, len(files))
        record, did = windows.commit_files(self.output_dir, f"{self.run_id}.{wid}", files,
                                           {"kind": "window", "run": run}, self.fault)
        self.counters["commits" if did else "commits_already_done"].inc()
        if did:
            self.counters["files"].inc(len(files))
        if pane.timing == PaneInfoTiming.LATE:
            self.counters["late_panes"].inc()
        LOG.info("window %s: %d files committed", wid, len(files))
        yield record


class WriteWindows(beam.PTransform):
    """{table: rows} (global window, event-time stamped) -> one commit per event-time window pane:
    fixed windows of window_s, the on-time pane when the watermark passes the window's end, then
    late panes for rows up to lateness_s late (at most one per late_delay_s of processing time;
    0: one per late row). Rows later than that are dropped by the runner (README: late data)."""

    def __init__(self, output_dir: str, partition_by: dict, settings: dict, run_id: str,
                 stream: dict, fault=None):
        super().__init__()
        self.args = (output_dir, partition_by, settings, run_id, fault)
        self.stream = stream

    def expand(self, tables: dict):
        window = beam.transforms.window
        trigger = beam.transforms.trigger
        delay = self.stream["late_firing_delay_s"]
        late = trigger.AfterProcessingTime(delay) if delay > 0 else trigger.AfterCount(1)
        tagged = [rows | f"Tag{table.title()}" >> beam.Map(lambda row, t=table: (t, row))
                  for table, rows in sorted(tables.items())]
        return (
            tagged
            | "AllTables" >> beam.Flatten()
            | "EventTimeWindows" >> beam.WindowInto(
                window.FixedWindows(self.stream["window_s"]),
                trigger=trigger.AfterWatermark(late=late),
                accumulation_mode=trigger.AccumulationMode.DISCARDING,
                allowed_lateness=self.stream["allowed_lateness_s"])
            | "OneKeyPerWindow" >> beam.Map(lambda tagged_row: (None, tagged_row))
            | "GroupByWindow" >> beam.GroupByKey()
            | "CommitWindow" >> beam.ParDo(WriteWindow(*self.args))
        )

"""The state stage's Beam side: what a run ingested gathered into one pending file; rejects an
earlier run already reported dropped; one row per id when the same record came twice."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.common.beam import decode_row, encode_row
from transforms.state.ingested import State, ingest_items, reject_key, write_pending

NAMESPACE = "newspipe"


class RecordIngested(beam.PTransform):
    """(articles, rejects, cursors) -> one pending file for the driver to commit after the
    pipeline succeeded."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def expand(self, pcolls):
        articles, rejects, cursors = pcolls
        # three side inputs of one step: a Flatten and a ToList cost the local runner three stages
        items = [
            beam.pvalue.AsList(rows | f"{kind.title()}Items" >> beam.FlatMap(
                lambda row, kind=kind: ingest_items(kind, row)))
            for kind, rows in (("article", articles), ("reject", rejects), ("cursor", cursors))
        ]
        return (
            articles.pipeline
            | "Once" >> beam.Create([None])
            | "WritePending" >> beam.Map(write_all_pending, self.path, *items)
        )


def write_all_pending(_, path: str, *parts: list) -> None:
    write_pending([item for part in parts for item in part], path)  # it sorts them


class SkipReported(beam.DoFn):
    """Drops rejects that an earlier committed run wrote (same input, stage, error type): a
    rerun over a bad file adds no reject row. Passes everything under full refresh."""

    def __init__(self, state_dir: str, full_refresh: bool):
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def setup(self):
        self.state = State.load(self.state_dir, self.full_refresh)
        self.skipped = Metrics.counter(NAMESPACE, "skipped_already_rejected")

    def process(self, reject: dict):
        if self.state.is_reported(reject):
            self.skipped.inc()
        else:
            yield reject


def _first(key_and_rows, counter_name: str):
    _, encoded = key_and_rows
    # grouped as bytes: the local runner holds a grouping's values decoded, a dict costs
    # several times its encoding
    rows = [decode_row(data) for data in encoded]
    if len(rows) == 1:  # nearly always: no sort key to build (it writes out the whole row)
        return rows[0]
    rows = sorted(rows, key=lambda row: (str(row.get("input_ref")), str(sorted(row.items()))))
    if len(rows) > 1:
        Metrics.counter(NAMESPACE, counter_name).inc(len(rows) - 1)
    return rows[0]


class OnePerKey(beam.PTransform):
    """One row per key (the one with the smallest input_ref): the same record read twice in a
    run (a line in two files, a copied file, a symlink) is one article, its quotes once."""

    def __init__(self, key, counter_name: str):
        super().__init__()
        self.key = key
        self.counter_name = counter_name

    def expand(self, rows):
        return (
            rows
            | "Key" >> beam.Map(lambda row, key=self.key: (key(row), encode_row(row)))
            | "Group" >> beam.GroupByKey()
            | "First" >> beam.Map(_first, self.counter_name)
        )


def unique_rejects(rejects):
    return rejects | "OneRejectPerKey" >> OnePerKey(reject_key, "duplicate_rejects")

"""The state stage's Beam side: what a run ingested, gathered into one pending file."""

from __future__ import annotations

import apache_beam as beam

from transforms.state.ingested import ingest_items, write_pending


class RecordIngested(beam.PTransform):
    """(articles, rejects, cursors) -> one pending file for the driver to commit after the
    pipeline succeeded."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def expand(self, pcolls):
        articles, rejects, cursors = pcolls
        return (
            (
                articles | "ArticleItems" >> beam.FlatMap(lambda r: ingest_items("article", r)),
                rejects | "RejectItems" >> beam.FlatMap(lambda r: ingest_items("reject", r)),
                cursors | "CursorItems" >> beam.FlatMap(lambda r: ingest_items("cursor", r)),
            )
            | "Items" >> beam.Flatten()
            | "ToList" >> beam.combiners.ToList()
            | "WritePending" >> beam.Map(write_pending, self.path)
        )

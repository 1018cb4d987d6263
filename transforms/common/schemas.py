"""Explicit pyarrow schemas of the output tables: the one definition of the tables. The writer
(transforms.write), the `schema`, `query` and `report` commands (pipeline.warehouse) and the
test that README's column tables match (tests/common/test_schemas.py) all read it.

Partition columns (`date`, `lang` by default) live only in the Hive folder names, never in the
files: BigQuery and Spark reject or shadow a column that is both. Readers disagree on the type
of `date=YYYY-MM-DD` (pyarrow: string, DuckDB: DATE); `pipeline schema` states it.
"""

from __future__ import annotations

import pyarrow as pa

UTC_MICROS = pa.timestamp("us", tz="UTC")

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source_id", pa.string()),
        pa.field("input_ref", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("source", pa.string(), nullable=False),
        pa.field("credited_agency", pa.string()),
        pa.field("title", pa.string()),
        pa.field("summary", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("dateline_place", pa.string()),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("published_at", UTC_MICROS),
        pa.field("lang", pa.string(), nullable=False),
        pa.field("lang_confidence", pa.float64(), nullable=False),
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("is_canonical", pa.bool_(), nullable=False),
        pa.field("canonical_id", pa.string(), nullable=False),
        pa.field("content_hash", pa.string(), nullable=False),
        pa.field("from_feed_content", pa.bool_(), nullable=False),
        pa.field("ingested_at", UTC_MICROS, nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

QUOTES = pa.schema(
    [
        pa.field("quote_id", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("speaker", pa.string()),
        pa.field("speaker_mention", pa.string()),
        pa.field("cue", pa.string()),
        pa.field("start_char", pa.int32(), nullable=False),
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        # Added after the first release, at the end so that readers of older files line up:
        # a folder may mix files with and without them (readers union by name).
        pa.field("kind", pa.string(), nullable=False),
        pa.field("quoted", pa.string(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("input_ref", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("error_type", pa.string(), nullable=False),
        pa.field("error_message", pa.string()),
        pa.field("excerpt", pa.string()),
        pa.field("rejected_at", UTC_MICROS, nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

# One row per earlier story cluster that a run changed (a copy joined it, clusters merged, or
# the canonical moved because the original arrived after its copies): articles rows are never
# rewritten, so this is how the warehouse learns a cluster's current canonical.
CLUSTERS = pa.schema(
    [
        pa.field("cluster_id", pa.string(), nullable=False),
        pa.field("canonical_id", pa.string(), nullable=False),
        pa.field("previous_canonical_id", pa.string()),
        pa.field("members", pa.int32(), nullable=False),
        pa.field("merged_cluster_ids", pa.list_(pa.string()), nullable=False),
        pa.field("updated_at", UTC_MICROS, nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

TABLES = {"articles": ARTICLES, "quotes": QUOTES, "rejects": REJECTS, "clusters": CLUSTERS}

# The key that orders rows inside a file and names the file (deterministic output).
ROW_KEYS = {
    "articles": ("article_id",),
    "quotes": ("article_id", "start_char", "quote_id"),
    "rejects": ("input_ref", "stage", "error_type"),
    "clusters": ("cluster_id", "run_id"),
}

# Partition keys that a table can use, with their type as a warehouse reads them from the folder
# names; rejects have no language, only a date.
PARTITION_TYPES = {"date": pa.date32(), "lang": pa.string(), "source": pa.string()}
PARTITION_COLUMNS = set(PARTITION_TYPES)
DEFAULT_PARTITION_BY = ("date", "lang")  # articles and quotes, unless output.partition_by says otherwise
REJECTS_PARTITION_BY = ("date",)  # rejects and clusters: the run's date only
PARTITION_BY = {"articles": DEFAULT_PARTITION_BY, "quotes": DEFAULT_PARTITION_BY,
                "rejects": REJECTS_PARTITION_BY, "clusters": REJECTS_PARTITION_BY}

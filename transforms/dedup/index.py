"""The dedup index kept across runs: one generation folder per commit, in Parquet.

A generation folder (STATE/dedup/gen-<attempt>/) holds `index.parquet` (per article: cluster_id
and what the canonical choice needs), `fp-NNN.parquet` shards (per article: fingerprint and LSH
band keys, as bytes) and `_COMPLETE.json` (schema_version, shards), written last by the pipeline.
Nothing here decides which generation is live: the run's commit record names it
(transforms.state.log), so a run killed before its commit leaves the previous generation live,
and its own folder is removed by the next run. No pickle: a state folder holds data, not code.
"""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import xxhash

from transforms.common import fs

SCHEMA_VERSION = 1
COMPLETE = "_COMPLETE.json"
INDEX = "index.parquet"

INDEX_SCHEMA = pa.schema([
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("source", pa.string()),
    pa.field("url", pa.string()),
    pa.field("credited_agency", pa.string()),
    pa.field("published_at", pa.float64()),
    pa.field("text_len", pa.int64()),
    pa.field("republisher", pa.bool_()),
    pa.field("completeness", pa.float64()),
    pa.field("agency_text", pa.bool_()),  # hints of the canonical choice (absent in older files)
    pa.field("self_named", pa.bool_()),
    pa.field("standfirst", pa.bool_()),
    pa.field("wrapped", pa.bool_()),
    pa.field("covered", pa.float64()),
    pa.field("origin", pa.string()),
    pa.field("cluster_id", pa.string()),
    pa.field("is_canonical", pa.bool_()),
])
SHARD_SCHEMA = pa.schema([
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("fp", pa.binary(), nullable=False),
    pa.field("bands", pa.binary(), nullable=False),
])


class DedupStateError(RuntimeError):
    """A generation that cannot be read; the message is one line."""


def generation_folder(state_dir: str, attempt: str) -> str:
    return fs.join(state_dir, "dedup", f"gen-{attempt}")


def shard_of(article_id: str, shards: int) -> int:
    return xxhash.xxh3_64_intdigest(article_id.encode("utf-8")) % shards


def shard_name(shard: int) -> str:
    return f"fp-{shard:03d}.parquet"


def _write(path: str, rows: list[dict], schema: pa.Schema) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buffer, compression="zstd")
    fs.write_atomic(path, buffer.getvalue())


def _read(path: str) -> list[dict]:
    try:
        return pq.read_table(io.BytesIO(fs.read_bytes(path))).to_pylist()
    except (OSError, ValueError, pa.ArrowException) as error:
        raise DedupStateError(f"corrupt dedup state file {path}: {error}") from error


def write_index(folder: str, index: dict[str, dict]) -> int:
    names = INDEX_SCHEMA.names
    rows = [{name: entry.get(name) for name in names} | {"article_id": article_id}
            for article_id, entry in sorted(index.items())]
    _write(fs.join(folder, INDEX), rows, INDEX_SCHEMA)
    return len(rows)


def read_index(folder: str | None) -> dict[str, dict]:
    if not folder:
        return {}
    index = {}
    for row in _read(fs.join(folder, INDEX)):
        index[row["article_id"]] = {k: v for k, v in row.items() if v is not None or k == "cluster_id"}
    return index


def write_shard(folder: str, shard: int, entries: dict[str, dict]) -> None:
    rows = [{"article_id": a, "fp": e["fp"], "bands": e["bands"]} for a, e in sorted(entries.items())]
    _write(fs.join(folder, shard_name(shard)), rows, SHARD_SCHEMA)


def read_shard(folder: str | None, shard: int) -> dict[str, dict]:
    if not folder:
        return {}
    return {row["article_id"]: {"fp": row["fp"], "bands": row["bands"]}
            for row in _read(fs.join(folder, shard_name(shard)))}


def mark_complete(folder: str, shards: int) -> None:
    fs.write_json_atomic(fs.join(folder, COMPLETE), {"schema_version": SCHEMA_VERSION, "shards": shards})


def is_complete(folder: str) -> bool:
    return fs.exists(fs.join(folder, COMPLETE))


def check(folder: str, shards: int) -> None:
    """At start: the committed generation is whole and of this version, with as many shards as
    the config asks (else the shards would be misread). Raises DedupStateError."""
    try:
        marker = json.loads(fs.read_bytes(fs.join(folder, COMPLETE)))
    except (OSError, ValueError) as error:
        raise DedupStateError(f"corrupt dedup state {folder}: {error}") from error
    if not isinstance(marker, dict) or marker.get("schema_version") != SCHEMA_VERSION:
        raise DedupStateError(f"corrupt dedup state {folder}: not schema_version {SCHEMA_VERSION}")
    if marker.get("shards") != shards:
        raise DedupStateError(f"dedup state {folder} has {marker.get('shards')} shards, the config "
                          f"dedup.state_shards {shards}; keep the setting or use --full-refresh")
    for name in [INDEX, *(shard_name(s) for s in range(shards))]:
        path = fs.join(folder, name)
        try:
            pq.read_metadata(io.BytesIO(fs.read_bytes(path)))
        except (OSError, ValueError, pa.ArrowException) as error:
            raise DedupStateError(f"corrupt dedup state file {path}: {error}") from error

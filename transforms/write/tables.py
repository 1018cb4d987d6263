"""What a commit does to the tables besides adding this run's files: the staged files and their
final names, files that a full refresh removes, articles files rewritten because a cluster
changed its canonical (or merged), and schema-only files so that every table exists.

All reads and writes go through transforms.common.fs (local, gs://, s3:// alike)."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.common import fs, ids
from transforms.common.schemas import TABLES
from transforms.write.files import file_schema

EMPTY_SUFFIX = "-empty.parquet"
EMPTY_PARTITION = {"date": "1970-01-01"}


def staged_files(staging: str, output: str) -> list[list[str]]:
    """[staged path, final path] of every table file a run staged, tables in a fixed order."""
    pairs = []
    for table in TABLES:
        folder = fs.join(staging, table)
        for path in fs.list_files(folder):
            if path.endswith(".parquet"):
                pairs.append([path, fs.join(output, path[len(staging) + 1:])])
    return pairs


def table_files(output: str, table: str) -> list[str]:
    return [p for p in fs.list_files(fs.join(output, table)) if p.endswith(".parquet")]


def read_parquet(path: str, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(io.BytesIO(fs.read_bytes(path)), columns=columns)


def write_parquet(path: str, table: pa.Table, compression: str) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=compression)
    fs.write_atomic(path, buffer.getvalue())


def cluster_moves(changes: list[dict]) -> dict[str, tuple[str, str]]:
    """Earlier cluster id -> (its cluster id now, the canonical article id now)."""
    moves = {}
    for change in changes:
        for old in [change["cluster_id"], *(change.get("merged_cluster_ids") or [])]:
            moves[old] = (change["cluster_id"], change["canonical_id"])
    return moves


def rewrite_clusters(output: str, staging: str, prefix: str, changes: list[dict],
                     compression: str) -> tuple[list[list[str]], list[str]]:
    """Committed articles files holding rows of a changed cluster, rewritten with the cluster's
    id and canonical now (so that each cluster has one canonical row as the table reads after
    the commit). Returns ([staged, final] of the new files, the old files to delete)."""
    moves = cluster_moves(changes)
    if not moves:
        return [], []
    publish, delete = [], []
    wanted = pa.array(sorted(moves))
    for path in table_files(output, "articles"):
        clusters = read_parquet(path, ["cluster_id"]).column("cluster_id")
        if not pc.any(pc.is_in(clusters, value_set=wanted)).as_py():
            continue
        table = read_parquet(path)
        rows = table.to_pylist()
        for row in rows:
            if row["cluster_id"] in moves:
                row["cluster_id"], row["canonical_id"] = moves[row["cluster_id"]]
                row["is_canonical"] = row["article_id"] == row["canonical_id"]
        relative = path[len(output.rstrip("/")) + 1:]
        folder, name = relative.rsplit("/", 1)
        new_name = f"part-{prefix}r{ids.digest(name)[:19]}.parquet"
        staged = fs.join(staging, folder, new_name)
        write_parquet(staged, pa.Table.from_pylist(rows, schema=table.schema), compression)
        publish.append([staged, fs.join(output, folder, new_name)])
        delete.append(path)
    return publish, delete


def empty_file(staging: str, output: str, table: str, partition_by: tuple[str, ...], prefix: str,
               compression: str) -> list[str]:
    """A schema-only file for a table that would otherwise have no file: readers of an empty
    table get its columns instead of a missing folder. It holds no row; its partition values are
    placeholders of the right type (readers cannot infer a type from null-only segments)."""
    folder = "/".join([table, *(f"{key}={EMPTY_PARTITION.get(key, 'und')}" for key in partition_by)])
    name = f"part-{prefix}{EMPTY_SUFFIX[1:]}"
    staged = fs.join(staging, folder, name)
    write_parquet(staged, file_schema(table, partition_by).empty_table(), compression)
    return [staged, fs.join(output, folder, name)]


def is_empty_file(path: str) -> bool:
    return path.endswith(EMPTY_SUFFIX)

"""The streaming job's window commit, and compaction: files published exactly once.

A window's pane (its on-time firing, or a late one) is one commit, `commit_window`:
1. every file of the pane is written whole under OUTPUT/_staging/<commit>/<table>/<partition>/;
2. the commit record OUTPUT/_commits/<commit>.json is written (status "staged") listing them:
   from here on the commit will complete, whoever finishes it;
3. each staged file is renamed to OUTPUT/<table>/<partition>/<name>, the run record
   OUTPUT/_runs/<commit>.json is written, and the commit record marked "committed".
A retry of the same pane (Beam retries a failed bundle with the same rows) finds the record:
"committed" -> nothing to do; "staged" -> the listed files are renamed (those already moved are
skipped), never staged again. File names derive from the window, the pane and the rows' keys,
so a retry that restages before step 2 produces the same names: no file twice, none partial.
`recover` rolls forward any "staged" record left by a job that died (run by `stream` at start
and by `compact`). Compaction is the same protocol whose record also lists the small files it
replaces: they are deleted after the merged file is in place (a roll-forward deletes them too).
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.common import fs, ids
from transforms.common.schemas import ROW_KEYS
from transforms.write.files import file_name, file_schema, partition_path, sort_key

COMMITS, STAGING, RUNS = "_commits", "_staging", "_runs"
TABLE_FOLDERS = ("articles", "quotes", "rejects", "clusters")


@dataclass
class PendingFile:
    table: str
    partition: str  # date=2024-05-01/lang=en
    name: str
    data: bytes
    rows: int

    @property
    def relative(self) -> str:
        return f"{self.table}/{self.partition}/{self.name}"


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def window_id(start_s: float, end_s: float, pane: int) -> str:
    """w20240501T101000Z-600s-p0: the window's start, length and pane index."""
    return f"w{utc(start_s):%Y%m%dT%H%M%SZ}-{round(end_s - start_s)}s-p{pane}"


def parquet_bytes(table: pa.Table, compression: str) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression=compression)
    return buffer.getvalue()


def table_files(table: str, rows: list[dict], partition_by: tuple[str, ...], max_rows: int,
                compression: str, prefix: str) -> list[PendingFile]:
    """One file per partition (more only past max_rows), named <prefix>-<digest of row keys>."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[partition_path(row, partition_by)].append(row)
    schema = file_schema(table, partition_by)
    files = []
    for partition in sorted(groups):
        ordered = sorted(groups[partition], key=sort_key(table))
        for start in range(0, len(ordered), max_rows):
            chunk = ordered[start:start + max_rows]
            data = parquet_bytes(pa.Table.from_pylist(chunk, schema=schema), compression)
            name = f"{prefix}-{file_name(table, chunk).removeprefix('part-')}"
            files.append(PendingFile(table, partition, name, data, len(chunk)))
    return files


def _record_path(output: str, commit: str) -> str:
    return f"{output}/{COMMITS}/{commit}.json"


def read_record(output: str, commit: str) -> dict | None:
    path = _record_path(output, commit)
    return json.loads(fs.read_bytes(path)) if fs.exists(path) else None


def commit_files(output: str, commit: str, files: list[PendingFile], record: dict,
                 fault=None, replaces: list[str] = ()) -> tuple[dict, bool]:
    """Publish `files` as one commit (the protocol above). Returns (the commit record, whether
    this call did the work: False when an earlier attempt had already committed it).
    `fault(step, n)` is called after each staged and each published file (tests inject a crash)."""
    previous = read_record(output, commit)
    if previous and previous["status"] == "committed":
        return previous, False
    if previous is None:
        for number, pending in enumerate(files):
            fs.write_atomic(f"{output}/{STAGING}/{commit}/{pending.relative}", pending.data)
            if fault:
                fault("staged", number)
        record = {**record, "commit": commit, "status": "staged", "replaces": sorted(replaces),
                  "files": [{"path": f.relative, "rows": f.rows} for f in files]}
        fs.write_json_atomic(_record_path(output, commit), record)
    else:
        record = previous  # roll forward what the first attempt listed, never restage
    return roll_forward(output, record, fault), True


def roll_forward(output: str, record: dict, fault=None) -> dict:
    commit = record["commit"]
    for number, listed in enumerate(record["files"]):
        staged, final = f"{output}/{STAGING}/{commit}/{listed['path']}", f"{output}/{listed['path']}"
        if fs.exists(staged):
            _make_parent(final)
            fs.FileSystems.rename([staged], [final])
        elif not fs.exists(final):
            raise RuntimeError(f"commit {commit}: {listed['path']} neither staged nor published")
        if fault:
            fault("published", number)
    gone = [f"{output}/{path}" for path in record.get("replaces", [])]
    present = [path for path in gone if fs.exists(path)]
    if present:
        fs.FileSystems.delete(present)
    if record.get("run"):
        fs.write_json_atomic(f"{output}/{RUNS}/{commit}.json", record["run"])
    record = {**record, "status": "committed"}
    fs.write_json_atomic(_record_path(output, commit), record)
    staging = f"{output}/{STAGING}/{commit}"
    if fs.exists(staging):
        fs.FileSystems.delete([staging])
    return record


def _make_parent(path: str) -> None:
    """Local folders must exist before a rename into them (object stores have none)."""
    parent = path.rsplit("/", 1)[0]
    if "://" in parent or fs.exists(parent):
        return
    try:
        fs.FileSystems.mkdirs(parent)
    except OSError:  # made meanwhile by a commit of another window
        if not fs.exists(parent):
            raise


def recover(output: str) -> list[str]:
    """Roll forward every commit left "staged" (its job died between its steps 2 and 3)."""
    done = []
    for path in _match(f"{output}/{COMMITS}/*.json"):
        record = json.loads(fs.read_bytes(path))
        if record.get("status") == "staged":
            roll_forward(output, record)
            done.append(record["commit"])
    return sorted(done)


def _match(pattern: str) -> list[str]:
    try:
        result = fs.FileSystems.match([pattern])[0]
    except Exception:  # Beam raises BeamIOError for a folder that does not exist
        return []
    return sorted(m.path for m in result.metadata_list)


def partition_files(output: str, table: str) -> dict[str, list[str]]:
    """Published Parquet files of a table by partition folder (relative to OUTPUT)."""
    found: dict[str, list[str]] = defaultdict(list)
    root = f"{output}/{table}/"
    for path in _match(f"{root}**"):
        relative = path[len(root):] if path.startswith(root) else None
        if not relative or not relative.endswith(".parquet") or "/." in f"/{relative}":
            continue
        partition, _, _ = relative.rpartition("/")
        found[partition].append(f"{table}/{relative}")
    return dict(found)


def nullable_where_missing(table: pa.Table) -> pa.Schema:
    """Files written before a column was added lack it (null after the merge): such a column
    becomes nullable in the merged file, as a non-null column holding nulls cannot be written."""
    return pa.schema([f.with_nullable(True) if not f.nullable and table.column(f.name).null_count else f
                      for f in table.schema])


def compact_partition(output: str, table: str, partition: str, paths: list[str], max_rows: int,
                      compression: str, fault=None) -> dict | None:
    """Merge a partition's files into as few as max_rows allows, exactly once (see above)."""
    if len(paths) < 2:
        return None
    commit = "compact-" + ids.digest(*sorted(paths))[:20]
    previous = read_record(output, commit)
    if previous and previous["status"] == "committed":
        return None
    if previous:
        return roll_forward(output, previous)
    merged = pa.concat_tables(
        [pq.read_table(io.BytesIO(fs.read_bytes(f"{output}/{path}"))) for path in sorted(paths)],
        promote_options="default")
    merged = merged.cast(nullable_where_missing(merged))
    keys = [k for k in ROW_KEYS[table] if k in merged.column_names]
    merged = merged.sort_by([(k, "ascending") for k in keys])
    files = []
    for start in range(0, merged.num_rows, max_rows):
        chunk = merged.slice(start, max_rows)
        name = file_name(table, chunk.select(keys).to_pylist()).replace("part-", "compact-", 1)
        files.append(PendingFile(table, partition, name, parquet_bytes(chunk, compression), chunk.num_rows))
    record = {"kind": "compaction", "table": table, "partition": partition,
              "rows": merged.num_rows, "created_at": datetime.now(timezone.utc).isoformat()}
    outputs = {f.relative for f in files}
    replaces = [path for path in paths if path not in outputs]
    final, _ = commit_files(output, commit, files, record, fault, replaces=replaces)
    return final


def compact(output: str, tables=TABLE_FOLDERS, max_rows: int = 100_000, compression: str = "zstd") -> dict:
    """Recover pending commits, then merge every partition holding more than one file."""
    recovered = recover(output)
    merged = []
    for table in tables:
        for partition, paths in sorted(partition_files(output, table).items()):
            done = compact_partition(output, table, partition, paths, max_rows, compression)
            if done:
                merged.append({"table": table, "partition": partition, "files_in": len(paths),
                               "files_out": len(done["files"]), "rows": done["rows"]})
    return {"recovered": recovered, "merged": merged}


def window_run_record(run_id: str, wid: str, window, pane, timing: str, by_table: dict,
                      started: datetime, files: int) -> dict:
    """The run record of one window commit: the batch run record's counts, plus the window."""
    articles = by_table.get("articles", [])
    rejects_by_type: dict[str, int] = defaultdict(int)
    for row in by_table.get("rejects", []):
        rejects_by_type[f"{row['stage']}.{row['error_type']}"] += 1
    counts = {"articles": len(articles), "quotes": len(by_table.get("quotes", [])),
              "rejects": sum(rejects_by_type.values()),
              "duplicates": sum(1 for a in articles if not a.get("is_canonical")),
              "clusters": sum(1 for a in articles if a.get("is_canonical")),
              "cluster_changes": len(by_table.get("clusters", [])), "files": files}
    counts["records"] = counts["articles"] + counts["rejects"]
    finished = datetime.now(timezone.utc)
    return {"run_id": f"{run_id}.{wid}", "stream_run_id": run_id, "kind": "stream-window",
            "window": {"start": utc(float(window.start)).isoformat(),
                       "end": utc(float(window.end)).isoformat(), "pane": pane.index, "timing": timing},
            "started_at": started.isoformat(), "finished_at": finished.isoformat(),
            "duration_s": round((finished - started).total_seconds(), 3),
            "counts": counts, "rejects_by_type": dict(sorted(rejects_by_type.items()))}

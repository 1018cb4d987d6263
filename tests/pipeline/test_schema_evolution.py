"""A folder mixing quotes files written before `kind` and `quoted` were added (made here with
pyarrow directly, as the old writer made them) with a new run's files: `query`, `report`,
`compact` and README's DuckDB and pyarrow read recipes all read both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.helpers import run_cli
from transforms.common.schemas import QUOTES

ADDED = ("kind", "quoted")
OLD_QUOTES = pa.schema([f for f in QUOTES if f.name not in ADDED])


def old_file(folder: Path, name: str, quote_id: str) -> None:
    row = {"quote_id": quote_id, "article_id": "old-article", "text": "an old quote from an old run",
           "speaker": "Ann Lee", "speaker_mention": "Ann Lee", "cue": "said", "start_char": 0,
           "end_char": 28, "run_id": "old-run"}
    pq.write_table(pa.Table.from_pylist([row], schema=OLD_QUOTES), folder / name)


@pytest.fixture()
def mixed(seeds_output, tmp_path) -> tuple[Path, Path]:
    """A copy of the seeds' output with one old-schema file beside the new quotes files."""
    out = tmp_path / "out"
    shutil.copytree(seeds_output, out)
    partition = sorted((out / "quotes").rglob("*.parquet"))[0].parent
    old_file(partition, "part-g0-old.parquet", "old-1")
    return out, partition


def query(out: Path, sql: str) -> str:
    result = run_cli("query", "--output", str(out), sql)
    assert result.returncode == 0, result.stderr
    return result.stdout


def kinds_of(rows: list[dict]) -> dict[str, str | None]:
    return {row["quote_id"]: row["kind"] for row in rows}


def test_query_and_report_read_old_and_new_files(mixed):
    out, _ = mixed
    counts = query(out, "SELECT coalesce(kind, 'none') AS k, count(*) AS n FROM quotes GROUP BY ALL")
    assert "none" in counts and "direct" in counts
    assert "old-run" in query(out, "SELECT run_id FROM quotes WHERE quoted IS NULL")
    result = run_cli("report", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "Ann Lee" in result.stdout  # the old row counts among the speakers


def test_readme_read_recipes_over_a_mixed_folder(mixed):
    out, _ = mixed
    con = duckdb.connect()
    rows = con.sql(f"SELECT quote_id, kind, quoted FROM read_parquet('{out}/quotes/**/*.parquet', "
                   "hive_partitioning = true, union_by_name = true)").fetchall()
    assert ("old-1", None, None) in rows and any(kind == "direct" for _, kind, _ in rows)
    files = ds.dataset(out / "quotes", partitioning="hive")
    schemas = [f.physical_schema for f in files.get_fragments()] + [files.partitioning.schema]
    schema = pa.unify_schemas(schemas)
    table = ds.dataset(out / "quotes", partitioning="hive", schema=schema).to_table()
    kinds = kinds_of(table.to_pylist())
    assert kinds["old-1"] is None and set(kinds.values()) - {None} <= {"direct", "partial"}
    assert len(kinds) == len(rows)


def test_compact_merges_old_and_new_files(mixed):
    out, partition = mixed
    sql = f"SELECT quote_id, kind FROM read_parquet('{out}/quotes/**/*.parquet', union_by_name = true)"
    before = dict(duckdb.connect().sql(sql).fetchall())
    done = run_cli("compact", "--output", str(out), "--table", "quotes")
    assert done.returncode == 0, done.stderr
    assert any(m["table"] == "quotes" for m in json.loads(done.stdout)["merged"])
    [merged] = list(partition.glob("*.parquet"))
    table = pq.read_table(merged)
    assert table.schema.names[-2:] == list(ADDED)  # the new columns, at the end
    after = kinds_of(table.to_pylist())
    assert after["old-1"] is None and after == {k: v for k, v in before.items() if k in after}
    assert "old-1" in query(out, "SELECT quote_id FROM quotes WHERE kind IS NULL")


def test_a_folder_of_old_files_only_still_has_the_new_columns(tmp_path):
    folder = tmp_path / "out" / "quotes" / "date=2020-01-02" / "lang=en"
    folder.mkdir(parents=True)
    old_file(folder, "part-g0-old.parquet", "old-2")
    sql = "SELECT quote_id FROM quotes WHERE kind IS NULL AND quoted IS NULL"
    assert "old-2" in query(tmp_path / "out", sql)

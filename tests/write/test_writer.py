"""Writer: Hive paths, deterministic names, atomic files, schemas."""

from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.common.schemas import QUOTES
from transforms.write import beam as write_beam
from transforms.write.beam import WriteTable
from transforms.write.files import file_name, partition_path

SETTINGS = {"max_rows_per_file": 2, "compression": "zstd"}


def quote(i: int, lang: str = "en") -> dict:
    return {"quote_id": f"q{i}", "article_id": f"a{i}", "text": f"words {i}", "speaker": None,
            "speaker_mention": None, "cue": "said", "start_char": i, "end_char": i + 5, "run_id": "r",
            "kind": "direct", "quoted": f"words {i}", "date": "2024-01-02", "lang": lang,
            "source": "Example News/Wire"}


def test_partition_path_escapes_values():
    row = {"date": "2024-01-02", "lang": None, "source": "Example News/Wire"}
    assert partition_path(row, ("date", "lang", "source")) == \
        "date=2024-01-02/lang=__HIVE_DEFAULT_PARTITION__/source=Example%20News%2FWire"


def test_file_name_depends_only_on_rows():
    rows = [quote(1), quote(2)]
    assert file_name("quotes", rows) == file_name("quotes", [dict(r) for r in rows])
    assert file_name("quotes", rows) != file_name("quotes", [quote(3)])


def test_write_table_splits_partitions_and_files(tmp_path):
    rows = [quote(i) for i in range(5)] + [quote(9, lang="ru")]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        written = (pipeline | beam.Create(rows)
                   | WriteTable("quotes", str(tmp_path), ["date", "lang"], SETTINGS))
        # The stage's output: one record per file, 5 rows at most 2 per file, and the ru row.
        folders = written | beam.Map(lambda f: (f["table"], f["path"].rsplit("/", 2)[-2], f["rows"]))
        assert_that(folders, equal_to([("quotes", "lang=en", 2), ("quotes", "lang=en", 2),
                                       ("quotes", "lang=en", 1), ("quotes", "lang=ru", 1)]))
    # What only the files can tell: no temporary left, partition columns in the folder names only.
    assert not list(tmp_path.rglob(".*.tmp"))
    en = sorted((tmp_path / "quotes" / "date=2024-01-02" / "lang=en").glob("*.parquet"))
    file_schema = pq.read_schema(en[0])
    assert "lang" not in file_schema.names and "date" not in file_schema.names
    assert file_schema.field("start_char").type == QUOTES.field("start_char").type
    table = ds.dataset(tmp_path / "quotes", format="parquet", partitioning="hive").to_table()
    assert sorted(table.column("lang").to_pylist()) == ["en"] * 5 + ["ru"]


def test_timestamps_are_utc_micros(tmp_path):
    import pyarrow as pa

    from transforms.write.files import write_parquet

    when = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    schema = pa.schema([pa.field("t", pa.timestamp("us", tz="UTC"))])
    path = str(tmp_path / "x" / "f.parquet")
    write_parquet(path, pa.Table.from_pylist([{"t": when}], schema=schema), "zstd")
    assert pq.read_table(path).column("t").to_pylist() == [when]


def test_large_partitions_write_the_same_files_as_small_ones(tmp_path, monkeypatch):
    """A partition past DECODE_BATCH rows keeps its rows encoded and decodes them again per
    batch; under it, each row is decoded once: the files (names and bytes) are the same."""
    rows = [quote(i) for i in (7, 3, 11, 5, 2, 13, 3, 8)]
    encoded = [write_beam.encode_row(row) for row in rows]

    def written(folder, decode_batch):
        monkeypatch.setattr(write_beam, "DECODE_BATCH", decode_batch)
        writer = write_beam.WritePartition("quotes", str(folder), ("date", "lang"), 3, "zstd", "p")
        writer.setup()
        files = list(writer.process(("date=2024-01-02/lang=en", encoded)))
        return [(f["path"][len(str(folder)):], f["rows"], open(f["path"], "rb").read()) for f in files]

    small, large = written(tmp_path / "a", 1000), written(tmp_path / "b", 2)
    assert small == large and [n for _, n, _ in small] == [3, 3, 2]
    ids = [q for _, _, data in small
           for q in pq.read_table(pa.BufferReader(data)).column("quote_id").to_pylist()]
    assert ids == sorted(ids)

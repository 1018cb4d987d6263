"""Rows packed while they wait in the runner (transforms/common/beam.py): the same dict back,
smaller than Beam's own encoding, and Compact's PCollection encoded with the packed coder."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.common.beam import Compact, PackedRowCoder, decode_row, encode_row

ROW = {
    "article_id": "a1b2",
    "text": "Президент заявил, что переговоры продолжатся. " * 40 + "The minister said \"no\".\n\n" * 20,
    "title": None,
    "authors": ["Jane Roe", "Иван Петров"],
    "n": 3,
    "score": 0.25,
    "flag": True,
    "raw": b"\x00\xff",
    "nested": {"k": [1, 2.5, None]},
}


def test_a_row_comes_back_equal_and_smaller_than_beams_encoding():
    data = encode_row(ROW)
    assert decode_row(data) == ROW
    assert [type(v) for v in decode_row(data).values()] == [type(v) for v in ROW.values()]
    assert len(data) < len(beam.coders.FastPrimitivesCoder().encode(ROW)) / 2
    assert decode_row(encode_row({})) == {}


def same_as_sent(row: dict) -> tuple[str, bool]:
    return row["article_id"], row == {**ROW, "article_id": row["article_id"]}


def test_compact_passes_rows_unchanged_through_a_stage_boundary():
    rows = [{**ROW, "article_id": str(i)} for i in range(50)]
    with test_pipeline.TestPipeline() as p:
        compact = p | beam.Create(rows, reshuffle=False) | Compact()
        assert beam.coders.registry.get_coder(compact.element_type) == PackedRowCoder()
        out = compact | beam.Reshuffle() | beam.Map(same_as_sent)
        assert_that(out, equal_to([(str(i), True) for i in range(50)]))


def test_threads_pack_and_unpack_at_once():
    # the SDK harness runs bundles on several threads; zstd's codec objects are per thread
    from concurrent.futures import ThreadPoolExecutor

    rows = [{**ROW, "article_id": str(i), "n": i} for i in range(400)]
    with ThreadPoolExecutor(8) as pool:
        back = list(pool.map(lambda row: decode_row(encode_row(row)), rows))
    assert back == rows

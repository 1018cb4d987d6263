"""The local runner's groupings handed to the workers in chunks (pipeline/runnerbuffers.py): the
same bytes to the same workers as Beam's own partition, and a pipeline's groupings unchanged."""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam import coders
from apache_beam.coders.coder_impl import create_OutputStream
from apache_beam.runners.portability.fn_api_runner import execution
from apache_beam.testing import test_pipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms import core
from apache_beam.transforms.window import GlobalWindows

from pipeline import runnerbuffers

KEY, VALUE = coders.StrUtf8Coder(), coders.BytesCoder()
PRE = coders.WindowedValueCoder(coders.TupleCoder([KEY, VALUE]))
POST = coders.WindowedValueCoder(coders.TupleCoder([KEY, coders.IterableCoder(VALUE)]))


def grouping(items: list[tuple[str, bytes]]) -> execution.GroupingBuffer:
    buffer = execution.GroupingBuffer(PRE, POST, core.Windowing(GlobalWindows()))
    stream = create_OutputStream()
    for item in items:
        PRE.get_impl().encode_to_stream(GlobalWindows.windowed_value(item), stream, True)
    buffer.append(stream.get())
    return buffer


ITEMS = [(f"key{i % 37}", bytes([i % 251]) * (i * 13 % 3000)) for i in range(600)]


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("chunk", [1, 5000, 1 << 20])
def test_same_bytes_to_the_same_workers_as_beam(monkeypatch, workers, chunk):
    monkeypatch.setattr(runnerbuffers, "CHUNK_BYTES", chunk)
    ours = runnerbuffers.partition(grouping(ITEMS), workers)
    beams = runnerbuffers.BEAM_PARTITION(grouping(ITEMS), workers)
    assert [b"".join(part) for part in ours] == [b"".join(part) for part in beams]
    if chunk < 1 << 20:
        assert max(len(part) for part in ours) > 1  # really in chunks
    empty = runnerbuffers.BEAM_PARTITION(grouping([]), workers)
    assert runnerbuffers.partition(grouping([]), workers) == empty == [[b""]] * workers


def test_other_beam_versions_are_left_alone():
    assert not runnerbuffers.install("2.78.0")
    assert runnerbuffers.install() and runnerbuffers.install()  # this Beam: patched, once
    assert execution.GroupingBuffer.partition is runnerbuffers.partition


def test_a_pipeline_groups_as_before():
    runnerbuffers.install()
    data = [(f"k{i % 50}", i) for i in range(5000)]
    with test_pipeline.TestPipeline(runner="FnApiRunner") as pipeline:
        grouped = (pipeline | beam.Create(data) | beam.GroupByKey()
                   | beam.MapTuple(lambda key, values: (key, sorted(values))))
        expected = [(f"k{k}", list(range(k, 5000, 50))) for k in range(50)]
        assert_that(grouped, equal_to(expected))


class FakeLibc:
    def __init__(self):
        self.trims = 0

    def malloc_trim(self, pad):
        assert pad == 0
        self.trims += 1


def test_the_runner_trims_its_heap_after_each_bundle_even_a_failed_one():
    libc = FakeLibc()
    execute = runnerbuffers._trimmed(lambda runner, bundle: bundle * 2, libc)
    assert execute(None, 21) == 42 and libc.trims == 1

    def fail(runner):
        raise RuntimeError("bundle failed")

    with pytest.raises(RuntimeError):
        runnerbuffers._trimmed(fail, libc)(None)
    assert libc.trims == 2

"""The read stage's Beam side: one file (or one range of a large JSONL file) per element in, raw
records and rejects out."""

from __future__ import annotations

import logging
import time

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.common.metrics import METRICS_NAMESPACE, STAGE_TIME_PREFIX
from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, reject_from_exception
from transforms.read.expand import display_ref, from_element
from transforms.read.files import STAGE, read_file
from transforms.read.ranges import read_jsonl_range

LOG = logging.getLogger("newspipe.readers")


class ReadFiles(beam.DoFn):
    """file path (bytes from `expand.to_element`, or str), or (path, start, end, first line) of a
    JSONL range (ranges.pieces) -> raw record dicts, with rejects on the REJECTS output."""

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        self.read_us = Metrics.counter(METRICS_NAMESPACE, f"{STAGE_TIME_PREFIX}read")

    def process(self, element: bytes | str | tuple):
        if isinstance(element, tuple):
            path = from_element(element[0])
            items = read_jsonl_range(path, self.settings, tuple(element[1:]))
        else:
            path = from_element(element)
            items = read_file(path, self.settings)
        try:
            for item in self.timed(items):
                if item is None:
                    continue
                if isinstance(item, RawRecord):
                    yield vars(item).copy()  # dataclasses.asdict's dict (flat fields), without its recursion
                else:
                    yield beam.pvalue.TaggedOutput(REJECTS, item)
        except Exception as error:  # never crash on input: the file becomes a reject
            LOG.debug("read failed for %s", display_ref(path), exc_info=True)
            yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(display_ref(path), STAGE, error))

    def timed(self, items):
        """The items, the time spent producing them counted (not the downstream steps' time,
        which runs fused between two items)."""
        iterator = iter(items)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                self.read_us.inc(int((time.perf_counter() - started) * 1e6))
            yield item

"""The read stage's Beam side: one file (or one range of a large JSONL file) per element in, raw
records and rejects out."""

from __future__ import annotations

import logging
from dataclasses import asdict

import apache_beam as beam

from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, reject_from_exception
from transforms.read.files import STAGE, read_file
from transforms.read.ranges import read_jsonl_range

LOG = logging.getLogger("newspipe.readers")


class ReadFiles(beam.DoFn):
    """file path, or (path, start, end, first line) of a JSONL range (ranges.pieces) -> raw record
    dicts, with rejects on the REJECTS output."""

    def __init__(self, settings: dict):
        self.settings = settings

    def process(self, element: str | tuple):
        if isinstance(element, str):
            path, items = element, read_file(element, self.settings)
        else:
            path, items = element[0], read_jsonl_range(element[0], self.settings["max_record_bytes"],
                                                       tuple(element[1:]))
        try:
            for item in items:
                if item is None:
                    continue
                if isinstance(item, RawRecord):
                    yield asdict(item)
                else:
                    yield beam.pvalue.TaggedOutput(REJECTS, item)
        except Exception as error:  # never crash on input: the file becomes a reject
            LOG.debug("read failed for %s", path, exc_info=True)
            yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(path, STAGE, error))

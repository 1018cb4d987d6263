"""The read stage's Beam side: one file per element in, raw records and rejects out."""

from __future__ import annotations

import logging
from dataclasses import asdict

import apache_beam as beam

from transforms.common.records import RawRecord
from transforms.common.rejects import REJECTS, reject_from_exception
from transforms.read.expand import display_ref, from_element
from transforms.read.files import STAGE, read_file

LOG = logging.getLogger("newspipe.readers")


class ReadFiles(beam.DoFn):
    """file path (bytes from `expand.to_element`, or str) -> raw record dicts, with rejects on
    the REJECTS output."""

    def __init__(self, settings: dict):
        self.settings = settings

    def process(self, element: bytes | str):
        path = from_element(element)
        try:
            for item in read_file(path, self.settings):
                if item is None:
                    continue
                if isinstance(item, RawRecord):
                    yield asdict(item)
                else:
                    yield beam.pvalue.TaggedOutput(REJECTS, item)
        except Exception as error:  # never crash on input: the file becomes a reject
            LOG.debug("read failed for %s", display_ref(path), exc_info=True)
            yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(display_ref(path), STAGE, error))

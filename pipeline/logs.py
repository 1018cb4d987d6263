"""Logging for people: our progress lines on stderr, library noise hidden.

Must run before apache_beam is imported: its import logs an `apitools not found` warning
on the root logger when the [gcp] extra is absent.
"""

from __future__ import annotations

import logging
import sys

NOISE = ("apitools not found", "Discarding unparseable args", "Make sure that locally built Python SDK")


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in NOISE)


def setup(verbose: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    handler.addFilter(_DropNoise())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("newspipe").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apache_beam", "trafilatura", "htmldate", "courlan", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)

"""Logging for people and for log collectors: our progress lines on stderr, library noise hidden.

Each line starts with an ISO 8601 UTC timestamp (2026-12-02T06:01:11.123Z); `--log-format json`
writes one JSON object a line instead (time, level, logger, message, and the traceback as `exc`
with --verbose), for Cloud Logging, Loki or jq.

Must run before apache_beam is imported: its import logs an `apitools not found` warning
on the root logger when the [gcp] extra is absent.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

NOISE = ("apitools not found", "Discarding unparseable args", "Make sure that locally built Python SDK")
FORMATS = ("text", "json")


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in NOISE)


def iso_time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class IsoFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": iso_time(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup(verbose: bool = False, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    text = IsoFormatter("%(asctime)s %(levelname)s %(message)s")
    handler.setFormatter(JsonFormatter() if fmt == "json" else text)
    handler.addFilter(_DropNoise())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("newspipe").setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apache_beam", "trafilatura", "htmldate", "courlan", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.ERROR)

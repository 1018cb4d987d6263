"""Progress of the processing step for people watching a long run: records done out of the
expected total, the rate and an ETA, logged every PROGRESS_EVERY records or PROGRESS_SECONDS.

One tracker per run and process, shared by the DoFn instances of that process (threads of
--direct_running_mode=multi_threading count together); with several worker processes each
logs its own count, so the ETA there is that of a process doing all that is left.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import ClassVar

LOG = logging.getLogger("newspipe.progress")
PROGRESS_EVERY = 500
PROGRESS_SECONDS = 30.0


class Progress:
    _lock = threading.Lock()
    _trackers: ClassVar[dict[str, Progress]] = {}

    def __init__(self, expected: int):
        self.expected = expected
        self.done = 0
        self.started = time.monotonic()
        self.logged_at = self.started

    @classmethod
    def shared(cls, run_id: str, expected: int) -> Progress:
        with cls._lock:
            return cls._trackers.setdefault(run_id, cls(expected))

    def tick(self) -> None:
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if self.done % PROGRESS_EVERY and now - self.logged_at < PROGRESS_SECONDS:
                return
            self.logged_at = now
            message = self.message(now)
        LOG.info(message)

    def message(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        if self.expected <= 0:
            return f"processed {self.done} records ({rate:.1f}/s)"
        share = min(100.0, 100.0 * self.done / self.expected)
        left = max(self.expected - self.done, 0) / rate if rate > 0 else 0.0
        eta = datetime.now(timezone.utc) + timedelta(seconds=left)
        return (f"processed {self.done} of ~{self.expected} records ({share:.0f}%, {rate:.1f}/s), "
                f"ETA {eta.isoformat(timespec='seconds')} (in {duration(left)})")


def duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} d {seconds % 86400 // 3600} h"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"

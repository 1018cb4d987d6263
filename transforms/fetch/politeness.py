"""Per-host politeness: a gate per host ("host:port") that bounds the requests in flight and
spaces their starts, and the Retry-After header that a busy server answers with."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class HostGate:
    """At most `max_in_flight` requests at once and `min_delay` seconds between request
    starts, for one host."""

    def __init__(self, max_in_flight: int, min_delay: float):
        self._slots = threading.BoundedSemaphore(max(1, max_in_flight))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.min_delay = max(0.0, min_delay)

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start)
                self._next_start = start + self.min_delay
            if start > now:
                time.sleep(start - now)
            yield



def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


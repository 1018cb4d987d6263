"""Fault injection for the crash tests and bench/faults.py: a crash at a chosen moment.

NEWSPIPE_FAULT=<point>:<n> kills this process with SIGKILL the n-th time `point` is reached:
no exception handler, no `finally`, no flush runs, as when a machine dies."""

from __future__ import annotations

import os
import signal

ENV = "NEWSPIPE_FAULT"
_hits: dict[str, int] = {}


def fault(point: str) -> None:
    spec = os.environ.get(ENV, "")
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] == int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)

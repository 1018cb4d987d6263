"""Fault injection for the crash tests and bench/faults.py: a crash at a chosen moment.

NEWSPIPE_FAULT=<point>:<n> kills this process with SIGKILL the n-th time `point` is reached:
no exception handler, no `finally`, no flush runs, as when a machine dies.
NEWSPIPE_FAULT=<point>:<n>:raise raises InjectedFault there instead (a run that fails), and
NEWSPIPE_FAULT=<point>:<n>:wait=<file> waits there until <file> exists (a run held mid-way)."""

from __future__ import annotations

import os
import signal
import time

ENV = "NEWSPIPE_FAULT"
_hits: dict[str, int] = {}


def fault(point: str) -> None:
    spec = os.environ.get(ENV, "")
    if not spec:
        return
    name, _, rest = spec.partition(":")
    if name != point:
        return
    count, _, mode = rest.partition(":")
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] == int(count or 1):
        if mode == "raise":
            raise InjectedFault(f"fault injected at {point}")
        if mode.startswith("wait="):
            _wait_for(mode.removeprefix("wait="))
            return
        os.kill(os.getpid(), signal.SIGKILL)


def _wait_for(path: str, limit_s: float = 300.0) -> None:
    deadline = time.monotonic() + limit_s
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)


class InjectedFault(RuntimeError):
    """The failure NEWSPIPE_FAULT=<point>:<n>:raise asks for."""

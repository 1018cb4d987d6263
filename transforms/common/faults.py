"""Fault injection for the crash tests and bench/faults.py: a crash at a chosen moment.

NEWSPIPE_FAULT=<point>:<n> kills this process with SIGKILL the n-th time `point` is reached:
no exception handler, no `finally`, no flush runs, as when a machine dies.
NEWSPIPE_FAULT=<point>:<n>:raise raises InjectedFault there instead (a run that fails)."""

from __future__ import annotations

import os
import signal

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
        os.kill(os.getpid(), signal.SIGKILL)


class InjectedFault(RuntimeError):
    """The failure NEWSPIPE_FAULT=<point>:<n>:raise asks for."""

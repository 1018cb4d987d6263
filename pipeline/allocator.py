"""glibc malloc settings for a multi-process run (issue 16, docs/memory.md).

With `--direct_running_mode=multi_processing` the runner starts each SDK worker as a subprocess
with its own environment, and every stage of the graph runs in the workers. Left to glibc's
defaults, a worker keeps the memory of every stage it ran: glibc serves blocks of up to 32 MiB
from its heaps once a big block was freed (the dynamic mmap threshold), and each thread that
allocates (gRPC's, the bundle's) gets a heap of its own, so freed memory stays resident in holes
between live blocks. Two settings, read by glibc when a process starts:

- MALLOC_MMAP_THRESHOLD_=131072: blocks of 128 KiB and more (pages, encoded elements, data
  messages, big lists and dicts) are mapped on their own and returned to the system when
  freed; setting it also turns the dynamic threshold off.
- MALLOC_ARENA_MAX=2: the threads share two heaps instead of up to eight per core.

They go into the environment the workers inherit (a value the user set is kept) and, through
mallopt, into the running process (the runner). A run on one worker (the in-process runner) is
left as it is. No-op where the C library is not glibc.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions

SETTINGS = {"MALLOC_MMAP_THRESHOLD_": 131072, "MALLOC_ARENA_MAX": 2}
_MALLOPT = {"MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_ARENA_MAX": -8}  # M_MMAP_THRESHOLD, M_ARENA_MAX


def multi_processing(beam_args: list[str]) -> bool:
    options = PipelineOptions(beam_args).view_as(DirectOptions)
    return options.direct_running_mode == "multi_processing"


@contextlib.contextmanager
def for_workers(beam_args: list[str], environ=os.environ):
    """Around a run: for a multi-process run, the settings in `environ` (a value already set is
    kept; restored afterwards) and in this process (the runner); yields what the workers get
    ({} when the run is not multi-process or not on Linux)."""
    if not multi_processing(beam_args) or not sys.platform.startswith("linux"):
        yield {}
        return
    before = {name: environ.get(name) for name in SETTINGS}
    chosen = {name: environ.setdefault(name, str(value)) for name, value in SETTINGS.items()}
    libc = _glibc()
    if libc is not None:
        for name, value in chosen.items():
            if value.isdigit():
                libc.mallopt(_MALLOPT[name], int(value))
    try:
        yield chosen
    finally:
        for name, value in before.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018  (only glibc has it)
        return libc
    except (OSError, AttributeError):
        return None

"""glibc malloc settings for a multi-process run (issue 16, docs/memory.md).

With `--direct_running_mode=multi_processing` the runner starts each SDK worker as a subprocess
with its own environment, and every stage of the graph runs in the workers. Left to glibc's
defaults, a worker keeps the memory of every stage it ran: glibc serves blocks of up to 32 MiB
from its heaps once a big block was freed (the dynamic mmap threshold), and each thread that
allocates (gRPC's, the bundle's) gets a heap of its own, so freed memory stays resident in holes
between live blocks. The settings:

- MALLOC_ARENA_MAX=2, for every process of the run: the threads share two heaps instead of up
  to eight per core. It goes into the environment the workers inherit (a value the user set is
  kept) and, through mallopt, into the running process (the runner).
- A fixed mmap threshold of 128 KiB (and the same trim threshold): blocks of 128 KiB and more
  (encoded elements, data messages, big lists and dicts) are mapped on their own and returned
  to the system when freed, and the heap's top is handed back past 128 KiB free. The runner
  (which holds the buffers between stages) runs with it from the start; a worker switches to it
  after its first long bundle (LONG_BUNDLE_S: the article step). During that bundle the worker
  parses pages one after another, whose big blocks live for one page: mapping each of them
  afresh cost twice the page faults (5,000 documents on 2 workers: 15 s of system time against
  7.6 s, 78.5 s wall against 73.0) and keeps no memory the trim after the bundle would not
  return. A MALLOC_MMAP_THRESHOLD_ the user set is left to glibc in every process.

A run on one worker (the in-process runner) is left as it is. No-op where the C library is not
glibc.

A worker also keeps every stage's bundle processor (its DoFns and what they hold: the article
step's tools, each tail stage's buffers) for 60 s after its last bundle, while a batch run's
stages each run once. The FnApiRunner passes its workers no pipeline options (so no Beam plugin
reaches them), so for the run `for_workers` also has the runner start each worker as
`python -m pipeline.sdkworker` (Beam's `sdk_worker_main` after `drop_idle_processors`), by
wrapping Beam's `SubprocessSdkWorkerHandler`: after each bundle, the cached processors of the
other stages are shut down (their DoFns torn down) and `malloc_trim` hands the freed heap back;
the processor of the stage that just ran stays cached for its next bundle. Only for the Beam
versions it was written against (else the workers are Beam's own, untouched).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import time

import apache_beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions
from apache_beam.runners.portability.fn_api_runner import worker_handlers
from apache_beam.runners.worker import sdk_worker

SETTINGS = {"MALLOC_ARENA_MAX": 2}  # every process of the run, through the environment
FIXED = {"MALLOC_MMAP_THRESHOLD_": 131072, "MALLOC_TRIM_THRESHOLD_": 131072}  # the runner; workers later
LONG_BUNDLE_S = 2.0  # a worker's first bundle that ran this long is the article step's
_MALLOPT = {"MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_ARENA_MAX": -8, "MALLOC_TRIM_THRESHOLD_": -1}
HOOKED_BEAM = ("2.77.",)  # the fields of BundleProcessorCache and SubprocessSdkWorkerHandler used below
BEAM_WORKER = b" -m apache_beam.runners.worker.sdk_worker_main"  # the FnApiRunner's worker command's end
OUR_WORKER = b" -m pipeline.sdkworker"


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
    _mallopt({**_fixed(environ), **chosen})
    handler = worker_handlers.SubprocessSdkWorkerHandler
    started_as = handler.__init__
    if apache_beam.__version__.startswith(HOOKED_BEAM):
        handler.__init__ = _our_worker(started_as)
    try:
        yield chosen
    finally:
        handler.__init__ = started_as
        for name, value in before.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value


def _fixed(environ) -> dict[str, str]:
    """The fixed thresholds, or {} where the user set MALLOC_MMAP_THRESHOLD_ (glibc reads it)."""
    return {} if "MALLOC_MMAP_THRESHOLD_" in environ else {name: str(value) for name, value in FIXED.items()}


def _mallopt(values: dict[str, str]) -> None:
    libc = glibc()
    if libc is not None:
        for name, value in values.items():
            if value.isdigit():
                libc.mallopt(_MALLOPT[name], int(value))


def _our_worker(started_as):
    def start(self, worker_command_line, *rest, **named):
        if worker_command_line.endswith(BEAM_WORKER):
            worker_command_line = worker_command_line[:-len(BEAM_WORKER)] + OUR_WORKER
        started_as(self, worker_command_line, *rest, **named)

    return start


def drop_idle_processors(cache_class=sdk_worker.BundleProcessorCache,
                         version: str = apache_beam.__version__) -> bool:
    """Patch `cache_class.get` and `.release` (see the module's doc); False, and nothing patched,
    for a Beam version it was not written against."""
    if not version.startswith(HOOKED_BEAM):
        return False
    original, original_get = cache_class.release, cache_class.get
    if getattr(original, "drops_idle", False):
        return True
    libc = glibc()
    fixed = _fixed(os.environ)
    pending = [fixed] if fixed else []  # the thresholds to switch to after the first long bundle
    started: dict[str, float] = {}

    def get(self, instruction_id, *rest, **named):
        started[instruction_id] = time.monotonic()
        return original_get(self, instruction_id, *rest, **named)

    def release(self, instruction_id):
        descriptor = self.active_bundle_processors.get(instruction_id, (None, None))[0]
        original(self, instruction_id)
        began = started.pop(instruction_id, None)
        long_bundle = began is not None and time.monotonic() - began >= LONG_BUNDLE_S
        with self._lock:
            switch = pending.pop() if long_bundle and pending else None  # once, whatever the threads
            busy = {running for running, _ in self.active_bundle_processors.values()}
            idle = [self.cached_bundle_processors.pop(other) for other in list(self.cached_bundle_processors)
                    if other != descriptor and other not in busy]
        if switch:
            _mallopt(switch)
        for processors in idle:
            for processor in processors:
                processor.shutdown()
        if libc is not None:
            libc.malloc_trim(0)

    release.drops_idle = True
    cache_class.release, cache_class.get = release, get
    return True


def glibc():
    """libc, when it is glibc (mallopt, malloc_trim); else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018  (only glibc has it)
        return libc
    except (OSError, AttributeError):
        return None

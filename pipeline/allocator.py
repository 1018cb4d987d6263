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

import apache_beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions
from apache_beam.runners.portability.fn_api_runner import worker_handlers
from apache_beam.runners.worker import sdk_worker

SETTINGS = {"MALLOC_MMAP_THRESHOLD_": 131072, "MALLOC_ARENA_MAX": 2}
_MALLOPT = {"MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_ARENA_MAX": -8}  # M_MMAP_THRESHOLD, M_ARENA_MAX
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
    libc = _glibc()
    if libc is not None:
        for name, value in chosen.items():
            if value.isdigit():
                libc.mallopt(_MALLOPT[name], int(value))
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


def _our_worker(started_as):
    def start(self, worker_command_line, *rest, **named):
        if worker_command_line.endswith(BEAM_WORKER):
            worker_command_line = worker_command_line[:-len(BEAM_WORKER)] + OUR_WORKER
        started_as(self, worker_command_line, *rest, **named)

    return start


def drop_idle_processors(cache_class=sdk_worker.BundleProcessorCache,
                         version: str = apache_beam.__version__) -> bool:
    """Patch `cache_class.release` (see the module's doc); False, and nothing patched, for a
    Beam version it was not written against."""
    if not version.startswith(HOOKED_BEAM):
        return False
    original = cache_class.release
    if getattr(original, "drops_idle", False):
        return True
    libc = _glibc()

    def release(self, instruction_id):
        descriptor = self.active_bundle_processors.get(instruction_id, (None, None))[0]
        original(self, instruction_id)
        with self._lock:
            busy = {running for running, _ in self.active_bundle_processors.values()}
            idle = [self.cached_bundle_processors.pop(other) for other in list(self.cached_bundle_processors)
                    if other != descriptor and other not in busy]
        for processors in idle:
            for processor in processors:
                processor.shutdown()
        if libc is not None:
            libc.malloc_trim(0)

    release.drops_idle = True
    cache_class.release = release
    return True


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018  (only glibc has it)
        return libc
    except (OSError, AttributeError):
        return None

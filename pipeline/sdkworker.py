"""The SDK worker process of a multi-process run (`python -m pipeline.sdkworker`, the command
`allocator.for_workers` gives the FnApiRunner): Beam's `sdk_worker_main`, after
`allocator.drop_idle_processors` (stages that ran drop their bundle processors, freed heap goes
back to the system; see pipeline/allocator.py)."""

from __future__ import annotations

import sys

from apache_beam.runners.worker import sdk_worker_main

from pipeline import allocator

if __name__ == "__main__":
    allocator.drop_idle_processors()
    sdk_worker_main.main(sys.argv)

"""The malloc settings of a multi-process run (pipeline/allocator.py): they reach the workers'
environment only for --direct_running_mode=multi_processing, a value the user set is kept, and
the environment is restored after the run; such a run's workers drop the bundle processors of
the stages that ran (pipeline/sdkworker.py)."""

from __future__ import annotations

import collections
import sys
import threading

import pytest
from apache_beam.runners.portability.fn_api_runner import worker_handlers

from pipeline import allocator

MULTI = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]


def test_a_one_worker_run_is_left_alone():
    environ: dict[str, str] = {}
    for args in ([], ["--direct_num_workers=1"], ["--direct_running_mode=multi_threading"]):
        with allocator.for_workers(args, environ) as chosen:
            assert chosen == {}
            assert environ == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings")
def test_a_multi_process_run_gets_the_settings_then_the_environment_back():
    environ = {"PATH": "/bin"}
    with allocator.for_workers(MULTI, environ) as chosen:
        assert chosen == {"MALLOC_ARENA_MAX": "2"}  # the mmap threshold: the runner's own, see below
        assert environ == {"PATH": "/bin", **chosen}
    assert environ == {"PATH": "/bin"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings")
def test_a_value_the_user_set_is_kept():
    environ = {"MALLOC_ARENA_MAX": "4"}
    with allocator.for_workers(MULTI, environ) as chosen:
        assert chosen["MALLOC_ARENA_MAX"] == "4"
        assert environ == {"MALLOC_ARENA_MAX": "4"}
    assert environ == {"MALLOC_ARENA_MAX": "4"}
    assert allocator._fixed({"MALLOC_MMAP_THRESHOLD_": "65536"}) == {}  # glibc takes the user's
    assert allocator._fixed({}) == {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


class Processor:
    def __init__(self, name: str):
        self.name, self.shut = name, False

    def shutdown(self):
        self.shut = True


class Cache:
    """The fields of Beam's BundleProcessorCache that the hook reads, and its release()."""

    def __init__(self):
        self._lock = threading.Lock()
        self.active_bundle_processors: dict[str, tuple[str, Processor]] = {}
        self.cached_bundle_processors: dict[str, list[Processor]] = collections.defaultdict(list)

    def get(self, instruction_id, descriptor):
        return self.active_bundle_processors[instruction_id][1]

    def release(self, instruction_id):
        descriptor, processor = self.active_bundle_processors.pop(instruction_id)
        self.cached_bundle_processors[descriptor].append(processor)


def test_after_a_bundle_the_other_stages_processors_are_shut_down():
    assert allocator.drop_idle_processors(Cache, version="2.77.0")
    assert allocator.drop_idle_processors(Cache, version="2.77.0")  # once only
    cache = Cache()
    first, second, again, running = Processor("a"), Processor("b"), Processor("b"), Processor("c")
    cache.active_bundle_processors = {"1": ("a", first), "2": ("b", second), "3": ("c", running)}
    cache.release("1")
    assert cache.cached_bundle_processors == {"a": [first]} and not first.shut
    cache.release("2")  # stage a ran before: its processor goes; b's stays for b's next bundle
    assert cache.cached_bundle_processors == {"b": [second]} and first.shut and not second.shut
    cache.active_bundle_processors["4"] = ("b", again)
    cache.release("4")
    assert cache.cached_bundle_processors == {"b": [second, again]} and not running.shut


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings")
def test_a_worker_fixes_the_mmap_threshold_after_its_first_long_bundle(monkeypatch):
    """Short bundles leave glibc's dynamic threshold; the first long one (the article step)
    switches to the fixed thresholds, once."""

    class Timed(Cache):
        pass

    calls = []
    monkeypatch.setattr(allocator, "_mallopt", calls.append)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    clock = iter([0.0, 0.5, 1.0, 1.0 + allocator.LONG_BUNDLE_S, 10.0, 99.0])
    monkeypatch.setattr(allocator.time, "monotonic", lambda: next(clock))
    assert allocator.drop_idle_processors(Timed, version="2.77.0")
    cache = Timed()
    for instruction, stage in (("1", "a"), ("2", "b"), ("3", "c")):
        cache.active_bundle_processors[instruction] = (stage, Processor(stage))
        cache.get(instruction, stage)
        cache.release(instruction)
        assert calls == ([] if instruction == "1" else [allocator._fixed({})])


def test_another_beam_version_keeps_its_cache():
    class Untouched(Cache):
        pass

    release = Untouched.release
    assert not allocator.drop_idle_processors(Untouched, version="2.78.0")
    assert Untouched.release is release


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings")
def test_a_multi_process_run_starts_our_worker_then_beam_is_restored():
    handler = worker_handlers.SubprocessSdkWorkerHandler
    init = handler.__init__
    seen = []
    wrapped = allocator._our_worker(lambda self, command, *rest: seen.append(command))
    wrapped(None, b"/venv/bin/python -m apache_beam.runners.worker.sdk_worker_main", "state")
    wrapped(None, b"/elsewhere/worker --flag", "state")
    assert seen == [b"/venv/bin/python -m pipeline.sdkworker", b"/elsewhere/worker --flag"]
    with allocator.for_workers(MULTI, {}):
        assert handler.__init__ is not init
    assert handler.__init__ is init
    with allocator.for_workers([], {}):
        assert handler.__init__ is init

"""The malloc settings of a multi-process run (pipeline/allocator.py): they reach the workers'
environment only for --direct_running_mode=multi_processing, a value the user set is kept, and
the environment is restored after the run."""

from __future__ import annotations

import sys

import pytest

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
        assert chosen == {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_ARENA_MAX": "2"}
        assert environ == {"PATH": "/bin", **chosen}
    assert environ == {"PATH": "/bin"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc settings")
def test_a_value_the_user_set_is_kept():
    environ = {"MALLOC_ARENA_MAX": "4"}
    with allocator.for_workers(MULTI, environ) as chosen:
        assert chosen["MALLOC_ARENA_MAX"] == "4"
        assert environ["MALLOC_MMAP_THRESHOLD_"] == "131072"
    assert environ == {"MALLOC_ARENA_MAX": "4"}

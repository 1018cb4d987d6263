"""Shared fixtures: running the real pipeline (FnApiRunner) and reading its tables back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEEDS, run_cli


@pytest.fixture(scope="session")
def seeds_output(tmp_path_factory) -> Path:
    """One run over the seeds, shared by the tests that only read its tables."""
    out = tmp_path_factory.mktemp("seeds-out")
    result = run_cli("run", "--input", str(SEEDS), "--output", str(out), "--run-id", "seeds-test")
    assert result.returncode == 0, result.stderr
    return out


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: longer loops with a small N by default")

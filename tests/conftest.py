"""Shared fixtures: running the real pipeline (FnApiRunner) and reading its tables back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run_cli(*args: str, cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess:
    """`python -m pipeline ...` in a subprocess, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def read_rows(output: Path, table: str) -> list[dict]:
    """A table's rows with their Hive partition keys, as pyarrow reads them."""
    folder = output / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


@pytest.fixture(scope="session")
def seeds_output(tmp_path_factory) -> Path:
    """One run over the seeds, shared by the tests that only read its tables."""
    out = tmp_path_factory.mktemp("seeds-out")
    result = run_cli("run", "--input", str(SEEDS), "--output", str(out), "--run-id", "seeds-test")
    assert result.returncode == 0, result.stderr
    return out

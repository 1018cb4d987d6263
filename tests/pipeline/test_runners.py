"""Runner parity: the local FnApiRunner, its multi_threading and multi_processing modes, and a
PortableRunner whose SDK workers live in an EXTERNAL worker pool started from another folder
(the path Flink, Spark and Dataflow take: workers import the project from where they run) all
write the same rows on the seeds plus a few fixtures in several languages, with a reject."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, SEEDS, read_rows, run_cli
from tests.pipeline.test_syndication_runs import copies

# columns that name the run or its clock: different on every run by design
RUN_COLUMNS = {"run_id", "ingested_at", "rejected_at", "updated_at"}
TEXTS = {
    "de": "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke über den Fluss bis zum Sommer zu "
          "sanieren. Die Arbeiten sollen drei Monate dauern und werden aus dem Haushalt bezahlt.",
    "fr": "Le conseil municipal a décidé mardi de rénover le vieux pont sur la rivière avant l'été. "
          "Les travaux dureront trois mois et seront financés par le budget de la ville.",
    "es": "El ayuntamiento decidió el martes renovar el viejo puente sobre el río antes del verano. "
          "Las obras durarán tres meses y se pagarán con el presupuesto municipal.",
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("runner-inputs")
    lines = [json.dumps({"id": lang, "text": text, "published": f"2024-05-0{n}T08:00:00Z"})
             for n, (lang, text) in enumerate(TEXTS.items(), 1)]
    (folder / "world.jsonl").write_text("\n".join([*lines, "{broken", *copies()]) + "\n")
    return ["--input", str(SEEDS), "--input", str(folder)]


def rows_of(out: Path) -> dict[str, list[str]]:
    tables = {}
    for table in ("articles", "quotes", "rejects", "clusters"):
        rows = [{k: v for k, v in row.items() if k not in RUN_COLUMNS} for row in read_rows(out, table)]
        tables[table] = sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)
    return tables


def run(inputs: list[str], out: Path, *beam_args: str) -> dict[str, list[str]]:
    result = run_cli("run", *inputs, "--output", str(out), "--run-id", "parity", *beam_args, timeout=240)
    assert result.returncode == 0, result.stderr
    return rows_of(out)


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory) -> dict[str, list[str]]:
    tables = run(inputs, tmp_path_factory.mktemp("default") / "out")
    assert len(tables["articles"]) == 2 + len(TEXTS) + 2 and len(tables["rejects"]) == 1
    langs = {json.loads(row)["lang"] for row in tables["articles"]}
    assert set(TEXTS) | {"en"} == langs
    return tables


@pytest.mark.parametrize("mode", ["multi_threading", "multi_processing"])
def test_direct_running_modes_write_the_same_rows(mode, inputs, reference, tmp_path):
    tables = run(inputs, tmp_path / "out", f"--direct_running_mode={mode}", "--direct_num_workers=2")
    assert tables == reference


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"service exited with {process.returncode}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


def test_portable_runner_with_an_external_worker_pool(inputs, reference, tmp_path):
    elsewhere = tmp_path / "workers"
    elsewhere.mkdir()
    # the pool starts workers with the first `python` on PATH: the venv's, importing this tree
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(ROOT)}
    job_port, pool_port = free_port(), free_port()
    services = [
        subprocess.Popen([sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
                          "--port", str(job_port)], cwd=elsewhere, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True),
        subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                          f"--service_port={pool_port}"], cwd=elsewhere, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True),
    ]
    try:
        wait_for_port(job_port, services[0])
        wait_for_port(pool_port, services[1])
        tables = run(inputs, tmp_path / "out", "--runner=PortableRunner",
                     f"--job_endpoint=localhost:{job_port}", "--environment_type=EXTERNAL",
                     f"--environment_config=localhost:{pool_port}")
    finally:
        for service in services:  # each in its own session: the pool's workers go with it
            with contextlib.suppress(ProcessLookupError):
                os.killpg(service.pid, signal.SIGTERM)
        for service in services:
            try:
                service.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(service.pid, signal.SIGKILL)
                service.wait()
    assert tables == reference

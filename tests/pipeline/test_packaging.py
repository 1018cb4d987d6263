"""The built package runs without the source tree: a wheel installed into a fresh venv runs the
job from another folder (configs ship inside it), the console script exists, and the sdist that
Beam builds for `--setup_file ./setup.py` (what Dataflow workers install) holds every config.

The fresh venv reaches the shared venv's dependencies through a .pth file (no network), and the
wheel is installed with --no-deps, so only this project's own files come from the build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, SEEDS, read_rows

CONFIG_FILES = sorted(p.name for p in (ROOT / "configs").iterdir() if p.suffix in (".yaml", ".txt", ".json"))


def source_copy(tmp: Path) -> Path:
    """The tracked and untracked (not ignored) files of the tree, as a fresh clone has them."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split("\n")
    target = tmp / "src"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("package")
    src = source_copy(tmp)
    run = dict(cwd=src, check=True, capture_output=True, text=True, timeout=300)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp / "dist"), str(src)], **run)
    # Beam's --setup_file runs exactly this to build what workers install
    subprocess.run([sys.executable, "setup.py", "-q", "sdist", "--dist-dir", str(tmp / "sdist")], **run)
    return {"wheel": next((tmp / "dist").glob("*.whl")), "sdist": next((tmp / "sdist").glob("*.tar.gz")),
            "tmp": tmp}


def fresh_venv(tmp: Path, name: str) -> Path:
    venv = tmp / name
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print("
                                   "sysconfig.get_paths()['purelib'])"], check=True, capture_output=True,
                                  text=True).stdout.strip())
    # the shared venv's packages, after the venv's own (a plain path line: its .pth files,
    # among them the editable install of the source tree, are not processed)
    (purelib / "shared-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def pip_install(venv: Path, target: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-build-isolation", str(target)], check=True, capture_output=True,
                   text=True, timeout=300, env=clean_env())


def test_wheel_and_sdist_hold_the_configs(built):
    with zipfile.ZipFile(built["wheel"]) as wheel, tarfile.open(built["sdist"]) as sdist:
        wheel_names, sdist_names = wheel.namelist(), sdist.getnames()
    for name in CONFIG_FILES:
        assert f"configs/{name}" in wheel_names
        assert any(n.endswith(f"/configs/{name}") for n in sdist_names)
    assert any(n.endswith("entry_points.txt") for n in wheel_names)


def test_installed_wheel_runs_the_job_from_another_folder(built, tmp_path):
    venv = fresh_venv(tmp_path, "venv")
    pip_install(venv, built["wheel"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([venv / "bin" / "python", "-c", "import pipeline; print(pipeline.__file__)"],
                           cwd=elsewhere, env=clean_env(), capture_output=True, text=True, check=True)
    assert str(venv) in where.stdout  # the installed copy, not the source tree
    out = tmp_path / "out"
    result = subprocess.run([venv / "bin" / "newspipe", "run", "--input", str(SEEDS), "--output", str(out)],
                            cwd=elsewhere, env=clean_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(read_rows(out, "articles")) == 2
    help_text = subprocess.run([venv / "bin" / "python", "-m", "pipeline", "--help"], cwd=elsewhere,
                               env=clean_env(), capture_output=True, text=True)
    assert help_text.returncode == 0


def test_sdist_as_workers_install_it_sets_up_the_dofn(built, tmp_path):
    """What a Dataflow worker does with --setup_file: pip-install the sdist, then setup() every
    DoFn (ProcessRecords reads sources.yaml and quotes.yaml there)."""
    venv = fresh_venv(tmp_path, "worker")
    pip_install(venv, built["sdist"])
    script = ("from datetime import datetime, timezone\n"
              "from transforms.articles.beam import ProcessRecords\n"
              "from transforms.common.config import load_config\n"
              "fn = ProcessRecords(load_config(), 'r', datetime.now(timezone.utc))\n"
              "fn.setup()\n"
              "print('ok')\n")
    result = subprocess.run([venv / "bin" / "python", "-c", script], cwd=tmp_path, env=clean_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")

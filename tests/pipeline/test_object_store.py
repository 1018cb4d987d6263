"""The whole job against a real S3-protocol server on 127.0.0.1 (moto's server mode): tables,
state, run records and locks all on s3://, including a run killed between two renames."""

from __future__ import annotations

import random
from pathlib import Path

from tests.helpers import MotoServer, read_rows, run_cli

WORDS = ["harbour", "council", "bridge", "river", "market", "school", "station", "budget", "tower", "garden",
         "festival", "railway", "museum", "library", "stadium", "airport", "factory", "clinic", "forest",
         "canal"]


def text(name: str) -> str:
    rng = random.Random(name)
    return " ".join(f"{name.capitalize()} said the {rng.choice(WORDS)} near the {rng.choice(WORDS)} would "
                    f"open in {rng.randint(2000, 2100)}." for _ in range(8))


def write_inputs(folder: Path, names: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / f"{name}.txt").write_text(text(name), encoding="utf-8")


def tables(server: MotoServer, local: Path) -> dict[str, list[dict]]:
    mirror = server.download("out/", local)
    return {table: read_rows(mirror, table) for table in ("articles", "quotes", "rejects")}


def test_run_crash_and_rerun_on_s3(tmp_path):
    inputs = tmp_path / "in"
    write_inputs(inputs, ["alpha", "beta"])
    with MotoServer() as server:
        args = ["run", "--input", str(inputs), "--output", "s3://news/out", *server.beam_args]
        first = run_cli(*args, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        keys = server.keys("out/")
        assert any(k.startswith("out/_state/_log/g00000001") for k in keys)  # state beside the output
        assert any(k.startswith("out/_runs/") for k in keys)
        assert not [k for k in keys if k.startswith(("out/_staging/", "out/_lock/", "out/_state/_lock/"))]
        assert not (tmp_path / "s3:").exists()  # was ./gs:/b/news/_state on local disk
        assert len(tables(server, tmp_path / "m1")["articles"]) == 2

        write_inputs(inputs, ["gamma", "delta"])
        killed = run_cli(*args, cwd=tmp_path, env={"NEWSPIPE_FAULT": "publish:1"})
        assert killed.returncode == -9
        rerun = run_cli(*args, cwd=tmp_path)
        assert rerun.returncode == 0, rerun.stderr
        found = tables(server, tmp_path / "m2")
        ids = [row["article_id"] for row in found["articles"]]
        assert len(ids) == len(set(ids)) == 4
        assert not any(k.startswith("out/_staging/") for k in server.keys("out/"))

"""Do two versions of the pipeline write the same rows? Dump, then diff.

    python -m bench.compare_rows dump DIR [--data ../shared/data/dev] [--python .venv/bin/python]
    python -m bench.compare_rows diff DIR_A DIR_B

`dump` runs the pipeline of the current folder on the seeds and on every dev dataset's inputs
(a fresh output each, --full-refresh) and writes each table's rows as sorted JSON Lines, less
what changes from run to run (run ids, wall-clock times) and with input paths made relative.
`diff` compares two dumps table by table and exits 1 when any row differs. Used to show that a
refactoring changed no output (a speed change, a layout change).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds

VOLATILE = {"ingested_at", "run_id", "rejected_at", "updated_at", "generation"}
RENAMED = {"start": "start_char", "end": "end_char"}  # quotes columns renamed by the warehouse issue
TABLES = ("articles", "quotes", "rejects", "clusters")


def datasets(data: Path, root: Path) -> dict[str, Path]:
    found = {"seeds": root / "seeds"}
    for task in sorted(p for p in data.iterdir() if (p / "inputs").is_dir()):
        found[task.name] = task / "inputs"
    return found


def normalise(row: dict, prefixes: list[str]) -> dict:
    clean = {}
    for key, value in row.items():
        if key in VOLATILE:
            continue
        if isinstance(value, str):
            for prefix in prefixes:
                value = value.replace(prefix, "<in>")
        clean[RENAMED.get(key, key)] = value
    return clean


def dump_table(output: Path, table: str, prefixes: list[str]) -> list[str]:
    folder = output / table
    if not folder.exists():
        return []
    rows = ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()
    return sorted(json.dumps(normalise(r, prefixes), sort_keys=True, default=str) for r in rows)


def dump(target: Path, data: Path, python: str) -> None:
    root = Path.cwd()
    for name, inputs in datasets(data, root).items():
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(
                [python, "-m", "pipeline", "run", "--input", str(inputs), "--output", tmp,
                 "--full-refresh", "--run-id", "compare"], capture_output=True, text=True)
            if result.returncode:
                sys.exit(f"{name}: pipeline failed: {result.stderr[-2000:]}")
            prefixes = [str(inputs.resolve()), str(inputs)]
            for table in TABLES:
                lines = dump_table(Path(tmp), table, prefixes)
                (target / name).mkdir(parents=True, exist_ok=True)
                (target / name / f"{table}.jsonl").write_text("".join(line + "\n" for line in lines))
                print(f"{name}/{table}: {len(lines)} rows")


def lines_of(path: Path) -> Counter:
    return Counter(path.read_text().splitlines()) if path.exists() else Counter()


def diff(a: Path, b: Path) -> int:
    differing = 0
    files = {p.relative_to(a) for p in a.rglob("*.jsonl")} | {p.relative_to(b) for p in b.rglob("*.jsonl")}
    for file in sorted(files):
        left, right = lines_of(a / file), lines_of(b / file)
        only_a, only_b = sum((left - right).values()), sum((right - left).values())
        status = "identical" if not (only_a or only_b) else f"{only_a} rows only in A, {only_b} only in B"
        print(f"{file}: {left.total()} vs {right.total()} rows, {status}")
        differing += only_a + only_b
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    dumper = commands.add_parser("dump")
    dumper.add_argument("target", type=Path)
    dumper.add_argument("--data", type=Path, default=Path("../shared/data/dev"))
    dumper.add_argument("--python", default=".venv/bin/python")
    differ = commands.add_parser("diff")
    differ.add_argument("a", type=Path)
    differ.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.target, args.data, args.python)
        return 0
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())

"""Crash the pipeline at random moments and check the exactly-once invariants.

    .venv/bin/python -m bench.faults --kills 50 --records 1000

Over a folder of small JSONL records (story copies with moving canonicals, invalid lines, a line
repeated in two files, a copied file), each round adds a new file, starts `pipeline run` and
kills it with SIGKILL after a random delay (some rounds finish first). After every run that
finished, and at the end (one clean run, then a rerun of the same input), the tables are read
back and the invariants counted; every count but the first two should be 0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds

ROOT = Path(__file__).resolve().parent.parent
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve", "du", "fa", "go")
         for b in ("ran", "mel", "tiso", "bark", "quin", "dost", "lume", "pery", "zant", "holk", "wix",
                   "ombe", "trea", "cali", "fend", "gorp")]
TABLES = ("articles", "quotes", "rejects", "clusters")
# Named steps of the commit (transforms.common.faults): a table file written, the run staged,
# the commit record written, between two renames, between two deletes, before the marker.
POINTS = ("write", "staged", "committed", "publish", "delete", "published")
REPEATED = ("write", "publish", "delete")


def story_text(rng: random.Random) -> list[str]:
    paragraphs = [" ".join(rng.choice(WORDS) for _ in range(28)).capitalize() + "." for _ in range(4)]
    speaker = rng.choice(["the minister", "a spokesman", "the mayor"])
    quote = " ".join(rng.choice(WORDS) for _ in range(7)).capitalize()
    paragraphs.append(f'"{quote}," {speaker} said on Tuesday.')
    return paragraphs


def make_batch(folder: Path, batch: int, records: int, rng: random.Random, stories: list) -> dict:
    """Writes batch files; returns {"valid": ids, "bad": input_refs} of what it holds. A third of
    the records are copies of earlier stories, some published earlier than the story's first
    copy (the canonical then moves to a later run's row)."""
    valid, bad, lines_by_file = set(), set(), {}
    per_file = 50
    for index in range(records):
        if stories and rng.random() < 0.33:
            story, first = rng.choice(stories)
            paragraphs = story if rng.random() < 0.5 else story[:-1]
            minutes = first - rng.randint(1, 600) if rng.random() < 0.5 else first + rng.randint(1, 600)
        else:
            paragraphs, minutes = story_text(rng), rng.randint(0, 10_000)
            stories.append((paragraphs, minutes))
        record_id = f"b{batch}-{index}"
        hours, mins = divmod(minutes % 1440, 60)
        line = json.dumps({"id": record_id, "title": f"Story {record_id}", "text": "\n\n".join(paragraphs),
                           "source": rng.choice(["Daily Kalo", "Mirun Post", "Tavex News"]),
                           "published": f"2024-03-{1 + minutes // 1440 % 28:02d}T{hours:02d}:{mins:02d}:00Z"})
        lines_by_file.setdefault(f"batch{batch:04d}-{index // per_file:03d}.jsonl", []).append(line)
        valid.add(record_id)
    names = sorted(lines_by_file)
    for number, name in enumerate(names):
        lines = lines_by_file[name]
        lines.insert(len(lines) // 2, '{"id": "broken", "text": ')  # an invalid line
        bad.add(f"{folder / name}:{len(lines) // 2 + 1}")
        if number == 1:
            lines.append(lines_by_file[names[0]][0])  # a line repeated in another file
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    copied = folder / f"copy-of-{names[0]}"
    shutil.copyfile(folder / names[0], copied)  # a copied file: the same records again
    bad.add(f"{copied}:{len(lines_by_file[names[0]]) // 2 + 1}")
    return {"valid": valid, "bad": bad}


def read_table(output: Path, table: str) -> list[dict]:
    folder = output / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


def invariants(output: Path, expected: dict) -> dict[str, int]:
    """Counts of what the tables hold and of every violation (all but the first two: 0)."""
    articles, quotes, rejects = (read_table(output, t) for t in ("articles", "quotes", "rejects"))
    ids = Counter(row["article_id"] for row in articles)
    per_record = Counter(row["source_id"] for row in articles)
    canonicals = Counter(row["cluster_id"] for row in articles if row["is_canonical"])
    clusters = {row["cluster_id"] for row in articles}
    reject_refs = Counter(row["input_ref"] for row in rejects)
    article_refs = {row["input_ref"] for row in articles}
    return {
        "articles": len(articles),
        "rejects": len(rejects),
        "duplicate_article_ids": sum(n - 1 for n in ids.values()),
        "records_missing": len(expected["valid"] - set(per_record)),
        "records_twice": sum(1 for n in per_record.values() if n > 1),
        "bad_lines_missing": len(expected["bad"] - set(reject_refs)),
        "rejects_twice": sum(1 for n in reject_refs.values() if n > 1),
        "article_and_reject": len(article_refs & set(reject_refs)),
        "clusters_without_one_canonical": sum(1 for c in clusters if canonicals[c] != 1),
        "duplicate_quote_ids": len(quotes) - len({q["quote_id"] for q in quotes}),
        "staging_left": len(list((output / "_staging").rglob("*.parquet"))) if (output / "_staging").exists()
        else 0,
    }


def violations(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k not in ("articles", "rejects") and v}


def pipeline_command(inputs: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "run", "--input", str(inputs), "--output", str(output), *extra]


def run(command: list[str], kill_after: float | None = None, fault: str | None = None) -> int:
    """Runs the job; SIGKILL after kill_after seconds (None: let it finish). Returns the exit
    status (-9 when killed)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NEWSPIPE_FAULT", None)
    if fault:
        env["NEWSPIPE_FAULT"] = fault
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, stderr = process.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.communicate()
        return -9
    if process.returncode not in (0, -9):
        raise RuntimeError(f"run failed ({process.returncode}): {stderr.decode()[-2000:]}")
    return process.returncode


def merge(expected: dict, batch: dict) -> None:
    expected["valid"] |= batch["valid"]
    expected["bad"] |= batch["bad"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--records", type=int, default=1000, help="records of the first batch")
    parser.add_argument("--new-records", type=int, default=20, help="records of each new file")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", default="/tmp/newspipe-faults")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    inputs, output = work / "in", work / "out"
    inputs.mkdir(parents=True)
    stories: list = []
    expected = {"valid": set(), "bad": set()}
    merge(expected, make_batch(inputs, 0, args.records, rng, stories))
    started = time.monotonic()
    assert run(pipeline_command(inputs, output)) == 0
    duration = time.monotonic() - started  # a clean first run: the kills fall inside such a run
    totals = Counter()
    for round_ in range(1, args.kills + 1):
        merge(expected, make_batch(inputs, round_, args.new_records, rng, stories))
        # half the kills at a random time, half at a random step of the commit protocol
        point = rng.choice(POINTS) if rng.random() < 0.5 else None
        delay = None if point else rng.uniform(0.2, duration)
        status = run(pipeline_command(inputs, output), kill_after=delay,
                     fault=point and f"{point}:{rng.randint(1, 3) if point in REPEATED else 1}")
        totals[f"at.{point or 'random_time'}"] += 1
        totals["killed" if status == -9 else "finished"] += 1
        if status == 0:
            found = violations(invariants(output, expected))
            totals.update({f"after_finished.{k}": v for k, v in found.items()})
        print(f"round {round_}: {'killed' if status == -9 else 'finished'}", flush=True)
    assert run(pipeline_command(inputs, output)) == 0
    final = invariants(output, expected)
    assert run(pipeline_command(inputs, output)) == 0
    rerun = invariants(output, expected)
    report = {"kills": args.kills, "records": len(expected["valid"]), "bad_lines": len(expected["bad"]),
              "rounds": dict(totals), "final": final,
              "rerun_added_rows": {"articles": rerun["articles"] - final["articles"],
                                   "rejects": rerun["rejects"] - final["rejects"]}}
    print(json.dumps(report, indent=1, sort_keys=True))
    return 0 if not violations(final) and not any(report["rerun_added_rows"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time and peak memory of the dedup stage on synthetic articles with syndicated copies.

    .venv/bin/python -m bench.dedup [--sizes 10000 100000] [--runner FnApiRunner]

Each size runs twice in a fresh subprocess (so peak RSS is its own): once generating the
articles and counting them (baseline), once generating them and running Deduplicate. The dedup
figure is the difference in wall time; peak memory is the dedup run's maximum RSS. Articles are
made inside the pipeline (beam.Create of 100k dicts alone costs seconds of pipeline building).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import apache_beam as beam

from transforms.common.config import load_config
from transforms.dedup.beam import Deduplicate

CHUNK = 1000  # articles generated per element of the seed collection
T0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
AGENCIES = ["AP", "Reuters", "TASS", "AFP", "dpa"]
OUTLETS = ["Daily Example", "MSN", "Yahoo News", "UrduPoint", "Big News Network", "Head Topics"]


def vocabulary(seed: int = 3, size: int = 20000) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]


VOCABULARY = vocabulary()


def chunk_articles(chunk: int) -> list[dict]:
    """About CHUNK articles: stories (6-9 paragraphs) each with 0-4 trimmed or edited copies."""
    rng = random.Random(chunk)
    out: list[dict] = []
    story = 0
    while len(out) < CHUNK:
        story += 1
        paragraphs = [" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(25, 45))) + "."
                      for _ in range(rng.randint(6, 9))]
        agency = rng.choice(AGENCIES)
        published = T0 + timedelta(minutes=rng.randrange(60 * 24 * 30))
        key = f"{chunk}-{story}"
        out.append(_article(f"o{key}", paragraphs, agency, agency, published))
        for copy in range(rng.choice([0, 1, 1, 2, 3, 4])):
            body = paragraphs[:rng.randint(3, len(paragraphs))]
            if rng.random() < 0.3 and len(body) > 3:
                body = body[:1] + body[2:]
            out.append(_article(f"c{key}-{copy}", body, rng.choice(OUTLETS), agency,
                                published + timedelta(minutes=rng.randint(-30, 600))))
    return out[:CHUNK]


def _article(article_id: str, paragraphs: list[str], source: str, agency: str, published) -> dict:
    return {"article_id": article_id, "text": "\n\n".join(paragraphs), "title": None, "source": source,
            "credited_agency": agency, "published_at": published, "lang": "en", "url": None,
            "input_ref": f"synthetic:{article_id}"}


def run_once(size: int, mode: str, runner: str) -> dict:
    started = time.perf_counter()
    with beam.Pipeline(runner=runner) as pipeline:
        articles = (pipeline | beam.Create(list(range(size // CHUNK)))
                    | beam.FlatMap(chunk_articles) | beam.Reshuffle())
        if mode == "dedup":
            articles = (articles | Deduplicate(load_config()["dedup"]))["articles"]
        _ = articles | beam.combiners.Count.Globally()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": size, "mode": mode, "seconds": seconds, "peak_mb": peak_mb}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--runner", default="FnApiRunner")
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_once(int(args.one[0]), args.one[1], args.runner)))
        return
    results = {}
    for size in args.sizes:
        for mode in ("baseline", "dedup"):
            done = subprocess.run([sys.executable, "-m", "bench.dedup", "--one", str(size), mode,
                                   "--runner", args.runner], capture_output=True, text=True, check=True)
            results[size, mode] = json.loads(done.stdout.strip().splitlines()[-1])
    header = ("articles", "pipeline s", "baseline s", "dedup s", "peak MB", "growth")
    print("{:>9} {:>11} {:>11} {:>8} {:>8} {:>7}".format(*header))
    first = None
    for size in args.sizes:
        dedup, base = results[size, "dedup"], results[size, "baseline"]
        stage = dedup["seconds"] - base["seconds"]
        first = first or (size, stage)
        growth = f"{stage / first[1]:.1f}x" if size != first[0] else "-"
        print(f"{size:>9} {dedup['seconds']:>11.1f} {base['seconds']:>11.1f} {stage:>8.1f} "
              f"{dedup['peak_mb']:>8.0f} {growth:>7}")


if __name__ == "__main__":
    main()

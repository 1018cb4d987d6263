"""Whole-pipeline cost against trafilatura's extraction alone, on the same synthetic pages.

    .venv/bin/python -m bench.throughput [--pages 400] [--workers 1]

Prints docs/s for: plain `trafilatura.extract` (the baseline), each stage's core alone, and
the whole pipeline run on the local runner (reading, extraction, cleaning, language, quotes,
dedup, Parquet writing); then the ratio whole-pipeline time / baseline time. Measured in one
process on one machine, so the ratio holds even where absolute speeds differ.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import trafilatura

from bench.synthetic import pages
from pipeline import logs


def timed(label: str, func, items, results: dict) -> list:
    started = time.perf_counter()
    out = [func(item) for item in items]
    seconds = time.perf_counter() - started
    results[label] = seconds
    print(f"{label:<34} {len(items) / seconds:8.1f} docs/s  {seconds:7.2f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--workers", type=int, default=1, help="direct_num_workers for the pipeline run")
    args = parser.parse_args()
    logs.setup()

    from pipeline import assemble
    from pipeline.config import load_config
    from transforms.clean import Cleaner
    from transforms.extract import draft_from_record
    from transforms.language import LanguageDetector
    from transforms.quotes import QuoteExtractor
    from transforms.records import RawRecord

    html = pages(args.pages)
    config = load_config()
    results: dict[str, float] = {}
    print(f"{args.pages} synthetic pages, {sum(map(len, html)) / len(html) / 1024:.0f} KB on average")
    timed("trafilatura.extract (baseline)", lambda h: trafilatura.extract(h, deduplicate=False), html,
          results)
    drafts = timed("extract stage", lambda h: draft_from_record(RawRecord("x", html=h), config["extract"]),
                   html, results)
    cleaner = Cleaner.from_config(config["clean"])
    cleaned = timed("clean stage", cleaner.clean, drafts, results)
    detector = LanguageDetector(config["lang"])
    timed("language stage", lambda c: detector.detect(c.text), cleaned, results)
    quoter = QuoteExtractor.from_config(config["quotes"])
    timed("quotes stage", lambda c: quoter.extract(c.text), cleaned, results)

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        for i, text in enumerate(html):
            (folder / f"page-{i:05d}.html").write_text(text, encoding="utf-8")
        beam_args = ["--runner=FnApiRunner"]
        if args.workers > 1:
            beam_args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={args.workers}"]
        request = assemble.RunRequest(inputs=[str(folder)], output=str(out), config=config,
                                      state_dir=str(out / "_state"), full_refresh=True,
                                      beam_args=beam_args)
        started = time.perf_counter()
        record = assemble.run(request)
        seconds = time.perf_counter() - started
        results["pipeline"] = seconds
        print(f"{'whole pipeline (' + str(args.workers) + ' worker)':<34} {args.pages / seconds:8.1f} docs/s"
              f"  {seconds:7.2f} s  ({record['counts']['articles']} articles)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    ratio = results["pipeline"] / results["trafilatura.extract (baseline)"]
    print(f"\nratio whole pipeline / trafilatura.extract alone: {ratio:.2f}x")


if __name__ == "__main__":
    main()

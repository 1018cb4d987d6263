"""Whole-pipeline cost against trafilatura's extraction alone, on the same synthetic pages.

    .venv/bin/python -m bench.throughput [--pages 400] [--workers 1] [--html-dir DIR]

Prints docs/s for: plain `trafilatura.extract` (the baseline), each stage's core alone, and
the whole pipeline run on the local runner (reading, extraction, cleaning, language, quotes,
dedup, Parquet writing) at a quarter and at all of the pages; from the two runs, the per-run
start-up and the per-page cost, and the ratios per page and for the whole run against the
baseline. Measured in one process on one machine, so the ratios hold where absolute speeds
differ.
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
    parser.add_argument("--html-dir", help="use the .html pages of this folder instead of synthetic ones")
    args = parser.parse_args()
    logs.setup()

    from transforms.clean.cleaner import Cleaner
    from transforms.common.config import load_config
    from transforms.common.records import RawRecord
    from transforms.extract.html import draft_from_record
    from transforms.lang.detector import LanguageDetector
    from transforms.quotes.extractor import QuoteExtractor

    if args.html_dir:
        paths = sorted(Path(args.html_dir).glob("*.htm*"))[: args.pages]
        html = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
        args.pages = len(html)
    else:
        html = pages(args.pages)
    config = load_config()
    results: dict[str, float] = {}
    kind = f"pages from {args.html_dir}" if args.html_dir else "synthetic pages"
    print(f"{args.pages} {kind}, {sum(map(len, html)) / len(html) / 1024:.0f} KB on average")
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

    small = html[: max(1, len(html) // 4)]
    first = run_pipeline(small, args.workers)
    whole = run_pipeline(html, args.workers)
    for pages_run, seconds in ((small, first), (html, whole)):
        label = f"whole pipeline, {len(pages_run)} pages"
        print(f"{label:<34} {len(pages_run) / seconds:8.1f} docs/s  {seconds:7.2f} s")
    baseline = results["trafilatura.extract (baseline)"]
    # Two sizes separate the per-run start-up (runner, workers' set-up) from the per-page cost.
    per_page = (whole - first) / (len(html) - len(small))
    fixed = whole - per_page * len(html)
    print(f"\nper-run start-up: {fixed:.2f} s; per page: {per_page * 1000:.2f} ms "
          f"(trafilatura.extract alone: {baseline / len(html) * 1000:.2f} ms)")
    ratio = per_page * len(html) / baseline
    print(f"ratio per page, whole pipeline / trafilatura.extract alone: {ratio:.2f}x")
    print(f"ratio whole run incl. start-up / trafilatura.extract alone: {whole / baseline:.2f}x")


def run_pipeline(html: list[str], workers: int) -> float:
    """Seconds for one full pipeline run over these pages written as .html files."""
    from pipeline import assemble
    from transforms.common.config import load_config

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    try:
        for i, text in enumerate(html):
            (folder / f"page-{i:05d}.html").write_text(text, encoding="utf-8")
        beam_args = ["--runner=FnApiRunner"]
        if workers > 1:
            beam_args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
        request = assemble.RunRequest(inputs=[str(folder)], output=str(out), config=load_config(),
                                      state_dir=str(out / "_state"), full_refresh=True, beam_args=beam_args)
        started = time.perf_counter()
        assemble.run(request)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

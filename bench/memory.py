"""Peak RSS of `python -m pipeline run` against the number of documents (issue 16: memory must
not grow with N beyond the dedup state).

    .venv/bin/python -m bench.memory [--docs 500 2000] [--layout pages|jsonl] [--workers 1|2]
        [--pages-dir ../shared/data/dev/extraction/inputs] [--keep DIR]

For each N, bench.throughput's N distinct documents (a folder of .html pages or one .jsonl
file) are run through the pipeline (fresh output, --full-refresh) and the peak RSS of the run's
process tree (sampled every 0.1 s) is printed with the growth per document between the sizes,
and, on 2 workers, each process's own peak (the runner, the SDK workers).
RSS does not depend on the machine's load; the wall and CPU seconds printed beside it do.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench.throughput import DEFAULT_PAGES, TWO_WORKERS, pipeline_command, run_process, write_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--layout", choices=["pages", "jsonl"], default="pages")
    parser.add_argument("--workers", type=int, choices=[1, 2], default=1)
    parser.add_argument("--pages-dir", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--keep", type=Path, help="write inputs and outputs here (kept)")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    previous = None
    try:
        for n in sorted(args.docs):
            folder = tmp / f"in-{n}-{args.layout}"
            target = folder / ("pages" if args.layout == "pages" else "docs.jsonl")
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                write_inputs(args.pages_dir, n, folder, [args.layout])
            output = tmp / f"out-{n}-{args.layout}"
            shutil.rmtree(output, ignore_errors=True)
            beam_args = TWO_WORKERS if args.workers == 2 else []
            result = run_process(pipeline_command(target, output, beam_args), f"N={n}")
            mib = result["peak_rss"] / 2**20
            growth = "" if previous is None else (
                f", {(mib - previous[1]) * 1024 / (n - previous[0]):.1f} KiB/doc since N={previous[0]}")
            each = "" if args.workers == 1 else " [" + ", ".join(
                f"{role} {rss / 2**20:.0f}" for role, rss in result["processes"]) + " MiB]"
            print(f"N={n:>6} {args.layout} {args.workers} worker(s): peak RSS {mib:6.0f} MiB{each} "
                  f"({result['seconds']:.0f} s wall, {result['cpu']:.0f} s CPU){growth}", flush=True)
            previous = (n, mib)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

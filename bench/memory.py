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
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.throughput import DEFAULT_PAGES, ROOT, TWO_WORKERS, _children_cpu, pipeline_command, write_inputs


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) of every process (from /proc; Linux only)."""
    found = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                found[int(entry)] = (int(fields[1]), int(fields[21]) * page)
            except (OSError, IndexError, ValueError):
                continue
    return found


def _role(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = handle.read().split(b"\0")
    except OSError:
        return "gone"
    if argv and argv[0].endswith(b"sh"):
        return "shell"
    return "worker" if b"apache_beam.runners.worker.sdk_worker_main" in argv else "runner"


def run_sampled(command: list[str], label: str) -> dict:
    """Wall and CPU time, peak RSS of the process tree and each process's own peak, of one
    command; exits when it fails."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, per_process, roles = [0], {}, {}

    def sample():
        while process.poll() is None:
            everything = _processes()
            children: dict[int, list[int]] = {}
            for pid, (parent, _) in everything.items():
                children.setdefault(parent, []).append(pid)
            total, pending = 0, [process.pid]
            while pending:
                pid = pending.pop()
                pending.extend(children.get(pid, []))
                rss = everything.get(pid, (0, 0))[1]
                total += rss
                per_process[pid] = max(per_process.get(pid, 0), rss)
                if pid not in roles:
                    roles[pid] = _role(pid)
            peak[0] = max(peak[0], total)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        sys.exit(f"{label} failed ({process.returncode}): {err[-3000:]}")
    processes = sorted(((roles[pid], rss) for pid, rss in per_process.items()
                        if roles[pid] in ("runner", "worker")),
                       key=lambda item: (item[0] != "runner", -item[1]))
    return {"seconds": seconds, "cpu": _children_cpu() - cpu_before, "peak_rss": peak[0],
            "processes": processes}


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
            result = run_sampled(pipeline_command(target, output, beam_args), f"N={n}")
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

"""Whole-pipeline throughput against trafilatura's extraction alone, measured in one run.

    .venv/bin/python -m bench.throughput [--docs 5000] [--layout pages|jsonl|both]
        [--pages-dir ../shared/data/dev/extraction/inputs] [--sample 300] [--skip-make-run]

The pages of a folder are made into N distinct documents (copy k of a page has the words of its
text remapped by a per-copy permutation of the page's own vocabulary, so copies share no
shingles and dedup sees N different stories), written as a folder of .html files and/or one
.jsonl file. Then, each as a whole process's wall time (start-up and imports included):
(a) a bare `trafilatura.extract` loop over the same documents, (b) `python -m pipeline run`
(files in, all tables out) on 1 worker, (c) the same on 2 workers
(--direct_running_mode=multi_processing --direct_num_workers=2), with the peak RSS of each run
(summed over its process tree, sampled every 0.1 s); the per-stage cost (ms/doc) of each core
on a sample, in this process; the wall time of `make run`'s command on the seeds (fresh output,
the venv present). It prints b/a and c/b last. Absolute figures depend on the machine's load,
which is printed beside them: compare the ratios, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ROOT.parent.parent / "shared" / "data" / "dev" / "extraction" / "inputs"
if not DEFAULT_PAGES.is_dir():
    DEFAULT_PAGES = ROOT.parent / "shared" / "data" / "dev" / "extraction" / "inputs"
TWO_WORKERS = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]

# --- N distinct documents from a folder of pages ---------------------------------------------

_SEGMENTS = re.compile(r"(<[^>]*>)")
_WORD = re.compile(r"[^\W\d_]{3,}")
# Speech cues and function words keep their place, so quotes and languages stay findable.
KEEP = frozenset("said says told added according stated asked that the and for with from".split())


def _vocabulary(html: str) -> list[str]:
    words: set[str] = set()
    for text in _text_segments(html):
        words.update(w.lower() for w in _WORD.findall(text))
    return sorted(words - KEEP)


def _text_segments(html: str):
    skip = False
    for segment in _SEGMENTS.split(html):
        if segment.startswith("<"):
            lowered = segment[:8].lower()
            if lowered.startswith(("<script", "<style")):
                skip = True
            elif lowered.startswith(("</script", "</style")):
                skip = False
        elif not skip:
            yield segment


def variant(html: str, copy: int, vocabulary: list[str]) -> str:
    """Copy `copy` of a page: words of its text (not of scripts, styles or tags) remapped by a
    permutation of its vocabulary seeded by the copy number; copy 0 is the page itself."""
    if copy == 0 or not vocabulary:
        return html
    shuffled = vocabulary[:]
    random.Random(copy).shuffle(shuffled)
    mapping = dict(zip(vocabulary, shuffled, strict=True))

    def swap(match: re.Match) -> str:
        word = match.group(0)
        new = mapping.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new

    out, skip = [], False
    for segment in _SEGMENTS.split(html):
        if segment.startswith("<"):
            lowered = segment[:8].lower()
            skip = lowered.startswith(("<script", "<style")) or (skip and not lowered.startswith(
                ("</script", "</style")))
            out.append(segment)
        else:
            out.append(segment if skip else _WORD.sub(swap, segment))
    return "".join(out)


def documents(pages_dir: Path, count: int):
    """(name, html) of `count` distinct documents cycling over the folder's pages."""
    paths = sorted(p for p in pages_dir.iterdir() if p.suffix in (".html", ".htm"))
    if not paths:
        sys.exit(f"no .html pages in {pages_dir}")
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    vocabularies = [_vocabulary(page) for page in pages]
    for i in range(count):
        page = i % len(pages)
        yield f"doc-{i:06d}", variant(pages[page], i // len(pages), vocabularies[page])


def write_inputs(pages_dir: Path, count: int, folder: Path, layouts: list[str]) -> dict[str, Path]:
    made = {}
    folder.mkdir(parents=True, exist_ok=True)  # --layout jsonl alone makes no pages folder in it
    if "pages" in layouts:
        made["pages"] = folder / "pages"
        made["pages"].mkdir(parents=True)
    if "jsonl" in layouts:
        made["jsonl"] = folder / "docs.jsonl"
    handle = made["jsonl"].open("w", encoding="utf-8") if "jsonl" in made else None
    for name, html in documents(pages_dir, count):
        if "pages" in made:
            (made["pages"] / f"{name}.html").write_text(html, encoding="utf-8")
        if handle:
            handle.write(json.dumps({"id": name, "html": html}, ensure_ascii=False) + "\n")
    if handle:
        handle.close()
    return made


def html_of(inputs: Path):
    if inputs.is_dir():
        for path in sorted(inputs.iterdir()):
            yield path.read_text(encoding="utf-8")
    else:
        with inputs.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)["html"]


# --- timing whole processes ------------------------------------------------------------------


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
    workers = (b"apache_beam.runners.worker.sdk_worker_main", b"pipeline.sdkworker")  # Beam's, ours
    return "worker" if any(name in argv for name in workers) else "runner"


def run_process(command: list[str], label: str) -> dict:
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
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode:
        sys.exit(f"{label} failed ({process.returncode}): {err[-3000:]}")
    processes = sorted(((roles[pid], rss) for pid, rss in per_process.items()
                        if roles[pid] in ("runner", "worker")),
                       key=lambda item: (item[0] != "runner", -item[1]))
    return {"seconds": seconds, "cpu": _children_cpu() - cpu_before, "peak_rss": peak[0],
            "processes": processes, "stdout": out}


def _children_cpu() -> float:
    """User + system seconds of the finished children (a run's workers included: it waits for them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pipeline_command(inputs: Path, output: Path, beam_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pipeline", "run", "--input", str(inputs), "--output", str(output),
            "--full-refresh", *beam_args]


def extract_loop(inputs: Path) -> None:
    """(a): the bare loop, run as its own process by main()."""
    import trafilatura

    extracted = [trafilatura.extract(html) is not None for html in html_of(inputs)]
    print(f"{sum(extracted)} of {len(extracted)} pages gave text")


# --- per-stage cost on a sample, in this process ---------------------------------------------


def stage_costs(inputs: Path, sample: int, tmp: Path) -> dict[str, float]:
    """ms/doc of each stage's core over the first `sample` documents of `inputs`."""
    from datetime import datetime, timezone

    from pipeline import logs

    logs.setup()
    from transforms.articles.rows import article_row, quote_row
    from transforms.articles.steps import Tools
    from transforms.common.config import load_config
    from transforms.dedup.candidates import band_entries, partner_index, shard_pairs
    from transforms.dedup.minhash import MinHasher, band_keys, fingerprint_tokens, hash_tokens, pack, tokens
    from transforms.extract.html import draft_from_record
    from transforms.read.files import expand_inputs, read_file

    config = load_config()
    costs: dict[str, float] = {}

    def timed(name, func, items):
        started = time.perf_counter()
        out = [func(item) for item in items]
        costs[name] = (time.perf_counter() - started) * 1000 / max(len(items), 1)
        return out

    files, _ = expand_inputs([str(inputs)])
    started = time.perf_counter()
    records = []
    for path in files:
        for item in read_file(path, config["input"]):
            records.append(item)
            if len(records) >= sample:
                break
        if len(records) >= sample:
            break
    costs["reading"] = (time.perf_counter() - started) * 1000 / len(records)
    now = datetime.now(timezone.utc)
    tools = Tools.from_config(config, "bench", now)
    drafts = timed("extraction", lambda r: draft_from_record(r, config["extract"]), records)
    cleaned = timed("cleaning", tools.cleaner.clean, drafts)
    langs = timed("language", lambda c: tools.detector.detect(c.text), cleaned)
    rows = [article_row(r, c, lang, conf, "bench", now)
            for r, c, (lang, conf) in zip(records, cleaned, langs, strict=True)]
    quotes = timed("quotes", lambda pair: [quote_row(pair[0], q) for q in tools.quoter.extract(pair[1].text)],
                   list(zip(rows, cleaned, strict=True)))
    settings = config["dedup"]
    hasher = MinHasher(settings["num_perm"], settings["seed"])

    def fingerprint(row):
        words = tokens(row["text"])
        fp = fingerprint_tokens(words, settings["shingle_size"])
        bands = band_keys(hasher.signature(fp.unique), settings["band_rows"])
        import numpy as np

        row["content_hash"] = hash_tokens(words)
        return row["article_id"], (pack(fp), np.array(bands, dtype=np.uint64).tobytes(), False)

    started = time.perf_counter()
    keyed = [fingerprint(row) for row in rows]
    shards: dict[int, list] = {}
    for entry in (e for kv in keyed for e in band_entries(kv)):
        shards.setdefault(entry[0], []).append(entry[1])
    pairs = sorted({p for item in shards.items() for p in shard_pairs(item, settings["max_bucket"])})
    partner_index(pairs)
    costs["dedup"] = (time.perf_counter() - started) * 1000 / len(rows)
    costs["writing"] = write_cost(rows, [q for qs in quotes for q in qs], tmp)
    costs["commit"] = commit_cost(rows, tmp)
    return costs


def write_cost(rows: list[dict], quotes: list[dict], tmp: Path) -> float:
    import pyarrow as pa

    from transforms.write.files import file_schema, write_parquet

    started = time.perf_counter()
    for table, items in (("articles", rows), ("quotes", quotes)):
        stamped = [{**row, "cluster_id": row["article_id"], "is_canonical": True,
                    "canonical_id": row["article_id"]} if table == "articles" else row for row in items]
        schema = file_schema(table, ("date", "lang"))
        write_parquet(str(tmp / f"{table}.parquet"), pa.Table.from_pylist(stamped, schema=schema), "zstd")
    return (time.perf_counter() - started) * 1000 / len(rows)


def commit_cost(rows: list[dict], tmp: Path) -> float | None:
    """The driver's commit of what the run ingested (pending file -> state), per document."""
    try:
        from transforms.state import ingested as state

        state_dir = tmp / "state"
        state_dir.mkdir(exist_ok=True)
        pending = str(state_dir / "pending-bench.json")
        started = time.perf_counter()
        items = [item for row in rows for item in state.ingest_items("article", row)]
        state.write_pending(items, pending)
        state.stage_state(state.State.load(str(state_dir), full_refresh=True), pending, "bench")
        return (time.perf_counter() - started) * 1000 / len(rows)
    except (ImportError, AttributeError, TypeError) as error:  # the commit protocol changed
        print(f"commit cost not measured: {error}")
        return None


# --- the report ------------------------------------------------------------------------------


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=5000, help="N distinct documents")
    parser.add_argument("--layout", choices=["pages", "jsonl", "both"], default="pages",
                        help="a folder of .html pages, one .jsonl file, or both (c is run on each)")
    parser.add_argument("--pages-dir", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--sample", type=int, default=300, help="documents for the per-stage costs")
    parser.add_argument("--skip-make-run", action="store_true")
    parser.add_argument("--extract-loop", type=Path, help=argparse.SUPPRESS)  # (a)'s own process
    args = parser.parse_args()
    if args.extract_loop:
        extract_loop(args.extract_loop)
        return
    layouts = ["pages", "jsonl"] if args.layout == "both" else [args.layout]
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        report(args, layouts, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(args, layouts: list[str], tmp: Path) -> None:
    made = write_inputs(args.pages_dir, args.docs, tmp / "in", layouts)
    first = made[layouts[0]]
    n = args.docs
    print(f"{n} documents from {args.pages_dir} as {', '.join(layouts)}; load {load()}")
    a = run_process([sys.executable, "-m", "bench.throughput", "--extract-loop", str(first)], "(a)")
    b, c = {}, {}
    for layout in layouts:  # b and c of one layout one after the other: the same machine load
        b[layout] = run_process(pipeline_command(made[layout], tmp / f"out-b-{layout}", []), f"(b) {layout}")
        c[layout] = run_process(pipeline_command(made[layout], tmp / f"out-c-{layout}", TWO_WORKERS),
                                f"(c) {layout}")
    costs = stage_costs(first, min(args.sample, n), tmp / "stages")
    make_run = None if args.skip_make_run else run_process(
        [sys.executable, "-m", "pipeline", "run", "--input", "seeds", "--output", str(tmp / "out-seeds")],
        "make run")
    print(f"\nper-stage cost on {min(args.sample, n)} documents, one core (ms/doc):")
    for name in ("reading", "extraction", "cleaning", "language", "quotes", "dedup", "writing", "commit"):
        value = costs.get(name)
        print(f"  {name:<11} {'n/a' if value is None else f'{value:8.2f}'}")
    total = sum(v for v in costs.values() if v)
    print(f"  {'sum':<11} {total:8.2f}")
    print("\nwhole processes (wall time incl. start-up; peak RSS summed over the process tree):")
    rows = [("(a) trafilatura.extract loop", a)]
    for layout in layouts:
        rows += [(f"(b) pipeline, 1 worker, {layout}", b[layout]),
                 (f"(c) pipeline, 2 workers, {layout}", c[layout])]
    for label, result in rows:
        print(f"  {label:<36} {n / result['seconds']:7.1f} docs/s {result['seconds']:8.1f} s wall "
              f"{result['cpu']:8.1f} s CPU  peak RSS {result['peak_rss'] / 2**20:6.0f} MiB")
    b_first = b[layouts[0]]
    print(f"  per doc: (b) {b_first['seconds'] * 1000 / n:.2f} ms, (a) {a['seconds'] * 1000 / n:.2f} ms wall;"
          f" (b) {b_first['cpu'] * 1000 / n:.2f} ms, (a) {a['cpu'] * 1000 / n:.2f} ms CPU")
    if make_run:
        print(f"  make run on the seeds (python -m pipeline run): {make_run['seconds']:.2f} s wall, "
              f"{make_run['cpu']:.2f} s CPU, peak RSS {make_run['peak_rss'] / 2**20:.0f} MiB")
    print(f"load after: {load()}")
    # CPU seconds do not depend on how busy the machine is (the wall ratios do, on a shared one).
    print(f"\nb/a = {a['seconds'] / b_first['seconds']:.2f} ({layouts[0]}; "
          f"CPU: {a['cpu'] / b_first['cpu']:.2f})")
    for layout in layouts:
        print(f"c/b = {b[layout]['seconds'] / c[layout]['seconds']:.2f} ({layout})")


if __name__ == "__main__":
    main()

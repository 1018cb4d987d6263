"""The run record (`OUTPUT/_runs/<run_id>.json`) and the summary printed at the end."""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import metadata

from transforms.common.metrics import STAGE_TIME_PREFIX

REJECTS_PREFIX = "rejects."


def run_record(request, counters: dict[str, int], files: list[str], urls: list[str],
               seconds: float) -> dict:
    rejects_by_type = {
        name.removeprefix(REJECTS_PREFIX): count
        for name, count in sorted(counters.items())
        if name.startswith(REJECTS_PREFIX)
    }
    stage_seconds = {
        name.removeprefix(STAGE_TIME_PREFIX): round(count / 1e6, 3)
        for name, count in sorted(counters.items())
        if name.startswith(STAGE_TIME_PREFIX)
    }
    counts = {
        name: count for name, count in sorted(counters.items())
        if not name.startswith((REJECTS_PREFIX, STAGE_TIME_PREFIX))
    }
    counts["rejects"] = sum(rejects_by_type.values())
    for name in ("articles", "quotes", "clusters", "duplicates", "skipped_already_ingested"):
        counts.setdefault(name, 0)
    counts["records"] = counts["articles"] + counts["rejects"] + counts["skipped_already_ingested"]
    return {
        "run_id": request.run_id,
        "started_at": request.started_at.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "duration_s": round(seconds, 3),
        "output": request.output,
        "state": request.state_dir,
        "full_refresh": request.full_refresh,
        "inputs": {"files": len(files), "urls": len(urls), "given": list(request.inputs),
                   "feeds": list(request.feeds)},
        "config": request.config,
        "code_version": code_version(),
        "status": "running",
        "counts": counts,
        "rejects_by_type": rejects_by_type,
        # seconds inside each stage, summed over workers (reading, the processing steps, writing;
        # the commit's own time is commit_s)
        "stage_seconds": stage_seconds,
    }


def code_version() -> str:
    """The installed package's version (the git commit is not known to an installed copy)."""
    try:
        return metadata.version("newspipe")
    except metadata.PackageNotFoundError:
        return "unknown"


def summary(record: dict) -> str:
    counts = record["counts"]
    lines = [
        f"run {record['run_id']} finished in {record['duration_s']:.1f} s",
        f"  inputs:   {record['inputs']['files']} files, {record['inputs']['urls']} URLs, "
        f"{counts['records']} records",
        f"  articles: {counts['articles']} ({counts['clusters']} stories, "
        f"{counts['duplicates']} duplicates)",
        f"  quotes:   {counts['quotes']}",
        f"  rejects:  {counts['rejects']}"
        + (f" ({', '.join(f'{k}: {v}' for k, v in record['rejects_by_type'].items())})"
           if record["rejects_by_type"] else ""),
    ]
    if counts["skipped_already_ingested"]:
        lines.append(f"  skipped:  {counts['skipped_already_ingested']} already ingested")
    if counts.get("skipped_already_rejected"):
        lines.append(f"            {counts['skipped_already_rejected']} rejects reported by an earlier run")
    lines.append(f"  output:   {record['output']}")
    return "\n".join(lines)

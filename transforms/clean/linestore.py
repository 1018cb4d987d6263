"""The line statistics' state file: <state>/lines/lines.jsonl (JSON Lines, never pickle).

First line: {"schema_version": 1, "kind": "line_stats"}; then one object per line key: "key",
"groups" (different stories it was seen in), "reps" (a few stories' word sketches, 8 hex digits
per value), "masked" (the key has names masked), "docs". The Beam step reads the live file at
the start of a run and writes this run's whole new table to lines/pending-<run_id>.jsonl; the
driver promotes it after the pipeline finished (commit_pending), so a failed run leaves the
live file as it was. All I/O goes through transforms/common/fs.py: local, gs:// and s3:// alike.
"""

from __future__ import annotations

import json

from transforms.common import fs

SCHEMA_VERSION = 1
FOLDER = "lines"
LIVE = "lines.jsonl"


class LineStateError(ValueError):
    """The live file cannot be read as this schema (a newer version, a broken line)."""


def live_path(state_dir: str) -> str:
    return fs.join(state_dir, FOLDER, LIVE)


def pending_path(state_dir: str, run_id: str) -> str:
    return fs.join(state_dir, FOLDER, f"pending-{run_id}.jsonl")


def encode(history: dict[str, dict]) -> bytes:
    lines = [json.dumps({"schema_version": SCHEMA_VERSION, "kind": "line_stats"})]
    lines += [json.dumps({"key": key, **entry}, sort_keys=True) for key, entry in sorted(history.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def decode(data: bytes) -> dict[str, dict]:
    rows = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    if not rows:
        return {}
    try:
        header = json.loads(rows[0])
        if header.get("schema_version") != SCHEMA_VERSION:
            raise LineStateError(f"line statistics schema {header.get('schema_version')!r} is not "
                                 f"{SCHEMA_VERSION}; run with --full-refresh to rebuild")
        history = {}
        for row in rows[1:]:
            entry = json.loads(row)
            history[entry.pop("key")] = entry
        return history
    except (json.JSONDecodeError, KeyError, AttributeError) as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error


def read(state_dir: str | None, full_refresh: bool = False) -> dict[str, dict]:
    """The live history ({} without a state folder, on --full-refresh, or before the first run)."""
    if not state_dir or full_refresh:
        return {}
    path = live_path(state_dir)
    return decode(fs.read_bytes(path)) if fs.exists(path) else {}


def write_pending(state_dir: str, run_id: str, history: dict[str, dict]) -> str:
    path = pending_path(state_dir, run_id)
    fs.write_atomic(path, encode(history))
    return path


def commit_pending(state_dir: str | None, run_id: str) -> int:
    """Promote this run's pending table to the live file; returns the number of keys (0: none)."""
    if not state_dir:
        return 0
    pending = pending_path(state_dir, run_id)
    if not fs.exists(pending):
        return 0
    data = fs.read_bytes(pending)
    fs.write_atomic(live_path(state_dir), data)
    fs.delete(pending)
    return max(0, data.count(b"\n") - 1)

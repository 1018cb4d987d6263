"""The line statistics' state file: <state>/lines/lines.jsonl (JSON Lines, never pickle).

First line: {"schema_version": 1, "kind": "line_stats"}; then one object per line key: "key",
"groups" (different stories it was seen in), "reps" (a few stories' word sketches, 8 hex digits
per value), "masked" (the key has names masked), "docs". The Beam step reads the file the last
commit names and writes this run's whole new table under a name of its own attempt
(lines/lines-<attempt>.jsonl); the run's commit record names it (state section "lines"), so it
becomes live with the run's tables or not at all (docs/exactly-once.md). All I/O goes through
transforms/common/fs.py: local, gs:// and s3:// alike.
"""

from __future__ import annotations

import json

from transforms.common import fs

SCHEMA_VERSION = 1
FOLDER = "lines"
# json.dumps(sort_keys=True) builds an encoder per call: one for the (often 100k) entries
_SORTED = json.JSONEncoder(sort_keys=True)


class LineStateError(ValueError):
    """The live file cannot be read as this schema (a newer version, a broken line)."""


def attempt_path(state_dir: str, attempt: str) -> str:
    """Where an attempt writes its table; live only once a commit record names it."""
    return fs.join(state_dir, FOLDER, f"lines-{attempt}.jsonl")


def encode(history: dict[str, dict]) -> bytes:
    lines = [json.dumps({"schema_version": SCHEMA_VERSION, "kind": "line_stats"})]
    lines += [_SORTED.encode({"key": key, **entry}) for key, entry in sorted(history.items())]
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


def read(path: str | None) -> dict[str, dict]:
    """The history at `path` ({} for None: no state, --full-refresh, or before the first run)."""
    return decode(fs.read_bytes(path)) if path and fs.exists(path) else {}


def write(path: str, history: dict[str, dict]) -> str:
    fs.write_atomic(path, encode(history))
    return path

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
import re

from transforms.common import fs

SCHEMA_VERSION = 1
FOLDER = "lines"
# json.dumps(sort_keys=True) builds an encoder per call: one for the (often 100k) entries
_SORTED = json.JSONEncoder(sort_keys=True)
_STRING = json.encoder.encode_basestring_ascii  # a string as json.dumps writes it


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


# --- merging a run's entries into the history with bounded memory ----------------------------
# The run's entries (one per line key it saw, ~100 per article) are spilled to JSON Lines chunk
# files by the step that decides them, and merged here one at a time: in memory are the old
# history (at most max_keys entries) and at most max_keys + a slack of this run's entries,
# each as its finished line. The result is what prune(old.update(entries)) with the judged keys'
# groups raised gives (the ranking is a total order, see linestats.prune).

PRUNE_SLACK = 0.25  # this run's entries are cut back to max_keys past max_keys * (1 + this)


def entry_line(key: str, entry: dict) -> str:
    return _SORTED.encode({"key": key, **entry})  # as json.dumps(..., sort_keys=True)


def first_entry_line(key: str, rep: str) -> str:
    """entry_line of a verbatim key's first entry, {"groups": 1, "reps": [rep], "masked": False,
    "docs": 1}, written out directly (most of a run's keys: one JSON encoding call each cost
    more than their decision)."""
    return (f'{{"docs": 1, "groups": 1, "key": {_STRING(key)}, "masked": false, '
            f'"reps": [{_STRING(rep)}]}}')


def write_lines(path: str, lines: list[str]) -> str:
    """A spill chunk: entry lines as written by entry_line."""
    fs.write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path


# A line exactly as entry_line writes it (strings of printable ASCII but a quote or a backslash,
# which json.dumps writes unescaped; integers without sign or leading zeros): json.dumps(json.loads(
# line), sort_keys=True) gives it back unchanged, so it is ranked without parsing it.
_PLAIN = r'[ !#-\[\]-~]*'
_CANONICAL = re.compile(rf'\{{"docs": (0|[1-9][0-9]*), "groups": (0|[1-9][0-9]*), "key": "({_PLAIN})", '
                        rf'"masked": (?:true|false), "reps": \[(?:"{_PLAIN}"(?:, "{_PLAIN}")*)?\]\}}')


def _ranked(line: str, judged: frozenset[str], exact_groups: int,
            rewrite: bool = False) -> tuple[str, tuple[int, int, str]]:
    """key -> (-groups, -docs, line); a judged key's groups raised to exact_groups. `rewrite`:
    the line is written again as entry_line would (a line of the old file may be hand-made)."""
    plain = _CANONICAL.fullmatch(line)
    if plain and plain[3] not in judged:  # most lines: nothing to change
        return plain[3], (-int(plain[2]), -int(plain[1]), line)
    entry = json.loads(line)
    key = entry["key"]
    if key in judged:
        entry["groups"] = max(exact_groups, entry.get("groups", 0))
    if rewrite or key in judged:
        line = json.dumps(entry, sort_keys=True)
    return key, (-entry.get("groups", 0), -entry.get("docs", 0), line)


def _top(entries: dict[str, tuple], max_keys: int) -> dict[str, tuple]:
    if len(entries) <= max_keys:
        return entries
    ranked = sorted(entries.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0]))
    return dict(ranked[:max_keys])


def _old_lines(path: str | None):
    if not (path and fs.exists(path)):
        return
    rows = fs.read_bytes(path).decode("utf-8").splitlines()
    try:
        header = json.loads(rows[0]) if rows else {}
    except json.JSONDecodeError as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error
    if rows and header.get("schema_version") != SCHEMA_VERSION:
        raise LineStateError(f"line statistics schema {header.get('schema_version')!r} is not "
                             f"{SCHEMA_VERSION}; run with --full-refresh to rebuild")
    yield from (row for row in rows[1:] if row.strip())


def merge(old_path: str | None, chunks: list[str], judged, max_keys: int, exact_groups: int) -> bytes:
    """The new history file: the old one updated with the entries of the spill `chunks`, the
    `judged` keys' groups raised to exact_groups, pruned to max_keys."""
    judged = frozenset(judged)
    try:
        old = dict(_ranked(line, judged, exact_groups, True) for line in _old_lines(old_path))
    except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error
    new: dict[str, tuple] = {}
    limit = max_keys + max(1, int(max_keys * PRUNE_SLACK))
    for chunk in sorted(chunks):
        for line in fs.read_bytes(chunk).decode("utf-8").splitlines():
            if not line.strip():
                continue
            key, ranked = _ranked(line, judged, exact_groups)
            old.pop(key, None)  # replaced, whether or not the new entry stays
            new[key] = ranked
            if len(new) > limit:
                new = _top(new, max_keys)
    kept = _top({**old, **_top(new, max_keys)}, max_keys)
    lines = [json.dumps({"schema_version": SCHEMA_VERSION, "kind": "line_stats"})]
    lines += [kept[key][2] for key in sorted(kept)]
    return ("\n".join(lines) + "\n").encode("utf-8")

"""The commit log: one run is one transaction over the output tables, the run record and the state.

A run stages every file it writes under OUTPUT/_staging/<attempt>/ (tables, run record) or under
an immutable name in the state folder that nothing references yet (ingested part, feed cursors,
dedup generation). The commit point is one small JSON file, STATE/_log/g<generation>.json, that
names every staged file with its final path, every file the commit removes, and the state
files that make up the new generation. Publishing renames the staged files into place in that
order, deletes the removed ones, moves the run record last and writes the `.published` marker.
Every step is idempotent, so recovery (at the start of the next run, under the lock) finishes a
commit whose marker is missing, then discards staging that no commit names. See
docs/exactly-once.md.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from transforms.common import fs
from transforms.common.faults import fault

SCHEMA_VERSION = 1
LOG_DIR = "_log"
STAGING = "_staging"
LOCKS = "_lock"
RUNS = "_runs"
LOCK_EXPIRY_S = 24 * 3600  # a lock of another host older than this is taken as abandoned
RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_RECORD = re.compile(r"^g(\d{8})\.json$")
# A batch attempt's staging folder (g<generation>-<token>); the streaming job's window commits
# stage under the same _staging folder with names of their own, and finish themselves.
_ATTEMPT = re.compile(r"^g\d{8}-")


class StateError(RuntimeError):
    """State that cannot be read, written or locked; the message is one line for the user."""


class LockError(StateError):
    """Another run holds the output or the state."""


def check_run_id(run_id: str) -> str:
    if not RUN_ID.match(run_id) or ".." in run_id:
        raise StateError(f"invalid --run-id {run_id!r}: use 1-128 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    return run_id


# --- the commit record ---------------------------------------------------------------------


@dataclass
class Commit:
    generation: int
    run_id: str
    attempt: str
    output: str
    publish: list[list[str]] = field(default_factory=list)  # [staged, final], in publish order
    delete: list[str] = field(default_factory=list)  # final paths this commit removes
    state: dict = field(default_factory=dict)  # {"ingested": [...], "cursors": path, "dedup": folder}
    run_record: list[str] = field(default_factory=list)  # [staged, final]: moved last
    committed_at: str = ""
    schema_version: int = SCHEMA_VERSION



def staging(output: str, attempt: str) -> str:
    return fs.join(output, STAGING, attempt)


def log_dir(state_dir: str) -> str:
    return fs.join(state_dir, LOG_DIR)


def record_path(state_dir: str, generation: int) -> str:
    return fs.join(log_dir(state_dir), f"g{generation:08d}.json")


def latest(state_dir: str, output: str | None = None) -> Commit | None:
    """The last committed generation, None when the state is empty. Raises StateError on a
    commit record that cannot be read: never a silent reset."""
    generations = [int(m.group(1)) for m in (_RECORD.match(p.rsplit("/", 1)[-1])
                                             for p in fs.list_files(log_dir(state_dir))) if m]
    return read_commit(state_dir, max(generations), output) if generations else None


def read_commit(state_dir: str, generation: int, output: str | None = None) -> Commit:
    path = record_path(state_dir, generation)
    try:
        data = fs.read_json(path)
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version {data.get('schema_version') if isinstance(data, dict) else '?'}"
                             f" is not {SCHEMA_VERSION}")
        return _resolved(Commit(**data), state_dir, output or data["output"])
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise StateError(f"corrupt commit record {path}: {error}; move the state aside or use "
                         "--full-refresh with a new --state") from error


def _map_paths(commit: Commit, state_dir: str, output: str, convert) -> Commit:
    def table(path: str) -> str:
        return convert(path, output)

    state = dict(commit.state)
    state["ingested"] = [convert(p, state_dir) for p in state.get("ingested", [])]
    for key in ("cursors", "dedup"):
        state[key] = convert(state[key], state_dir) if state.get(key) else None
    return Commit(**{**asdict(commit), "output": output, "state": state,
                     "publish": [[table(a), table(b)] for a, b in commit.publish],
                     "delete": [table(p) for p in commit.delete],
                     "run_record": [table(p) for p in commit.run_record]})


def _relative(path: str, root: str) -> str:
    root = root.rstrip("/") + "/"
    if not path.startswith(root):
        raise StateError(f"{path} is outside {root}")
    return path[len(root):]


def _absolute(path: str, root: str) -> str:
    if path.startswith("/") or "://" in path:
        raise ValueError(f"absolute path {path} in a commit record")
    return fs.join(root, path)


def _resolved(commit: Commit, state_dir: str, output: str) -> Commit:
    return _map_paths(commit, state_dir, output, _absolute)


def write_commit(state_dir: str, commit: Commit) -> str:
    """The commit point: once this file exists the run is committed. Paths are stored relative
    to the output and state folders, so either can be moved or copied whole."""
    commit.committed_at = datetime.now(timezone.utc).isoformat()
    path = record_path(state_dir, commit.generation)
    if fs.exists(path):  # only a second writer could get here: the lock failed
        raise StateError(f"commit record {path} exists already; another run committed meanwhile")
    stored = _map_paths(commit, state_dir, commit.output, _relative)
    fs.write_json_atomic(path, asdict(stored))
    return path


def published_marker(state_dir: str, generation: int) -> str:
    return fs.join(log_dir(state_dir), f"g{generation:08d}.published")


def publish(state_dir: str, commit: Commit) -> None:
    """Rename the staged files into place, delete what the commit removes, move the run
    record, mark the commit published, drop its staging. Safe to repeat after a crash."""
    for staged, final in commit.publish:
        if fs.exists(staged):
            fs.rename(staged, final)
            fault("publish")
        elif not fs.exists(final):
            raise StateError(f"commit g{commit.generation:08d} lost its staged file {staged}")
    for path in commit.delete:
        fs.delete([path])
        fault("delete")
    if commit.run_record and fs.exists(commit.run_record[0]):
        fs.rename(*commit.run_record)
    fault("published")
    fs.write_json_atomic(published_marker(state_dir, commit.generation), {"generation": commit.generation})
    fs.delete_tree(staging(commit.output, commit.attempt))


def recover(state_dir: str, output: str) -> Commit | None:
    """At start, under the lock: finish the last commit if its publish was cut short, discard
    the staging of attempts that never committed (recording them as failed), and drop state
    files that no commit names. Returns the last commit."""
    head = latest(state_dir, output)
    if head and not fs.exists(published_marker(state_dir, head.generation)):
        publish(state_dir, head)
    discard_uncommitted(output, head.attempt if head else None)
    if head:
        collect_garbage(state_dir, head)
    return head


def discard_uncommitted(output: str, committed: str | None = None) -> None:
    """Delete every batch attempt's staging folder; those of attempts other than `committed`
    (whose publish was finished, only its cleanup cut short) get a run record with status failed.
    Window commits of the streaming job (transforms/write/windows.py) are left to it."""
    staging = fs.join(output, STAGING)
    attempts = sorted({p[len(staging) + 1:].split("/", 1)[0] for p in fs.list_files(staging)})
    attempts = [attempt for attempt in attempts if _ATTEMPT.match(attempt)]
    for attempt in attempts:
        folder = fs.join(staging, attempt)
        meta = fs.join(folder, "_attempt.json")
        try:
            info = fs.read_json(meta) if fs.exists(meta) else None
        except (OSError, ValueError):
            info = None
        if attempt != committed and isinstance(info, dict) and info.get("run_id"):
            write_failed_record(output, {**info, "status": "failed",
                                         "error": "killed before its commit; discarded by a later run"})
        fs.delete_tree(folder)


STATE_FOLDERS = ("ingested", "feeds", "dedup", "lines")


def collect_garbage(state_dir: str, head: Commit) -> None:
    """Delete state files of attempts that never committed or of older generations."""
    keep = set(head.state.get("ingested", []))
    keep.update(p for p in [head.state.get("cursors"), head.state.get("lines")] if p)
    dedup = head.state.get("dedup")
    for folder in STATE_FOLDERS:
        for path in fs.list_files(fs.join(state_dir, folder)):
            if path in keep or (dedup and path.startswith(dedup.rstrip("/") + "/")):
                continue
            fs.delete([path])
    markers = [p for p in fs.list_files(log_dir(state_dir)) if p.endswith(".published")]
    fs.delete([p for p in markers if p != published_marker(state_dir, head.generation)])


# --- run records -----------------------------------------------------------------------------


def run_record_path(output: str, run_id: str, generation: int | None = None) -> str:
    """_runs/<run_id>.json; a later attempt of a run id that already committed gets
    _runs/<run_id>.g<generation>.json, so a scheduler's retry never overwrites a record."""
    base = fs.join(output, RUNS, f"{run_id}.json")
    if generation is None or not fs.exists(base):
        return base
    try:
        earlier = fs.read_json(base)
    except (OSError, ValueError):
        earlier = {}
    if isinstance(earlier, dict) and earlier.get("status") == "failed":
        return base  # a failed attempt committed nothing: its record gives way
    return fs.join(output, RUNS, f"{run_id}.g{generation:08d}.json")


def write_failed_record(output: str, record: dict) -> str:
    path = run_record_path(output, record["run_id"], record.get("generation", 0))
    fs.write_json_atomic(path, record)
    return path


# --- the lock --------------------------------------------------------------------------------


@dataclass
class Lock:
    paths: list[str]

    def release(self) -> None:
        fs.delete(self.paths)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(info: dict, now: float) -> bool:
    if info.get("host") == socket.gethostname():
        return not _alive(int(info.get("pid", 0)))
    return now - float(info.get("created", 0)) > LOCK_EXPIRY_S


def acquire(folders: list[str], run_id: str) -> Lock:
    """Lock each folder for this run, or raise LockError. Works on object stores without a
    conditional write: each contender writes its own lock file, then lists them all, and withdraws
    when it sees any other live one (two that start at the same instant may both withdraw; two can
    never both proceed, given the read-after-write listing that S3, GCS and local disks give).
    A lock of a process that died on this host, or older than LOCK_EXPIRY_S elsewhere, is removed."""
    now = time.time()
    token = f"{int(now * 1e6):020d}-{uuid.uuid4().hex[:8]}"
    info = {"run_id": run_id, "pid": os.getpid(), "host": socket.gethostname(), "created": now,
            "schema_version": SCHEMA_VERSION}
    taken: list[str] = []
    try:
        for folder in dict.fromkeys(f.rstrip("/") for f in folders):
            mine = fs.join(folder, LOCKS, f"{token}.json")
            fs.write_json_atomic(mine, info)
            taken.append(mine)
            for other in fs.list_files(fs.join(folder, LOCKS)):
                if other != mine and other.endswith(".json"):
                    _refuse_unless_stale(other, folder)
    except BaseException:
        fs.delete(taken)
        raise
    return Lock(taken)


def _refuse_unless_stale(other: str, folder: str) -> None:
    try:
        held = fs.read_json(other)
    except (OSError, ValueError):
        held = {}
    if isinstance(held, dict) and held and _stale(held, time.time()):
        fs.delete([other])
        return
    held = held if isinstance(held, dict) else {}
    since = datetime.fromtimestamp(float(held.get("created", 0)), timezone.utc).strftime("%H:%M:%S UTC")
    raise LockError(f"{folder} is in use by run {held.get('run_id')} (pid {held.get('pid')} on "
                    f"{held.get('host')}, since {since}); wait for it, or delete {other} if it is gone")


def attempt_info(run_id: str, generation: int, attempt: str) -> bytes:
    return json.dumps({"run_id": run_id, "generation": generation, "attempt": attempt,
                       "schema_version": SCHEMA_VERSION}).encode("utf-8")

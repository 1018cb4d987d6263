"""Cross-run state: what earlier runs ingested or rejected, and where each feed was left.

The state is what the last commit record (transforms.state.log) names, nothing else:

    ingested/part-<attempt>.jsonl   one file per committed run (JSON Lines, first line a header with
                                    schema_version): article ids, normalised URLs, URLs that failed
                                    for good (404, binary...), keys of rejects already reported
    feeds/cursors-<attempt>.json    per feed key: etag, last_modified, polled_at, entries_seen
    dedup/gen-<attempt>/            the dedup index (transforms.dedup.index)

Files are immutable and named after the attempt that wrote them: a run that dies before its
commit leaves files that no commit names, removed by the next run. A file that a commit names
but that cannot be read stops the run (StateError, exit 2), never a silent reset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from transforms.common import fs, ids
from transforms.common.urls import try_normalize
from transforms.fetch.settings import TRANSIENT_ERRORS
from transforms.state import log
from transforms.state.log import StateError

__all__ = ["State", "StateError", "ingest_items", "reject_key", "stage_state", "write_pending"]

INGESTED = "ingested"
FEEDS = "feeds"
FORMAT_VERSION = 1


@dataclass
class State:
    directory: str
    full_refresh: bool = False
    article_ids: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    rejects: set[str] = field(default_factory=set)
    cursors: dict[str, dict] = field(default_factory=dict)
    head: log.Commit | None = None

    @classmethod
    def load(cls, directory: str, full_refresh: bool = False) -> State:
        """The committed state in `directory` (empty when there is none, or under full_refresh:
        the old state is then ignored, and replaced by this run's commit)."""
        state = cls(directory=str(directory), full_refresh=full_refresh)
        state.head = log.latest(state.directory)
        if full_refresh or state.head is None:
            return state
        for part in state.head.state.get("ingested", []):
            for kind, value in _read_part(part):
                if kind == "article":
                    state.article_ids.add(value)
                elif kind in ("url", "done"):
                    state.urls.add(value)
                elif kind == "reject":
                    state.rejects.add(value)
        cursors = state.head.state.get("cursors")
        if cursors:
            state.cursors = dict(_read_json(cursors).get("cursors", {}))
        return state

    def is_ingested(self, article_id: str | None = None, url: str | None = None) -> bool:
        """True when an earlier run ingested this article id or (normalised) URL."""
        if article_id and article_id in self.article_ids:
            return True
        normalized = try_normalize(url) if url else None
        return bool(normalized and normalized in self.urls)

    def is_reported(self, reject: dict) -> bool:
        """True when an earlier run wrote this reject (same input, stage and error type)."""
        return reject_key(reject) in self.rejects

    def cursor(self, feed_key: str) -> dict:
        """The feed's cursor (etag, last_modified...), {} when never polled."""
        return dict(self.cursors.get(feed_key) or {})


def reject_key(reject: dict) -> str:
    return ids.digest("reject", reject.get("input_ref") or "", reject.get("stage") or "",
                      reject.get("error_type") or "")


def _read_json(path: str) -> dict:
    try:
        data = fs.read_json(path)
    except OSError as error:
        raise StateError(f"cannot read state file {path}: {error}") from error
    except ValueError as error:
        raise StateError(f"corrupt state file {path}: {error}") from error
    if not isinstance(data, dict) or data.get("schema_version") != FORMAT_VERSION:
        raise StateError(f"corrupt state file {path}: not a schema_version {FORMAT_VERSION} object")
    return data


def _read_part(path: str) -> list[tuple[str, str]]:
    try:
        lines = fs.read_bytes(path).decode("utf-8").splitlines()
        header = json.loads(lines[0]) if lines else {}
        if not isinstance(header, dict) or header.get("schema_version") != FORMAT_VERSION:
            raise ValueError(f"no schema_version {FORMAT_VERSION} header")
        return [tuple(json.loads(line)) for line in lines[1:] if line]
    except OSError as error:
        raise StateError(f"cannot read state file {path}: {error}") from error
    except (ValueError, TypeError) as error:
        raise StateError(f"corrupt state file {path}: {error}") from error


# --- recording a run: the pipeline writes what it ingested, the driver stages it -------------


def ingest_items(kind: str, row):
    """Small ("kind", value) items of what this run ingested, rejected, failed for good, or
    must retry."""
    if kind == "article":
        yield ("article", [row["article_id"], row.get("url"), row.get("input_ref")])
    elif kind == "reject":
        yield ("reject", reject_key(row))
        ref = row.get("input_ref") or ""
        if row.get("stage") == "feeds" or not try_normalize(ref):
            return  # a feed, or a local file: files are re-read every run
        yield ("retry" if row.get("error_type") in TRANSIENT_ERRORS else "done", ref)
    else:
        yield ("cursor", list(row))


def write_pending(items: list, path: str) -> None:
    fs.write_json_atomic(path, {"schema_version": FORMAT_VERSION, "items": sorted(items, key=json.dumps)})


def stage_state(state: State, pending_path: str, attempt: str) -> tuple[dict, dict[str, int]]:
    """Write this run's ingested part and the merged feed cursors under names no commit uses
    yet; returns the state section of the commit record and counts for the run record. A feed
    whose entries must be retried (timeouts, 5xx) loses its ETag/Last-Modified, so that the next
    poll reads it whole again."""
    items = _read_json(pending_path).get("items", []) if fs.exists(pending_path) else []
    lines, retry, polled = [], set(), []
    counts = {"state.ingested": 0, "state.done_urls": 0, "state.retry_urls": 0}
    for kind, value in items:
        if kind == "article":
            lines.append(["article", value[0]])
            lines.extend(["url", n] for n in (try_normalize(u) for u in value[1:] if u) if n)
            counts["state.ingested"] += 1
        elif kind == "reject":
            lines.append(["reject", value])
        elif kind == "done" and try_normalize(value):
            lines.append(["done", try_normalize(value)])
            counts["state.done_urls"] += 1
        elif kind == "retry":
            retry.add(try_normalize(value))
            counts["state.retry_urls"] += 1
        elif kind == "cursor":
            polled.append(value)
    cursors = dict(state.cursors)
    for key, cursor in polled:
        if set(cursor.pop("entry_urls", [])) & retry:
            cursor.pop("etag", None)
            cursor.pop("last_modified", None)
        cursors[key] = cursor
    previous = {} if state.full_refresh or state.head is None else state.head.state
    section = {"ingested": list(previous.get("ingested", [])), "cursors": previous.get("cursors")}
    header = {"schema_version": FORMAT_VERSION, "kind": "ingested", "attempt": attempt}
    unique = sorted({json.dumps(line) for line in lines})
    part = fs.join(state.directory, INGESTED, f"part-{attempt}.jsonl")
    fs.write_atomic(part, "\n".join([json.dumps(header), *unique, ""]).encode("utf-8"))
    section["ingested"].append(part)
    if polled or (state.full_refresh and cursors):
        path = fs.join(state.directory, FEEDS, f"cursors-{attempt}.json")
        fs.write_json_atomic(path, {"schema_version": FORMAT_VERSION, "cursors": cursors})
        section["cursors"] = path
    return section, counts

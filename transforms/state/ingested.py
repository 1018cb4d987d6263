"""Cross-run state: what earlier runs ingested, and where each feed was left.

Layout under the state folder (other stages may keep their own subfolders next to these):

    ingested/part-<run_id>.json   one file per run: article ids, normalised URLs, and URLs
                                  that failed for good (404, binary...), so they are not retried
    feeds/cursors.json            per feed key: etag, last_modified, polled_at, entries_seen

Every file is written to a temporary name in the same folder then os.replace'd: a reader
(or a run killed half-way) sees the old file or the new one, never half of one. The driver
reads the state before building the pipeline (small: ids and URLs), and records the run after
the pipeline finished, so an interrupted run records nothing and is simply redone.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from transforms.common.urls import try_normalize
from transforms.fetch.settings import TRANSIENT_ERRORS

INGESTED = "ingested"
FEEDS = "feeds"
CURSORS = "cursors.json"
FORMAT_VERSION = 1


class StateError(RuntimeError):
    """State that cannot be read or written; the message is one line for the user."""


def write_json_atomic(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _safe_run_id(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id) or "run"


@dataclass
class State:
    directory: Path
    full_refresh: bool = False
    article_ids: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    cursors: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | os.PathLike, full_refresh: bool = False) -> State:
        """The state in `directory` (empty when missing, or when full_refresh: the old state is
        then ignored, and replaced when this run is recorded)."""
        state = cls(directory=Path(directory), full_refresh=full_refresh)
        if full_refresh:
            return state
        ingested = state.directory / INGESTED
        for part in sorted(ingested.glob("part-*.json")) if ingested.is_dir() else []:
            data = _read_json(part)
            state.article_ids.update(data.get("article_ids", []))
            state.urls.update(data.get("urls", []))
            state.urls.update(data.get("done_urls", []))
        cursors = state.directory / FEEDS / CURSORS
        if cursors.is_file():
            state.cursors = dict(_read_json(cursors).get("cursors", {}))
        return state

    def is_ingested(self, article_id: str | None = None, url: str | None = None) -> bool:
        """True when an earlier run ingested this article id or (normalised) URL."""
        if article_id and article_id in self.article_ids:
            return True
        normalized = try_normalize(url) if url else None
        return bool(normalized and normalized in self.urls)

    def cursor(self, feed_key: str) -> dict:
        """The feed's cursor (etag, last_modified...), {} when never polled."""
        return dict(self.cursors.get(feed_key) or {})

    def record_run(
        self,
        run_id: str,
        article_ids: list[str] | set[str],
        urls: list[str] | set[str],
        cursors: dict[str, dict] | None = None,
        done_urls: list[str] | set[str] = (),
    ) -> Path:
        """Append this run's ingested ids and URLs (and URLs that failed for good) to the state
        and merge the feed cursors. Under full_refresh the earlier parts are removed after the
        new one is in place. Returns the part written."""
        normalized = sorted({n for n in (try_normalize(u) for u in urls) if n})
        done = sorted({n for n in (try_normalize(u) for u in done_urls) if n} - set(normalized))
        part = self.directory / INGESTED / f"part-{_safe_run_id(run_id)}.json"
        payload = {
            "version": FORMAT_VERSION,
            "run_id": run_id,
            "article_ids": sorted(set(article_ids)),
            "urls": normalized,
            "done_urls": done,
        }
        try:
            write_json_atomic(part, payload)
            merged = {} if self.full_refresh else self._cursors_on_disk()
            merged.update(cursors or {})
            write_json_atomic(
                self.directory / FEEDS / CURSORS, {"version": FORMAT_VERSION, "cursors": merged}
            )
            if self.full_refresh:
                for old in (self.directory / INGESTED).glob("part-*.json"):
                    if old != part:
                        old.unlink(missing_ok=True)
        except OSError as error:
            raise StateError(f"cannot write state in {self.directory}: {error.strerror or error}") from error
        self.article_ids.update(payload["article_ids"])
        self.urls.update(normalized, done)
        self.cursors = merged
        self.full_refresh = False  # the state is now this run's: later records append
        return part

    def _cursors_on_disk(self) -> dict[str, dict]:
        path = self.directory / FEEDS / CURSORS
        return dict(_read_json(path).get("cursors", {})) if path.is_file() else dict(self.cursors)


def _read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise StateError(f"cannot read state file {path}: {error.strerror or error}") from error
    except json.JSONDecodeError as error:
        raise StateError(f"corrupt state file {path}: {error}; use --full-refresh to rebuild") from error
    if not isinstance(data, dict):
        raise StateError(f"corrupt state file {path}: not a JSON object; use --full-refresh to rebuild")
    return data


# --- recording a run: the pipeline writes what it ingested, the driver commits it ----------

PENDING = "pending"


def pending_path(state_dir: str | os.PathLike, run_id: str) -> Path:
    return Path(state_dir) / PENDING / f"run-{_safe_run_id(run_id)}.json"


def ingest_items(kind: str, row):
    """Small ("kind", value) items of what this run ingested, failed for good, or must retry."""
    if kind == "article":
        yield ("article", [row["article_id"], row.get("url"), row.get("input_ref")])
    elif kind == "reject":
        ref = row.get("input_ref") or ""
        if row.get("stage") == "feeds" or not try_normalize(ref):
            return  # a feed, or a local file: files are re-read (and rejected) every run
        yield ("retry" if row.get("error_type") in TRANSIENT_ERRORS else "done", ref)
    else:
        yield ("cursor", list(row))


def write_pending(items: list, path: str) -> None:
    write_json_atomic(Path(path), {"version": FORMAT_VERSION, "items": sorted(items, key=json.dumps)})


def commit_pending(state_dir: str | os.PathLike, run_id: str, full_refresh: bool) -> dict[str, int]:
    """Fold the run's pending file into the state (after the pipeline succeeded). A feed whose
    entries must be retried (timeouts, 5xx) loses its ETag/Last-Modified, so that the next
    poll reads it whole again. Returns counts for the run record."""
    path = pending_path(state_dir, run_id)
    if not path.is_file():
        return {}
    items = _read_json(path).get("items", [])
    article_ids, urls, done, retry, polled = set(), set(), set(), set(), []
    for kind, value in items:
        if kind == "article":
            article_ids.add(value[0])
            urls.update(u for u in value[1:] if u)
        elif kind == "done":
            done.add(value)
        elif kind == "retry":
            retry.add(try_normalize(value))
        elif kind == "cursor":
            polled.append(value)
    cursors = {}
    for key, cursor in polled:
        if set(cursor.pop("entry_urls", [])) & retry:
            cursor.pop("etag", None)
            cursor.pop("last_modified", None)
        cursors[key] = cursor
    state = State.load(state_dir, full_refresh=full_refresh)
    state.record_run(run_id, article_ids, urls, cursors, done_urls=done)
    path.unlink(missing_ok=True)
    return {"state.ingested": len(article_ids), "state.done_urls": len(done), "state.retry_urls": len(retry)}

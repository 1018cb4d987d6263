"""One run, one transaction: lock, recover, stage, commit, publish (docs/exactly-once.md).

    with Transaction(request) as txn:      # lock output and state; finish or discard what a
        ... run the pipeline into          # crashed run left; pick the next generation
        txn.staging, txn.pending, txn.dedup_new
        txn.commit(record)                 # the commit record, then the renames

An exception (or Ctrl-C) before the commit record leaves the last committed state, a run record
with status "failed", and no staging. A SIGKILL leaves staging that the next run discards."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from transforms.clean import linestore
from transforms.common import fs
from transforms.common.faults import fault
from transforms.common.schemas import REJECTS_PARTITION_BY, TABLES
from transforms.dedup import index as dedup_index
from transforms.state import log
from transforms.state.ingested import State, StateError, stage_state
from transforms.write import tables

LOG = logging.getLogger("newspipe")


@dataclass
class Transaction:
    output: str
    state_dir: str
    run_id: str
    full_refresh: bool
    dedup_shards: int

    def __enter__(self) -> Transaction:
        log.check_run_id(self.run_id)
        self.lock = log.acquire([self.output, self.state_dir], self.run_id)
        try:
            self._begin()
        except BaseException:
            if hasattr(self, "staging"):
                fs.delete_tree(self.staging)
            self.lock.release()
            raise
        return self

    def _begin(self) -> None:
        head = log.recover(self.state_dir, self.output)
        self.generation = (head.generation if head else 0) + 1
        self.prefix = f"g{self.generation:08d}-"
        self.attempt = f"g{self.generation:08d}-{uuid.uuid4().hex[:8]}"
        self.staging = log.staging(self.output, self.attempt)
        self.pending = fs.join(self.staging, "_pending.json")
        fs.write_atomic(fs.join(self.staging, "_attempt.json"),
                        log.attempt_info(self.run_id, self.generation, self.attempt))
        self.state = State.load(self.state_dir, self.full_refresh)  # a corrupt state stops here
        previous = None if self.full_refresh or head is None else head.state.get("dedup")
        if previous:
            try:
                dedup_index.check(previous, self.dedup_shards)
            except dedup_index.DedupStateError as error:
                raise StateError(str(error)) from error
        self.dedup_old = previous
        self.dedup_new = dedup_index.generation_folder(self.state_dir, self.attempt)
        # the repeated-lines history (transforms/clean/linestore.py): read the committed one,
        # write this attempt's under its own name; the commit record makes it live
        self.lines_old = None if self.full_refresh or head is None else head.state.get("lines")
        self.lines_new = linestore.attempt_path(self.state_dir, self.attempt)
        self.committed: log.Commit | None = None
        self.started = time.monotonic()

    def commit(self, record: dict, partition_by: tuple[str, ...], compression: str) -> log.Commit:
        """Stage the state, settle what the tables gain and lose, write the commit record (the
        commit point), publish. Fills record's status, generation and files."""
        fault("staged")
        section, counts = stage_state(self.state, self.pending, self.attempt)
        record["counts"].update(counts)
        if dedup_index.is_complete(self.dedup_new):
            section["dedup"] = self.dedup_new
        else:
            section["dedup"] = self.dedup_old
        section["lines"] = self.lines_new if fs.exists(self.lines_new) else self.lines_old
        publish = tables.staged_files(self.staging, self.output)
        delete: list[str] = []
        existing = {table: tables.table_files(self.output, table) for table in TABLES}
        if self.full_refresh:
            delete = [path for table in TABLES for path in existing[table]]
        else:
            rewritten, replaced = tables.rewrite_clusters(
                self.output, self.staging, self.prefix, self._cluster_changes(), compression)
            publish += rewritten
            delete += replaced
        publish += self._empty_tables(publish, delete, existing, partition_by, compression)
        delete += self._surplus_empty_files(publish, existing)
        record_path = log.run_record_path(self.output, self.run_id, self.generation)
        record.update(status="committed", generation=self.generation, attempt=self.attempt,
                      files={"added": [final for _, final in publish], "removed": delete},
                      commit_s=round(time.monotonic() - self.started, 3))
        staged_record = fs.join(self.staging, "_run.json")
        fs.write_json_atomic(staged_record, record)
        commit = log.Commit(generation=self.generation, run_id=self.run_id, attempt=self.attempt,
                            output=self.output, publish=publish, delete=delete, state=section,
                            run_record=[staged_record, record_path])
        log.write_commit(self.state_dir, commit)
        self.committed = commit
        fault("committed")
        log.publish(self.state_dir, commit)
        log.collect_garbage(self.state_dir, commit)
        return commit

    def _cluster_changes(self) -> list[dict]:
        rows: list[dict] = []
        for path in tables.table_files(self.staging, "clusters"):
            rows += tables.read_parquet(path).to_pylist()
        return rows

    def _empty_tables(self, publish, delete, existing, partition_by, compression) -> list[list[str]]:
        removed = set(delete)
        added = [final for _, final in publish]
        out = []
        for table in TABLES:
            folder = fs.join(self.output, table) + "/"
            if any(p.startswith(folder) for p in added) or set(existing[table]) - removed:
                continue
            keys = partition_by if table in ("articles", "quotes") else REJECTS_PARTITION_BY
            out.append(tables.empty_file(self.staging, self.output, table, tuple(keys), self.prefix,
                                         compression))
        return out

    def _surplus_empty_files(self, publish, existing) -> list[str]:
        """A schema-only file gives way once its table gets rows."""
        out = []
        for table in TABLES:
            folder = fs.join(self.output, table) + "/"
            if any(final.startswith(folder) and not tables.is_empty_file(final) for _, final in publish):
                out += [p for p in existing[table] if tables.is_empty_file(p)]
        return out

    def __exit__(self, kind, error, _traceback) -> None:
        try:
            if error is not None and self.committed is None:
                self._fail(error)
        finally:
            self.lock.release()

    def _fail(self, error: BaseException) -> None:
        """Record the failure and drop the staging: the last commit stays the state."""
        interrupted = isinstance(error, KeyboardInterrupt)
        message = "interrupted" if interrupted else f"{type(error).__name__}: {error}"
        try:
            fs.delete_tree(self.staging)
            fs.delete_tree(self.dedup_new)
            fs.delete([self.lines_new])
            log.write_failed_record(self.output, {
                "run_id": self.run_id, "status": "failed", "generation": self.generation,
                "attempt": self.attempt, "error": message[:2000], "schema_version": log.SCHEMA_VERSION})
        except Exception as cleanup:  # the run's own error matters more
            LOG.warning("could not record the failed run: %s", cleanup)


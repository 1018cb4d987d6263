"""The fetch stage in Beam: tasks grouped by host, each group fetched politely by the
worker's one Fetcher, groups of different hosts at once."""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from transforms.common.records import FetchTask
from transforms.common.rejects import REJECTS
from transforms.fetch.client import Fetcher
from transforms.fetch.settings import METRICS_NAMESPACE, FetchSettings
from transforms.fetch.tasks import fetch_host_tasks, task_host


class HostGroupsDoFn(beam.DoFn):
    """Base of the DoFns that take (host, items) groups: one group holds all of a host's work,
    so the host's gate (one Fetcher per worker) bounds every request to it. Groups of
    different hosts run at once on a worker-wide pool (max_parallel_hosts); outputs are
    emitted as groups finish, the rest at the end of the bundle.

    handle_group runs on a pool thread and returns (tag, value) pairs: tag None is the main
    output, "metric" increments the counter named by value (Beam metrics are per thread, so
    they are counted here on the bundle's thread), any other tag is a tagged output."""

    def __init__(self, settings: dict):
        self.settings = settings

    def setup(self):
        self.fetcher = Fetcher(FetchSettings.from_config(self.settings))
        self.pool = ThreadPoolExecutor(
            max_workers=max(1, self.fetcher.settings.max_parallel_hosts), thread_name_prefix="host"
        )
        self.counters: dict[str, object] = {}

    def handle_group(self, items: list) -> list[tuple[str | None, object]]:
        raise NotImplementedError

    def start_bundle(self):
        self.pending: list[Future] = []

    def process(self, element):
        _host, items = element
        self.pending.append(self.pool.submit(self.handle_group, list(items)))
        if len(self.pending) >= self.fetcher.settings.max_parallel_hosts:
            wait(self.pending, return_when=FIRST_COMPLETED)
        yield from self._emit(done_only=True)

    def finish_bundle(self):
        for output in self._emit(done_only=False):
            if isinstance(output, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(output.tag, _global(output.value))
            else:
                yield _global(output)

    def teardown(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.fetcher.close()

    def _emit(self, done_only: bool):
        keep = []
        for future in self.pending:
            if done_only and not future.done():
                keep.append(future)
                continue
            for tag, value in future.result():
                if tag is None:
                    yield value
                elif tag == "metric":
                    counter = self.counters.get(value)
                    if counter is None:
                        counter = self.counters[value] = Metrics.counter(METRICS_NAMESPACE, value)
                    counter.inc()
                else:
                    yield beam.pvalue.TaggedOutput(tag, value)
        self.pending = keep


class FetchHostGroups(HostGroupsDoFn):
    """(host, tasks) -> raw record dicts (main) and reject rows (REJECTS)."""

    def handle_group(self, tasks: list[dict]) -> list[tuple[str | None, object]]:
        out: list[tuple[str | None, object]] = []
        unique, seen = [], set()
        records = [FetchTask(**task) for task in tasks]
        for task in sorted(records, key=lambda t: (t.input_ref, t.feed or "")):
            key = task.url or task.input_ref
            if key in seen:  # the same article in two feeds of this run: ingested once
                out.append(("metric", "skipped_already_ingested"))
                continue
            seen.add(key)
            unique.append(task)
        for tag, row in fetch_host_tasks(self.fetcher, unique):
            out.append(("metric", "fetch.records" if tag == "record" else "fetch.rejects"))
            out.append((None, row) if tag == "record" else (REJECTS, row))
        return out


def _global(value) -> WindowedValue:
    return WindowedValue(value, MIN_TIMESTAMP, [GlobalWindow()])


class FetchPages(beam.PTransform):
    """fetch task dicts -> raw records (main "records") and rejects (REJECTS), polite per host."""

    def __init__(self, settings: dict):
        super().__init__()
        self.settings = settings

    def expand(self, tasks):
        return (
            tasks
            | "KeyByHost" >> beam.Map(lambda task: (task_host(FetchTask(**task)), task))
            | "GroupByHost" >> beam.GroupByKey()
            | "FetchHosts" >> beam.ParDo(FetchHostGroups(self.settings)).with_outputs(REJECTS, main="records")
        )

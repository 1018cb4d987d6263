"""The feeds stage in Beam: feeds polled per host, their new entries and the `--input
https://...` pages fetched politely (transforms.fetch.beam.FetchPages)."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.common import ids
from transforms.common.rejects import REJECTS, make_reject, reject_from_exception
from transforms.common.urls import InvalidURL, host_key, is_http_url
from transforms.feeds.parsing import FeedError
from transforms.feeds.polling import entry_ref, entry_tasks, page_task, read_feed_source
from transforms.feeds.specs import FeedSpec, spec_to_dict
from transforms.fetch.beam import FetchPages, HostGroupsDoFn
from transforms.fetch.settings import METRICS_NAMESPACE, FetchError
from transforms.state.ingested import State

CURSORS = "cursors"  # tag of (feed key, cursor) pairs
STAGE = "feeds"


class PollFeedGroups(HostGroupsDoFn):
    """(host, feed spec dicts) -> fetch tasks of new entries (main), (key, cursor) (CURSORS),
    rejects for feeds that cannot be read (REJECTS). Feeds of one host are polled one after
    another; hosts in parallel.

    Entries whose URL an earlier run ingested are dropped here (unless full refresh), so a
    second run over an unchanged feed fetches no page again. The state is read once per
    worker in setup (local runners: the state folder is on this machine)."""

    def __init__(self, fetch_settings: dict, state_dir: str, full_refresh: bool):
        super().__init__(fetch_settings)
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def setup(self):
        super().setup()
        self.state = State.load(self.state_dir, self.full_refresh)

    def handle_group(self, specs: list[dict]) -> list[tuple[str | None, object]]:
        out: list[tuple[str | None, object]] = []
        for spec_dict in sorted(specs, key=lambda s: s["url"]):
            out.extend(self.poll(FeedSpec(**spec_dict)))
        return out

    def poll(self, spec: FeedSpec) -> list[tuple[str | None, object]]:
        settings = self.fetcher.settings
        try:
            feed, cursor = read_feed_source(
                spec, self.fetcher, self.state.cursor(spec.key), settings.max_body_bytes
            )
        except (FetchError, FeedError) as error:
            return [(REJECTS, make_reject(spec.url, STAGE, error.error_type, str(error), error.content))]
        except Exception as error:  # never crash on a feed: it becomes a reject
            return [(REJECTS, reject_from_exception(spec.url, STAGE, error))]
        out: list[tuple[str | None, object]] = [("metric", "feeds.polled")]
        if feed is None:
            return [*out, ("metric", "feeds.not_modified"), (CURSORS, (spec.key, cursor))]
        for bad in feed.bad_entries:  # one reject each; the feed's other entries go on
            ref = entry_ref(spec, bad.position)
            out.append((REJECTS, make_reject(ref, STAGE, bad.error_type, bad.message, bad.excerpt)))
        tasks = entry_tasks(spec, feed, settings.feed_content_min_chars)
        # the cursor lists this poll's entries: the run drops the ETag if one of them must be retried
        cursor["entry_urls"] = sorted({t.url for t in tasks if t.url})
        out.append((CURSORS, (spec.key, cursor)))
        for task in tasks:
            if self.state.is_ingested(url=task.url) or self.state.is_ingested(url=task.input_ref):
                out.append(("metric", "skipped_already_ingested"))
            else:
                out.append((None, task.to_dict()))
        return out


def feed_host(spec: dict) -> str:
    """Grouping key of a feed: its host, "" for local files."""
    try:
        return host_key(spec["url"]) if is_http_url(spec["url"]) else ""
    except InvalidURL:
        return ""


class SkipIngested(beam.DoFn):
    """Drops fetch tasks and raw records that an earlier run ingested (same article id or
    normalised URL), counting them; passes everything under full refresh."""

    def __init__(self, state_dir: str, full_refresh: bool):
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def setup(self):
        self.state = State.load(self.state_dir, self.full_refresh)
        self.skipped = Metrics.counter(METRICS_NAMESPACE, "skipped_already_ingested")

    def process(self, element: dict):
        if self.is_ingested(element):
            self.skipped.inc()
        else:
            yield element

    def is_ingested(self, element: dict) -> bool:
        if self.full_refresh:
            return False
        urls = [element.get("url"), element.get("input_ref")]
        if any(self.state.is_ingested(url=u) for u in urls if u):
            return True
        if "fetch_url" in element:  # a task: its article id is only known once fetched
            return False
        content = element.get("html") or element.get("text")
        return self.state.is_ingested(
            article_id=ids.article_id(element.get("url"), element.get("source_id"), content)
        )


class FetchInputs(beam.PTransform):
    """PBegin -> {"records", "rejects", "cursors"}: feeds polled, their new entries and the
    `--input https://...` pages fetched politely, as raw records for extraction."""

    def __init__(
        self, fetch_settings: dict, specs: list[FeedSpec], urls: list[str], state_dir: str, full_refresh: bool
    ):
        super().__init__()
        self.fetch_settings = fetch_settings
        self.specs = [spec_to_dict(spec) for spec in specs]
        self.urls = list(urls)
        self.state_dir = state_dir
        self.full_refresh = full_refresh

    def expand(self, root):
        polled = (
            root
            | "FeedSpecs" >> beam.Create(self.specs)
            | "KeyFeedsByHost" >> beam.Map(lambda spec: (feed_host(spec), spec))
            | "GroupFeedsByHost" >> beam.GroupByKey()
            | "PollFeeds"
            >> beam.ParDo(
                PollFeedGroups(self.fetch_settings, self.state_dir, self.full_refresh)
            ).with_outputs(REJECTS, CURSORS, main="tasks")
        )
        pages = (
            root
            | "PageUrls" >> beam.Create(self.urls)
            | "PageTasks" >> beam.Map(lambda url: page_task(url).to_dict())
            | "SkipIngestedPages" >> beam.ParDo(SkipIngested(self.state_dir, self.full_refresh))
        )
        fetched = (
            (polled.tasks, pages) | "AllTasks" >> beam.Flatten() | "Fetch" >> FetchPages(self.fetch_settings)
        )
        rejects = (polled[REJECTS], fetched[REJECTS]) | "FetchRejects" >> beam.Flatten()
        return {"records": fetched.records, "rejects": rejects, "cursors": polled[CURSORS]}

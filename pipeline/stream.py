"""Assembling and running the streaming job: unbounded sources -> the batch job's stages ->
windowed commits of the same four tables.

The graph (all in the global window until the write): a source adapter (transforms/sources)
-> the read stage's records -> ProcessRecords (unchanged; its ingestion time is each record's
event time) -> StreamingDedup (keyed state per LSH band, per article, one cluster index;
event-time expiry)
-> WriteWindows (fixed event-time windows, allowed lateness, one commit per window pane).
Tests build the same graph with a TestStream in place of the source (`build(..., source=...)`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline.assemble import read_counters
from transforms.articles.beam import QUOTES, ProcessRecords
from transforms.clean.profiles import ProfileSet
from transforms.common.metrics import METRICS_NAMESPACE
from transforms.common.rejects import REJECTS
from transforms.common.schemas import REJECTS_PARTITION_BY
from transforms.dedup.beam import StreamingDedup
from transforms.feeds.specs import feed_specs
from transforms.sources.beam import FeedPollSource, FileArrivalSource, PubSubSource
from transforms.write import windows
from transforms.write.beam import WriteWindows

LOG = logging.getLogger("newspipe")


@dataclass
class StreamRequest:
    """What `pipeline stream` was asked to do (the non-Beam options)."""

    output: str
    config: dict
    state_dir: str
    pubsub_subscription: str | None = None
    pubsub_topic: str | None = None
    pubsub_timestamp_attribute: str | None = None
    watch_inputs: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    run_id: str = ""
    wait: bool = True
    stop_after_s: float | None = None  # sources stop polling after this long (local trials)
    beam_args: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.started_at = datetime.now(timezone.utc)
        if not self.run_id:
            self.run_id = f"stream-{self.started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"

    def has_source(self) -> bool:
        return bool(self.pubsub_subscription or self.pubsub_topic or self.watch_inputs or self.feeds
                    or self.config.get("feeds"))


def utc_of(timestamp) -> datetime:
    """A Beam element timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)


class ProcessStreamRecords(ProcessRecords):
    """ProcessRecords, with each record's event time as its ingestion time (not the job's start:
    a stream runs for weeks); the article's date partition, and its quotes', follow from it."""

    def process(self, raw: dict, timestamp=beam.DoFn.TimestampParam):
        self.tools = replace(self.tools, ingested_at=utc_of(timestamp))  # the steps read it from tools
        yield from super().process(raw)


def stamp_reject(row: dict, run_id: str, timestamp=beam.DoFn.TimestampParam) -> dict:
    when = utc_of(timestamp)
    beam.metrics.Metrics.counter(METRICS_NAMESPACE, f"rejects.{row['stage']}.{row['error_type']}").inc()
    return {**row, "run_id": run_id, "rejected_at": when, "date": when.strftime("%Y-%m-%d")}


def stamp_change(row: dict, run_id: str, timestamp=beam.DoFn.TimestampParam) -> dict:
    when = utc_of(timestamp)
    return {**row, "run_id": run_id, "updated_at": when, "date": when.strftime("%Y-%m-%d")}


def count_record(record: dict) -> dict:
    beam.metrics.Metrics.counter(METRICS_NAMESPACE, "source.records").inc()
    return record


def split_source(element: dict):
    """A test source's elements: raw record dicts, and reject rows (they have an error_type)."""
    yield beam.pvalue.TaggedOutput(REJECTS, element) if "error_type" in element else element


def sources(root, request: StreamRequest) -> list[dict]:
    """The source adapters the options name, each {"records", "rejects"}."""
    config, settings = request.config, request.config["stream"]
    found = []
    if request.pubsub_subscription or request.pubsub_topic:
        found.append(root | "PubSub" >> PubSubSource(
            request.pubsub_subscription, request.pubsub_topic, request.pubsub_timestamp_attribute,
            config["fetch"], settings["fetch_batch_s"]))
    for number, pattern in enumerate(request.watch_inputs):
        found.append(root | f"Files{number}" >> FileArrivalSource(
            pattern, settings["poll_interval_s"], config["input"], request.stop_after_s))
    specs = feed_specs(config["feeds"], request.feeds)
    if specs:
        found.append(root | "Feeds" >> FeedPollSource(
            specs, settings["poll_interval_s"], config["fetch"], settings["fetch_batch_s"],
            request.state_dir, request.stop_after_s))
    return found


def build(pipeline: beam.Pipeline, request: StreamRequest, source=None, fault=None) -> None:
    """The streaming graph. `source`: a PTransform standing in for the adapters the request names
    (tests): an adapter, or a TestStream of raw record dicts and reject rows."""
    config, settings, run_id = request.config, request.config["stream"], request.run_id
    if source is None:
        inputs = sources(pipeline, request)
    else:
        out = pipeline | "Source" >> source
        if not isinstance(out, dict):
            split = out | "SplitSource" >> beam.FlatMap(split_source).with_outputs(REJECTS, main="records")
            out = {"records": split.records, "rejects": split[REJECTS]}
        inputs = [out]
    records = ([s["records"] for s in inputs] | "AllRecords" >> beam.Flatten()
               | "CountRecords" >> beam.Map(count_record))
    source_rejects = [s["rejects"] for s in inputs] | "SourceRejects" >> beam.Flatten()
    processed = records | "Process" >> beam.ParDo(ProcessStreamRecords(
        config, run_id, request.started_at)).with_outputs(REJECTS, QUOTES, main="articles")
    republishers = ProfileSet.from_config(config["clean"]).republisher_keys()
    dedup = processed.articles | "Deduplicate" >> StreamingDedup(
        config["dedup"], settings["dedup_ttl_s"], republishers)
    rejects = (
        (source_rejects, processed[REJECTS])
        | "AllRejects" >> beam.Flatten()
        | "StampRejects" >> beam.Map(stamp_reject, run_id)
    )
    tables = {
        "articles": dedup["articles"],
        "quotes": processed[QUOTES],
        "rejects": rejects,
        "clusters": dedup["clusters"] | "StampClusters" >> beam.Map(stamp_change, run_id),
    }
    partition_by = config["output"]["partition_by"]
    layout = {"articles": partition_by, "quotes": partition_by, "rejects": REJECTS_PARTITION_BY,
              "clusters": REJECTS_PARTITION_BY}
    _ = tables | "WriteWindows" >> WriteWindows(request.output, layout, config["output"], run_id,
                                                settings, fault)


def run(request: StreamRequest) -> int:
    """Launch the streaming job; waits for it unless request.wait is False (Dataflow: detach)."""
    recovered = windows.recover(request.output)
    if recovered:
        LOG.info("rolled forward %d window commits left staged: %s", len(recovered), ", ".join(recovered))
    options = PipelineOptions(request.beam_args)
    options.view_as(StandardOptions).streaming = True
    LOG.info("stream %s -> %s", request.run_id, request.output)
    pipeline = beam.Pipeline(options=options)
    build(pipeline, request)
    result = pipeline.run()
    if request.wait:
        result.wait_until_finish()
        counters = read_counters(result)
        summary = ", ".join(f"{name} {count}" for name, count in sorted(counters.items()))
        print(f"stream {request.run_id}: {summary}")
    return 0

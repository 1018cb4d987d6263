"""Assembling and running the batch pipeline: inputs -> stages -> three tables."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import runinfo, runnerbuffers
from pipeline.estimate import expected_records
from pipeline.transaction import Transaction
from transforms.articles.beam import QUOTES, ProcessRecords
from transforms.clean.beam import StripCopyLines, StripRepeatedLines
from transforms.clean.profiles import ProfileSet
from transforms.common import fs
from transforms.common.beam import Compact
from transforms.common.metrics import METRICS_NAMESPACE as NAMESPACE
from transforms.common.rejects import REJECTS
from transforms.common.schemas import REJECTS_PARTITION_BY
from transforms.dedup.beam import Deduplicate, keep_canonical_only
from transforms.feeds.beam import FetchInputs, SkipIngested
from transforms.feeds.specs import FeedSpec, feed_specs, split_feed_files
from transforms.read.beam import ReadFiles
from transforms.read.expand import to_element
from transforms.read.files import expand_inputs
from transforms.read.ranges import plan
from transforms.state.beam import OnePerKey, RecordIngested, SkipReported
from transforms.state.ingested import reject_key
from transforms.write.beam import WriteTable

LOG = logging.getLogger("newspipe")


@dataclass
class RunRequest:
    """What `pipeline run` was asked to do (the non-Beam options)."""

    inputs: list[str]
    output: str
    config: dict
    state_dir: str
    full_refresh: bool = False
    drop_duplicates: bool = False
    run_id: str = ""
    feeds: list[str] = field(default_factory=list)  # --feed values (URLs, feed files, OPML files)
    beam_args: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.started_at = datetime.now(timezone.utc)
        if not self.run_id:
            self.run_id = f"{self.started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def stamp_reject(row: dict, run_id: str, when: datetime) -> dict:
    Metrics.counter(NAMESPACE, f"rejects.{row['stage']}.{row['error_type']}").inc()
    return {**row, "run_id": run_id, "rejected_at": when, "date": when.strftime("%Y-%m-%d")}


def count_clusters(article: dict) -> dict:
    if article["is_canonical"]:
        Metrics.counter(NAMESPACE, "clusters").inc()
    else:
        Metrics.counter(NAMESPACE, "duplicates").inc()
    return article


def build(pipeline: beam.Pipeline, request: RunRequest, pieces: list, urls: list[str],
          feeds: list[FeedSpec], txn: Transaction, expected: int = 0) -> None:
    """`pieces`: the read stage's elements (ranges.plan of the expanded files)."""
    config = request.config
    run_id, now = request.run_id, request.started_at
    partition_by = config["output"]["partition_by"]

    # Large JSONL files come split into ranges, and the reshuffle spreads files and ranges over
    # the workers; reading is then fused with processing (no page is buffered between stages).
    read = (
        pipeline
        | "Files" >> beam.Create(pieces, reshuffle=False)
        | "Spread" >> beam.Reshuffle()
        | "Read" >> beam.ParDo(ReadFiles(config["input"])).with_outputs(REJECTS, main="records")
    )
    state_dir, full_refresh = request.state_dir, request.full_refresh
    local = read.records | "SkipIngested" >> beam.ParDo(SkipIngested(state_dir, full_refresh))
    if urls or feeds:
        fetched = pipeline | "FetchInputs" >> FetchInputs(
            config["fetch"], list(feeds), urls, state_dir, full_refresh)
        records = (local, fetched["records"]) | "AllRecords" >> beam.Flatten()
    else:  # nothing to fetch: no fetch stages, and no Flatten that would buffer every page
        records = local
        fetched = {"rejects": None, "cursors": pipeline | "NoCursors" >> beam.Create([])}
    processed = records | "Process" >> beam.ParDo(
        ProcessRecords(config, run_id, now, expected)).with_outputs(REJECTS, QUOTES, main="articles")
    # the same record read twice (a line in two files, a copied file, a symlink) is one article
    unique = (processed.articles
              | "OneArticlePerId" >> OnePerKey(lambda a: a["article_id"], "duplicate_records")
              | "CompactArticles" >> Compact())  # held packed until the repeated-line strip runs
    unique_quotes = processed[QUOTES] | "OneQuotePerId" >> OnePerKey(
        lambda q: q["quote_id"], "duplicate_quotes")
    cleaned = {"articles": unique, "quotes": unique_quotes}
    if config["clean"]["repeated_lines"]:
        cleaned = cleaned | "RepeatedLines" >> StripRepeatedLines(
            config["clean"], txn.lines_old, txn.lines_new, fs.join(txn.staging, "_spill", "lines"))
    republishers = ProfileSet.from_config(config["clean"]).republisher_keys()
    copy_lines = bool(config["clean"]["copy_lines"])
    # with copy lines, one pass over the rows sets the cluster fields and drops the copy lines
    dedup = cleaned["articles"] | "Deduplicate" >> Deduplicate(
        config["dedup"], txn.dedup_old, txn.dedup_new, republishers, cluster_fields=not copy_lines)
    clustered = {"articles": dedup["articles"], "quotes": cleaned["quotes"]}
    if copy_lines:
        clustered = {**clustered, "assign": dedup["assign"]} | "CopyLines" >> StripCopyLines()
    articles = clustered["articles"] | "CountClusters" >> beam.Map(count_clusters)
    quotes = clustered["quotes"]
    ingested = articles  # every row counts as ingested, also those --drop-duplicates leaves out
    if request.drop_duplicates:
        articles = keep_canonical_only(articles)
        quotes = quotes | "QuotesOfCanonical" >> beam.Filter(
            lambda quote, kept: quote["article_id"] in kept,
            beam.pvalue.AsDict(articles | "CanonicalIds" >> beam.Map(lambda a: (a["article_id"], True))))
    cluster_rows = dedup["clusters"] | "StampClusters" >> beam.Map(
        lambda row: {**row, "run_id": run_id, "updated_at": now, "date": now.strftime("%Y-%m-%d")})
    rejects = (
        tuple(rejected for rejected in (read[REJECTS], fetched["rejects"], processed[REJECTS])
              if rejected is not None)
        | "AllRejects" >> beam.Flatten()
        | "UniqueRejects" >> OnePerKey(reject_key, "duplicate_rejects")
        | "SkipReported" >> beam.ParDo(SkipReported(state_dir, full_refresh))
        | "StampRejects" >> beam.Map(stamp_reject, run_id, now)
    )
    staging, prefix, settings = txn.staging, txn.prefix, config["output"]
    _ = articles | "WriteArticles" >> WriteTable("articles", staging, partition_by, settings, prefix)
    _ = quotes | "WriteQuotes" >> WriteTable("quotes", staging, partition_by, settings, prefix)
    _ = rejects | "WriteRejects" >> WriteTable("rejects", staging, REJECTS_PARTITION_BY, settings, prefix)
    _ = cluster_rows | "WriteClusters" >> WriteTable("clusters", staging, REJECTS_PARTITION_BY, settings,
                                                    prefix)
    _ = (ingested, rejects, fetched["cursors"]) | "RecordIngested" >> RecordIngested(txn.pending)


def run(request: RunRequest) -> dict:
    """Run the batch job to completion; returns the run record (also written to _runs/)."""
    # inputs are listed and the commit reads and writes before/after the pipeline (s3 options...)
    fs.configure(request.beam_args)
    files, urls = expand_inputs(request.inputs)
    # feed files given as --input are read as feeds (their entries' pages are fetched)
    files, feed_files = split_feed_files(files, request.config["input"])
    feeds = feed_specs(request.config["feeds"], [*request.feeds, *feed_files])
    # file names travel as bytes (any name); large JSONL files are split here, in one pass that
    # also counts their lines
    pieces, lines = plan([to_element(path) for path in files], request.config["input"])
    expected = expected_records(files, urls, lines)
    LOG.info("run %s: %d files, %d URLs, %d feeds (~%d records) -> %s", request.run_id, len(files), len(urls),
             len(feeds), expected, request.output)
    started = time.monotonic()
    runnerbuffers.install()  # the local runner hands groupings to the workers in chunks
    options = PipelineOptions(request.beam_args)
    output_settings = request.config["output"]
    with Transaction(request.output, request.state_dir, request.run_id, request.full_refresh,
                     request.config["dedup"]["state_shards"]) as txn:
        with beam.Pipeline(options=options) as pipeline:
            build(pipeline, request, pieces, urls, feeds, txn, expected)
        result = pipeline.result if hasattr(pipeline, "result") else None
        record = runinfo.run_record(request, read_counters(result), files, urls, time.monotonic() - started)
        txn.commit(record, tuple(output_settings["partition_by"]), output_settings["compression"])
    return record


def read_counters(result) -> dict[str, int]:
    if result is None:
        return {}
    metrics = result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))
    counters: dict[str, int] = {}
    for counter in metrics["counters"]:
        name = counter.key.metric.name
        counters[name] = counters.get(name, 0) + (counter.result or 0)
    return counters

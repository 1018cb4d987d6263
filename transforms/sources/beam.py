"""The streaming job's sources, each a thin adapter in front of the batch job's stages.

Each is a PTransform from the pipeline root to {"records": raw record dicts, "rejects": reject
rows}, every element stamped with its event time:
- PubSubSource: a Pub/Sub subscription or topic carrying article JSON or page URLs
  (transforms/read/messages.py); event time: the message's `timestamp_attribute` if given, else
  its publish time. Runs on Dataflow (and any runner with a Pub/Sub connector), not locally.
- FileArrivalSource: new files under a folder or bucket prefix (Beam's MatchContinuously: local,
  gs://, s3:// alike), read by the read stage's ReadFiles; event time: the poll that found it.
- FeedPollSource: an impulse every interval polls the configured feeds; a keyed state per feed
  holds its cursor (ETag, Last-Modified) and the entry URLs already taken, so each entry is
  fetched once; event time: when the page was fetched.
Pages named by URL are fetched by the fetch stage's FetchPages (polite per host), in batches
gathered every `fetch_batch_s` of processing time.
"""

from __future__ import annotations

import time
import typing

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.transforms import trigger, userstate, window
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp

from transforms.common.rejects import REJECTS, make_reject, reject_from_exception
from transforms.feeds.beam import SkipIngested
from transforms.feeds.parsing import FeedError
from transforms.feeds.polling import entry_ref, entry_tasks, page_task, read_feed_source
from transforms.feeds.specs import FeedSpec, spec_to_dict
from transforms.fetch.beam import FetchPages
from transforms.fetch.client import Fetcher
from transforms.fetch.settings import FetchError, FetchSettings
from transforms.read import messages
from transforms.read.beam import ReadFiles

_CURSOR = userstate.ReadModifyWriteStateSpec("cursor", beam.coders.FastPrimitivesCoder())
_SEEN = userstate.ReadModifyWriteStateSpec("seen", beam.coders.FastPrimitivesCoder())
CURSOR, SEEN = beam.DoFn.StateParam(_CURSOR), beam.DoFn.StateParam(_SEEN)
SEEN_KEEP = 5000  # entry URLs remembered per feed (feeds list their latest few dozen)


class ParseMessages(beam.DoFn):
    """Pub/Sub message -> raw records (main), page URLs ("urls"), rejects (REJECTS)."""

    def __init__(self, source: str):
        self.source = source

    def process(self, message):
        data = getattr(message, "data", message)
        attributes = getattr(message, "attributes", None)
        message_id = getattr(message, "message_id", None)
        for kind, value in messages.parse_message(data, attributes, message_id, self.source):
            if kind == messages.RECORD:
                yield value
            else:
                yield beam.pvalue.TaggedOutput("urls" if kind == messages.URL else REJECTS, value)


def stamp_fetched(element, timestamp=beam.DoFn.TimestampParam):
    """A fetched record's event time is its fetch (FetchPages emits some at the minimum time)."""
    return window.TimestampedValue(element, max(time.time(), float(timestamp)))


class FetchUrls(beam.PTransform):
    """fetch tasks (unbounded) -> {"records", "rejects"} through the fetch stage."""

    def __init__(self, fetch_settings: dict, batch_s: float):
        super().__init__()
        self.fetch_settings, self.batch_s = fetch_settings, batch_s

    def expand(self, tasks):
        # batch_s 0: fetch as each task comes (tests: processing-time triggers fail on the
        # BundleBasedDirectRunner); the batch keeps its earliest timestamp, never the window's end
        every = trigger.AfterProcessingTime(self.batch_s) if self.batch_s > 0 else trigger.AfterCount(1)
        fetched = (
            tasks
            | "FetchBatches" >> beam.WindowInto(
                window.GlobalWindows(), trigger=trigger.Repeatedly(every),
                accumulation_mode=trigger.AccumulationMode.DISCARDING,
                timestamp_combiner=window.TimestampCombiner.OUTPUT_AT_EARLIEST)
            | "Fetch" >> FetchPages(self.fetch_settings)
        )
        # back to the global window's default trigger, like the other sources' output
        return {"records": fetched.records | "StampFetched" >> beam.Map(stamp_fetched)
                | "RecordsGlobal" >> beam.WindowInto(window.GlobalWindows()),
                "rejects": fetched[REJECTS] | "StampFetchRejects" >> beam.Map(stamp_fetched)
                | "RejectsGlobal" >> beam.WindowInto(window.GlobalWindows())}


class PubSubSource(beam.PTransform):
    def __init__(self, subscription: str | None, topic: str | None, timestamp_attribute: str | None,
                 fetch_settings: dict, batch_s: float):
        super().__init__()
        self.subscription, self.topic, self.timestamp_attribute = subscription, topic, timestamp_attribute
        self.fetch_settings, self.batch_s = fetch_settings, batch_s

    def expand(self, root):
        return (
            root
            | "ReadPubSub" >> beam.io.ReadFromPubSub(
                subscription=self.subscription, topic=None if self.subscription else self.topic,
                with_attributes=True, timestamp_attribute=self.timestamp_attribute)
            | "Messages" >> ParsedMessages(self.subscription or self.topic, self.fetch_settings, self.batch_s)
        )


class ParsedMessages(beam.PTransform):
    """Pub/Sub messages -> {"records", "rejects"}: articles as read, URLs fetched. Everything of
    the Pub/Sub adapter but ReadFromPubSub itself (tests feed it messages from a TestStream)."""

    def __init__(self, source: str, fetch_settings: dict, batch_s: float):
        super().__init__()
        self.source, self.fetch_settings, self.batch_s = source, fetch_settings, batch_s

    def expand(self, messages_):
        parsed = messages_ | "ParseMessages" >> beam.ParDo(ParseMessages(self.source)).with_outputs(
            "urls", REJECTS, main="records")
        fetched = (parsed.urls | "PageTasks" >> beam.Map(lambda url: page_task(url).to_dict())
                   | "FetchPages" >> FetchUrls(self.fetch_settings, self.batch_s))
        rejects = (parsed[REJECTS], fetched["rejects"]) | "PubSubRejects" >> beam.Flatten()
        return {"records": (parsed.records, fetched["records"]) | "PubSubRecords" >> beam.Flatten(),
                "rejects": rejects}


class FileArrivalSource(beam.PTransform):
    """`stop_after_s`: stop polling after that long (tests, trials; default: never)."""

    def __init__(self, pattern: str, interval_s: float, input_settings: dict,
                 stop_after_s: float | None = None):
        super().__init__()
        self.pattern, self.interval_s, self.input_settings = pattern, interval_s, input_settings
        self.stop_after_s = stop_after_s

    def expand(self, root):
        start = Timestamp.now()
        stop = MAX_TIMESTAMP if self.stop_after_s is None else start + self.stop_after_s
        read = (
            root
            | "MatchContinuously" >> fileio.MatchContinuously(
                self.pattern, interval=self.interval_s, start_timestamp=start, stop_timestamp=stop)
            | "Paths" >> beam.Map(lambda metadata: metadata.path)
            | "ReadFiles" >> beam.ParDo(ReadFiles(self.input_settings)).with_outputs(REJECTS, main="records")
        )
        return {"records": read.records, "rejects": read[REJECTS]}


class PollFeed(beam.DoFn):
    """(feed key, spec dict) on each tick -> fetch tasks of entries not taken before."""

    def __init__(self, fetch_settings: dict):
        self.fetch_settings = fetch_settings

    def setup(self):
        self.fetcher = Fetcher(FetchSettings.from_config(self.fetch_settings))

    def teardown(self):
        self.fetcher.close()

    def process(self, element, cursor_state=CURSOR, seen_state=SEEN):
        spec = FeedSpec(**element[1])
        try:
            feed, cursor = read_feed_source(spec, self.fetcher, cursor_state.read(),
                                            self.fetcher.settings.max_body_bytes)
        except (FetchError, FeedError) as error:  # a feed never stops the job: a reject per failed poll
            yield beam.pvalue.TaggedOutput(REJECTS, make_reject(
                spec.url, "feeds", error.error_type, str(error), error.content))
            return
        except Exception as error:
            yield beam.pvalue.TaggedOutput(REJECTS, reject_from_exception(spec.url, "feeds", error))
            return
        cursor_state.write(cursor)
        if feed is None:
            return
        seen = list(seen_state.read() or [])
        taken = set(seen)
        for bad in feed.bad_entries:  # as in the batch job: a reject each, the feed's other entries go on
            ref = entry_ref(spec, bad.position)
            if ref not in taken:
                taken.add(ref)
                seen.append(ref)
                yield beam.pvalue.TaggedOutput(REJECTS, make_reject(
                    ref, "feeds", bad.error_type, bad.message, bad.excerpt))
        for task in entry_tasks(spec, feed, self.fetcher.settings.feed_content_min_chars):
            key = task.url or task.input_ref
            if key not in taken:
                taken.add(key)
                seen.append(key)
                yield task.to_dict()
        seen_state.write(seen[-SEEN_KEEP:])


class FeedPollSource(beam.PTransform):
    def __init__(self, specs: list[FeedSpec], interval_s: float, fetch_settings: dict, batch_s: float,
                 state_dir: str, stop_after_s: float | None = None):
        super().__init__()
        self.specs, self.interval_s, self.stop_after_s = specs, interval_s, stop_after_s
        self.args = (fetch_settings, batch_s, state_dir)

    def expand(self, root):
        start = Timestamp.now()
        stop = MAX_TIMESTAMP if self.stop_after_s is None else start + self.stop_after_s
        return (
            root
            | "EveryInterval" >> PeriodicImpulse(
                start_timestamp=start, stop_timestamp=stop, fire_interval=self.interval_s)
            | "Polls" >> PolledFeeds(self.specs, *self.args)
        )


class PolledFeeds(beam.PTransform):
    """Ticks -> {"records", "rejects"}: on each tick every feed is polled (PollFeed, keyed by
    feed) and its new entries' pages fetched. All of the feed source but PeriodicImpulse."""

    def __init__(self, specs: list[FeedSpec], fetch_settings: dict, batch_s: float, state_dir: str):
        super().__init__()
        self.specs = [spec_to_dict(spec) for spec in specs]
        self.fetch_settings, self.batch_s = fetch_settings, batch_s
        self.state_dir = state_dir  # the batch runs' ingested URLs are not fetched again

    def expand(self, ticks):
        specs = self.specs
        polled = (
            ticks
            | "Feeds" >> beam.FlatMap(lambda _: [(FeedSpec(**spec).key, spec) for spec in specs])
            .with_output_types(beam.typehints.Tuple[str, typing.Any])  # a deterministic key coder
            | "PollFeed" >> beam.ParDo(PollFeed(self.fetch_settings)).with_outputs(REJECTS, main="tasks")
        )
        fetched = (
            polled.tasks
            | "SkipIngested" >> beam.ParDo(SkipIngested(self.state_dir, False))
            | "FetchEntries" >> FetchUrls(self.fetch_settings, self.batch_s)
        )
        return {"records": fetched["records"],
                "rejects": (polled[REJECTS], fetched["rejects"]) | "FeedRejects" >> beam.Flatten()}

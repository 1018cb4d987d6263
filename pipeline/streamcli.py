"""`pipeline stream` and `pipeline compact`: their options and commands (Beam is imported only
when a command runs, so `--help` stays quick)."""

from __future__ import annotations

import argparse
import json
import os

from pipeline import watch
from transforms.common.config import ConfigError, load_config, validate

STREAM_DESCRIPTION = """\
The streaming job: the batch job's stages on unbounded input, for a streaming runner.

Sources (at least one; several are merged):
  --pubsub-subscription / --pubsub-topic   Pub/Sub messages carrying an article as JSON (the
      JSONL fields: id, url, source, title, summary, text, html, published; several objects one
      per line) or a page URL to fetch. Event time: --pubsub-timestamp-attribute, else publish
      time. Needs a runner with a Pub/Sub connector (Dataflow).
  --watch-input PATTERN   new files matching a glob under a folder or bucket prefix
      (/data/in/**, gs://bucket/news/*.jsonl, s3://bucket/in/*), polled every --poll-every;
      each file is read once. Event time: the poll that found it.
  --feed X (and the config's feeds:)   RSS/Atom feeds polled every --poll-every; each entry's
      page is fetched once (a keyed state per feed holds its cursor and the entries taken).

Rows are grouped in event-time windows (--window); a window's rows are committed together
(staged, listed in OUTPUT/_commits/, renamed into place) once the watermark passes its end.
Rows up to --allowed-lateness late are committed in a late pane of their window; later ones
are dropped by the runner. Copies of a story join one cluster while their fingerprints stay in
state (--dedup-ttl). Any Beam option passes through: run it with --runner DataflowRunner
--streaming --project P --region R --temp_location gs://... --setup_file ./setup.py, or
--runner FlinkRunner --flink_master HOST:PORT --streaming (README: Streaming). Local runners
cannot run an unbounded source past a grouping: use them for trials only.
"""

LOCAL_RUNNERS = {"", "directrunner", "fnapirunner", "bundlebaseddirectrunner", "prismrunner"}
DURATIONS = {"poll_every": "poll_interval_s", "window": "window_s", "allowed_lateness": "allowed_lateness_s",
             "dedup_ttl": "dedup_ttl_s"}


def add_parsers(commands, add_common) -> None:
    """The `stream` and `compact` subcommands; `add_common(parser)` adds --output, --config..."""
    stream = commands.add_parser("stream", help="the streaming job (Dataflow, Flink)",
                                 description=STREAM_DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    source = stream.add_argument_group("sources")
    source.add_argument("--pubsub-subscription", metavar="projects/P/subscriptions/S",
                        help="read articles or URLs from this Pub/Sub subscription")
    source.add_argument("--pubsub-topic", metavar="projects/P/topics/T",
                        help="read from this topic (a subscription is made for the job)")
    source.add_argument("--pubsub-timestamp-attribute", metavar="NAME",
                        help="message attribute holding the event time (RFC 3339 or ms since epoch)")
    source.add_argument("--watch-input", action="append", default=[], metavar="PATTERN",
                        help="glob of files to pick up as they arrive (local, gs://, s3://); repeatable")
    source.add_argument("--feed", action="append", default=[], metavar="X",
                        help="an RSS/Atom feed (URL or local file) to poll; repeatable; adds to the config's")
    timing = stream.add_argument_group("timing (durations: 30s, 10m, 1h, 2d; defaults: config stream:)")
    timing.add_argument("--poll-every", metavar="DURATION", help="interval of folder and feed polls (60s)")
    timing.add_argument("--window", metavar="DURATION", help="event-time window of the commits (10m)")
    timing.add_argument("--allowed-lateness", metavar="DURATION", help="how late a row may be (6h)")
    timing.add_argument("--dedup-ttl", metavar="DURATION", help="how long fingerprints stay in state (2d)")
    add_common(stream)
    stream.add_argument("--stop-after", metavar="DURATION",
                        help="stop polling the folders and feeds after this long: a local trial "
                             "(required on a local runner, which cannot wait between polls)")
    stream.add_argument("--no-wait", action="store_true",
                        help="return once the job is submitted (Dataflow) instead of waiting for it")
    compact = commands.add_parser(
        "compact", help="merge each partition's small files, exactly once",
        description="Merge the Parquet files of each partition into as few as output.max_rows_per_file "
                    "allows. Each merge is a commit (OUTPUT/_commits/compact-*.json): the merged file is "
                    "staged, the record lists it and the files it replaces, then it is renamed into "
                    "place and they are deleted; an interrupted merge is finished by the next run. "
                    "Commits a crashed stream left staged are rolled forward first.")
    compact.add_argument("--output", default="out", metavar="DIR")
    compact.add_argument("--table", action="append", choices=["articles", "quotes", "rejects", "clusters"],
                         help="only this table (repeatable); default: all")
    compact.add_argument("--config", default=None, metavar="FILE", help="for output.max_rows_per_file")
    compact.add_argument("--verbose", action="store_true")


def stream_settings(args: argparse.Namespace, config: dict) -> dict:
    settings = dict(config["stream"])
    for option, key in DURATIONS.items():
        value = getattr(args, option)
        if value is not None:
            settings[key] = int(duration("--" + option.replace("_", "-"), value))
    return settings


def duration(flag: str, value: str) -> float:
    try:
        return watch.parse_every(value)
    except ValueError as error:
        raise ConfigError(f"{flag} must be a duration such as 30s, 10m, 1h, not {value!r}") from error


def command_stream(args: argparse.Namespace, beam_args: list[str], make_output, check_beam_args) -> int:
    from pipeline import stream
    config = load_config(args.config)
    config = validate({**config, "stream": stream_settings(args, config)})  # --window 0s is refused too
    output = make_output(args.output)
    request = stream.StreamRequest(
        output=output, config=config, state_dir=args.state or f"{output}/_state",
        pubsub_subscription=args.pubsub_subscription, pubsub_topic=args.pubsub_topic,
        pubsub_timestamp_attribute=args.pubsub_timestamp_attribute, watch_inputs=args.watch_input,
        feeds=args.feed, run_id=args.run_id, wait=not args.no_wait, beam_args=check_beam_args(beam_args))
    if not request.has_source():
        raise ConfigError("no source: give --pubsub-subscription, --pubsub-topic, --watch-input or --feed "
                          "(see stream --help)")
    if args.stop_after is not None:
        request.stop_after_s = duration("--stop-after", args.stop_after)
    elif runner_of(request.beam_args) in LOCAL_RUNNERS:
        raise ConfigError("a local runner cannot run an unbounded source: give --runner DataflowRunner or "
                          "FlinkRunner (README: Streaming), or --stop-after DURATION for a local trial")
    return stream.run(request)


def runner_of(beam_args: list[str]) -> str:
    runner = ""
    for number, arg in enumerate(beam_args):
        if arg == "--runner" and number + 1 < len(beam_args):
            runner = beam_args[number + 1]
        elif arg.startswith("--runner="):
            runner = arg.split("=", 1)[1]
    return runner.rsplit(".", 1)[-1].lower()


def command_compact(args: argparse.Namespace) -> int:
    from transforms.write import windows

    settings = load_config(args.config)["output"]
    output = args.output.rstrip("/") if "://" in args.output else os.path.abspath(args.output)
    done = windows.compact(output, tuple(args.table or windows.TABLE_FOLDERS),
                           settings["max_rows_per_file"], settings["compression"])
    print(json.dumps(done, indent=1))
    return 0

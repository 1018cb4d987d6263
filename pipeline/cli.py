"""Command line: `python -m pipeline run|watch|stream|compact|query|report|schema ...`."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from pipeline import logs, streamcli

DEFAULT_OUTPUT = "out"
DEFAULT_INPUT = "seeds"


class UsageError(ValueError):
    """A bad option or config: stops the run with a one-line message."""


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", action="append", default=[], metavar="X",
                        help="a file, a folder (read recursively), a glob, or an http(s):// URL of a "
                             "page; repeatable; default: seeds/")
    parser.add_argument("--feed", action="append", default=[], metavar="X",
                        help="an RSS/Atom feed: a URL or a local file (an .opml file: all its feeds); "
                             "its entries' pages are fetched; repeatable; adds to the config's feeds:")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR",
                        help="where the tables go (default: out/)")
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="YAML config merged over configs/default.yaml")
    parser.add_argument("--state", default=None, metavar="DIR",
                        help="cross-run state: ingested articles, dedup index, feed cursors "
                             "(default: OUTPUT/_state)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="ignore the state and rebuild it")
    parser.add_argument("--drop-duplicates", action="store_true",
                        help="write only each story's canonical row (and its quotes); default: all rows")
    parser.add_argument("--run-id", default="", help="name of this run (default: UTC time + random)")
    parser.add_argument("--verbose", action="store_true", help="debug logging and tracebacks")
    parser.add_argument("--log-format", choices=logs.FORMATS, default="text",
                        help="text (ISO 8601 UTC timestamps) or json (one object a line)")


def add_stream_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR", help="where the tables go (out/)")
    parser.add_argument("--config", default=None, metavar="FILE", help="YAML config merged over the defaults")
    parser.add_argument("--state", default=None, metavar="DIR", help="state of batch runs (OUTPUT/_state): "
                        "feed entries they ingested are not fetched again")
    parser.add_argument("--run-id", default="", help="name of this job (default: stream-UTC time-random)")
    parser.add_argument("--verbose", action="store_true", help="debug logging and tracebacks")


def output_dir(path: str) -> str:
    output = path.rstrip("/") or "/"
    output = output if "://" in output else os.path.abspath(output)
    prepare_output(output)
    return output


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="News ingestion: files and feeds in, Hive-partitioned Parquet out.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="run the batch job",
        description="Run the batch job. Any Apache Beam pipeline option (--runner, "
                    "--direct_num_workers, --direct_running_mode, --temp_location, --project, "
                    "--region, --setup_file, ...) is passed through to Beam; the default runner "
                    "is the local FnApiRunner.",
    )
    add_run_options(run)
    watch = commands.add_parser(
        "watch", help="incremental runs one after another until Ctrl-C / SIGTERM",
        description="Run `pipeline run` with these options every --every (10m, 30s, 1h), each run "
                    "incremental (--full-refresh applies to the first only). Ctrl-C or SIGTERM stops "
                    "it between runs, or inside one: the run is killed and its temporary files removed.",
    )
    watch.add_argument("--every", required=True, metavar="DURATION", help="e.g. 10m, 30s, 1h")
    add_run_options(watch)
    streamcli.add_parsers(commands, add_stream_common)
    query = commands.add_parser("query", help="SQL over articles, quotes, rejects in DuckDB")
    query.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR")
    query.add_argument("sql", help='e.g. "select source, count(*) from articles group by 1"')
    report = commands.add_parser("report", help="a readable summary of an output folder")
    report.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR")
    report.add_argument("--html", metavar="FILE", help="write a self-contained HTML page of charts "
                        "(articles, rejects, clusters, run durations, freshness) instead")
    schema = commands.add_parser(
        "schema", help="the tables' schema for a warehouse",
        description="duckdb: views over OUTPUT's Hive folders (runs as printed); spark: CREATE TABLE "
                    "... PARTITIONED BY ... LOCATION plus MSCK REPAIR TABLE; bigquery: one table's JSON "
                    "field list for bq load / bq mkdef (the partition URI prefix on stderr).")
    schema.add_argument("--format", choices=["duckdb", "bigquery", "spark"], default="duckdb")
    schema.add_argument("--output", default=DEFAULT_OUTPUT, metavar="DIR",
                        help="where the tables are (a local folder, gs://... or s3://...)")
    schema.add_argument("--config", default=None, metavar="FILE",
                        help="the run's config, for output.partition_by")
    schema.add_argument("--table", choices=["articles", "quotes", "rejects", "clusters"],
                        help="one table only (bigquery: its field list, the file bq takes; "
                             "without it, one JSON object of every table's list)")
    return parser


def check_beam_args(args: list[str]) -> list[str]:
    """Beam options pass through; anything Beam does not know either is a typo: refuse it."""
    from apache_beam.options.pipeline_options import PipelineOptions

    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pending = [PipelineOptions]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        with contextlib.suppress(argparse.ArgumentError):  # an option defined by two classes
            cls._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(args)
    flags = [arg for arg in unknown if arg.startswith("-")]
    if flags:
        raise UsageError(f"unknown option {flags[0]} (see --help)")
    if unknown:
        raise UsageError(f"unexpected argument {unknown[0]} (see --help)")
    if not any(arg == "--runner" or arg.startswith("--runner=") for arg in args):
        args = ["--runner=FnApiRunner", *args]  # the DirectRunner would first try to download Prism
    return args


def prepare_output(path: str) -> None:
    if "://" in path:
        return  # a remote file system: Beam's FileSystems reports problems when writing
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".write-probe")
        with open(probe, "w", encoding="utf-8") as handle:
            handle.write("")
        os.remove(probe)
    except OSError as error:
        raise UsageError(f"output folder {path} is not writable: {error.strerror or error}") from error


def make_request(args: argparse.Namespace, beam_args: list[str]):
    from pipeline.assemble import RunRequest
    from transforms.common.config import load_config

    config = load_config(args.config)
    output = args.output.rstrip("/") or "/"
    if "://" not in output:
        output = os.path.abspath(output)
    prepare_output(output)
    state = args.state or f"{output}/_state"
    return RunRequest(
        inputs=args.input or ([] if args.feed else [DEFAULT_INPUT]),
        feeds=args.feed,
        output=output,
        config=config,
        state_dir=state,
        full_refresh=args.full_refresh,
        drop_duplicates=args.drop_duplicates,
        run_id=args.run_id,
        beam_args=check_beam_args(beam_args),
    )


def command_run(args: argparse.Namespace, beam_args: list[str]) -> int:
    from pipeline import allocator, assemble, runinfo

    request = make_request(args, beam_args)
    with allocator.for_workers(request.beam_args):  # malloc settings the SDK workers inherit
        record = assemble.run(request)
    print(runinfo.summary(record))
    return 0


def command_watch(args: argparse.Namespace, argv: list[str], beam_args: list[str]) -> int:
    from pipeline import watch

    check_beam_args(beam_args)
    try:
        watch.parse_every(args.every)
    except ValueError as error:
        raise UsageError(str(error)) from error
    run_args = watch.without(argv[argv.index("watch") + 1:], "--every", True)
    return watch.command_watch(args, run_args)


def command_schema(args: argparse.Namespace) -> int:
    from pipeline import ddl
    from transforms.common.config import load_config

    output = args.output.rstrip("/") or "/"
    if "://" not in output:
        output = os.path.abspath(output)
    partition_by = tuple(load_config(args.config)["output"]["partition_by"])
    return ddl.command_schema(args.format, output, partition_by, args.table)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    verbose = getattr(args, "verbose", False)
    logs.setup(verbose, getattr(args, "log_format", "text"))
    from transforms.common.config import ConfigError
    from transforms.read.files import InputError
    from transforms.state.ingested import StateError

    expected: tuple[type[Exception], ...] = (UsageError, ConfigError, InputError, StateError)
    if args.command in ("query", "report"):  # duckdb loads in 0.1 s: not for the other commands
        from pipeline.warehouse import MissingOutput

        expected = (*expected, MissingOutput)

    try:
        if args.command == "run":
            return command_run(args, extra)
        if args.command == "watch":
            return command_watch(args, argv, extra)
        if args.command == "stream":
            return streamcli.command_stream(args, extra, output_dir, check_beam_args)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command == "compact":
            return streamcli.command_compact(args)
        from pipeline import warehouse

        if args.command == "query":
            return warehouse.command_query(args.output, args.sql)
        if args.command == "report":
            return warehouse.command_report(args.output, args.html)
        return command_schema(args)
    except expected as error:
        print(f"pipeline: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if verbose:
            raise
        print(f"pipeline: error: {type(error).__name__}: {error} (rerun with --verbose for details)",
              file=sys.stderr)
        return 1

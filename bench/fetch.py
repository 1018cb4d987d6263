"""Fetch throughput against local servers with a fixed latency per response.

    .venv/bin/python bench/fetch.py [--hosts 5] [--pages 100] [--latency 0.05]
                                    [--in-flight 4] [--min-delay 0] [--beam]

Starts HOSTS HTTP servers in a separate process, on 127.0.0.1 .. 127.0.0.HOSTS (each on its
own port too: a host is "host:port"), each answering every request after LATENCY seconds;
then fetches PAGES pages per host with the fetch stage's core (hosts in parallel, each host
polite: IN_FLIGHT requests at most, MIN_DELAY seconds between starts), or with --beam through
the Beam stage (FetchPages on the FnApiRunner). Prints pages/s and the peak number of
concurrent requests each server saw. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import apache_beam as beam  # noqa: E402  (imported before the clock starts, in both modes)
from apache_beam.metrics.metric import MetricsFilter  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions  # noqa: E402

from tests.helpers import LocalServer, Reply, html_page  # noqa: E402
from transforms.common.records import FetchTask  # noqa: E402
from transforms.fetch.beam import FetchPages  # noqa: E402
from transforms.fetch.client import Fetcher  # noqa: E402
from transforms.fetch.settings import FetchSettings  # noqa: E402
from transforms.fetch.tasks import fetch_all  # noqa: E402


def serve(hosts: int, latency: float, ports, stop) -> None:
    page = Reply(200, html_page("Benchmark page", paragraphs=20), {"Content-Type": "text/html"})
    servers = [LocalServer(host=f"127.0.0.{n + 1}", latency=latency) for n in range(hosts)]
    for server in servers:
        server.routes["/robots.txt"] = Reply(
            200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"}
        )
        server.routes["/stats"] = (
            lambda s: (
                lambda _h: Reply(
                    200, json.dumps({"max_in_flight": s.max_in_flight, "requests": len(s.log)}).encode()
                )
            )
        )(server)
        for n in range(10_000):
            server.routes[f"/p/{n}"] = page
        server.__enter__()
        ports.put((server.host, server.port))
    stop.wait()
    for server in servers:
        server.__exit__()


def stats(host: str, port: int) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    with opener.open(f"http://{host}:{port}/stats", timeout=5) as response:
        return json.loads(response.read())


def run_beam(settings: dict, tasks: list[FetchTask]) -> int:
    """Pages fetched through the Beam stage (its fetch.records counter)."""
    pipeline = beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"]))
    # URLs in, tasks made by a Map, as the pipeline does (beam.Create infers a type per element:
    # 2,000 task dicts cost seconds of construction that the pipeline never pays)
    by_url = {task.fetch_url: task for task in tasks}
    _ = (
        pipeline
        | beam.Create(sorted(by_url))
        | beam.Map(lambda url: by_url[url].to_dict())
        | FetchPages(settings)
    )
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_name("fetch.records"))["counters"]
    return sum(c.committed or 0 for c in counters)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--pages", type=int, default=100, help="pages per host")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per response")
    parser.add_argument("--in-flight", type=int, default=4, help="requests in flight per host")
    parser.add_argument(
        "--min-delay", type=float, default=0.0, help="seconds between request starts per host"
    )
    parser.add_argument("--beam", action="store_true", help="through the Beam stage (FnApiRunner)")
    args = parser.parse_args()

    ports, stop = multiprocessing.Queue(), multiprocessing.Event()
    process = multiprocessing.Process(target=serve, args=(args.hosts, args.latency, ports, stop), daemon=True)
    process.start()
    servers = [ports.get(timeout=30) for _ in range(args.hosts)]
    settings = {
        "allow_private_networks": True,
        "per_host_max_in_flight": args.in_flight,
        "per_host_min_delay_s": args.min_delay,
        "max_parallel_hosts": args.hosts,
        "max_retries": 0,
    }
    tasks = [
        FetchTask(kind="page", input_ref=f"http://{h}:{p}/p/{n}", fetch_url=f"http://{h}:{p}/p/{n}")
        for h, p in servers
        for n in range(args.pages)
    ]
    started = time.monotonic()
    if args.beam:
        fetched = run_beam(settings, tasks)
    else:
        outcomes = fetch_all(Fetcher(FetchSettings.from_config(settings)), tasks)
        fetched = sum(1 for tag, _ in outcomes if tag == "record")
    seconds = time.monotonic() - started
    peaks = [stats(h, p)["max_in_flight"] for h, p in servers]
    stop.set()
    process.join(timeout=5)
    ideal = args.hosts * min(args.in_flight / args.latency, 1 / args.min_delay if args.min_delay else 1e9)
    print(
        json.dumps(
            {
                "mode": "beam FnApiRunner" if args.beam else "core (fetch_all)",
                "hosts": [f"{h}:{p}" for h, p in servers],
                "pages": len(tasks),
                "fetched": fetched,
                "seconds": round(seconds, 2),
                "pages_per_s": round(fetched / seconds, 1),
                "ideal_pages_per_s": round(ideal, 1),
                "peak_in_flight_per_host": peaks,
                "latency_s": args.latency,
                "in_flight": args.in_flight,
                "min_delay_s": args.min_delay,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()

"""`pipeline watch`: incremental runs one after another; SIGTERM stops it between runs or
inside one, leaving no temporary file and no half-recorded state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.helpers import ROOT, LocalServer, Reply, html_page, rss
from transforms.state.ingested import State

HTML = {"Content-Type": "text/html"}


def start_watch(tmp_path, feed_url: str, every: str) -> subprocess.Popen:
    config = tmp_path / "config.yaml"
    config.write_text("fetch:\n  allow_private_networks: true\n  per_host_min_delay_s: 0.0\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "watch",
        "--every",
        every,
        "--feed",
        feed_url,
        "--config",
        str(config),
        "--output",
        str(tmp_path / "out"),
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_watch_runs_incrementally_and_stops_between_and_inside_runs(tmp_path):
    with LocalServer() as server:
        items = [{"link": f"/s/{n}", "title": f"S{n}"} for n in range(3)]
        feed = server.add("/feed.xml", Reply(200, rss(items), {"Content-Type": "application/rss+xml"}))
        for n in range(3):
            server.add(f"/s/{n}", Reply(200, html_page(f"Story {n} of the watch test"), HTML))
        runs = tmp_path / "out" / "_runs"
        watch = start_watch(tmp_path, feed, "1s")
        assert wait_for(lambda: runs.is_dir() and len(list(runs.glob("*.json"))) >= 2, 60), watch.stderr
        watch.send_signal(signal.SIGTERM)
        _, stderr = watch.communicate(timeout=30)
        assert watch.returncode == 0 and "watch: stopped" in stderr
        assert [p for p, _ in server.log].count("/s/0") == 1  # later runs skipped the ingested pages

        # a run stuck on a slow page, stopped from outside
        server.add(
            "/feed.xml",
            Reply(
                200,
                rss([*items, {"link": "/slow", "title": "slow"}]),
                {"Content-Type": "application/rss+xml"},
            ),
        )
        server.add("/slow", Reply(200, html_page("slow"), HTML, delay=30))
        before = len(list(runs.glob("*.json")))
        watch = start_watch(tmp_path, feed, "10m")
        assert wait_for(lambda: any(p == "/slow" for p, _ in server.log), 60)
        watch.send_signal(signal.SIGTERM)
        _, stderr = watch.communicate(timeout=30)
        assert watch.returncode == 0 and "interrupted" in stderr, stderr
        assert len(list(runs.glob("*.json"))) == before  # the killed run recorded nothing
        leftovers = [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]
        assert leftovers == [] and not list((tmp_path / "out" / "_state" / "pending").glob("*"))
        state = State.load(tmp_path / "out" / "_state")
        assert state.is_ingested(url=server.url("/s/2")) and not state.is_ingested(url=server.url("/slow"))

"""Fetch tasks of several hosts: per-host limits on requests in flight and on their spacing."""

from __future__ import annotations

import itertools

from tests.helpers import LocalServer, Reply, fetch_settings, html_page
from transforms.common.records import FetchTask
from transforms.fetch.client import Fetcher
from transforms.fetch.tasks import fetch_all

HTML = {"Content-Type": "text/html; charset=utf-8"}


def test_per_host_in_flight_limit_and_delay():
    with LocalServer(latency=0.1) as one, LocalServer(latency=0.1) as two:
        tasks = []
        for srv in (one, two):
            for n in range(12):
                url = srv.add(f"/p{n}", Reply(200, html_page(f"P{n}"), HTML))
                tasks.append(FetchTask(kind="page", input_ref=url, fetch_url=url, url=url))
        outcomes = fetch_all(Fetcher(fetch_settings(per_host_max_in_flight=3)), tasks)
        assert [tag for tag, _ in outcomes] == ["record"] * 24
        assert one.max_in_flight == 3 and two.max_in_flight == 3  # reached, never exceeded
    with LocalServer() as srv:
        urls = [srv.add(f"/d{n}", Reply(200, html_page("d"), HTML)) for n in range(4)]
        tasks = [FetchTask(kind="page", input_ref=u, fetch_url=u, url=u) for u in urls]
        fetch_all(Fetcher(fetch_settings(per_host_min_delay_s=0.15, per_host_max_in_flight=4)), tasks)
        starts = sorted(t for _, t in srv.starts)
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert min(gaps) >= 0.13, gaps  # robots.txt + 4 pages, spaced by the minimum delay

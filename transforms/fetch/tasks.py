"""Fetch tasks: what the fetch stage does with one feed entry or page, and all of a host's
tasks at once (politely), without Beam."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

from transforms.common.records import FetchTask, RawRecord
from transforms.common.rejects import make_reject, reject_from_exception
from transforms.common.urls import ALLOWED_SCHEMES, InvalidURL, host_key, try_normalize
from transforms.fetch.bodies import html_to_text
from transforms.fetch.charset import decode_body
from transforms.fetch.client import Fetcher
from transforms.fetch.settings import FetchError, FetchResult


def run_task(fetcher: Fetcher, task: FetchTask) -> tuple[str, dict]:
    """run_fetch_task, with any unexpected error a reject: one bad URL never fails a host."""
    try:
        return run_fetch_task(fetcher, task)
    except Exception as error:
        return "reject", reject_from_exception(task.input_ref, "fetch", error)


def run_fetch_task(fetcher: Fetcher, task: FetchTask) -> tuple[str, dict]:
    """("record", RawRecord as dict) or ("reject", reject row) for one fetch task (see
    transforms.feeds.polling.entry_tasks / page_task). A feed entry whose page cannot be fetched
    becomes an article from its own content when that is long enough."""
    error: FetchError | None = None
    if task.fetch_page and task.fetch_url:
        try:
            return "record", asdict(record_from_page(task, fetcher.fetch(task.fetch_url, kind="page")))
        except FetchError as failure:
            error = failure
    elif task.bad_link:
        link = task.bad_link
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", link)
        if scheme and scheme.group(1).lower() not in ALLOWED_SCHEMES:
            error = FetchError("blocked_scheme", f"only http/https links are fetched: {link[:200]}")
        else:
            error = FetchError("invalid_url", f"malformed or relative link: {link[:200]}")
    elif task.fetch_page:
        error = FetchError("no_link", "feed entry without a link")
    if task.kind == "entry":
        text = html_to_text(task.content)
        minimum = int(task.min_content_chars or 0)
        if text and len(text) >= minimum:
            record = RawRecord(
                input_ref=task.input_ref,
                url=task.url,
                source=task.source,
                title=task.title,
                summary=task.summary,
                text=text,
                published=task.published,
                from_feed_content=True,
            )
            return "record", asdict(record)
        if error is None:
            error = FetchError(
                "feed_content_too_short", f"entry content has {len(text)} characters, fewer than {minimum}"
            )
        else:
            error = FetchError(
                error.error_type,
                f"{error}; entry content too short to stand in ({len(text)} < {minimum} characters)",
                error.content,
            )
    assert error is not None
    return "reject", make_reject(task.input_ref, "fetch", error.error_type, str(error), error.content)


def record_from_page(task: FetchTask, result: FetchResult) -> RawRecord:
    text, _ = decode_body(result.body, result.headers.get("content-type"))
    plain = result.content_type == "text/plain"
    return RawRecord(
        input_ref=task.input_ref,
        url=try_normalize(result.final_url) or task.url,
        source=task.source,
        title=task.title,
        summary=task.summary,
        text=text if plain else None,
        html=None if plain else text,
        published=task.published,
    )


def task_host(task: FetchTask) -> str:
    """The grouping key of a task: its host, or "" for tasks that need no request."""
    if not task.fetch_page or not task.fetch_url:
        return ""
    try:
        return host_key(task.fetch_url)
    except (InvalidURL, ValueError):
        return ""


def fetch_host_tasks(fetcher: Fetcher, tasks: list[FetchTask]) -> list[tuple[str, dict]]:
    """All tasks of one host, at most per_host_max_in_flight at once (the gate also spaces
    their starts), results in input_ref order (deterministic)."""
    ordered = sorted(tasks, key=lambda t: (t.input_ref, t.fetch_url or ""))
    workers = max(1, min(fetcher.settings.per_host_max_in_flight, len(ordered)))
    if workers == 1:
        return [run_task(fetcher, task) for task in ordered]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        return list(pool.map(lambda task: run_task(fetcher, task), ordered))


def group_by_host(tasks: list[FetchTask]) -> dict[str, list[FetchTask]]:
    groups: dict[str, list[FetchTask]] = {}
    for task in tasks:
        groups.setdefault(task_host(task), []).append(task)
    return groups


def fetch_all(fetcher: Fetcher, tasks: list[FetchTask]) -> list[tuple[str, dict]]:
    """Every task, hosts in parallel (max_parallel_hosts), each host polite: the core the
    Beam stage runs per group, usable without Beam (bench, tests)."""
    groups = group_by_host(tasks)
    workers = max(1, min(fetcher.settings.max_parallel_hosts, len(groups)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="host") as pool:
        results = pool.map(lambda key: fetch_host_tasks(fetcher, groups[key]), sorted(groups))
        return [outcome for host_results in results for outcome in host_results]


"""Helpers shared by the tests (imported, never through conftest.py):

- a real HTTP server on 127.0.0.1 for the fetch, feed and incremental tests (and the bench):
  scripted replies per path, a request log, and the peak number of concurrent requests;
- running the real pipeline as a user does (`python -m pipeline ...`) and reading its tables."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from transforms.fetch.settings import FetchError, FetchSettings


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between 1-byte chunks of the body (a slow server)
    length: bool = True  # send Content-Length (else close-delimited)


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


class LocalServer:
    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0):
        self.routes: dict[str, Reply | list[Reply] | Callable] = {}
        self.log: list[tuple[str, dict]] = []
        self.starts: list[tuple[str, float]] = []  # (path, time.monotonic()) per request
        self.latency = latency  # added to every reply
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers then body meet delayed ACKs: +40 ms a reply

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                server._handle(self)

        class QuietServer(ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

            def handle_error(self, request, client_address):  # clients that hang up: not news
                pass

        self.httpd = QuietServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.host, self.port = self.httpd.server_address[:2]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # IPv6 literal
        return f"http://{host}:{self.port}{path}"

    def add(self, path: str, reply: Reply | list[Reply] | Callable) -> str:
        self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)

    def _reply_for(self, handler: BaseHTTPRequestHandler) -> Reply:
        route = self.routes.get(handler.path) or self.routes.get(handler.path.split("?", 1)[0])
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if callable(route):
            return route(handler)
        if isinstance(route, list):  # a script: one reply per request, the last one repeats
            with self._lock:
                return route.pop(0) if len(route) > 1 else route[0]
        return route

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.log.append((handler.path, dict(handler.headers)))
            self.starts.append((handler.path, time.monotonic()))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        replying = False
        try:
            reply = self._reply_for(handler)
            time.sleep(self.latency + reply.delay)
            # In flight from arrival until the reply starts: the client cannot have its answer
            # before then, so overlaps are real. Counting until the handler returns was not: a
            # client could read the body and send its next request before this thread ran again.
            with self._lock:
                self.in_flight -= 1
            replying = True
            handler.send_response(reply.status)
            headers = {"Date": formatdate(usegmt=True), **reply.headers}
            if reply.length and not reply.drip:
                headers["Content-Length"] = str(len(reply.body))
            else:
                headers["Connection"] = "close"
                handler.close_connection = True
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if reply.drip:
                for index in range(len(reply.body)):
                    handler.wfile.write(reply.body[index : index + 1])
                    handler.wfile.flush()
                    time.sleep(reply.drip)
            else:
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            if not replying:
                with self._lock:
                    self.in_flight -= 1


def html_page(title: str, paragraphs: int = 6) -> bytes:
    body = "".join(
        f"<p>{title}: paragraph {n} tells the story in some detail, with enough words to count as "
        f"an article body for the extraction stage and its minimum length.</p>"
        for n in range(paragraphs)
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav>Home | World</nav><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


DATE = "Tue, 10 Jun 2025 04:00:00 GMT"


def rss(
    items: list[dict], title: str = "Test feed", encoding: str = "utf-8", declared: str | None = None
) -> bytes:
    """An RSS 2.0 document; `declared` is the encoding named in the XML declaration."""
    parts = []
    for item in items:
        content = item.get("content")
        encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
        parts.append(
            f"<item><title>{item.get('title', '')}</title><link>{item['link']}</link>"
            f"<guid>{item['link']}</guid><pubDate>{item.get('date', DATE)}</pubDate>"
            f"<description>{item.get('summary', '')}</description>{encoded}</item>"
        )
    xml = (
        f'<?xml version="1.0" encoding="{declared or encoding}"?>'
        f'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link><description>d</description>"
        f"{''.join(parts)}</channel></rss>"
    )
    return xml.encode(encoding)


# --- running the real pipeline and reading its tables back -----------------------------

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def run_cli(*args: str, cwd: Path = ROOT, timeout: int = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m pipeline ...` in a subprocess, as a user runs it (`env`: extra variables)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def read_rows(output: Path, table: str) -> list[dict]:
    """A table's rows with their Hive partition keys, as pyarrow reads them."""
    folder = output / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


# --- the fetcher's test settings ---------------------------------------------------------


def fetch_settings(**overrides) -> FetchSettings:
    """FetchSettings for servers on 127.0.0.1: private networks allowed, short timeouts, fast
    retries, no politeness delay."""
    base = dict(
        allow_private_networks=True,
        user_agent="newspipe-test/1.0 (+test)",
        connect_timeout_s=1.0,
        read_timeout_s=0.5,
        total_timeout_s=1.5,
        max_retries=2,
        backoff_base_s=0.01,
        backoff_max_s=0.05,
        per_host_min_delay_s=0.0,
        per_host_max_in_flight=4,
        max_body_bytes=10_000_000,
        max_inflated_bytes=10_000_000,
    )
    base.update(overrides)
    return FetchSettings(**base)


def fetch_error(fetcher, url: str, **kwargs) -> FetchError:
    """The FetchError that fetching `url` raises (fails the test when none is raised)."""
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url, **kwargs)
    return caught.value


# --- an S3-protocol server on 127.0.0.1 (moto's server mode) -------------------------------


class MotoServer:
    """`moto_server -H 127.0.0.1 -p PORT` in a subprocess, with one bucket; `beam_args` are the
    options that point Beam's S3 filesystem at it."""

    def __init__(self, bucket: str = "news"):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.bucket = bucket
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.beam_args = [f"--s3_endpoint_url={self.endpoint}", "--s3_access_key_id=test",
                          "--s3_secret_access_key=test", "--s3_region_name=us-east-1"]

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id="test",
                            aws_secret_access_key="test", region_name="us-east-1")

    def __enter__(self) -> MotoServer:
        binary = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):  # up to 30 s on a busy machine
            try:
                self.client().create_bucket(Bucket=self.bucket)
                return self
            except Exception:
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("moto_server did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def keys(self, prefix: str) -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def download(self, prefix: str, folder: Path) -> Path:
        """Copies every object under prefix into folder (to read the tables with pyarrow)."""
        client = self.client()
        for key in self.keys(prefix):
            target = folder / key[len(prefix):].lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(self.bucket, key, str(target))
        return folder

"""Inputs on an object store: s3:// files, prefixes and globs expand and read like local paths,
against a real S3-protocol server (moto in server mode) on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import read_rows, run_cli
from transforms.common import fs
from transforms.common.config import load_config
from transforms.read.files import InputError, expand_inputs, read_file

boto3 = pytest.importorskip("boto3")
BUCKET = "news-in"
STORY = ("The port authority said on Friday that container traffic rose for a third month, "
         "helped by new routes to the north.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    """A moto S3 server on loopback, a bucket with a few inputs, and the Beam options to reach it."""
    port = free_port()
    server_bin = Path(sys.executable).with_name("moto_server")
    if not server_bin.exists():
        pytest.skip("moto[server] is not installed (the test extra)")
    process = subprocess.Popen([str(server_bin), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    try:
        for _ in range(300):  # bounded wait for the server to listen (at most ~30 s)
            try:
                client.list_buckets()
                break
            except Exception:
                time.sleep(0.1)
        client.create_bucket(Bucket=BUCKET)
        batch = json.dumps({"id": "s3-1", "text": STORY.replace("Friday", "Monday")}) + "\n{bad\n"
        objects = {
            "data/one.txt": STORY.encode(),
            "data/sub/batch.jsonl.gz": gzip.compress(batch.encode()),
            "data/.hidden.txt": b"hidden",
            "data/sub/.cache/x.txt": b"hidden too",
            "other/page.html": b"<html><body><p>x</p></body></html>",
        }
        for key, body in objects.items():
            client.put_object(Bucket=BUCKET, Key=key, Body=body)
        args = [f"--s3_endpoint_url={endpoint}", "--s3_access_key_id=test",
                "--s3_secret_access_key=test", "--s3_region_name=us-east-1"]
        fs.configure(args)
        yield args
    finally:
        process.terminate()
        process.wait(timeout=30)


def names(files: list[str]) -> list[str]:
    return [path.removeprefix(f"s3://{BUCKET}/") for path in files]


def test_prefix_is_read_recursively_without_hidden_names(s3):
    files, urls = expand_inputs([f"s3://{BUCKET}/data"])
    assert names(files) == ["data/one.txt", "data/sub/batch.jsonl.gz"] and urls == []
    assert names(expand_inputs([f"s3://{BUCKET}/data/"])[0]) == names(files)


def test_globs_and_single_objects(s3):
    assert names(expand_inputs([f"s3://{BUCKET}/*/*.txt"])[0]) == ["data/one.txt"]
    assert names(expand_inputs([f"s3://{BUCKET}/**.gz"])[0]) == ["data/sub/batch.jsonl.gz"]
    assert names(expand_inputs([f"s3://{BUCKET}/other/page.html"])[0]) == ["other/page.html"]


def test_missing_object_stops_the_run(s3):
    with pytest.raises(InputError, match="input not found"):
        expand_inputs([f"s3://{BUCKET}/nothing-here"])


def test_objects_read_like_files(s3):
    settings = load_config()["input"]
    [text] = list(read_file(f"s3://{BUCKET}/data/one.txt", settings))
    assert text.text == STORY and text.input_ref == f"s3://{BUCKET}/data/one.txt"
    good, bad = [item for item in read_file(f"s3://{BUCKET}/data/sub/batch.jsonl.gz", settings) if item]
    assert good.source_id == "s3-1" and good.input_ref.endswith("batch.jsonl.gz:1")
    assert bad["error_type"] == "invalid_json" and bad["input_ref"].endswith("batch.jsonl.gz:2")


def test_cli_run_on_an_s3_prefix(s3, tmp_path):
    result = run_cli("run", "--input", f"s3://{BUCKET}/data", "--output", str(tmp_path), *s3)
    assert result.returncode == 0, result.stderr
    articles = read_rows(tmp_path, "articles")
    assert sorted(row["input_ref"] for row in articles) == [
        f"s3://{BUCKET}/data/one.txt", f"s3://{BUCKET}/data/sub/batch.jsonl.gz:1"]
    [reject] = read_rows(tmp_path, "rejects")
    assert reject["input_ref"] == f"s3://{BUCKET}/data/sub/batch.jsonl.gz:2"


def test_unknown_scheme_is_one_line(tmp_path):
    result = run_cli("run", "--input", "nosuch://bucket/x", "--output", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "nosuch://bucket/x" in result.stderr

"""The file-arrival source (Beam's MatchContinuously + the read stage) on a local folder that
gains files while the job runs, through the whole streaming graph to committed windows.

No local runner honours MatchContinuously's poll interval: the FnApiRunner polls back to back
(and the BundleBasedDirectRunner cannot run the splittable DoFn at all, NOTES-beam.md). So the
arrivals are tied to the polls instead of the clock: the folder is matched through `arriving://`,
a local filesystem that moves one waiting file into the folder before each match. The files,
the folder and the reading are real and local; only that hook is added."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import apache_beam as beam
import duckdb
from apache_beam.io.localfilesystem import LocalFileSystem
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import stream
from transforms.common.config import load_config
from transforms.sources.beam import FileArrivalSource

WAITING: list[tuple[Path, Path]] = []  # (file, folder it arrives in), moved one per match
LOCK = threading.Lock()
MATCHES: list[int] = []  # files present at each poll


class ArrivingFileSystem(LocalFileSystem):
    @classmethod
    def scheme(cls):
        return "arriving"

    def match(self, patterns, limits=None):
        with LOCK:
            if WAITING:
                source, folder = WAITING.pop(0)
                shutil.move(source, folder / source.name)
            results = super().match([p.removeprefix("arriving://") for p in patterns], limits)
            MATCHES.append(len(results[0].metadata_list))
        return results


def article(number: int) -> str:
    words = " ".join(f"w{number}x{i}" for i in range(120))
    return f"Headline {number}\n\nMOSCOW, May 1. {words}.\n"


def test_files_added_while_it_runs_are_each_read_once(tmp_path):
    inbox, waiting = tmp_path / "inbox", tmp_path / "waiting"
    inbox.mkdir()
    waiting.mkdir()
    (inbox / "first.txt").write_text(article(0))
    for number in (1, 2, 3):
        path = waiting / f"later-{number}.txt"
        path.write_text(article(number))
        WAITING.append((path, inbox))
    (waiting / "broken.jsonl").write_text('{"text": "fine text here"\nnot json\n')
    WAITING.append((waiting / "broken.jsonl", inbox))
    config = load_config()
    output = tmp_path / "out"
    request = stream.StreamRequest(output=str(output), config=config, state_dir=str(output / "_state"),
                                   run_id="files-test")
    source = FileArrivalSource(f"arriving://{inbox}/*", 1.0, config["input"], stop_after_s=8)
    with beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"])) as pipeline:
        stream.build(pipeline, request, source=source)
    assert MATCHES[:6] == [2, 3, 4, 5, 5, 5]  # a file arrived before each of the first polls
    con = duckdb.connect()
    articles = con.sql(f"SELECT input_ref FROM read_parquet('{output}/articles/**/*.parquet', "
                       "hive_partitioning = true)").fetchall()
    refs = sorted(os.path.basename(ref) for (ref,) in articles)
    assert refs == ["first.txt", "later-1.txt", "later-2.txt", "later-3.txt"]
    rejects = con.sql(f"SELECT input_ref, error_type FROM read_parquet('{output}/rejects/**/*.parquet', "
                      "hive_partitioning = true)").fetchall()
    assert [(os.path.basename(ref), kind) for ref, kind in rejects] == [("broken.jsonl:1", "invalid_json"),
                                                                        ("broken.jsonl:2", "invalid_json")]
    records = [json.loads(p.read_text()) for p in (output / "_commits").glob("*.json")]
    assert records and {r["status"] for r in records} == {"committed"}

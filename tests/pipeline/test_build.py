"""The assembled graph: with files only, reading is fused with processing (no fetch stages, no
Flatten that would buffer every page) and a large JSONL file read on two worker processes gives
the rows of one."""

from __future__ import annotations

import json

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import assemble
from pipeline.transaction import Transaction
from tests.helpers import read_rows, run_cli
from transforms.common.config import load_config


def labels(folder, files: list[str], urls: list[str]) -> set[str]:
    """The transforms of the graph `run` builds (inside a real transaction, never run)."""
    config = load_config()
    request = assemble.RunRequest(inputs=files, output=str(folder / "out"), config=config,
                                  state_dir=str(folder / "state"), full_refresh=True)
    pipeline = beam.Pipeline(options=PipelineOptions(["--runner=FnApiRunner"]))
    with Transaction(request.output, request.state_dir, request.run_id, True,
                     config["dedup"]["state_shards"]) as txn:
        assemble.build(pipeline, request, files, urls, [], txn)  # paths read whole: pieces of their own
    return {t.unique_name for t in pipeline.to_runner_api().components.transforms.values()}


def test_files_only_has_no_fetch_branch_and_no_records_flatten(tmp_path):
    names = labels(tmp_path, ["/tmp/a.jsonl"], [])
    assert not any(name.startswith("FetchInputs") for name in names)
    tops = {name.split("/")[0] for name in names}
    assert "AllRecords" not in names and {"Files", "Spread", "Read", "Process"} <= tops
    assert "Split" not in tops  # large JSONL files are split in the driver (read/ranges.py plan)
    with_urls = labels(tmp_path, ["/tmp/a.jsonl"], ["https://example.com/story"])
    assert any(name.startswith("FetchInputs") for name in with_urls) and "AllRecords" in with_urls


def test_jsonl_split_over_two_workers_gives_the_rows_of_one(tmp_path):
    path = tmp_path / "big.jsonl"
    filler = " ".join(f"word{i}" for i in range(400))  # ~3 KB a line: the file splits into ranges
    with path.open("w") as handle:
        for i in range(700):
            story = f"Story {i} opens here. {filler} Ends {i}."
            handle.write(json.dumps({"id": f"r{i}", "text": story}) + "\n")
    assert path.stat().st_size > 1 << 21  # more than one range (read/ranges.py SPLIT_BYTES)
    outputs = {}
    for name, extra in (("one", []), ("two", ["--direct_running_mode=multi_processing",
                                               "--direct_num_workers=2"])):
        result = run_cli("run", "--input", str(path), "--output", str(tmp_path / name), "--full-refresh",
                         *extra)
        assert result.returncode == 0, result.stderr
        outputs[name] = sorted((r["input_ref"], r["source_id"], r["text"])
                               for r in read_rows(tmp_path / name, "articles"))
    assert len(outputs["one"]) == 700 and outputs["one"] == outputs["two"]
    assert outputs["one"][0][0] == f"{path}:1"

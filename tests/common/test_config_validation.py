"""Config validated at start: a value out of range, outside its enum, or naming a missing file
stops `pipeline run` with exit 2 and one line naming the key (each of these once ran: a
negative max_rows_per_file wrote nothing and recorded the article as ingested, num_perm 0
turned deduplication off, a partition key '../x' wrote outside the table)."""

from __future__ import annotations

import logging

import pytest

from pipeline import cli
from tests.helpers import SEEDS, run_cli
from transforms.common.config import ConfigError, load_config

BAD_VALUES = [
    ("output.max_rows_per_file", "output:\n  max_rows_per_file: -1\n"),
    ("output.max_rows_per_file", "output:\n  max_rows_per_file: 0\n"),
    ("output.partition_by", "output:\n  partition_by: [date, '../x']\n"),
    ("output.partition_by", "output:\n  partition_by: [date, date]\n"),
    ("output.compression", "output:\n  compression: zip\n"),
    ("dedup.num_perm", "dedup:\n  num_perm: 0\n"),
    ("dedup.band_rows", "dedup:\n  band_rows: 0\n"),
    ("dedup.band_rows", "dedup:\n  band_rows: 64\n"),  # more rows than values: no band at all
    ("dedup.shingle_size", "dedup:\n  shingle_size: 0\n"),
    ("dedup.min_containment", "dedup:\n  min_containment: 1.5\n"),
    ("dedup.state_shards", "dedup:\n  state_shards: 0\n"),
    ("dedup.seed", "dedup:\n  seed: -1\n"),
    ("lang.min_confidence", "lang:\n  min_confidence: 2\n"),
    ("lang.trials", "lang:\n  trials: 0\n"),
    ("lang.max_chars", "lang:\n  max_chars: -400\n"),
    ("input.max_record_bytes", "input:\n  max_record_bytes: 0\n"),
    ("input.max_inflated_bytes", "input:\n  max_inflated_bytes: -1\n"),
    ("input.text_extensions", "input:\n  text_extensions: [txt]\n"),
    ("input.fallback_encoding", "input:\n  fallback_encoding: klingon-8\n"),
    ("fetch.connect_timeout_s", "fetch:\n  connect_timeout_s: 0\n"),
    ("fetch.max_retries", "fetch:\n  max_retries: -1\n"),
    ("fetch.per_host_max_in_flight", "fetch:\n  per_host_max_in_flight: 0\n"),
    ("fetch.max_parallel_hosts", "fetch:\n  max_parallel_hosts: 0\n"),
    ("fetch.user_agent", "fetch:\n  user_agent: ''\n"),
    ("fetch.user_agent", "fetch:\n  user_agent: \"bot\\r\\nX-Injected: 1\"\n"),
    ("fetch.page_content_types", "fetch:\n  page_content_types: [html]\n"),
    ("fetch.max_body_bytes", "fetch:\n  max_body_bytes: 0\n"),
    ("extract.min_text_chars", "extract:\n  min_text_chars: -1\n"),
    ("clean.sources_file", "clean:\n  sources_file: configs/no-such-sources.yaml\n"),
    ("quotes.cues_file", "quotes:\n  cues_file: /no/such/cues.yaml\n"),
    ("lang.min_confidence", "lang:\n  min_confidence: high\n"),
    ("extract.favor_precision", "extract:\n  favor_precision: 1\n"),
    ("fetch.agent", "fetch:\n  agent: x\n"),
    ("feeds", "feeds: [3]\n"),
]


@pytest.fixture
def restore_logging():
    """cli.main sets up the root logger for a user's terminal: put the test runner's back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize("key, text", BAD_VALUES, ids=[f"{k}:{t.split(':', 1)[-1].strip()[:24]}"
                                                       for k, t in BAD_VALUES])
def test_bad_value_exits_2_with_one_line_naming_the_key(tmp_path, capsys, restore_logging, key, text):
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    out = tmp_path / "out"
    code = cli.main(["run", "--input", str(SEEDS), "--output", str(out), "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("pipeline: error: ")
    assert f"'{key}" in err
    assert not (tmp_path / "out" / "articles").exists()


def test_messages_say_what_is_wrong(tmp_path):
    def problem(text: str) -> str:
        path = tmp_path / "c.yaml"
        path.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        return str(caught.value)

    assert "greater than 0, not -1" in problem("output:\n  max_rows_per_file: -1\n")
    assert "'../x' is not a partition column (one of date, lang, source)" in problem(
        "output:\n  partition_by: [date, '../x']\n")
    assert "band_rows (64) must divide num_perm (32)" in problem("dedup:\n  band_rows: 64\n")
    assert "unknown encoding 'klingon-8'" in problem("input:\n  fallback_encoding: klingon-8\n")
    assert "(and 1 more problems)" in problem("lang:\n  trials: 0\n  max_chars: 0\n")
    assert "known here:" in problem("fetch:\n  agent: x\n")


def test_good_values_pass_and_ints_stand_for_floats(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("output:\n  partition_by: [source, date]\n  compression: snappy\n"
                    "fetch:\n  connect_timeout_s: 2\nfeeds:\n  - https://example.org/rss\n"
                    "  - {url: https://example.org/atom, name: Example}\n")
    config = load_config(path)
    assert config["output"]["partition_by"] == ["source", "date"]
    timeout = config["fetch"]["connect_timeout_s"]
    assert timeout == 2.0 and isinstance(timeout, float)
    assert config["feeds"][1]["name"] == "Example"


def test_an_empty_feeds_list_is_no_feeds(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("feeds:\n  # - https://example.org/rss\n")
    assert load_config(path)["feeds"] == []


def test_defaults_validate():
    assert load_config()["dedup"]["num_perm"] == 32


def test_cli_refuses_a_negative_max_rows_before_running(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("output:\n  max_rows_per_file: -1\n")
    out = tmp_path / "out"
    result = run_cli("run", "--input", str(SEEDS), "--output", str(out), "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "output.max_rows_per_file" in result.stderr
    assert not (out / "_state").exists() and not (out / "articles").exists()

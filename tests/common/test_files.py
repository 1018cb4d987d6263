"""The common helpers for files: YAML and JSON reading with one-line errors, maybe-gzip reading,
atomic JSON writing."""

from __future__ import annotations

import gzip
import json

import pytest

from transforms.common import fs
from transforms.common.config import ConfigError, read_json, read_yaml


def test_read_yaml_names_what_and_where(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("outlets:\n  - name: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid YAML in sources file .*sources\.yaml \(line \d+, col"):
        read_yaml(path, "sources file")
    with pytest.raises(ConfigError, match=r"cannot read config .*missing\.yaml"):
        read_yaml(tmp_path / "missing.yaml")


def test_read_json_names_what_and_where(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{"a": 1,\n "b": }', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid JSON in run record .*run.json \(line 2, column 7\)"):
        read_json(path, "run record")
    path.write_text('{"a": [1, "ü"]}', encoding="utf-8")
    assert read_json(path) == {"a": [1, "ü"]}


def test_open_maybe_gzip_inflates_only_gz_names(tmp_path):
    plain, packed = tmp_path / "a.jsonl", tmp_path / "a.jsonl.gz"
    plain.write_bytes(b"one\ntwo\n")
    packed.write_bytes(gzip.compress(b"one\ntwo\n"))
    for path in (plain, packed):
        with fs.open_maybe_gzip(str(path)) as handle:
            assert handle.readline() == b"one\n"


def test_write_json_atomic_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "_runs" / "r1.json"
    path.parent.mkdir()
    fs.write_json_atomic(str(path), {"b": 1, "a": "é"}, indent=2)
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": "é", "b": 1}
    assert [p.name for p in path.parent.iterdir()] == ["r1.json"]

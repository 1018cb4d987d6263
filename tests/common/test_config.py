"""Config: defaults, merging, and one-line errors."""

from __future__ import annotations

import pytest

from transforms.common.config import ConfigError, load_config


def write(tmp_path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


def test_defaults_hold_the_contract_keys():
    config = load_config()
    assert config["fetch"]["allow_private_networks"] is False
    assert config["fetch"]["user_agent"]
    assert config["output"]["partition_by"] == ["date", "lang"]


def test_user_values_merge_over_defaults(tmp_path):
    text = "fetch:\n  allow_private_networks: true\nlang:\n  min_confidence: 1\n"
    config = load_config(write(tmp_path, text))
    assert config["fetch"]["allow_private_networks"] is True
    assert config["fetch"]["user_agent"] == load_config()["fetch"]["user_agent"]
    assert config["lang"]["min_confidence"] == 1.0


@pytest.mark.parametrize("text, message", [
    ("fetch:\n  allow_private_networks: yes please\n", "must be true or false"),
    ("fetch: 3\n", "must be a mapping"),
    ("nope: 1\n", "unknown config key 'nope'"),
    ("fetch:\n  agent: x\n", "unknown config key 'fetch.agent'"),
    ("- a\n- b\n", "must be a mapping of sections"),
    ("output:\n  max_rows_per_file: true\n", "must be of type int"),
])
def test_errors_name_the_key(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_empty_config_is_the_defaults(tmp_path):
    assert load_config(write(tmp_path, "")) == load_config()

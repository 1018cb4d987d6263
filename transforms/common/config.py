"""Loading and validating the YAML config.

`configs/default.yaml` holds every key with its default; a user config is merged over it.
Validation is driven by the defaults themselves: an unknown key or a value whose type differs
from the default's stops the run with one line naming the key.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.yaml"

# Keys whose value is free-form (lists of mappings, per-entry settings): checked by their
# stage, not by type-against-default.
FREE_FORM = {"feeds"}


# libyaml's parser (same safe constructor, same objects) reads the outlet profiles about 5x faster
# than the pure-Python one: they are read at every start, in the driver and in each worker.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(ValueError):
    """A config that cannot be used; the message is one line for the user."""


def read_yaml(path: str | os.PathLike, what: str = "config") -> Any:
    """The parsed YAML file; ConfigError with one line naming `what` and where it failed."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)
    except OSError as error:
        raise ConfigError(f"cannot read {what} {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"invalid YAML in {what} {path}{where}: {problem}") from error


def read_json(path: str | os.PathLike, what: str = "file") -> Any:
    """The parsed JSON file; ConfigError with one line naming `what` and where it failed."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise ConfigError(f"cannot read {what} {path}: {error.strerror or error}") from error
    except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        problem = getattr(error, "msg", None) or str(error)
        raise ConfigError(f"invalid JSON in {what} {path}{where}: {problem}") from error


def project_path(path: str | os.PathLike) -> Path:
    """A path from the config: absolute as given, else relative to the project root."""
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_config(path: str | os.PathLike | None = None) -> dict:
    """The defaults, with the file at `path` (if any) merged over them and validated."""
    defaults = read_yaml(DEFAULT_CONFIG)
    if path is None or Path(path).resolve() == DEFAULT_CONFIG:
        return defaults
    user = read_yaml(path)
    if user is None:
        return defaults
    if not isinstance(user, dict):
        raise ConfigError(f"config {path} must be a mapping of sections, not {type(user).__name__}")
    return merge(defaults, user, prefix="")


def merge(defaults: dict, user: dict, prefix: str) -> dict:
    merged = copy.deepcopy(defaults)
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"unknown config key '{name}' (known here: {known})")
        default = defaults[key]
        if name in FREE_FORM or prefix.rstrip(".") in FREE_FORM:
            merged[key] = value
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"config key '{name}' must be a mapping")
            merged[key] = merge(default, value, prefix=f"{name}.")
        else:
            merged[key] = check_type(name, value, default)
    return merged


def check_type(name: str, value: Any, default: Any) -> Any:
    """The value if its type fits the default's (ints are accepted for floats)."""
    if default is None:
        return value
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is bool and not isinstance(value, bool):
        raise ConfigError(f"config key '{name}' must be true or false, not {value!r}")
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"config key '{name}' must be of type {expected.__name__}, not {value!r}")
    return value


def section(config: dict, name: str) -> dict:
    """One section of a loaded config (a copy, safe to hand to a DoFn)."""
    return copy.deepcopy(config.get(name) or {})

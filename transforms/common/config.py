"""Loading and validating the YAML config.

`configs/default.yaml` holds every key with its default; a user config is merged over it and
the merged mapping is validated by the pydantic models of transforms/common/settings.py (types,
ranges, enums, partition columns, files). Any problem stops the run with one line naming the
key; an unknown key is refused.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from transforms.common.settings import PROJECT_ROOT, Settings

DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.yaml"
# Keys whose value is replaced whole by the user's (a list of feeds), not merged key by key.
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
    """The defaults, with the file at `path` (if any) merged over them, validated."""
    defaults = read_yaml(DEFAULT_CONFIG)
    merged = defaults
    if path is not None and Path(path).resolve() != DEFAULT_CONFIG:
        user = read_yaml(path)
        if user is not None and not isinstance(user, dict):
            raise ConfigError(f"config {path} must be a mapping of sections, not {type(user).__name__}")
        merged = merge(defaults, user or {})
    return validate(merged)


def merge(defaults: dict, user: dict) -> dict:
    """The user's values over the defaults, mapping by mapping (validation judges the result)."""
    merged = copy.deepcopy(defaults)
    for key, value in user.items():
        default = defaults.get(key)
        if key not in FREE_FORM and isinstance(default, dict) and isinstance(value, dict):
            merged[key] = merge(default, value)
        else:
            merged[key] = value
    return merged


def validate(config: dict) -> dict:
    """The config as the models read it (ints where floats are due become floats), or
    ConfigError with one line about the first problem."""
    try:
        return Settings.model_validate(config).model_dump()
    except ValidationError as error:
        problems = error.errors(include_url=False)
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(describe(problems[0]) + more) from None


def describe(problem: dict) -> str:
    """One line for a pydantic error: the dotted key, what is wrong, and the value given."""
    loc = [str(part) for part in problem["loc"]]
    key = ".".join(part for part in loc if not part.isdigit())
    where = key + "".join(f"[{part}]" for part in loc[len(key.split(".")):] if part.isdigit())
    kind, value = problem["type"], problem.get("input")
    if kind == "extra_forbidden":
        return f"unknown config key '{key}' (known here: {', '.join(known_keys(loc[:-1]))})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"config key '{key}' must be a mapping"
    if kind == "bool_type":
        return f"config key '{key}' must be true or false, not {value!r}"
    if kind in ("int_type", "float_type", "string_type", "list_type"):
        wanted = {"int_type": "int", "float_type": "float", "string_type": "str", "list_type": "list"}[kind]
        return f"config key '{key}' must be of type {wanted}, not {value!r}"
    if kind == "value_error":  # our validators' messages name the value themselves
        return f"config key '{where}': {problem['msg'].removeprefix('Value error, ')}"
    return f"config key '{where}': {problem['msg']}, not {value!r}"


def known_keys(loc: list[str]) -> list[str]:
    model = Settings
    for part in loc:
        annotation = model.model_fields[part].annotation
        if not isinstance(annotation, type):
            return []
        model = annotation
    return sorted(model.model_fields)


def section(config: dict, name: str) -> dict:
    """One section of a loaded config (a copy, safe to hand to a DoFn)."""
    return copy.deepcopy(config.get(name) or {})

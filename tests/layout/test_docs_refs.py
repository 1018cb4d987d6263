"""README.md and docs/*.md name only paths that exist and options that the commands take."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from pipeline.cli import UsageError, build_parser, check_beam_args

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PATH = re.compile(r"(?<![\w/.])((?:transforms|pipeline|tests|bench|configs)/[\w./-]*\w)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")
# options of other tools the docs show (bq, pip, Beam's worker pool and job service)
OTHER_TOOLS = {"--source_format", "--hive_partitioning_mode", "--hive_partitioning_source_uri_prefix",
               "--external_table_definition", "--no-deps", "--no-build-isolation", "--service_port", "--port",
               "--checkpointing_interval"}  # named in the README as a Java-only option the CLI refuses


def cli_options() -> set[str]:
    found: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            found.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    return found


def bench_options() -> set[str]:
    text = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "bench").glob("*.py"))
    return set(re.findall(r"add_argument\(\s*\"(--[\w-]+)\"", text))


def known_to_beam(option: str) -> bool:
    """cli.check_beam_args refuses an option Beam does not know with a UsageError; an option that
    wants a value fails otherwise (argparse), which still means Beam knows it."""
    try:
        check_beam_args([option])
    except UsageError:
        return False
    except (argparse.ArgumentError, SystemExit):
        return True
    return True


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_named_paths_exist(doc):
    text = doc.read_text(encoding="utf-8")
    missing = [ref for ref in sorted(set(PATH.findall(text))) if not (ROOT / ref).exists()]
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_named_options_exist(doc):
    text = doc.read_text(encoding="utf-8")
    known = cli_options() | bench_options() | OTHER_TOOLS
    named = sorted(set(OPTION.findall(text)))
    unknown = [opt for opt in named if opt not in known and not known_to_beam(opt)]
    assert not unknown, f"{doc.name} names options that no command takes: {unknown}"

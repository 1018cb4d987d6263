"""The schema module is the one definition of the tables: README's column tables must match it."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from transforms.common.schemas import PARTITION_BY, PARTITION_TYPES, TABLES

README = Path(__file__).resolve().parents[2] / "README.md"
# README's words for a column's type -> the arrow type it names.
TYPE_WORDS = {
    "string": pa.string(), "bool": pa.bool_(), "int32": pa.int32(), "double": pa.float64(),
    "timestamp": pa.timestamp("us", tz="UTC"), "list of string": pa.list_(pa.string()),
}


def readme_table(table: str) -> list[tuple[list[str], str]]:
    """The rows (column names, type cell) of the first markdown table under README's `### table`."""
    text = README.read_text(encoding="utf-8")
    heading = re.search(rf"^### {table}\s*$", text, re.M)
    assert heading, f"README has no '### {table}' section"
    rows = []
    for line in text[heading.end():].splitlines():
        if line.startswith("#"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        names = re.findall(r"`([^`]+)`", cells[0]) if cells else []
        if names:
            rows.append((names, cells[1]))
        elif rows and not line.startswith("|"):
            break  # the table has ended
    return rows


@pytest.mark.parametrize("table", sorted(TABLES))
def test_readme_lists_exactly_the_schema_columns_and_partitions(table):
    documented = [name for names, _ in readme_table(table) for name in names]
    expected = {field.name for field in TABLES[table]} | set(PARTITION_BY[table])  # lang is both
    assert sorted(documented) == sorted(expected)
    assert len(documented) == len(set(documented))


@pytest.mark.parametrize("table", sorted(TABLES))
def test_readme_types_and_nulls_match_the_schema(table):
    schema = TABLES[table]
    for names, type_cell in readme_table(table):
        words = type_cell.split(" (")[0].split(", ")  # "string, null", "timestamp (UTC, µs)"
        if "partition" in type_cell:
            assert all(name in PARTITION_TYPES for name in names), names
            continue
        if len(names) > 1 and len(words) == len(names):  # "`updated_at`, `run_id` | timestamp, string"
            pairs = list(zip(names, words, strict=True))
        else:
            pairs = [(name, words[0]) for name in names]
        for name, word in pairs:
            field = schema.field(name)
            assert TYPE_WORDS[word] == field.type, f"{table}.{name}: README says {word}, schema {field.type}"
            if "null" in words:
                assert field.nullable, f"{table}.{name}: README says null, the schema does not"

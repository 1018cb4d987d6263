"""Reject rows are always writable: no lone surrogate reaches a Parquet string column."""

from __future__ import annotations

from transforms.common.rejects import make_reject


def test_surrogates_in_refs_and_messages_are_escaped():
    row = make_reject("/in/caf\udce9.txt", "read", "OSError", "cannot open /in/caf\udce9.txt: \ud800")
    assert row["input_ref"] == "/in/caf\\udce9.txt"
    assert row["error_message"] == "cannot open /in/caf\\udce9.txt: \\ud800"
    for value in row.values():
        if isinstance(value, str):
            value.encode("utf-8")


def test_valid_text_is_untouched():
    row = make_reject("/in/café.txt", "read", "empty", "file is empty")
    assert row["input_ref"] == "/in/café.txt" and row["error_message"] == "file is empty"

"""JSONL: one article per line; a bad line is a reject naming `path:LINE`, never the whole file.

Lines are cut from large chunks, and runs of blank lines are skipped at C speed (a .jsonl.gz
of nothing but newlines inflates to gigabytes: one Python step per line took 40 minutes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from transforms.common.records import RawRecord
from transforms.common.rejects import make_reject

STAGE = "read"
CHUNK_BYTES = 1 << 20
JSONL_FIELDS = ("id", "url", "source", "title", "summary", "text", "html", "published")
_NON_BLANK = re.compile(rb"\S")
_SURROGATE = re.compile("[\ud800-\udfff]")


class RecordTooLarge(ValueError):
    pass


def jsonl_lines(handle: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | RecordTooLarge]]:
    """(line number, line) for each non-blank line of at most `limit` bytes; a longer line
    yields RecordTooLarge instead and is never held whole in memory."""
    number = 0  # lines ended so far
    pending: list[bytes] = []  # start of the line that the next chunk continues
    pending_size = 0
    oversized = False  # the pending line passed the limit: its bytes are dropped
    read = getattr(handle, "read1", handle.read)  # read1: a truncated stream still gives its head
    while chunk := read(CHUNK_BYTES):
        start = 0
        if not pending and not oversized:
            start, blank_lines = _skip_blank(chunk, 0)
            number += blank_lines
        while start < len(chunk):
            end = chunk.find(b"\n", start)
            if end < 0:  # the line goes on in the next chunk
                if not oversized:
                    pending.append(chunk[start:])
                    pending_size += len(chunk) - start
                    if pending_size > limit:
                        oversized, pending, pending_size = True, [], 0
                break
            number += 1
            if oversized or pending_size + end - start > limit:
                yield number, RecordTooLarge(f"line larger than input.max_record_bytes ({limit} bytes)")
            else:
                line = b"".join([*pending, chunk[start:end]]) if pending else chunk[start:end]
                if line.strip():
                    yield number, line
            oversized, pending, pending_size = False, [], 0
            start, blank_lines = _skip_blank(chunk, end + 1)
            number += blank_lines
    if oversized:
        yield number + 1, RecordTooLarge(f"line larger than input.max_record_bytes ({limit} bytes)")
    elif pending and b"".join(pending).strip():
        yield number + 1, b"".join(pending)


def _skip_blank(chunk: bytes, start: int) -> tuple[int, int]:
    """(start of the first line from `start` with a non-blank byte, lines skipped to reach it);
    (len(chunk), newlines) when the rest of the chunk is blank."""
    found = _NON_BLANK.search(chunk, start)
    if found is None:
        return len(chunk), chunk.count(b"\n", start)
    line_start = chunk.rfind(b"\n", start, found.start()) + 1 or start
    return line_start, chunk.count(b"\n", start, line_start)


def parse_jsonl_line(ref: str, line: bytes | RecordTooLarge) -> RawRecord | dict:
    """A raw record, or a reject row saying why the line is none."""
    if isinstance(line, RecordTooLarge):
        return make_reject(ref, STAGE, "too_large", str(line))
    try:
        obj = json.loads(line)
    except RecursionError:  # a depth bomb: [[[[... past the parser's recursion limit
        return make_reject(ref, STAGE, "invalid_json", "JSON nested too deeply", line)
    except (ValueError, UnicodeDecodeError) as error:
        return make_reject(ref, STAGE, "invalid_json", str(error), line)
    if not isinstance(obj, dict):
        return make_reject(ref, STAGE, "invalid_json", "line is not a JSON object", line)
    fields = {key: _as_text(obj.get(key)) for key in JSONL_FIELDS}
    bad = next((key for key, value in fields.items() if value and _SURROGATE.search(value)), None)
    if bad:  # "\ud800" is valid JSON but no UTF-8 writer (Parquet) accepts it
        return make_reject(ref, STAGE, "invalid_encoding",
                           f"field '{bad}' holds a lone UTF-16 surrogate (not valid Unicode text)", line)
    text, html = fields["text"], fields["html"]
    if not (text or "").strip() and not (html or "").strip():
        return make_reject(ref, STAGE, "missing_content", "record has neither text nor html", line)
    return RawRecord(
        input_ref=ref,
        source_id=fields["id"],
        url=fields["url"],
        source=fields["source"],
        title=fields["title"],
        summary=fields["summary"],
        text=text if (text or "").strip() else None,
        html=None if (text or "").strip() else html,
        published=fields["published"],
    )


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    # ensure_ascii: a surrogate inside a nested value stays an escape, which any writer accepts
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)

"""Reading local inputs: expanding --input into files, and files into raw records.

Expansion runs in the driver (it must fail fast on a missing path); reading runs inside the
pipeline, one file per element, so a large corpus is never materialised in the driver.
Every file ends as records or as reject rows: nothing here raises on bad content.
"""

from __future__ import annotations

import glob
import json
import logging
import os
from collections.abc import Iterator

from transforms.common import fs
from transforms.common.records import RawRecord
from transforms.common.rejects import make_reject, reject_from_exception

LOG = logging.getLogger("newspipe.readers")
STAGE = "read"
BINARY_SNIFF_BYTES = 8192


class InputError(ValueError):
    """An --input that names nothing: stops the run before it starts."""


def is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def expand_inputs(refs: list[str]) -> tuple[list[str], list[str]]:
    """(files, urls) named by --input values: files, folders (recursive), globs, URLs.

    Sorted and de-duplicated, so a run's element order never depends on the file system.
    """
    files: set[str] = set()
    urls: list[str] = []
    for ref in refs:
        if is_url(ref):
            urls.append(ref)
        elif os.path.isfile(ref):
            files.add(os.path.abspath(ref))
        elif os.path.isdir(ref):
            files.update(_walk(ref))
        else:
            matches = glob.glob(ref, recursive=True)
            if not matches:
                raise InputError(f"input not found: {ref}")
            for match in matches:
                files.update(_walk(match) if os.path.isdir(match) else [os.path.abspath(match)])
    return sorted(files), sorted(set(urls))


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                yield os.path.abspath(os.path.join(root, name))


def kind_of(path: str, settings: dict) -> str:
    """text / html / jsonl / feed by extension (a trailing .gz ignored), else 'unknown'."""
    name = path.lower().removesuffix(".gz")
    for kind in ("text", "html", "jsonl", "feed"):
        if any(name.endswith(ext) for ext in settings[f"{kind}_extensions"]):
            return kind
    return "unknown"


def sniff_kind(head: bytes) -> str:
    """Guess the kind of a file with an unknown extension from its first bytes."""
    start = head.lstrip()[:512].lower()
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"<"):
        if b"<rss" in start or b"<feed" in start or b"<rdf" in start:
            return "feed"
        return "html"
    return "text"


class RecordTooLarge(ValueError):
    pass


def read_bytes(path: str, limit: int) -> bytes:
    """The file's content (inflated if .gz), at most `limit` bytes, else RecordTooLarge.
    Reading stops at the limit, so a huge file or a gzip bomb costs no memory."""
    with fs.open_maybe_gzip(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise RecordTooLarge(f"larger than input.max_record_bytes ({limit} bytes)")
    return data


def decode(data: bytes, fallback: str) -> str:
    """UTF-8 (BOM tolerated) or UTF-16 with BOM; else the configured fallback encoding, or
    UnicodeDecodeError so the file becomes a reject instead of silent garbage."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback:
            return data.decode(fallback, errors="replace")
        raise


def check_content(data: bytes) -> str | None:
    """Why the bytes cannot be an article (empty, binary), or None."""
    if not data.strip():
        return "empty"
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        return "binary"
    return None


def read_file(path: str, settings: dict) -> Iterator[RawRecord | dict]:
    """Raw records of one file, or reject rows (dicts) for what cannot be read."""
    kind = kind_of(path, settings)
    limit = settings["max_record_bytes"]
    if kind == "jsonl":
        yield from read_jsonl(path, limit)
        return
    try:
        data = read_bytes(path, limit)
    except RecordTooLarge as error:
        yield make_reject(path, STAGE, "too_large", str(error))
        return
    except (OSError, EOFError) as error:
        yield reject_from_exception(path, STAGE, error)
        return
    if kind == "unknown":
        if not settings["sniff_unknown"]:
            yield make_reject(path, STAGE, "unknown_format", "extension not recognised", data)
            return
        kind = sniff_kind(data)
        if kind == "jsonl":
            yield from read_jsonl(path, limit)
            return
    problem = check_content(data)
    if problem:
        yield make_reject(path, STAGE, problem, f"file is {problem}", data)
        return
    try:
        content = decode(data, settings["fallback_encoding"])
    except UnicodeDecodeError as error:
        yield make_reject(path, STAGE, "invalid_encoding", f"not valid UTF-8: {error.reason} "
                          f"at byte {error.start}", data)
        return
    if kind == "feed":
        yield make_reject(path, STAGE, "unsupported", "feed files are read by the feeds stage", data)
    elif kind == "html":
        yield RawRecord(input_ref=path, html=content)
    else:
        yield RawRecord(input_ref=path, text=content)


JSONL_FIELDS = ("id", "url", "source", "title", "summary", "text", "html", "published")


def read_jsonl(path: str, limit: int) -> Iterator[RawRecord | dict]:
    """One record per non-blank line; a bad line is a reject naming `path:LINE`."""
    try:
        with fs.open_maybe_gzip(path) as handle:
            for number, line in enumerate(_bounded_lines(handle, limit), start=1):
                yield parse_jsonl_line(f"{path}:{number}", line)
    except (OSError, EOFError) as error:  # unreadable or truncated .gz: the rest is lost
        yield reject_from_exception(path, STAGE, error)


def _bounded_lines(handle, limit: int) -> Iterator[bytes | RecordTooLarge]:
    """Lines of at most `limit` bytes; a longer line is skipped and yields RecordTooLarge."""
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # drain the rest of the long line
                line = handle.readline(limit + 1)
            yield RecordTooLarge(f"line larger than input.max_record_bytes ({limit} bytes)")
        else:
            yield line


def parse_jsonl_line(ref: str, line: bytes | RecordTooLarge) -> RawRecord | dict | None:
    if isinstance(line, RecordTooLarge):
        return make_reject(ref, STAGE, "too_large", str(line))
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        return make_reject(ref, STAGE, "invalid_json", str(error), line)
    if not isinstance(obj, dict):
        return make_reject(ref, STAGE, "invalid_json", "line is not a JSON object", line)
    fields = {key: _as_text(obj.get(key)) for key in JSONL_FIELDS}
    if not (fields["text"] or "").strip() and not (fields["html"] or "").strip():
        return make_reject(ref, STAGE, "missing_content", "record has neither text nor html", line)
    return RawRecord(
        input_ref=ref,
        source_id=fields["id"],
        url=fields["url"],
        source=fields["source"],
        title=fields["title"],
        summary=fields["summary"],
        text=fields["text"] if (fields["text"] or "").strip() else None,
        html=None if (fields["text"] or "").strip() else fields["html"],
        published=fields["published"],
    )


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)

"""Reading inputs: files into raw records, through the one filesystem layer (local, gs://, s3://).

Expansion (transforms/read/expand.py) runs in the driver; reading runs inside the pipeline,
one file per element, so a large corpus is never materialised in the driver. Every file ends
as records or as reject rows: nothing here raises on bad content, and nothing blocks on a
path that is not a regular file.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from transforms.common import fs
from transforms.common.records import RawRecord
from transforms.common.rejects import make_reject, reject_from_exception
from transforms.read.decode import DecodeError, decode, unicode_encoding
from transforms.read.expand import InputError, display_ref, expand_inputs, is_url
from transforms.read.jsonl import STAGE, RecordTooLarge, jsonl_lines, parse_jsonl_line

__all__ = ["STAGE", "InputError", "expand_inputs", "is_url", "kind_of", "read_file", "read_head",
           "sniff_kind"]

LOG = logging.getLogger("newspipe.readers")
BINARY_SNIFF_BYTES = 8192
# What a broken or hostile compressed stream raises while being read.
READ_ERRORS = (OSError, EOFError, zlib.error)


class InflatedTooLarge(ValueError):
    """A compressed file inflating past input.max_inflated_bytes (a decompression bomb)."""


def kind_of(path: str, settings: dict) -> str:
    """text / html / jsonl / feed by extension (a trailing .gz ignored), else 'unknown'."""
    name = path.lower().removesuffix(".gz")
    for kind in ("text", "html", "jsonl", "feed"):
        if any(name.endswith(ext) for ext in settings[f"{kind}_extensions"]):
            return kind
    return "unknown"


def sniff_kind(head: bytes) -> str:
    """Guess the kind of a file with an unknown extension from its first bytes."""
    encoding = unicode_encoding(head)
    if encoding and encoding != "utf-8-sig":
        with contextlib.suppress(UnicodeDecodeError):
            head = head.decode(encoding, errors="ignore").encode("utf-8")
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:512].lower()
    if start.startswith(b"{"):
        return "jsonl"
    if start.startswith(b"<"):
        if b"<rss" in start or b"<feed" in start or b"<rdf" in start:
            return "feed"
        return "html"
    return "text"


class _Capped:
    """A read-only stream that raises InflatedTooLarge once more than `cap` bytes came out."""

    def __init__(self, inner: BinaryIO, cap: int):
        self.inner, self.cap, self.seen = inner, cap, 0

    def read(self, size: int = -1) -> bytes:
        return self._count(self.inner.read(size))

    def read1(self, size: int = -1) -> bytes:
        """What one step inflates: the bytes before a truncation still come out."""
        return self._count(self.inner.read1(size))

    def _count(self, data: bytes) -> bytes:
        self.seen += len(data)
        if self.seen > self.cap:
            raise InflatedTooLarge(f"inflates past input.max_inflated_bytes ({self.cap} bytes): "
                                   "a decompression bomb or a file to split")
        return data


@contextlib.contextmanager
def open_input(path: str, inflated_cap: int) -> Iterator[BinaryIO]:
    """The file's content, inflated if .gz (at most `inflated_cap` bytes out). Refuses a local
    path that is not a regular file before opening it (opening a FIFO blocks)."""
    problem = fs.not_regular(path)
    if problem:
        raise NotRegularFile(problem)
    with _open_raw(path) as raw:
        if not path.lower().endswith(".gz"):
            yield raw
            return
        with gzip.GzipFile(fileobj=raw, mode="rb") as inflated:
            yield _Capped(inflated, inflated_cap)


class NotRegularFile(OSError):
    pass


def _open_raw(path: str) -> BinaryIO:
    """A local file opened directly (what Beam's LocalFileSystem does, without building a
    filesystem per call), anything else through the filesystem layer."""
    if fs.is_local(path):
        return open(path.removeprefix("file://"), "rb")
    return fs.open_raw(path)


def _read_at_most(handle: BinaryIO, count: int) -> bytes:
    """handle.read(count), sized by the file's length where the handle has one: a read of
    `count` bytes first allocates `count` bytes (max_record_bytes, megabytes) per file."""
    fileno = getattr(handle, "fileno", None)
    if fileno is None:
        return handle.read(count)
    try:
        first_size = min(count, os.fstat(fileno()).st_size + 1)
    except (OSError, ValueError):  # io.UnsupportedOperation is both
        return handle.read(count)
    data = handle.read(first_size)
    if len(data) < first_size or len(data) >= count:
        return data  # the end of the file, or all that was asked
    return data + handle.read(count - len(data))  # the file grew since fstat


def read_head(path: str, size: int, settings: dict) -> bytes:
    """The first `size` bytes of a file's content (inflated); b"" when it cannot be read."""
    try:
        with open_input(path, settings["max_inflated_bytes"]) as handle:
            return handle.read(size)
    except (*READ_ERRORS, InflatedTooLarge):
        return b""


def read_bytes(path: str, settings: dict) -> bytes:
    """The file's content, at most input.max_record_bytes, else RecordTooLarge. Reading stops
    at the limit, so a huge file or a gzip bomb costs no memory."""
    limit = settings["max_record_bytes"]
    with open_input(path, max(settings["max_inflated_bytes"], limit + 1)) as handle:
        data = _read_at_most(handle, limit + 1)
    if len(data) > limit:
        raise RecordTooLarge(f"larger than input.max_record_bytes ({limit} bytes)")
    return data


def check_content(data: bytes) -> str | None:
    """Why the bytes cannot be an article (empty, binary), or None. UTF-16/32 text is full of
    zero bytes: it is not binary."""
    if not data.strip():
        return "empty"
    if b"\x00" in data[:BINARY_SNIFF_BYTES] and not unicode_encoding(data):
        return "binary"
    return None


def read_file(path: str, settings: dict) -> Iterator[RawRecord | dict]:
    """Raw records of one file, or reject rows (dicts) for what cannot be read."""
    ref = display_ref(path)
    problem = fs.not_regular(path)
    if problem:
        yield make_reject(ref, STAGE, "not_a_file", problem)
        return
    kind = kind_of(path, settings)
    if kind == "jsonl":
        yield from read_jsonl(path, settings)
        return
    try:
        data = read_bytes(path, settings)
    except RecordTooLarge as error:
        yield make_reject(ref, STAGE, "too_large", str(error))
        return
    except READ_ERRORS as error:
        yield reject_from_exception(ref, STAGE, error)
        return
    if kind == "unknown":
        if not settings["sniff_unknown"]:
            yield make_reject(ref, STAGE, "unknown_format", "extension not recognised", data)
            return
        kind = sniff_kind(data)
        if kind == "jsonl":
            yield from read_jsonl(path, settings)
            return
    yield from _text_record(ref, kind, data, settings)


def _text_record(ref: str, kind: str, data: bytes, settings: dict) -> Iterator[RawRecord | dict]:
    problem = check_content(data)
    if problem:
        yield make_reject(ref, STAGE, problem, f"file is {problem}", data)
        return
    try:
        content, _ = decode(data, settings["fallback_encoding"])
    except DecodeError as error:
        yield make_reject(ref, STAGE, "invalid_encoding", str(error), data)
        return
    if not content.strip():
        yield make_reject(ref, STAGE, "empty", "file is empty", data)
    elif kind == "feed":
        yield make_reject(ref, STAGE, "unsupported", "feed files are read by the feeds stage", data)
    elif kind == "html":
        yield RawRecord(input_ref=ref, html=content)
    else:
        yield RawRecord(input_ref=ref, text=content)


def read_jsonl(path: str, settings: dict) -> Iterator[RawRecord | dict]:
    """One record per non-blank line; a bad line is a reject naming `path:LINE`. A file that
    breaks off (truncated .gz, inflation cap) keeps the records before the break, and the
    break is a reject naming the file."""
    ref = display_ref(path)
    number = 0
    try:
        with open_input(path, settings["max_inflated_bytes"]) as handle:
            for number, line in jsonl_lines(handle, settings["max_record_bytes"]):
                yield parse_line_guarded(f"{ref}:{number}", line)
    except InflatedTooLarge as error:
        yield make_reject(ref, STAGE, "too_large", f"{error}; {_read_up_to(number)}")
    except READ_ERRORS as error:
        yield make_reject(ref, STAGE, type(error).__name__, f"{error or repr(error)}; {_read_up_to(number)}")


def _read_up_to(number: int) -> str:
    return f"records up to line {number} were read, the rest not" if number else "no record read"


def parse_line_guarded(ref: str, line: bytes | RecordTooLarge) -> RawRecord | dict:
    """A JSONL line as a record, or a reject: never an exception."""
    try:
        return parse_jsonl_line(ref, line)
    except Exception as error:  # one line never costs the rest of its file
        LOG.debug("parsing %s failed", ref, exc_info=True)
        return reject_from_exception(ref, STAGE, error, line if isinstance(line, bytes) else None)

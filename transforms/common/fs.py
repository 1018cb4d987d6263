"""One filesystem layer for every path: local, gs:// and s3:// alike, through Beam's FileSystems.

This is the one module outside the `beam.py` files that imports Beam: FileSystems is only a
path-to-filesystem dispatcher (local, GCS, S3...), not pipeline code.
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import uuid
from typing import BinaryIO

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

__all__ = ["FileSystems", "configure", "exists", "is_local", "join", "match", "not_regular",
           "open_maybe_gzip", "open_raw", "read_bytes", "write_atomic", "write_json_atomic"]


def configure(beam_args: list[str]) -> None:
    """Hand the run's Beam options (--s3_endpoint_url, GCS project...) to FileSystems before the
    pipeline exists: inputs are expanded in the driver, ahead of beam.Pipeline(), which does
    the same for the workers."""
    FileSystems.set_options(PipelineOptions(beam_args))


def is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def match(pattern: str) -> list[tuple[str, int]]:
    """(path, size) of the files a path or glob names (`*` within a folder, `**` across), through
    FileSystems.match; raises OSError naming the pattern when the file system cannot list it."""
    try:
        [result] = FileSystems.match([pattern])
    except Exception as error:  # BeamIOError wraps the cause per pattern; ValueError: no such scheme
        causes = getattr(error, "exception_details", None) or {}
        cause = next(iter(causes.values()), error)
        raise OSError(f"cannot list {pattern}: {type(cause).__name__}: {cause}") from error
    return [(meta.path, meta.size_in_bytes) for meta in result.metadata_list]


def not_regular(path: str) -> str | None:
    """Why a local path must not be opened (a FIFO would block, a device never end), or None.
    Object stores hold only regular objects."""
    if not is_local(path):
        return None
    try:
        mode = os.stat(path.removeprefix("file://")).st_mode
    except OSError as error:
        return error.strerror or str(error)
    if stat.S_ISREG(mode):
        return None
    kinds = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket",
             stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}
    return next((f"not a regular file ({name})" for test, name in kinds.items() if test(mode)),
                "not a regular file")


def open_raw(path: str) -> BinaryIO:
    """The file's bytes as stored (no decompression): callers decide how to inflate and how much."""
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base, *parts) if parts else base


def exists(path: str) -> bool:
    return FileSystems.exists(path)


def read_bytes(path: str) -> bytes:
    with FileSystems.open(path, compression_type="uncompressed") as handle:
        return handle.read()


def open_maybe_gzip(path: str) -> BinaryIO:
    """A local file for binary reading, inflated on the fly when its name ends in .gz (reads stop
    where the caller stops: a gzip bomb costs only what is read)."""
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def write_atomic(path: str, data: bytes) -> None:
    """Write to a temporary sibling, then rename: readers see the old file or the new one whole
    (os.replace locally; on object stores an object appears only once complete)."""
    folder, name = path.rsplit("/", 1) if "/" in path else (".", path)
    temporary = f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
    with FileSystems.create(temporary) as handle:
        handle.write(data)
    FileSystems.rename([temporary], [path])


def write_json_atomic(path: str, payload: object, indent: int = 1) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=indent).encode("utf-8"))

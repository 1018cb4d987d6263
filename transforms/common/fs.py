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

from apache_beam.io.filesystem import BeamIOError, CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

__all__ = ["FileSystems", "configure", "delete", "delete_tree", "exists", "is_local", "is_remote", "join",
           "list_files", "match", "not_regular", "open_maybe_gzip", "open_raw", "read_bytes", "read_json",
           "rename", "write_atomic", "write_json_atomic"]



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


_filesystems: dict[str, object] = {}


def _fs(path: str):
    """The Beam filesystem of a path, one per scheme: FileSystems builds a new one (for S3: a new
    boto3 client, about half a second) on every call."""
    scheme = path.split("://", 1)[0] if "://" in path else ""
    if scheme not in _filesystems:
        _filesystems[scheme] = FileSystems.get_filesystem(path)
    return _filesystems[scheme]


def is_remote(path: str) -> bool:
    return "://" in path


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)]) if parts else base


def exists(path: str) -> bool:
    return _fs(path).exists(path)


def read_bytes(path: str) -> bytes:
    with _fs(path).open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return handle.read()


def open_maybe_gzip(path: str) -> BinaryIO:
    """A local file for binary reading, inflated on the fly when its name ends in .gz (reads stop
    where the caller stops: a gzip bomb costs only what is read)."""
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def read_json(path: str) -> object:
    return json.loads(read_bytes(path).decode("utf-8"))


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def _make_parent(path: str) -> None:
    """Local folders must exist before a rename into them; object stores have no folders."""
    if not is_remote(path):
        os.makedirs(_parent(path), exist_ok=True)


def write_atomic(path: str, data: bytes) -> None:
    """Write to a temporary sibling, then rename: readers see the old file or the new one whole
    (os.rename locally; on object stores an object appears only once complete)."""
    _make_parent(path)
    temporary = f"{_parent(path)}/.{path.rsplit('/', 1)[-1]}.{uuid.uuid4().hex}.tmp"
    with _fs(temporary).create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        handle.write(data)
    _fs(path).rename([temporary], [path])


def write_json_atomic(path: str, payload: object, indent: int = 1) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=indent).encode("utf-8"))


def rename(source: str, destination: str) -> None:
    """Move one file (replacing the destination). Locally atomic; on object stores a copy then
    a delete, so the destination is whole once it appears."""
    _make_parent(destination)
    _fs(source).rename([source], [destination])


def delete(paths: list[str]) -> None:
    """Delete files or folders; what is already gone is not an error."""
    for path in paths:
        try:
            _fs(path).delete([path])
        except BeamIOError as error:
            if any(exists(p) for p in error.exception_details):
                raise


def delete_tree(folder: str) -> None:
    """Delete a folder and everything under it (on object stores: every object of the prefix)."""
    delete(list_files(folder))
    if not is_remote(folder) and os.path.isdir(folder):
        delete([folder])


def configure(options: PipelineOptions | list[str]) -> None:
    """Give the driver's FileSystems the pipeline options (--s3_endpoint_url, credentials...)
    before any path is touched; Beam itself does this only when the pipeline is built."""
    if isinstance(options, list):
        options = PipelineOptions(options)
    FileSystems.set_options(options)
    _filesystems.clear()
    _share_s3_clients()


def _share_s3_clients() -> None:
    """Beam 2.77's S3 filesystem builds a boto3 session and client for every call (exists,
    rename, open...: 0.1 to 1 s each, most of a small run's time). Clients are thread-safe and
    depend only on the options, so one per set of options is shared."""
    try:
        from apache_beam.io.aws.clients.s3 import boto3_client
    except ImportError:  # no apache-beam[aws]: no s3:// paths either
        return
    if getattr(boto3_client.Client, "shared", False):
        return
    make = boto3_client.Client
    clients: dict[str, object] = {}

    def shared(options):
        key = repr(sorted(options.get_all_options().items())) if hasattr(options, "get_all_options") \
            else repr(sorted(dict(options).items()))
        if key not in clients:
            clients[key] = make(options=options)
        return clients[key]

    shared.shared = True
    boto3_client.Client = shared


def list_files(folder: str) -> list[str]:
    """Every file under `folder` (recursively), sorted; [] when there is none."""
    pattern = folder.rstrip("/") + "/**"
    try:
        results = _fs(pattern).match([pattern])
    except BeamIOError:
        return []
    return sorted(meta.path for result in results for meta in result.metadata_list)

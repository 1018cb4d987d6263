"""One filesystem layer for every path: local, gs:// and s3:// alike, through Beam's FileSystems.

This is the one module outside the `beam.py` files that imports Beam: FileSystems is only a
path-to-filesystem dispatcher (local, GCS, S3...), not pipeline code.
"""

from __future__ import annotations

import json
import os
import uuid

from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

__all__ = ["FileSystems", "delete", "exists", "is_remote", "join", "list_files", "read_bytes", "read_json",
           "rename", "write_atomic", "write_json_atomic"]


def is_remote(path: str) -> bool:
    return "://" in path


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)]) if parts else base


def exists(path: str) -> bool:
    return FileSystems.exists(path)


def read_bytes(path: str) -> bytes:
    with FileSystems.open(path, compression_type="uncompressed") as handle:
        return handle.read()


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
    with FileSystems.create(temporary) as handle:
        handle.write(data)
    FileSystems.rename([temporary], [path])


def write_json_atomic(path: str, payload: object) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"))


def rename(source: str, destination: str) -> None:
    """Move one file (replacing the destination). Locally atomic; on object stores a copy then
    a delete, so the destination is whole once it appears."""
    _make_parent(destination)
    FileSystems.rename([source], [destination])


def delete(paths: list[str]) -> None:
    """Delete files or folders; what is already gone is not an error."""
    for path in paths:
        try:
            FileSystems.delete([path])
        except BeamIOError as error:
            if any(exists(p) for p in error.exception_details):
                raise


def list_files(folder: str) -> list[str]:
    """Every file under `folder` (recursively), sorted; [] when there is none."""
    pattern = folder.rstrip("/") + "/**"
    try:
        results = FileSystems.match([pattern])
    except BeamIOError:
        return []
    return sorted(meta.path for result in results for meta in result.metadata_list)

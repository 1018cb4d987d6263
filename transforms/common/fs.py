"""One filesystem layer for every path: local, gs:// and s3:// alike, through Beam's FileSystems.

This is the one module outside the `beam.py` files that imports Beam: FileSystems is only a
path-to-filesystem dispatcher (local, GCS, S3...), not pipeline code.
"""

from __future__ import annotations

import json
import uuid

from apache_beam.io.filesystems import FileSystems

__all__ = ["FileSystems", "delete", "exists", "join", "read_bytes", "write_atomic", "write_json_atomic"]


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base, *parts) if parts else base


def exists(path: str) -> bool:
    return FileSystems.exists(path)


def delete(path: str) -> None:
    FileSystems.delete([path])


def read_bytes(path: str) -> bytes:
    with FileSystems.open(path, compression_type="uncompressed") as handle:
        return handle.read()


def write_atomic(path: str, data: bytes) -> None:
    """Write to a temporary sibling, then rename: readers see the old file or the new one whole
    (os.replace locally; on object stores an object appears only once complete)."""
    folder, name = path.rsplit("/", 1) if "/" in path else (".", path)
    temporary = f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
    with FileSystems.create(temporary) as handle:
        handle.write(data)
    FileSystems.rename([temporary], [path])


def write_json_atomic(path: str, payload: object) -> None:
    write_atomic(path, json.dumps(payload, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"))

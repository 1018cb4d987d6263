"""Expanding --input values into files and URLs, through the one filesystem layer.

Local paths, gs:// and s3:// are matched alike with FileSystems.match: a file, a folder (read
recursively), or a glob (`*` within a folder, `**` across folders; a matched folder is read
whole). Expansion runs in the driver so that a path naming nothing stops the run before it
starts; it never opens a file, so a FIFO or a device in a folder cannot block it (the reader
makes such a path a reject without opening it).
"""

from __future__ import annotations

import os
import re

from transforms.common import fs

_GLOB = re.compile(r"[*?\[]")


class InputError(ValueError):
    """An --input that names nothing (or cannot be listed): stops the run before it starts."""


def is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def expand_inputs(refs: list[str]) -> tuple[list[str], list[str]]:
    """(files, urls) named by --input values: files, folders (recursive), globs, URLs.

    Sorted and de-duplicated, so a run's element order never depends on the file system.
    Local files keep the names os gives (a non-UTF-8 byte as a surrogate escape: see
    `display_ref` and `to_element`).
    """
    files: set[str] = set()
    urls: set[str] = set()
    for ref in refs:
        if is_url(ref):
            urls.add(ref)
            continue
        found = expand_one(ref if "://" in ref else os.path.abspath(ref))
        if not found:
            raise InputError(f"input not found: {ref}")
        files.update(found)
    return sorted(files), sorted(urls)


def expand_one(ref: str) -> list[str]:
    """Files named by one path or glob: the match itself, plus everything under a matched folder
    (a prefix on object stores). Hidden names (`.x`) below the ref are left out."""
    if fs.is_local(ref) and _GLOB.search(ref) and os.path.lexists(ref):
        return _walk_literal(ref)  # a real name with [ ] * ?: FileSystems.match cannot quote them
    base = _base_folder(ref)
    pattern = ref.rstrip("/") or "/"
    patterns = [pattern] if pattern.endswith("**") else [pattern, f"{pattern.rstrip('/')}/**"]
    found: set[str] = set()
    for each in patterns:
        try:
            matches = fs.match(each)
        except OSError as error:
            raise InputError(str(error)) from error
        for path, _ in matches:
            if path == ref or not _hidden_below(path, base):
                found.add(path)
    if fs.is_local(ref):  # a folder matched as itself is not an input (its files are)
        found = {path for path in found if not os.path.isdir(path)}
    return sorted(found)


def _walk_literal(path: str) -> list[str]:
    if not os.path.isdir(path):
        return [path]
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        found += [os.path.join(root, name) for name in names if not name.startswith(".")]
    return sorted(found)


def _base_folder(ref: str) -> str:
    """The part of a ref before its first glob character, cut back to a folder boundary."""
    glob = _GLOB.search(ref)
    if not glob:
        return ref.rstrip("/")
    return ref[: glob.start()].rsplit("/", 1)[0]


def _hidden_below(path: str, base: str) -> bool:
    relative = path[len(base):] if path.startswith(base) else path
    return any(part.startswith(".") for part in relative.split("/") if part)


# --- names that are not valid UTF-8 ----------------------------------------------------------
# os hands such a name over with surrogate escapes, which neither Beam's string coder nor a
# Parquet string column accepts: elements travel as bytes, and rows name the file with the bad
# bytes written as \\xNN.


def to_element(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


def from_element(element: bytes | str) -> str:
    return element.decode("utf-8", "surrogateescape") if isinstance(element, bytes) else element


def display_ref(path: str) -> str:
    """The path as a valid UTF-8 string (input_ref): a non-UTF-8 byte becomes `\\xNN`."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")

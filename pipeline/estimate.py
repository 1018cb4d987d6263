"""How many records a run expects (for the progress log's total and ETA): one per file, one
per line of a JSONL file (counted through the filesystem layer, .gz inflated), one per URL.
Feed entries are not known before fetching: a run with feeds reports a lower bound."""

from __future__ import annotations

from transforms.common.fs import FileSystems

CHUNK = 1 << 20


def count_lines(path: str) -> int:
    lines, last = 0, b"\n"
    with FileSystems.open(path) as handle:  # compression detected from the extension
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def expected_records(files: list[str], urls: list[str], known: dict[str, int] | None = None) -> int:
    """`known`: line counts already taken (the large JSONL files split for reading)."""
    total = len(urls)
    known = known or {}
    for path in files:
        name = path.lower().removesuffix(".gz")
        if path in known:
            total += known[path]
        elif name.endswith(".jsonl"):
            try:
                total += count_lines(path)
            except OSError:
                total += 1  # unreadable: the run makes it a reject
        else:
            total += 1
    return total

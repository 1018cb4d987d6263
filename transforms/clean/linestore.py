"""The line statistics' state file: <state>/lines/lines.jsonl (JSON Lines, never pickle).

First line: {"schema_version": 1, "kind": "line_stats"}; then one object per line key: "key",
"groups" (different stories it was seen in), "reps" (a few stories' word sketches, 8 hex digits
per value), "masked" (the key has names masked), "docs". The Beam step reads the file the last
commit names and writes this run's whole new table under a name of its own attempt
(lines/lines-<attempt>.jsonl); the run's commit record names it (state section "lines"), so it
becomes live with the run's tables or not at all (docs/exactly-once.md). All I/O goes through
transforms/common/fs.py: local, gs:// and s3:// alike.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
import re
import sys
from array import array

from transforms.common import fs

SCHEMA_VERSION = 1
FOLDER = "lines"
# json.dumps(sort_keys=True) builds an encoder per call: one for the (often 100k) entries
_SORTED = json.JSONEncoder(sort_keys=True)
_STRING = json.encoder.encode_basestring_ascii  # a string as json.dumps writes it


class LineStateError(ValueError):
    """The live file cannot be read as this schema (a newer version, a broken line)."""


def attempt_path(state_dir: str, attempt: str) -> str:
    """Where an attempt writes its table; live only once a commit record names it."""
    return fs.join(state_dir, FOLDER, f"lines-{attempt}.jsonl")


def encode(history: dict[str, dict]) -> bytes:
    lines = [json.dumps({"schema_version": SCHEMA_VERSION, "kind": "line_stats"})]
    lines += [_SORTED.encode({"key": key, **entry}) for key, entry in sorted(history.items())]
    return ("\n".join(lines) + "\n").encode("utf-8")


def decode(data: bytes) -> dict[str, dict]:
    rows = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    if not rows:
        return {}
    try:
        header = json.loads(rows[0])
        if header.get("schema_version") != SCHEMA_VERSION:
            raise LineStateError(f"line statistics schema {header.get('schema_version')!r} is not "
                                 f"{SCHEMA_VERSION}; run with --full-refresh to rebuild")
        history = {}
        for row in rows[1:]:
            entry = json.loads(row)
            history[entry.pop("key")] = entry
        return history
    except (json.JSONDecodeError, KeyError, AttributeError) as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error


def read(path: str | None) -> dict[str, dict]:
    """The history at `path` ({} for None: no state, --full-refresh, or before the first run)."""
    return decode(fs.read_bytes(path)) if path and fs.exists(path) else {}


def write(path: str, history: dict[str, dict]) -> str:
    fs.write_atomic(path, encode(history))
    return path


# --- merging a run's entries into the history with bounded memory ----------------------------
# The run's entries (one per line key it saw, ~100 per article) are spilled to chunk files by
# the step that decides them, and merged here one chunk at a time: in memory are the old
# history (at most max_keys entries) and at most max_keys + a slack of this run's entries. The
# result is what prune(old.update(entries)) with the judged keys' groups raised gives: the
# ranking (-groups, -docs, key) is a total order (linestats.prune) and a run decides each key
# once (GroupByLine), so the best max_keys of all are the best of the old and the run's best.
#
# An entry travels with its rank as one string, rank_prefix(groups, docs) + key: comparing two
# ranks compares the entries (each count as 16 hex digits of 2**63 - 1 - count: ascending
# strings, descending counts; a key's "\n" and "\x0b" as "\x0b\x01" and "\x0b\x02", which keeps
# the order). A chunk holds its entries sorted by rank, one column after the other: "<n>\n",
# the n entry lines' lengths in bytes (4 bytes each, little-endian) and "\n", then the n ranks
# and the n entry lines as entry_line writes them, each ending in "\n". So the merge parses no
# JSON and runs no pattern on the run's entries, cuts each line out at its offset (no scan for
# line ends), and once max_keys of them are held, a chunk's entries ranked below the worst of
# those are found by a bisection and left in the chunk.

PRUNE_SLACK = 0.25  # this run's entries are cut back to max_keys past max_keys * (1 + this)
_COUNT_BASE = (1 << 63) - 1
RANK_CHARS = 32  # characters of a rank_prefix
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_ENCODE = str.encode  # utf-8
_BIG_ENDIAN = sys.byteorder == "big"  # a chunk's sizes: 4 bytes each, little-endian
_ODD = str.maketrans({"\x0b": "\x0b\x02", "\n": "\x0b\x01"})


def _count(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a hand-made 2.0 ranks as 2
    if not isinstance(value, int) or not 0 <= _COUNT_BASE - value < 1 << 64:
        raise LineStateError(f"line statistics count {value!r} is not an integer of 64 bits")
    return _COUNT_BASE - value


def rank_prefix(groups, docs) -> str:
    """The first RANK_CHARS characters of an entry's rank: more groups, then more docs first."""
    return f"{_count(groups):016x}{_count(docs):016x}"


FIRST_RANK = rank_prefix(1, 1)  # first_entry_line's entries


def _escaped(text: str) -> str:
    return text.translate(_ODD) if "\n" in text or "\x0b" in text else text


def _key_bytes(key: str) -> bytes:
    """A key as in a rank in a chunk (a lone surrogate of a hand-made file: in code point order)."""
    return _escaped(key).encode("utf-8", "surrogatepass")


def entry_line(key: str, entry: dict) -> str:
    return _SORTED.encode({"key": key, **entry})  # as json.dumps(..., sort_keys=True)


def entry_rank(key: str, entry: dict) -> str:
    """The rank of entry_line(key, entry) (write_chunk writes the key's odd characters)."""
    return rank_prefix(entry.get("groups", 0), entry.get("docs", 0)) + key


def first_entry_line(key: str, rep: str, masked: bool = False) -> str:
    """entry_line of a key's first entry, {"groups": 1, "reps": [rep], "masked": masked,
    "docs": 1} (rank: FIRST_RANK + key), written out directly (most of a run's keys: one JSON
    encoding call each cost more than their decision)."""
    return (f'{{"docs": 1, "groups": 1, "key": {_STRING(key)}, "masked": {"true" if masked else "false"}, '
            f'"reps": [{_STRING(rep)}]}}')


def _sizes(lines) -> bytes:
    sizes = array("I", map(len, lines))  # entry_line's lines are ASCII: as many bytes
    if _BIG_ENDIAN:
        sizes.byteswap()
    return sizes.tobytes()


def write_chunk(path: str, entries: list[tuple[str, str]]) -> str:
    """A spill chunk of (rank, entry line) pairs (sorted here, in place)."""
    entries.sort(key=_FIRST)  # ranks are unique (one entry per key)
    ranks, lines = list(map(_FIRST, entries)), list(map(_SECOND, entries))
    column = "\n".join(ranks)
    if "\x0b" in column or column.count("\n") != max(len(ranks) - 1, 0):  # a key with "\n" or "\x0b"
        column = "\n".join(map(_escaped, ranks))
    column = column.encode("utf-8", "surrogatepass")
    # one join of bytes: ~half the time of joining the text and encoding it
    data = b"\n".join([b"%d" % len(lines), _sizes(lines), column, *map(_ENCODE, lines), b""])
    fs.write_atomic(path, data if lines else b"0\n")
    return path


def _chunk_columns(path: str) -> tuple[list[bytes], list[int], list[int], bytes]:
    """A chunk's ranks, its lines' offsets and lengths, and the chunk."""
    data = fs.read_bytes(path)
    head = data.index(b"\n")
    count = int(data[:head])
    if not count:
        return [], [], [], data
    sizes = array("I")
    sizes.frombytes(data[head + 1:head + 1 + 4 * count])
    if _BIG_ENDIAN:
        sizes.byteswap()
    lengths = sizes.tolist()
    lines_at = len(data) - sum(lengths) - count
    ranks = data[head + 2 + 4 * count:lines_at - 1].split(b"\n")
    marks = data[head + 1 + 4 * count:head + 2 + 4 * count], data[lines_at - 1:lines_at], data[-1:]
    if len(ranks) != count or marks != (b"\n", b"\n", b"\n"):
        raise LineStateError(f"spill chunk {path} is broken")
    offsets = list(itertools.accumulate([n + 1 for n in lengths[:-1]], initial=lines_at))
    return ranks, offsets, lengths, data


# A line exactly as entry_line writes it (strings of printable ASCII but a quote or a backslash,
# which json.dumps writes unescaped; integers without sign or leading zeros): json.dumps(json.loads(
# line), sort_keys=True) gives it back unchanged, so it is ranked without parsing it. Groups: the
# whole line, its head up to the key, the key. The old file is matched as a whole (most files:
# these lines only), line by line only where that does not cover it.
_PLAIN = rb'[ !#-\[\]-~]*'
_CANONICAL = (rb'(\{"docs": (?:0|[1-9][0-9]*), "groups": (?:0|[1-9][0-9]*), "key": ")(' + _PLAIN
              + rb')", "masked": (?:true|false), "reps": \[(?:"' + _PLAIN + rb'"(?:, "' + _PLAIN
              + rb'")*)?\]\}')
_CANONICAL_ROW = re.compile(_CANONICAL)
_CANONICAL_ROWS = re.compile(rb'^(' + _CANONICAL + rb')$', re.MULTILINE)
_HEAD_COUNTS = re.compile(rb'\{"docs": ([0-9]+), "groups": ([0-9]+)')


class _Prefixes(dict):
    """A canonical line's head -> its rank prefix."""

    def __missing__(self, head: bytes) -> bytes:
        docs, groups = map(int, _HEAD_COUNTS.match(head).groups())
        self[head] = prefix = rank_prefix(groups, docs).encode("ascii")
        return prefix


def _parsed(line: bytes, judged: frozenset[bytes], exact_groups: int) -> tuple[bytes, bytes, bytes]:
    """(rank, key as in a rank, line as entry_line writes it) of a line, by parsing it (all
    utf-8); a judged key's groups raised to exact_groups."""
    entry = json.loads(line)
    key = _key_bytes(entry["key"])
    if key in judged:
        entry["groups"] = max(exact_groups, entry.get("groups", 0))
    rank = rank_prefix(entry.get("groups", 0), entry.get("docs", 0)).encode("ascii") + key
    return rank, key, json.dumps(entry, sort_keys=True).encode("utf-8")


def _check_header(row: bytes | str) -> None:
    try:
        header = json.loads(row)
    except json.JSONDecodeError as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error
    if header.get("schema_version") != SCHEMA_VERSION:
        raise LineStateError(f"line statistics schema {header.get('schema_version')!r} is not "
                             f"{SCHEMA_VERSION}; run with --full-refresh to rebuild")


def _old_entries(path: str | None, judged: frozenset[bytes], exact_groups: int) -> dict[bytes, tuple]:
    """key (as in a rank) -> (rank, key, line) of the old history's entries."""
    data = fs.read_bytes(path) if path and fs.exists(path) else b""
    header_end = data.find(b"\n")
    if header_end > 0:
        rows = _CANONICAL_ROWS.findall(data, header_end + 1)
        if sum(map(len, map(_FIRST, rows))) + len(rows) == len(data) - header_end - 1:
            _check_header(data[:header_end])  # the file is these lines: as the header splits it
            prefixes = _Prefixes()
            old = {key: (prefixes[head] + key, key, row) for row, head, key in rows}
            for key in judged.intersection(old):
                old[key] = _parsed(old[key][2], judged, exact_groups)
            return old
    rows = data.decode("utf-8").splitlines()  # any other file: line by line
    if not rows:
        return {}
    _check_header(rows[0])
    old = {}
    prefixes = _Prefixes()
    try:
        for text in rows[1:]:
            row = text.encode("utf-8")
            plain = _CANONICAL_ROW.fullmatch(row)
            if plain and plain[2] not in judged:
                old[plain[2]] = (prefixes[plain[1]] + plain[2], plain[2], row)
            elif text.strip():
                entry = _parsed(row, judged, exact_groups)
                old[entry[1]] = entry
    except (json.JSONDecodeError, KeyError, AttributeError, TypeError) as error:
        raise LineStateError(f"line statistics file is broken: {error}") from error
    return old


_RANK, _KEY, _LINE = (operator.itemgetter(i) for i in range(3))  # of a held (rank, key, line)


def merge(old_path: str | None, chunks: list[str], judged, max_keys: int, exact_groups: int) -> bytes:
    """The new history file: the old one updated with the entries of the spill `chunks`, the
    `judged` keys' groups raised to exact_groups, pruned to max_keys."""
    judged = frozenset(map(_key_bytes, judged))
    old = _old_entries(old_path, judged, exact_groups)
    held: list[tuple[bytes, bytes, bytes]] = []  # (rank, key, line): the run's best so far, and more
    worst = None  # the rank of the max_keys-th best of the run's entries so far (once known)
    limit = max_keys + max(1, int(max_keys * PRUNE_SLACK))
    for chunk in sorted(chunks):
        ranks, offsets, lengths, data = _chunk_columns(chunk)
        keys = [rank[RANK_CHARS:] for rank in ranks]
        for key in old.keys() & keys:
            del old[key]  # replaced, whether or not the new entry stays
        take = len(ranks) if worst is None else bisect.bisect_left(ranks, worst)
        raised = [] if judged.isdisjoint(keys) else [i for i, key in enumerate(keys) if key in judged]
        held += [_parsed(data[offsets[i]:offsets[i] + lengths[i]], judged, exact_groups) for i in raised]
        lines = [data[at:at + n] for at, n in zip(offsets[:take], lengths[:take], strict=True)]
        ranks, keys = ranks[:take], keys[:take]
        for i in reversed(raised):  # held as they rank now
            if i < take:
                del ranks[i], keys[i], lines[i]
        held += zip(ranks, keys, lines, strict=True)
        if len(held) > limit:
            held.sort(key=_RANK)  # by the rank alone: ~2 times faster than comparing the tuples
            del held[max_keys:]
            worst = held[-1][0]
    kept = held + list(old.values())
    if len(kept) > max_keys:
        kept.sort(key=_RANK)
        del kept[max_keys:]
    kept.sort(key=_KEY)  # a rank's key sorts as the key
    lines = [json.dumps({"schema_version": SCHEMA_VERSION, "kind": "line_stats"}).encode("utf-8")]
    lines += map(_LINE, kept)
    lines.append(b"")
    return b"\n".join(lines)

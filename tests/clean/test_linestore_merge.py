"""The history merge with bounded memory gives what updating and pruning the whole dict gives."""

from __future__ import annotations

import json
import random

import pytest

from transforms.clean import linestats, linestore


def reference(old: dict, entries: dict, judged: set, max_keys: int) -> bytes:
    history = dict(old)
    history.update(entries)
    for key in judged:
        if key in history:
            groups = max(linestats.EXACT_GROUPS, history[key].get("groups", 0))
            history[key] = {**history[key], "groups": groups}
    return linestore.encode(linestats.prune(history, max_keys))


def entry(rng: random.Random) -> dict:
    return {"groups": rng.randint(0, 4), "docs": rng.randint(1, 6), "masked": rng.random() < 0.3,
            "reps": [f"{rng.getrandbits(32):08x}"]}


ODD_KEYS = ['a "quote"', "back\\slash", "é", "tab\t", "new\nline", "v\x0btab", "~!#[]", "\x00", "\U0001f600",
            "\ud800", "\uffff"]


def chunks_of(tmp_path, entries: dict, size: int) -> list[str]:
    pairs = [(linestore.entry_rank(k, e), linestore.entry_line(k, e)) for k, e in sorted(entries.items())]
    return [linestore.write_chunk(str(tmp_path / f"chunk-{i}.chunk"), pairs[i:i + size])
            for i in range(0, len(pairs), size)]


@pytest.mark.parametrize("seed", range(8))
def test_merge_equals_prune_of_the_whole_update(tmp_path, seed):
    rng = random.Random(seed)
    keys = [f"line {i} of furniture" for i in range(300)] + ODD_KEYS
    old = {key: entry(rng) for key in rng.sample(keys, 80)}
    entries = {key: entry(rng) for key in rng.sample(keys, 200)}  # some replace old keys
    judged = set(rng.sample(keys, 40))
    max_keys = rng.choice([5, 30, 90, 1000])
    old_path = str(tmp_path / "old.jsonl")
    linestore.write(old_path, linestats.prune(old, 1000))
    merged = linestore.merge(old_path, chunks_of(tmp_path, entries, rng.choice([1, 17, 500])), judged,
                             max_keys, linestats.EXACT_GROUPS)
    assert merged == reference(old, entries, judged, max_keys)
    assert linestore.decode(merged) == linestore.decode(reference(old, entries, judged, max_keys))


@pytest.mark.parametrize("seed", range(3))
def test_merge_of_a_hand_made_old_file(tmp_path, seed):
    """Lines not as entry_line writes them (spacing, key order, escapes, CRLF, a blank line) are
    read line by line and written again as entry_line would."""
    rng = random.Random(seed)
    keys = [f"{rng.getrandbits(64):016x}" for _ in range(60)] + ODD_KEYS
    old = {key: entry(rng) for key in keys}
    rows = [json.dumps({"schema_version": 1, "kind": "line_stats"})]
    for key, item in old.items():
        forms = [linestore.entry_line(key, item), json.dumps({"key": key, **item}),
                 json.dumps({"key": key, **item}, sort_keys=True, separators=(",", ":"))]
        if key != "\ud800":  # a lone surrogate has no utf-8
            forms.append(json.dumps({"key": key, **item}, ensure_ascii=False))
        rows.append(rng.choice(forms))
    old_path = tmp_path / "old.jsonl"
    old_path.write_bytes(("\r\n".join(rows[:3]) + "\n\n" + "\n".join(rows[3:]) + "\n").encode("utf-8"))
    entries = {key: entry(rng) for key in rng.sample(keys, 20)}
    judged = set(rng.sample(keys, 10))
    for max_keys in (10, 50, 1000):
        merged = linestore.merge(str(old_path), chunks_of(tmp_path, entries, 7), judged, max_keys,
                                 linestats.EXACT_GROUPS)
        assert merged == reference(old, entries, judged, max_keys)


def test_a_canonical_old_file_is_read_whole_as_line_by_line(tmp_path):
    rng = random.Random(3)
    old = {f"{rng.getrandbits(64):016x}": entry(rng) for _ in range(300)}
    path = tmp_path / "old.jsonl"
    linestore.write(str(path), old)
    judged = frozenset(key.encode() for key in rng.sample(sorted(old), 30))
    whole = linestore._old_entries(str(path), judged, 2)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # no longer matched whole
    assert linestore._old_entries(str(path), judged, 2) == whole
    assert len(whole) == 300 and all(rank[linestore.RANK_CHARS:] == key for rank, key, _ in whole.values())


def test_merge_without_old_history_or_entries(tmp_path):
    empty = linestore.merge(None, [], [], 10, linestats.EXACT_GROUPS)
    assert linestore.decode(empty) == {}
    assert empty == linestore.encode({})
    chunk = linestore.write_chunk(str(tmp_path / "empty.chunk"), [])
    assert linestore.merge(None, [chunk], [], 10, linestats.EXACT_GROUPS) == empty


def test_ranks_sort_as_the_ranking():
    """A rank string (escaped, utf-8) sorts as (-groups, -docs, key) does."""
    rng = random.Random(4)
    keys = [*ODD_KEYS, "a", "a\n", "a\x0b", "a\x0c", "a\t", "ab", "s:00ff", "00ff", "\x0b", "\n\n", ""]
    triples = [(rng.choice([0, 1, 2, 3, 17, 2**40, 2**63 - 1]), rng.choice([0, 1, 5, 123456789012, -3]),
                rng.choice(keys)) for _ in range(2000)]
    ranks = {t: linestore._key_bytes(linestore.entry_rank(t[2], {"groups": t[0], "docs": t[1]}))
             for t in triples}
    assert sorted(set(triples), key=lambda t: (-t[0], -t[1], t[2])) == sorted(set(triples), key=ranks.get)
    assert all(b"\n" not in rank for rank in ranks.values())
    with pytest.raises(linestore.LineStateError):
        linestore.rank_prefix(2**63, 1)
    with pytest.raises(linestore.LineStateError):
        linestore.rank_prefix(1.5, 1)
    assert linestore.rank_prefix(2.0, 1) == linestore.rank_prefix(2, 1)


def test_a_chunk_holds_its_entries_sorted_by_rank(tmp_path):
    rng = random.Random(6)
    entries = {key: entry(rng) for key in ODD_KEYS + [f"{rng.getrandbits(64):016x}" for _ in range(50)]}
    pairs = [(linestore.entry_rank(k, e), linestore.entry_line(k, e)) for k, e in entries.items()]
    path = linestore.write_chunk(str(tmp_path / "c.chunk"), list(pairs))
    ranks, offsets, lengths, data = linestore._chunk_columns(path)
    pairs.sort()
    assert ranks == [linestore._key_bytes(rank) for rank, _ in pairs] == sorted(ranks)
    lines = [data[at:at + n] for at, n in zip(offsets, lengths, strict=True)]
    assert lines == [line.encode() for _, line in pairs]
    with open(path, "ab") as handle:
        handle.write(b"{}\n")
    with pytest.raises(linestore.LineStateError):
        linestore._chunk_columns(path)

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


@pytest.mark.parametrize("seed", range(6))
def test_merge_equals_prune_of_the_whole_update(tmp_path, seed):
    rng = random.Random(seed)
    keys = [f"line {i} of furniture" for i in range(300)]
    old = {key: entry(rng) for key in rng.sample(keys, 80)}
    entries = {key: entry(rng) for key in rng.sample(keys, 200)}  # some replace old keys
    judged = set(rng.sample(keys, 40))
    max_keys = rng.choice([5, 30, 90, 1000])
    old_path = str(tmp_path / "old.jsonl")
    linestore.write(old_path, linestats.prune(old, 1000))
    items = sorted(entries.items())
    chunks = [linestore.write_lines(str(tmp_path / f"chunk-{i}.jsonl"),
                                    [linestore.entry_line(k, e) for k, e in items[i:i + 17]])
              for i in range(0, len(items), 17)]
    merged = linestore.merge(old_path, chunks, judged, max_keys, linestats.EXACT_GROUPS)
    assert merged == reference(old, entries, judged, max_keys)
    assert linestore.decode(merged) == linestore.decode(reference(old, entries, judged, max_keys))


def test_merge_without_old_history_or_entries(tmp_path):
    empty = linestore.merge(None, [], [], 10, linestats.EXACT_GROUPS)
    assert linestore.decode(empty) == {}
    assert empty == linestore.encode({})


def _ranked_by_parsing(line: str, judged: frozenset, exact_groups: int, rewrite: bool):
    entry = json.loads(line)
    key = entry["key"]
    if key in judged:
        entry["groups"] = max(exact_groups, entry.get("groups", 0))
    if rewrite or key in judged:
        line = json.dumps(entry, sort_keys=True)
    return key, (-entry.get("groups", 0), -entry.get("docs", 0), line)


def test_lines_as_entry_line_writes_them_are_ranked_without_parsing():
    """The merge ranks a line in entry_line's form by a pattern, others by parsing: the same
    (key, rank, line) either way, with and without rewriting and judged keys."""
    rng = random.Random(5)
    lines = []
    for _ in range(400):
        reps = [f"{rng.getrandbits(64):016x}" for _ in range(rng.randint(0, 4))]
        item = {"docs": rng.choice([0, 1, 2, 17, 123456789012]), "groups": rng.choice([0, 1, 2, 5]),
                "masked": rng.random() < 0.5, "reps": reps}
        key = rng.choice([f"{rng.getrandbits(64):016x}", f"s:{rng.getrandbits(64):016x}", 'a "quote"',
                          "back\\slash", "é", "tab\t", "~!#[]", "judged"])
        lines += [linestore.entry_line(key, item), json.dumps({"key": key, **item}),
                  json.dumps({"key": key, **item}, sort_keys=True, separators=(",", ":"))]
    lines += ['{"docs": 1, "groups": 1, "key": "a", "masked": false, "reps": ["x"], "extra": 1}',
              '{"docs": -1, "groups": 1, "key": "a", "masked": false, "reps": []}']
    assert sum(bool(linestore._CANONICAL.fullmatch(line)) for line in lines) > 150  # hex keys
    for line in lines:
        for judged in (frozenset(), frozenset(["judged", 'a "quote"'])):
            for rewrite in (False, True):
                expected = _ranked_by_parsing(line, judged, 2, rewrite)
                assert linestore._ranked(line, judged, 2, rewrite) == expected

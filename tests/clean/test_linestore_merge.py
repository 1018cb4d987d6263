"""The history merge with bounded memory gives what updating and pruning the whole dict gives."""

from __future__ import annotations

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

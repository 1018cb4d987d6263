"""The dedup index kept across runs under `<state_dir>/dedup/`.

Layout: `CURRENT` names the live generation folder `gen-<token>/`, which holds `index.pkl`
(per article: cluster_id and what the canonical choice needs) and `fp-NNN.pkl` shards (per
article: fingerprint and LSH band keys). A run writes a whole new generation, then switches
`CURRENT` with os.replace: a crash before the switch leaves the previous generation live and
intact; the orphan folder is removed by the next successful commit.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile

import xxhash

CURRENT = "CURRENT"


def dedup_dir(state_dir: str) -> str:
    return os.path.join(state_dir, "dedup")


def live_generation(state_dir: str | None) -> str | None:
    """Folder of the committed generation, or None when there is none."""
    if not state_dir:
        return None
    try:
        with open(os.path.join(dedup_dir(state_dir), CURRENT), encoding="utf-8") as handle:
            name = handle.read().strip()
    except FileNotFoundError:
        return None
    path = os.path.join(dedup_dir(state_dir), name)
    return path if name and os.path.isdir(path) else None


def shard_of(article_id: str, shards: int) -> int:
    return xxhash.xxh3_64_intdigest(article_id.encode("utf-8")) % shards


def shard_name(shard: int) -> str:
    return f"fp-{shard:03d}.pkl"


def write_atomic(path: str, payload) -> None:
    """Pickle to a temporary name in the same folder, fsync, then os.replace."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            pickle.dump(payload, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def read_pickle(path: str | None, default):
    if not path or not os.path.exists(path):
        return default
    with open(path, "rb") as handle:
        return pickle.load(handle)


def staging_generation(state_dir: str, token: str) -> str:
    return os.path.join(dedup_dir(state_dir), f"gen-{token}")


def commit(state_dir: str, token: str) -> None:
    """Make generation `token` live, then drop the others (older or orphaned by a crash)."""
    folder = dedup_dir(state_dir)
    name = f"gen-{token}"
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(name + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, os.path.join(folder, CURRENT))
    for entry in os.listdir(folder):
        if entry.startswith("gen-") and entry != name:
            shutil.rmtree(os.path.join(folder, entry), ignore_errors=True)

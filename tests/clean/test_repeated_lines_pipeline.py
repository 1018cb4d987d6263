"""The repeated-lines step in the real pipeline: a banner shared by unrelated stories leaves the
text, and the state under <state>/lines/ lets a later run of one article remove it too."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.clean.test_linestats import BANNER, ELECTION, HARBOUR
from tests.helpers import read_rows, run_cli
from transforms.clean.beam import _first_rest, _pack, _rest

PENGUINS = [
    "Scientists counted more penguins than ever on the remote southern island colony this season.",
    "Researchers attribute the increase to abundant krill and milder winters in recent years.",
    "Volunteers photographed nesting burrows along rocky stretches of the coastline.",
]


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_banner_removed_in_run_and_from_history(tmp_path):
    first, second = tmp_path / "in1", tmp_path / "in2"
    first.mkdir()
    second.mkdir()
    _write(first / "a.jsonl", [
        {"id": "h", "title": "Pier closes", "text": "\n\n".join([*HARBOUR, BANNER])},
        {"id": "e", "title": "New governor", "text": "\n\n".join([BANNER, *ELECTION])},
    ])
    _write(second / "b.jsonl", [{"id": "p", "title": "Penguins", "text": "\n\n".join([*PENGUINS, BANNER])}])
    out, state = tmp_path / "out", tmp_path / "state"
    for folder in (first, second):
        result = run_cli("run", "--input", str(folder), "--output", str(out), "--state", str(state))
        assert result.returncode == 0, result.stderr
    rows = {row["source_id"]: row for row in read_rows(out, "articles")}
    assert set(rows) == {"h", "e", "p"}
    for row in rows.values():
        assert "privacy" not in row["text"], row["text"]
    assert rows["p"]["text"].startswith("Scientists counted")
    assert len(list((state / "lines").glob("lines-*.jsonl"))) == 1  # the committed history only
    assert not list((state / "lines").glob("pending-*"))


def test_first_rest_is_the_head_of_rest():
    """Decide's single-article path reads the first values of the article's sketch less the
    paragraph's without decoding the whole sketch: the same values as the full difference."""
    rng = random.Random(7)
    for _ in range(300):
        whole = set(rng.sample(range(1, 2**32 - 1), rng.randint(0, 200)))
        own = set(rng.sample(sorted(whole), rng.randint(0, len(whole))))
        count = rng.randint(1, 60)
        packed, paragraph = _pack(whole), _pack(own)
        assert list(_first_rest(packed, paragraph, count)) == list(_rest(packed, paragraph)[:count])

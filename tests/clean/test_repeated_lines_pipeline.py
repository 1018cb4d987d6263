"""The repeated-lines step in the real pipeline: a banner shared by unrelated stories leaves the
text, and the state under <state>/lines/ lets a later run of one article remove it too."""

from __future__ import annotations

import json
import random
from pathlib import Path

import apache_beam as beam

from tests.clean.test_linestats import BANNER, ELECTION, HARBOUR
from tests.helpers import read_rows, run_cli
from transforms.clean import linestats, linestore
from transforms.clean.beam import LineKeys, _first_rest, _pack, _rest, key_shard, unpack_keys

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


def _line_keys_one_by_one(article: dict) -> list[tuple]:
    """What LineKeys emitted per key before it packed them: (key, article_id, masked, own)."""
    text = article["text"]
    out = []
    for paragraph in text.split("\n\n"):
        for key, masked in linestats.line_keys(paragraph):
            out.append((key, article["article_id"], masked, _pack(linestats.sketch(paragraph))))
    out += [(key, article["article_id"], False, b"") for key in sorted(
        {key for key, _, _ in linestats.span_anchors(text)})]
    return out


def test_line_keys_leave_packed_by_key_shard():
    """LineKeys' packs hold every key of every article once, each in its key's shard, whether
    they leave when the bundle ends or earlier (FLUSH_AT)."""
    glued = " ".join(ELECTION * 4)  # a long paragraph: span anchors
    articles = [{"article_id": f"a{i}", "text": "\n\n".join([*HARBOUR[i % 3:], BANNER, glued])}
                for i in range(6)]
    expected = sorted(entry for article in articles for entry in _line_keys_one_by_one(article))
    for flush_at in (LineKeys.FLUSH_AT, 7):
        keys = LineKeys()
        keys.FLUSH_AT = flush_at
        keys.start_bundle()
        outputs = [out for article in articles for out in keys.process(article)]
        outputs += [windowed.value for windowed in keys.finish_bundle()]
        packs = [out for out in outputs if not isinstance(out, beam.pvalue.TaggedOutput)]
        sketches = [out.value for out in outputs if isinstance(out, beam.pvalue.TaggedOutput)]
        assert [article_id for article_id, _ in sketches] == [a["article_id"] for a in articles]
        by_shard: dict[int, list] = {}
        for shard, pack in packs:
            by_shard.setdefault(shard, []).append(pack)
        got = []
        for shard, shard_packs in by_shard.items():
            for key, docs in unpack_keys(shard_packs).items():
                assert key_shard(key) == shard
                got += [(key, *doc) for doc in docs]
        assert sorted(got) == expected
        if flush_at == 7:
            assert len(packs) > len(by_shard)  # some shards left in several packs


def test_first_entry_line_is_entry_line():
    for key in ("0123456789abcdef", "s:00ff00ff00ff00ff", 'odd "key" é\n'):
        for masked in (False, True):
            entry = {"groups": 1, "reps": ["0000002a000000ff"], "masked": masked, "docs": 1}
            line = linestore.first_entry_line(key, entry["reps"][0], masked)
            assert line == linestore.entry_line(key, entry)
            assert linestore.entry_rank(key, entry) == linestore.FIRST_RANK + key
        assert linestore.entry_line(key, entry) == json.dumps({"key": key, **entry}, sort_keys=True)

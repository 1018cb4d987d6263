"""Syndicated copies across runs, through the CLI: a late original takes over its cluster and
the `clusters` table says so; --drop-duplicates keeps one row per story."""

from __future__ import annotations

import json

from tests.helpers import read_rows, run_cli

PARAGRAPHS = [
    "The harbour authority approved a plan on Monday to deepen the northern shipping channel, "
    "a project that engineers said would let larger container vessels reach the port.",
    "Work on the channel is expected to begin in the spring and to last about three years, "
    "according to documents published by the authority after the vote.",
    "Fishermen in the nearby villages have opposed the dredging, saying it would disturb the "
    "spawning grounds of herring and cod along the coast.",
    "The authority promised to monitor water quality every week and to pause the work if the "
    "sediment levels rose above the limits set by the environment agency.",
    "Shipping companies welcomed the decision, noting that the current depth forces some "
    "vessels to unload part of their cargo at other ports before arriving.",
    "The regional government will pay forty percent of the cost, while the rest will come from "
    "port fees and a loan from the national infrastructure bank.",
]
ORIGINAL = "NORDHAVEN, March 3. /TASS/. " + "\n\n".join(PARAGRAPHS)


def record(rid: str, source: str, url: str, text: str, published: str) -> str:
    return json.dumps({"id": rid, "source": source, "url": url, "title": "Harbour channel to be deepened",
                       "text": text, "published": published})


def copies() -> list[str]:
    trimmed = "NORDHAVEN (MSN / TASS) - " + "\n\n".join(PARAGRAPHS[:4])
    edited = "NORDHAVEN, March 3 (TASS) - " + "\n\n".join(PARAGRAPHS[:3] + PARAGRAPHS[4:])
    return [
        record("c1", "MSN", "https://www.msn.com/en/news/harbour", trimmed, "2024-03-03T10:00:00+00:00"),
        record("c2", "Daily Example", "https://daily.example/harbour", edited, "2024-03-03T11:00:00+00:00"),
    ]


def test_late_original_takes_over_its_cluster(tmp_path):
    first, second, out = tmp_path / "first", tmp_path / "second", tmp_path / "out"
    first.mkdir()
    second.mkdir()
    (first / "copies.jsonl").write_text("\n".join(copies()) + "\n")
    (second / "original.jsonl").write_text(record(
        "o1", "TASS", "https://tass.com/economy/1", ORIGINAL, "2024-03-03T12:00:00+00:00") + "\n")
    assert run_cli("run", "--input", str(first), "--output", str(out), "--run-id", "r1").returncode == 0
    rows = {r["source_id"]: r for r in read_rows(out, "articles")}
    assert rows["c1"]["cluster_id"] == rows["c2"]["cluster_id"]
    assert rows["c2"]["is_canonical"] and not rows["c1"]["is_canonical"]  # MSN republishes

    result = run_cli("run", "--input", str(second), "--output", str(out), "--run-id", "r2")
    assert result.returncode == 0, result.stderr
    rows = {r["source_id"]: r for r in read_rows(out, "articles")}
    original = rows["o1"]
    assert original["cluster_id"] == rows["c1"]["cluster_id"]
    assert original["is_canonical"] and original["canonical_id"] == original["article_id"]
    [change] = read_rows(out, "clusters")
    assert change["cluster_id"] == original["cluster_id"]
    assert change["canonical_id"] == original["article_id"]
    assert change["previous_canonical_id"] == rows["c2"]["article_id"]
    assert change["members"] == 3 and change["run_id"] == "r2"


def test_drop_duplicates_writes_canonical_rows_only(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    original = record("o1", "TASS", "https://tass.com/economy/1", ORIGINAL, "2024-03-03T12:00:00+00:00")
    (folder / "all.jsonl").write_text("\n".join([*copies(), original]) + "\n")
    result = run_cli("run", "--input", str(folder), "--output", str(out), "--drop-duplicates")
    assert result.returncode == 0, result.stderr
    [row] = read_rows(out, "articles")
    assert row["source_id"] == "o1" and row["source"] == "TASS" and row["credited_agency"] == "TASS"
    assert all(q["article_id"] == row["article_id"] for q in read_rows(out, "quotes"))

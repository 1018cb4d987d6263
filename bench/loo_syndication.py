"""Leave-one-outlet-out check of the cleaning and dedup rules on a syndication task folder.

    .venv/bin/python -m bench.loo_syndication /work/shared/data/dev/syndication [--score PATH/score.py]

Runs the pipeline's pure cores in process (read -> extract -> clean -> repeated-lines ->
dedup -> canonical -> copy lines), not Beam, and scores the rows with the evaluation's own score.py (its path
defaults to ../eval/score.py beside the data folder's parent). Two figures:

* in-sample: the repeated-lines evidence of a record comes from every pair it belongs to, as in a
  run over the whole folder;
* leave-one-outlet-out: a record is cleaned with its outlet's profile taken out of
  configs/sources.yaml (its furniture lines, tails, signatures and domains; an agency keeps its
  names), and its repeated-lines evidence comes only from pairs of records of *other* outlets
  (its outlet's own copies are held out of the statistics), like the history a run on a new
  outlet would find. Records with no gold outlet each count as their own outlet.

The pattern families (configs/furniture.yaml) name no outlet and are the same in both figures.
Nothing of the data is written anywhere.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import itertools
import json
import os
from collections import defaultdict
from dataclasses import replace

import numpy as np

from transforms.articles.rows import source_of
from transforms.clean import linestats
from transforms.clean.cleaner import Cleaner
from transforms.clean.copies import copy_furniture, drop_paragraphs
from transforms.clean.profiles import ProfileSet
from transforms.common import ids
from transforms.common.config import load_config
from transforms.dedup import frequency
from transforms.dedup.candidates import article_meta
from transforms.dedup.clusters import UnionFind, choose_canonical
from transforms.dedup.minhash import fingerprint
from transforms.dedup.verify import contained_shares, same_story
from transforms.extract.html import draft_from_record
from transforms.read.files import read_file


def load_score(path: str):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_records(task_dir: str, config: dict) -> list:
    records = []
    for path in sorted(glob.glob(os.path.join(task_dir, "inputs", "*"))):
        records += [r for r in read_file(os.path.abspath(path), config["input"]) if not isinstance(r, dict)]
    return records


def without_outlet(cleaner: Cleaner, outlet: str) -> Cleaner:
    """The cleaner with nothing tuned for `outlet`: its profile's furniture, signatures and
    domains gone (an agency keeps its names: crediting an agency is not tuning for an outlet)."""
    profiles = []
    for profile in cleaner.profiles.profiles:
        if profile.name != outlet:
            profiles.append(profile)
        elif profile.agency:
            profiles.append(replace(profile, domains=[], signatures=[], junk_lines=[], junk_tails=[],
                                    credits=[]))
    return Cleaner(ProfileSet(profiles), cleaner.families)


def clean_records(records: list, config: dict, cleaners: dict, outlet_of_record) -> list[dict]:
    rows = []
    for record in records:
        cleaner = cleaners[outlet_of_record(record)]
        cleaned = cleaner.clean(draft_from_record(record, config["extract"]))
        rows.append({
            "article_id": ids.article_id(record.url, record.source_id, record.html or record.text),
            "source_id": record.source_id, "input_ref": record.input_ref, "url": record.url,
            "source": source_of(cleaned.source, record.url), "credited_agency": cleaned.credited_agency,
            "title": cleaned.title, "text": cleaned.text, "published_at": cleaned.published_at,
            "republished": cleaned.republished, "agency_text": cleaned.agency_text,
            "self_named": cleaned.self_named, "standfirst": cleaned.standfirst,
            "wrapped": cleaned.wrapped, "origin": cleaned.origin,
            "republishers": cleaner.profiles.republisher_keys(),  # what this record's run would know
        })
    return rows


def pair_evidence(rows: list[dict]) -> list[tuple[int, int, set[str]]]:
    """(i, j, furniture keys) for the pairs of rows that share keys and tell different stories."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        for key in linestats.text_keys(row["text"]):
            by_key[key].append(i)
    pairs = {pair for members in by_key.values() for pair in itertools.combinations(sorted(members), 2)}
    evidence = []
    for i, j in sorted(pairs):
        keys = linestats.shared_furniture(rows[i]["text"], rows[j]["text"])
        if keys:
            evidence.append((i, j, keys))
    return evidence


def strip(rows: list[dict], evidence, outlets: list[str], leave_out: bool) -> list[dict]:
    out = []
    for d, row in enumerate(rows):
        keys: set[str] = set()
        for i, j, found in evidence:
            if leave_out and outlets[d] not in (outlets[i], outlets[j]):
                keys |= found  # evidence of other outlets only: the history a new outlet meets
            elif not leave_out and d in (i, j):
                keys |= found
        text, _ = linestats.strip_lines(row["text"], keys & linestats.text_keys(row["text"]))
        out.append({**row, "text": text})
    return out


def dedup(rows: list[dict], settings: dict) -> list[dict]:
    fps = [fingerprint(row["text"], settings["shingle_size"]) for row in rows]
    table = frequency.table_from_texts([fp.unique for fp in fps], settings)
    frequent = frequency.read_table(table) if table else None
    uf, holds, covers = UnionFind(), {}, {}
    for i, j in itertools.combinations(range(len(rows)), 2):
        if np.intersect1d(fps[i].unique, fps[j].unique).size < settings["min_shared_shingles"]:
            continue
        if same_story(fps[i], fps[j], settings, frequent):
            a, b = rows[i]["article_id"], rows[j]["article_id"]
            uf.union(a, b)
            b_in_a, a_in_b = contained_shares(fps[j], fps[i])
            holds[a], holds[b] = min(holds.get(a, 1.0), b_in_a), min(holds.get(b, 1.0), a_in_b)
            covers[a], covers[b] = max(covers.get(a, 0.0), a_in_b), max(covers.get(b, 0.0), b_in_a)
    for row in rows:
        uf.find(row["article_id"])
    by_id = {row["article_id"]: row for row in rows}
    for members in uf.groups().values():
        metas = [{**article_meta(by_id[m], len(by_id[m]["text"].split()), by_id[m]["republishers"]),
                  "completeness": holds.get(m, 1.0), "covered": covers.get(m, 0.0)} for m in members]
        canonical = choose_canonical(metas)
        for m in members:
            by_id[m].update(cluster_id=min(members), is_canonical=m == canonical)
    return rows


def strip_copy_lines(rows: list[dict]) -> list[dict]:
    by_cluster: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_cluster[row["cluster_id"]].append(row)
    for members in by_cluster.values():
        drops = copy_furniture([(m["article_id"], m["text"], m["is_canonical"]) for m in members])
        for member in members:
            if member["article_id"] in drops:
                member["text"] = drop_paragraphs(member["text"], drops[member["article_id"]])[0]
    return rows


METRICS = ["junk_leak_rate", "credited_agency_accuracy", "credited_agency_spurious", "canonical_accuracy",
           "body_f1", "title_exact"]


def summary(metrics: dict) -> dict:
    out = {name: round(metrics[name], 4) for name in METRICS if metrics.get(name) is not None}
    pairwise = metrics["pairwise"]
    out.update(pair_precision=pairwise["precision"], pair_recall=pairwise["recall"],
               false_pairs=pairwise["false_pairs"], trap_merges=metrics["false_merges"].get("trap", 0),
               real_copy_recall=metrics.get("pairwise_real_copy", {}).get("recall"))
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task_dir")
    parser.add_argument("--score", help="path of the evaluation's score.py")
    args = parser.parse_args(argv)
    task_dir = os.path.abspath(args.task_dir)
    score = load_score(args.score or os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        task_dir))), "eval", "score.py"))
    config = load_config()
    gold = score.read_gold(task_dir)
    records = read_records(task_dir, config)
    full = Cleaner.from_config(config["clean"])
    rows = clean_records(records, config, defaultdict(lambda: full), lambda _: None)
    index = score.RowIndex(rows)
    outlet_of = {}
    for n, line in enumerate(gold):
        row = index.find(line)
        if row is not None:
            outlet_of[row["input_ref"]] = line.get("source") or f"(none)#{n}"
    outlets = [outlet_of.get(row["input_ref"], "(unknown)") for row in rows]
    held_out = {outlet: without_outlet(full, outlet) for outlet in set(outlets)}
    loo_rows = clean_records(records, config, held_out, lambda r: outlet_of.get(r.input_ref, "(unknown)"))
    report = {}
    for name, base, leave_out in (("in_sample", rows, False), ("leave_one_outlet_out", loo_rows, True)):
        evidence = pair_evidence(base)
        stripped = strip_copy_lines(dedup(strip(base, evidence, outlets, leave_out), config["dedup"]))
        metrics, _ = score.score_syndication(gold, stripped, [])
        report[name] = summary(metrics)
        report[name]["pairs_with_shared_furniture"] = len(evidence)
    report["outlets"] = len(set(outlets))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

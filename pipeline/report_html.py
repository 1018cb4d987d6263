"""`pipeline report --html FILE`: one self-contained page an operator reads at a glance.

Charts are inline SVG drawn here (no script, no font or library fetched: the page opens
offline and in a mail attachment): articles per day by source and by language, rejects per
day by type, cluster sizes, run durations (OUTPUT/_runs/*.json), and freshness (now - the
newest published_at). Each chart is a <figure class="chart" data-chart=NAME>.
"""

from __future__ import annotations

import glob
import html
import json
import os
from datetime import datetime, timezone

import duckdb

from transforms.articles.progress import duration
from transforms.common import fs

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]
MAX_DAYS = 90  # the latest days with data; older ones are summed in the tables only
MAX_SERIES = 8  # the largest series by name; the rest is "other"
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 760, 260, 48, 56, 12

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1600px; }
h1 { font-size: 20px; margin: 0 0 4px; } .meta { color: #666; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure.chart { margin: 0; padding: 12px; border: 1px solid #ddd; border-radius: 6px; }
figcaption { font-weight: 600; margin-bottom: 6px; } .empty { color: #888; padding: 40px 0; }
.tile { font-size: 40px; font-weight: 700; } .tile.stale { color: #c0392b; }
svg text { font-size: 11px; fill: #444; }
"""


def series_by_day(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], dict[str, list[int]]]:
    """(days, {series name: count per day}) from rows of (day, name, count)."""
    rows = con.sql(sql).fetchall()
    days = sorted({str(day) for day, _, _ in rows})[-MAX_DAYS:]
    totals: dict[str, int] = {}
    for _, name, count in rows:
        totals[str(name)] = totals.get(str(name), 0) + count
    top = sorted(totals, key=lambda n: (-totals[n], n))[:MAX_SERIES]
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, list[int]] = {}
    for day, name, count in rows:
        if str(day) not in index:
            continue
        key = str(name) if str(name) in top else "other"
        series.setdefault(key, [0] * len(days))[index[str(day)]] += count
    return days, dict(sorted(series.items(), key=lambda item: (item[0] == "other", -sum(item[1]))))


def bar_chart(labels: list[str], series: dict[str, list[float]], unit: str = "") -> str:
    """Stacked bars with a y axis, every few x labels, and a legend: an SVG element."""
    if not labels or not series:
        return '<div class="empty">no data</div>'
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    peak = max(totals) or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / len(labels)
    height = HEIGHT + 18 * (len(series) // 5)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
             'role="img">']
    for tick in range(5):  # y grid and labels
        value = peak * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value:.3g}{unit}</text>')
    every = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        x, base = LEFT + i * step, TOP + plot_h
        for (name, values), color in zip(series.items(), PALETTE, strict=False):
            size = plot_h * values[i] / peak
            if size > 0:
                base -= size
                tip = html.escape(f"{label} {name}: {values[i]:g}{unit}")
                bar = min(max(step * 0.8, 1), 60)
                parts.append(f'<rect class="bar" x="{x + (step - bar) / 2:.1f}" y="{base:.1f}" '
                             f'width="{bar:.1f}" height="{size:.1f}" fill="{color}">'
                             f"<title>{tip}</title></rect>")
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle">'
                         f"{html.escape(label[-12:])}</text>")
    for n, (name, color) in enumerate(zip(series, PALETTE, strict=False)):  # legend
        x, y = LEFT + (n % 5) * 140, HEIGHT - 18 + 18 * (n // 5)
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14}" y="{y + 9}">{html.escape(name[:20])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def figure(name: str, caption: str, body: str) -> str:
    return (f'<figure class="chart" data-chart="{name}"><figcaption>{html.escape(caption)}</figcaption>'
            f"{body}</figure>")


def run_records(output: str) -> list[dict]:
    records = []
    for path in sorted(glob.glob(os.path.join(output, "_runs", "*.json")))[-40:]:
        try:
            with open(path, encoding="utf-8") as handle:
                records.append(json.load(handle))
        except (OSError, ValueError):
            continue  # a record being written or damaged: the page shows the others
    return records


def freshness(con: duckdb.DuckDBPyConnection, now: datetime) -> str:
    newest = con.sql("SELECT max(published_at) FROM articles").fetchall()[0][0]
    if newest is None:
        return '<div class="empty">no article with a publication time</div>'
    age = (now - newest).total_seconds()
    stale = " stale" if age > 86400 else ""
    return (f'<div class="tile{stale}" data-age-seconds="{age:.0f}">'
            f"{html.escape(duration(max(age, 0)))}</div>"
            f"<div>since the newest publication time, {html.escape(newest.isoformat())}</div>")


def render(con: duckdb.DuckDBPyConnection, output: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    figures = []
    for name, caption, column in (("articles-by-source", "Articles per day by source", "source"),
                                  ("articles-by-lang", "Articles per day by language", "lang")):
        days, series = series_by_day(con, f"SELECT date, {column}, count(*) FROM articles GROUP BY ALL")
        figures.append(figure(name, caption, bar_chart(days, series)))
    days, series = series_by_day(con, "SELECT date, stage || ': ' || error_type, count(*) FROM rejects "
                                      "GROUP BY ALL")
    figures.append(figure("rejects-by-type", "Rejects per day by type", bar_chart(days, series)))
    sizes = con.sql("SELECT n, count(*) FROM (SELECT cluster_id, count(*) AS n FROM articles GROUP BY 1) "
                    "GROUP BY 1 ORDER BY 1").fetchall()
    figures.append(figure("cluster-sizes", "Stories by number of copies (cluster size)",
                          bar_chart([str(n) for n, _ in sizes], {"stories": [c for _, c in sizes]})))
    runs = run_records(output)
    seconds = [float(r.get("duration_s") or 0) for r in runs]
    failed = ["fail" in str(r.get("status", "")) for r in runs]  # failed runs in their own colour
    durations = {"finished": [0.0 if bad else s for s, bad in zip(seconds, failed, strict=True)]}
    if any(failed):
        durations["failed"] = [s if bad else 0.0 for s, bad in zip(seconds, failed, strict=True)]
    figures.append(figure("run-durations", "Run durations (latest runs)",
                          bar_chart([str(r.get("run_id", "?")) for r in runs], durations, " s")))
    figures.append(figure("freshness", "Freshness", freshness(con, now)))
    counts = {t: con.sql(f"SELECT count(*) FROM {t}").fetchall()[0][0]
              for t in ("articles", "quotes", "rejects")}
    summary = ", ".join(f"{count} {table}" for table, count in counts.items())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>newspipe report</title>'
            f"<style>{STYLE}</style></head><body><h1>newspipe: {html.escape(os.path.abspath(output))}</h1>"
            f'<div class="meta">{summary}; {len(runs)} runs recorded; generated '
            f'{now.isoformat(timespec="seconds")}</div><div class="grid">{"".join(figures)}</div>'
            "</body></html>")


def write_html(con: duckdb.DuckDBPyConnection, output: str, path: str) -> None:
    fs.write_atomic(path, render(con, output).encode("utf-8"))

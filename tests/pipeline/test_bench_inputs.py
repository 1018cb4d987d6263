"""bench.throughput's inputs: N distinct documents in each layout, JSONL alone included."""

import json

import pytest

from bench.throughput import write_inputs

PAGE = ("<html><head><title>Harbour plan</title></head><body><article><p>The harbour board "
        "approved the plan on Monday after a long debate about costs and the timetable.</p>"
        "<p>Work on the new quay starts in spring and should end within two years.</p>"
        "</article></body></html>")


@pytest.mark.parametrize("layouts", [["jsonl"], ["pages"], ["pages", "jsonl"]])
def test_write_inputs_makes_each_layout_in_a_new_folder(tmp_path, layouts):
    pages = tmp_path / "pages_src"
    pages.mkdir()
    (pages / "one.html").write_text(PAGE, encoding="utf-8")
    made = write_inputs(pages, 3, tmp_path / "new" / "in", layouts)
    assert sorted(made) == sorted(layouts)
    if "jsonl" in made:
        rows = [json.loads(line) for line in made["jsonl"].read_text(encoding="utf-8").splitlines()]
        assert len(rows) == 3 and len({row["html"] for row in rows}) == 3
    if "pages" in made:
        assert len(list(made["pages"].glob("*.html"))) == 3

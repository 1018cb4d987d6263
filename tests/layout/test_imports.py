"""The layout's rules, checked on the source (AST), not by convention:

- imports point one way: pipeline/ -> stage packages -> transforms/common; no module of
  transforms/ imports pipeline/, and common/ imports no stage;
- only a beam.py (a stage's, or common's: packed rows) and common/fs.py, the filesystem layer,
  import apache_beam;
- no project import hides inside a function in transforms/ (that is how cycles get dodged);
- no module over 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "transforms").rglob("*.py")) + sorted((ROOT / "pipeline").rglob("*.py"))
BEAM_ALLOWED = {"beam.py"}
FS_MODULE = ROOT / "transforms" / "common" / "fs.py"
# Modules still waiting for their split along their seams (issue 10): this set must empty.
PENDING_SPLIT: set[str] = set()


def imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """(module imported, whether at module level) for every import in the tree."""
    top = {id(node) for node in tree.body} if isinstance(tree, ast.Module) else set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=rel)
def test_module_follows_the_layout(path: Path):
    if rel(path) in PENDING_SPLIT:
        pytest.xfail("split pending")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = imports(tree)
    in_transforms = rel(path).startswith("transforms/")
    if in_transforms:
        assert not [m for m, _ in names if m == "pipeline" or m.startswith("pipeline.")], \
            "transforms/ must not import pipeline/"
        beam = [m for m, _ in names if m == "apache_beam" or m.startswith("apache_beam.")]
        if path.name not in BEAM_ALLOWED and path != FS_MODULE:
            assert not beam, "only a stage's beam.py imports apache_beam"
        hidden = [m for m, top in names if not top and m.startswith("transforms")]
        assert not hidden, f"project imports inside functions: {hidden}"
    if rel(path).startswith("transforms/common/"):
        stages = [m for m, _ in names
                  if m.startswith("transforms.") and not m.startswith("transforms.common")]
        assert not stages, f"the common core imports no stage: {stages}"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 500, f"{rel(path)} has {lines} lines (at most 500)"

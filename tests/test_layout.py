"""The code's shape: no module of the product over 500 lines (a module that grows past it holds two jobs)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def test_no_module_is_over_500_lines():
    sizes = {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
             for package in ("planner", "api", "maps") for path in (ROOT / package).rglob("*.py")}
    assert len(sizes) > 100  # the packages were found
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}

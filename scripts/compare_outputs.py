"""Compare two ``stageplanner solve`` output folders, ignoring what depends on timing.

Usage::

    python scripts/compare_outputs.py BEFORE AFTER

Compares ``plan.json`` as data (without the timing fields ``solve_seconds``,
``build_seconds``, ``wall_seconds`` and the seconds of the progress events), the CSV tables
as text, ``summary.md`` as text with durations masked, the charts byte for byte and
``map.html`` with the map's generated element ids masked. Prints every difference (for
plan.json the JSON path and both values) and exits 1 when there is one, 0 when the folders
agree.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

TIMING_FIELDS = {"solve_seconds", "build_seconds", "wall_seconds"}
# "12.34 s" in summary.md's solver table: wall, build and solve time.
DURATION = re.compile(r"\d[\d,]*\.\d+ s\b")
# folium names every element with a random hex id.
ELEMENT_ID = re.compile(r"[0-9a-f]{32}")


def _without_timing(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        return {key: _without_timing(item, f"{path}.{key}") for key, item in value.items()
                if key not in TIMING_FIELDS and not (key == "seconds" and ".progress" in path)}
    if isinstance(value, list):
        return [_without_timing(item, path) for item in value]
    return value


def json_differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Paths where two JSON values differ, with both values (at most the first 50)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                found.append(f"{path}.{key}: only in {'after' if key not in a else 'before'}")
            else:
                found += json_differences(a[key], b[key], f"{path}.{key}")
        return found
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items before, {len(b)} after"]
        return [line for i, (x, y) in enumerate(zip(a, b)) for line in json_differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} before, {b!r} after"]


def _text_differences(before: str, after: str, name: str) -> list[str]:
    if before == after:
        return []
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), f"before/{name}", f"after/{name}",
                                lineterm="", n=0)
    return list(diff)[:40]


def compare_folders(before: Path, after: Path) -> list[str]:
    """Every difference between two output folders, as readable lines (empty when they agree)."""
    problems: list[str] = []
    names_before = {p.name for p in before.iterdir() if p.is_file()}
    names_after = {p.name for p in after.iterdir() if p.is_file()}
    for name in sorted(names_before ^ names_after):
        problems.append(f"{name}: only in {'before' if name in names_before else 'after'}")
    for name in sorted(names_before & names_after):
        a, b = before / name, after / name
        if name.endswith(".json"):
            found = json_differences(_without_timing(json.loads(a.read_text(encoding="utf-8"))),
                                     _without_timing(json.loads(b.read_text(encoding="utf-8"))))
            problems += [f"{name} {line}" for line in found[:50]]
        elif name.endswith(".csv"):
            problems += _text_differences(a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8"), name)
        elif name.endswith(".md"):
            problems += _text_differences(DURATION.sub("<duration>", a.read_text(encoding="utf-8")),
                                          DURATION.sub("<duration>", b.read_text(encoding="utf-8")), name)
        elif name.endswith(".html"):
            if ELEMENT_ID.sub("<id>", a.read_text(encoding="utf-8")) != ELEMENT_ID.sub("<id>", b.read_text(encoding="utf-8")):
                problems.append(f"{name}: differs (element ids masked)")
        elif a.read_bytes() != b.read_bytes():
            problems.append(f"{name}: differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Compare the folders named on the command line; 0 when they agree, 1 when not, 2 on bad usage."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not all(Path(arg).is_dir() for arg in args):
        print("usage: python scripts/compare_outputs.py BEFORE_FOLDER AFTER_FOLDER", file=sys.stderr)
        return 2
    problems = compare_folders(Path(args[0]), Path(args[1]))
    for line in problems:
        print(line)
    print(f"{args[0]} vs {args[1]}: " + ("same" if not problems else f"{len(problems)} difference(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Plans at company level as lists and as tables: one entry per (option, company)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.solve.heuristics import Assignment


def merge(assignments: list[Assignment]) -> list[Assignment]:
    """One entry per (option, company), sorted, zero entries dropped."""
    total: dict[tuple[int, int], int] = defaultdict(int)
    for option, company, students in assignments:
        total[(int(option), int(company))] += int(students)
    return [(o, m, n) for (o, m), n in sorted(total.items()) if n > 0]


def as_table(assignments: list[Assignment]) -> np.ndarray:
    """A plan as a sorted ``(n, 3)`` table of (option, company, students), one row per pair."""
    return np.asarray(merge(assignments), dtype=np.int64).reshape(-1, 3)


def as_assignments(table: np.ndarray) -> list[Assignment]:
    """A plan table as a list of assignments."""
    return [tuple(row) for row in table.tolist()]

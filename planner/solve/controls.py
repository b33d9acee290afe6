"""The consortium controls on assignments: the wave minimum and the stagebarometer cells.

The controls that restrict periods (``locked``, ``keep_form``, ``max_shift_weeks``) are kept by
the options themselves (:func:`planner.model.problem.allowed_by_controls`). The two that are
constraints on a whole plan are checked and repaired here for the heuristics, whose plans are
built student by student; the company-level models (:mod:`planner.solve.exact.company_model`)
carry both as constraints.

* ``min_wave_students``: when a cohort is split over two or more waves, each wave places at
  least that many students (``data.wave_minimum``); a cohort in one wave is not affected, and
  unplaced students are no wave.
* ``policy.min_weeks_between_waves``: two waves of a cohort start at least that many weeks apart
  (``data.wave_gap``, :func:`planner.model.problem.starts_too_close`).
* ``no_cell_worse_than_status_quo``: per stagebarometer cell the unplaced students stay at most
  the status quo's (``data.cell_limit``).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.model.problem import ProblemData, starts_too_close
from planner.solve.heuristics import Assignment, fill, placed_per_cohort


def wave_sizes(data: ProblemData, assignments: list[Assignment]) -> dict[int, dict[int, int]]:
    """Students placed per cohort and option (wave), waves without students left out."""
    sizes: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for option, _, students in assignments:
        if students > 0:
            sizes[int(data.option_cohort[option])][int(option)] += int(students)
    return sizes


def small_waves(data: ProblemData, assignments: list[Assignment]) -> list[tuple[int, int, int]]:
    """Waves of split cohorts below their minimum: ``(cohort, option, students)``."""
    minimum = data.wave_minimum
    found = []
    for cohort, waves in wave_sizes(data, assignments).items():
        if minimum[cohort] and len(waves) >= 2:
            found += [(cohort, option, n) for option, n in waves.items() if n < minimum[cohort]]
    return found


def close_waves(data: ProblemData, assignments: list[Assignment]) -> list[tuple[int, int, int]]:
    """Pairs of waves of one cohort that start too close together: ``(cohort, option, option)``."""
    found = []
    gap = data.wave_gap if len(data.wave_gap) == len(data.cohorts) else np.zeros(len(data.cohorts), dtype=np.int64)
    for cohort, waves in wave_sizes(data, assignments).items():
        options = sorted(waves)
        found += [(cohort, a, b) for i, a in enumerate(options) for b in options[i + 1:]
                  if starts_too_close(data.options[a].start, data.options[b].start, int(gap[cohort]))]
    return found


def cell_unplaced(data: ProblemData, assignments: list[Assignment]) -> np.ndarray:
    """Unplaced students per stagebarometer cell (``data.cells``)."""
    unplaced = data.students - placed_per_cohort(data, assignments)
    return np.bincount(data.cohort_cell, weights=unplaced, minlength=len(data.cells)).astype(np.int64)


def cells_worse(data: ProblemData, assignments: list[Assignment]) -> list[int]:
    """Cells with more unplaced students than the status quo allows (none when the rule is off)."""
    if data.cell_limit is None:
        return []
    return [int(k) for k in np.nonzero(cell_unplaced(data, assignments) > data.cell_limit)[0]]


def keeps_controls(data: ProblemData, assignments: list[Assignment]) -> bool:
    """Whether ``assignments`` keep the wave minimum, the weeks between waves and the stagebarometer cells."""
    return not small_waves(data, assignments) and not close_waves(data, assignments) and not cells_worse(data, assignments)


def repair_waves(data: ProblemData, assignments: list[Assignment]) -> list[Assignment]:
    """Assignments whose split cohorts keep their wave minimum and the weeks between their starts.

    Of a split cohort with a wave below the minimum, or with two waves starting too close
    together, the smallest such wave is given up, until the cohort has one wave or its waves keep
    both rules; the students given up are then placed
    where they fit in the cohort's remaining waves (any company it may use). Giving up
    placements frees capacity, so the result keeps every other rule.
    """
    minimum = data.wave_minimum
    gap = data.wave_gap if len(data.wave_gap) == len(data.cohorts) else np.zeros(len(data.cohorts), dtype=np.int64)
    if not minimum.any() and not gap.any():
        return assignments
    sizes = wave_sizes(data, assignments)
    dropped: dict[int, int] = {}
    given_up: set[int] = set()
    for cohort, waves in sizes.items():
        least, weeks = minimum[cohort], int(gap[cohort])
        waves = dict(waves)
        while len(waves) >= 2:
            breaking = [o for o in waves if waves[o] < least] + [
                o for o in waves for other in waves
                if o != other and starts_too_close(data.options[o].start, data.options[other].start, weeks)]
            if not breaking:
                break
            option = min(breaking, key=lambda o: (waves[o], o))
            dropped[cohort] = dropped.get(cohort, 0) + waves.pop(option)
            given_up.add(option)
    if not given_up:
        return assignments
    kept = [a for a in assignments if a[0] not in given_up]
    remaining = data.company_capacity.astype(np.int64).copy()
    for option, company, students in kept:
        row = data.occupancy[option]
        remaining[company, row.indices] -= students * row.data
    staying = wave_sizes(data, kept)
    for cohort, students in dropped.items():
        companies, _ = data.companies_of(cohort)
        for option in sorted(staying[cohort], key=lambda o: -staying[cohort][o]):
            if students == 0 or not len(companies):
                break
            students = fill(data, remaining, option, companies, students, kept)
    return kept

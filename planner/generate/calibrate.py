"""Calibration: how many BOL students the status quo of a scenario leaves without a place.

The figure comes from the planner's own status-quo solve (every cohort in its current
period, allocation optimised, whole students at single companies, checked by
``verify_plan``), so calibration, capacity model and plan checks share one set of rules.
The supply constants in :mod:`planner.generate.supply` are tuned against it: about 1 % of BOL
students short overall, about 2 % for entree and level 2, most of them in care (the domain
brief's figures).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from planner.scenario import Scenario
from planner.solve import SolveParams, solve
from planner.solve.params import WorkBudget

__all__ = ["StatusQuoShortage", "status_quo_shortage"]

LEVELS = ("entree", "2", "3", "4")


@dataclass(frozen=True)
class StatusQuoShortage:
    """BOL students and those the status quo leaves without a place, by level and by sector.

    Attributes
    ----------
    students_by_level, short_by_level : dict of str to int
        BOL students and unplaced BOL students per level (entree, 2, 3, 4; levels without
        students left out).
    students_by_sector, short_by_sector : dict of str to int
        The same per sector chamber, largest first.
    """

    students_by_level: dict[str, int]
    short_by_level: dict[str, int]
    students_by_sector: dict[str, int]
    short_by_sector: dict[str, int]

    @property
    def bol_students(self) -> int:
        """BOL students in all."""
        return sum(self.students_by_level.values())

    @property
    def short_students(self) -> int:
        """BOL students without a place in the status quo."""
        return sum(self.short_by_level.values())

    @property
    def overall_rate(self) -> float:
        """Share of BOL students without a place."""
        return self.short_students / self.bol_students if self.bol_students else 0.0

    @property
    def rate_by_level(self) -> dict[str, float]:
        """Share without a place per level."""
        return {level: self.short_by_level[level] / n for level, n in self.students_by_level.items()}

    @property
    def rate_by_sector(self) -> dict[str, float]:
        """Share without a place per sector chamber."""
        return {sector: self.short_by_sector[sector] / n for sector, n in self.students_by_sector.items()}

    def summary(self) -> str:
        """One line: the overall rate and the rate per level."""
        levels = ", ".join(f"{level} {rate:.2%}" for level, rate in self.rate_by_level.items())
        return f"status quo: {self.overall_rate:.2%} of BOL students without a place; by level {levels}"


def status_quo_shortage(scenario: Scenario, *, time_limit: float = 120.0, seed: int = 0,
                        base_dir: Path | None = None, work: WorkBudget | None = None) -> StatusQuoShortage:
    """Solve the status quo of ``scenario`` and count the BOL students left without a place.

    Parameters
    ----------
    scenario : Scenario
        The scenario (generated or loaded).
    time_limit : float, default 120
        Seconds for the status-quo solve. S and M finish in seconds; the national size L
        needs about two minutes, and a shorter limit overstates its shortage.
    seed : int, default 0
        Solver seed.
    base_dir : Path, optional
        Folder the scenario's relative file names (travel files) refer to.
    work : WorkBudget, optional
        A deterministic work budget instead of the time split: the same figures however loaded
        the machine is; ``time_limit`` is then only a safety net.

    Returns
    -------
    StatusQuoShortage
        Students and unplaced students by level and by sector chamber.
    """
    budget = {} if work is None else dict(
        work_limit=work.neighbourhoods, work_nodes=work.nodes, work_relaxation_rounds=work.relaxation_rounds,
        work_bound_rounds=work.bound_rounds, work_polish_ticks=work.polish_ticks)
    params = SolveParams("status-quo", time_limit=time_limit, seed=seed, baselines=False, **budget)
    plan = solve(scenario, params, base_dir=base_dir).plan
    students_by_level: Counter[str] = Counter()
    short_by_level: Counter[str] = Counter()
    students_by_sector: Counter[str] = Counter()
    short_by_sector: Counter[str] = Counter()
    for cohort in plan.cohorts:
        if cohort.pathway != "BOL":
            continue
        students_by_level[cohort.level] += cohort.students
        short_by_level[cohort.level] += cohort.unplaced
        students_by_sector[cohort.sector] += cohort.students
        short_by_sector[cohort.sector] += cohort.unplaced
    levels = [level for level in LEVELS if students_by_level[level]]
    sectors = sorted(students_by_sector, key=lambda sector: -students_by_sector[sector])
    return StatusQuoShortage(
        students_by_level={level: students_by_level[level] for level in levels},
        short_by_level={level: short_by_level[level] for level in levels},
        students_by_sector={sector: students_by_sector[sector] for sector in sectors},
        short_by_sector={sector: short_by_sector[sector] for sector in sectors},
    )

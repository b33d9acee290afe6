"""What a plan's placements add up to: shortage cells, KPIs and utilisation (the load: :mod:`planner.plan.state`)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from planner.codes import LEVELS, SECTOR_CHAMBERS, is_priority_group
from planner.model.capacity import company_capacity, per_company_week, weekly_totals
from planner.plan.model import CellRate, CohortPlan, CompanyUse, KPIs, ShortageCell
from planner.plan.state import company_load, gap, plan_weighted_shortage
from planner.scenario import Scenario

__all__ = ["company_load", "compute_kpis", "shortage_cells", "utilisation"]  # company_load: planner.plan.state's


def shortage_cells(scenario: Scenario, cohorts: list[CohortPlan]) -> list[ShortageCell]:
    """Unplaced students per week and (sector, pathway, level, area) cell."""
    cells: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
    for cp in cohorts:
        for wave in cp.waves:
            short = wave.students - wave.placed
            if short <= 0:
                continue
            for week in wave.weeks:
                cells[(week, cp.sector, cp.pathway, cp.level, cp.area)] += short
    order = scenario.calendar.week_index
    return [
        ShortageCell(week=w, sector=s, pathway=p, level=lv, area=a, unplaced=n)
        for (w, s, p, lv, a), n in sorted(cells.items(), key=lambda item: (order[item[0][0]], item[0][1:]))
    ]


def compute_kpis(
    scenario: Scenario,
    mode: str,
    cohorts: list[CohortPlan],
    load: np.ndarray,
    bound: float,
    solve_seconds: float,
) -> KPIs:
    """KPIs of a plan's cohorts; ``load`` as from :func:`company_load`."""
    bol = [cp for cp in cohorts if cp.pathway == "BOL"]
    students = sum(cp.students for cp in bol)
    unplaced = sum(cp.unplaced for cp in bol)
    priority = [cp for cp in bol if is_priority_group(cp.sector, cp.level)]
    students_priority = sum(cp.students for cp in priority)
    unplaced_priority = sum(cp.unplaced for cp in priority)
    objective = plan_weighted_shortage(bol)
    weekly_capacity = weekly_totals(company_capacity(scenario))
    weekly_load = weekly_totals(load)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(weekly_capacity > 0, weekly_load / np.maximum(weekly_capacity, 1), 0.0)
    peak = int(np.argmax(share)) if len(share) else None
    travel = [(p.travel_minutes, p.students) for cp in bol for w in cp.waves for p in w.placements]
    placed_students = sum(n for _, n in travel)
    mean_travel = sum(m * n for m, n in travel) / placed_students if placed_students else 0.0
    cells: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    by_institution: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cp in bol:
        cell = cells[(cp.sector, cp.pathway, cp.level)]
        cell[0] += cp.students
        cell[1] += cp.unplaced
        by_institution[cp.institution][0] += cp.students
        by_institution[cp.institution][1] += cp.unplaced
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    by_cell = [
        CellRate(sector=s, sector_name=SECTOR_CHAMBERS[s], pathway=p, level=lv, students=n, unplaced=u, rate=u / n if n else 0.0)
        for (s, p, lv), (n, u) in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1], level_order[kv[0][2]]))
    ]
    return KPIs(
        mode=mode,
        students=students,
        placed=students - unplaced,
        unplaced=unplaced,
        unplaced_priority=unplaced_priority,
        students_priority=students_priority,
        shortage_rate=unplaced / students if students else 0.0,
        shortage_rate_priority=unplaced_priority / students_priority if students_priority else 0.0,
        objective=round(objective, 6),
        bound=round(bound, 6),
        gap=gap(objective, bound),
        solve_seconds=round(solve_seconds, 3),
        peak_week=scenario.calendar.weeks[peak] if peak is not None else None,
        peak_week_utilisation=float(share[peak]) if peak is not None else 0.0,
        mean_travel_minutes=round(mean_travel, 2),
        cohorts_changed=sum(1 for cp in bol if cp.period_changed),
        students_moved=sum(
            w.students for cp in bol for w in cp.waves if w.form != _current_of(scenario, cp.cohort)[0]
            or w.start_week != _current_of(scenario, cp.cohort)[1]
        ),
        institution_max_shortage_rate=max((u / n for n, u in by_institution.values() if n), default=0.0),
        by_cell=by_cell,
    )


def _current_of(scenario: Scenario, cohort_id: str) -> tuple[str, str]:
    cohort = scenario.cohorts[scenario.cohort_index[cohort_id]]
    return cohort.current_form, cohort.current_start


def utilisation(scenario: Scenario, load: np.ndarray) -> list[CompanyUse]:
    """Per company: capacity and use per week, in student-days (weekday mode: summed over days)."""
    cap = per_company_week(company_capacity(scenario))
    used = per_company_week(load)
    return [
        CompanyUse(company=c.id, area=c.area, capacity=cap[k].tolist(), used=used[k].tolist())
        for k, c in enumerate(scenario.companies)
    ]

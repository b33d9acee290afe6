"""Views computed from stored plans: filtered shortages, hotspots, comparisons, deviations.

Pure functions over :class:`planner.plan.Plan` objects; no database and no HTTP here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from planner.codes import SECTOR_CHAMBERS, is_priority_group
from planner.plan.model import CohortPlan, Plan, ShortageCell

LEVEL_ORDER = {"entree": 0, "2": 1, "3": 2, "4": 3}

# KPI name -> True when lower is better, False when higher is better, None when neutral.
KPI_DIRECTION: dict[str, bool | None] = {
    "students": None,
    "placed": False,
    "unplaced": True,
    "unplaced_priority": True,
    "students_priority": None,
    "shortage_rate": True,
    "shortage_rate_priority": True,
    "objective": True,
    "bound": None,
    "gap": True,
    "solve_seconds": None,
    "peak_week_utilisation": None,
    "mean_travel_minutes": True,
    "cohorts_changed": True,
    "students_moved": True,
    "institution_max_shortage_rate": True,
}


def filter_shortages(plan: Plan, sector: str | None = None, level: str | None = None, pathway: str | None = None,
                     area: str | None = None, week: str | None = None) -> list[ShortageCell]:
    """The plan's shortage cells matching every given filter (area compared case-insensitively)."""
    area_key = area.casefold() if area else None
    return [
        cell for cell in plan.shortages
        if (sector is None or cell.sector == sector)
        and (level is None or cell.level == level)
        and (pathway is None or cell.pathway == pathway)
        and (area_key is None or cell.area.casefold() == area_key)
        and (week is None or cell.week == week)
    ]


def filter_cohorts(plan: Plan, sector: str | None = None, level: str | None = None, pathway: str | None = None,
                   area: str | None = None, institution: str | None = None,
                   changed: bool | None = None) -> list[CohortPlan]:
    """The plan's cohorts matching every given filter."""
    area_key = area.casefold() if area else None
    return [
        cp for cp in plan.cohorts
        if (sector is None or cp.sector == sector)
        and (level is None or cp.level == level)
        and (pathway is None or cp.pathway == pathway)
        and (area_key is None or cp.area.casefold() == area_key)
        and (institution is None or cp.institution == institution)
        and (changed is None or cp.period_changed == changed)
    ]


def weekly_totals(plan: Plan) -> list[dict]:
    """Capacity and use summed over all companies, per week (student-days)."""
    totals = []
    for i, week in enumerate(plan.weeks):
        capacity = sum(use.capacity[i] for use in plan.utilisation)
        used = sum(use.used[i] for use in plan.utilisation)
        totals.append({"week": week, "capacity": capacity, "used": used,
                       "share": round(used / capacity, 4) if capacity else 0.0})
    return totals


# ------------------------------------------------------------------ hotspots

HotspotKey = tuple[str, str, str, str]  # area, sector, level, week


def hotspot_totals(plan: Plan) -> dict[HotspotKey, int]:
    """Unplaced students per (area, sector chamber, level, week), summed over pathways."""
    totals: dict[HotspotKey, int] = defaultdict(int)
    for cell in plan.shortages:
        totals[(cell.area, cell.sector, cell.level, cell.week)] += cell.unplaced
    return dict(totals)


@dataclass
class PlanCells:
    """The hotspot cells of one plan and where it comes from."""

    plan_id: int
    region: str
    totals: dict[HotspotKey, int]
    week_order: dict[str, int]


def rank_hotspots(plans: Iterable[PlanCells], limit: int, sector: str | None = None,
                  level: str | None = None) -> list[dict]:
    """Cells with the most unplaced students, over one or more plans, ranked.

    Ties are broken by priority group (entree, level 2, care first), then region, week,
    area, sector and level, so the ranking is stable.
    """
    rows = []
    for item in plans:
        for (area, sec, lev, week), unplaced in item.totals.items():
            if unplaced <= 0 or (sector is not None and sec != sector) or (level is not None and lev != level):
                continue
            rows.append({
                "region": item.region, "plan_id": item.plan_id, "area": area, "sector": sec,
                "sector_name": SECTOR_CHAMBERS.get(sec, sec), "level": lev, "week": week,
                "unplaced": unplaced, "priority_group": is_priority_group(sec, lev),
                "_week": item.week_order.get(week, 0),
            })
    rows.sort(key=lambda r: (-r["unplaced"], not r["priority_group"], r["region"], r["_week"], r["area"],
                             r["sector"], LEVEL_ORDER.get(r["level"], 9)))
    ranked = []
    for rank, row in enumerate(rows[:limit], start=1):
        row.pop("_week")
        ranked.append({"rank": rank, **row})
    return ranked


# ------------------------------------------------------------------ comparing plans


def compare_plans(a: Plan, b: Plan, limit: int) -> dict:
    """KPI differences (b minus a) and the hotspot cells where b is better or worse than a."""
    kpis = []
    a_kpis, b_kpis = a.kpis.model_dump(), b.kpis.model_dump()
    for name, lower_is_better in KPI_DIRECTION.items():
        va, vb = a_kpis[name], b_kpis[name]
        diff = vb - va
        if lower_is_better is None or abs(diff) < 1e-9:
            better = "same" if abs(diff) < 1e-9 else None
        else:
            better = "b" if (diff < 0) == lower_is_better else "a"
        kpis.append({"name": name, "a": va, "b": vb, "difference": round(diff, 6), "better": better,
                     "lower_is_better": lower_is_better})
    ta, tb = hotspot_totals(a), hotspot_totals(b)
    order = {w: i for i, w in enumerate(a.weeks)} | {w: i for i, w in enumerate(b.weeks) if w not in a.weeks}
    better_cells, worse_cells, same = [], [], 0
    for key in set(ta) | set(tb):
        ua, ub = ta.get(key, 0), tb.get(key, 0)
        area, sector, level, week = key
        cell = {"area": area, "sector": sector, "sector_name": SECTOR_CHAMBERS.get(sector, sector), "level": level,
                "week": week, "unplaced_a": ua, "unplaced_b": ub, "difference": ub - ua}
        if ub < ua:
            better_cells.append(cell)
        elif ub > ua:
            worse_cells.append(cell)
        else:
            same += 1

    def order_key(cell: dict) -> tuple:
        return (-abs(cell["difference"]), order.get(cell["week"], 0), cell["area"], cell["sector"],
                LEVEL_ORDER.get(cell["level"], 9))

    better_cells.sort(key=order_key)
    worse_cells.sort(key=order_key)
    rates_a = {(c.sector, c.pathway, c.level): c for c in a.kpis.by_cell}
    rates_b = {(c.sector, c.pathway, c.level): c for c in b.kpis.by_cell}
    barometer = []
    for key in sorted(set(rates_a) | set(rates_b), key=lambda k: (k[0], k[1], LEVEL_ORDER.get(k[2], 9))):
        ca, cb = rates_a.get(key), rates_b.get(key)
        ra, rb = (ca.rate if ca else 0.0), (cb.rate if cb else 0.0)
        barometer.append({"sector": key[0], "pathway": key[1], "level": key[2],
                          "unplaced_a": ca.unplaced if ca else 0, "unplaced_b": cb.unplaced if cb else 0,
                          "rate_a": ra, "rate_b": rb, "difference": round(rb - ra, 6)})
    return {
        "same_scenario": a.scenario == b.scenario,
        "kpis": kpis,
        "cells_better": len(better_cells),
        "cells_worse": len(worse_cells),
        "cells_same": same,
        "better": better_cells[:limit],
        "worse": worse_cells[:limit],
        "stagebarometer": barometer,
    }


# ------------------------------------------------------------------ deviations from an agreement


def _waves(cp: CohortPlan) -> list[dict]:
    return [{"wave": w.wave, "form": w.form, "start_week": w.start_week, "end_week": w.end_week,
             "students": w.students, "placed": w.placed} for w in cp.waves]


def _wave_keys(cp: CohortPlan) -> list[tuple[str, str, int]]:
    return sorted((w.start_week, w.form, w.students) for w in cp.waves)


def _describe(waves: list[dict]) -> str:
    if not waves:
        return "no waves"
    return "; ".join(f"{w['form']} from {w['start_week']} ({w['students']} students)" for w in waves)


def deviations(agreed: Plan, planned: Plan) -> dict:
    """Cohorts whose waves (start week, form, students) differ between the agreed and a newer plan."""
    a = {cp.cohort: cp for cp in agreed.cohorts}
    b = {cp.cohort: cp for cp in planned.cohorts}
    rows = []
    students_affected = 0
    for cohort_id in list(a) + [c for c in b if c not in a]:
        ca, cb = a.get(cohort_id), b.get(cohort_id)
        ref = ca or cb
        assert ref is not None
        changes: list[str] = []
        if ca is None:
            changes = ["cohort not in the agreement"]
        elif cb is None:
            changes = ["cohort not in the plan"]
        elif _wave_keys(ca) != _wave_keys(cb):
            if len(ca.waves) != len(cb.waves):
                changes.append("number of waves")
            if sorted(w.start_week for w in ca.waves) != sorted(w.start_week for w in cb.waves):
                changes.append("start week")
            if sorted(w.form for w in ca.waves) != sorted(w.form for w in cb.waves):
                changes.append("form")
            if not changes or sorted(w.students for w in ca.waves) != sorted(w.students for w in cb.waves):
                changes.append("students per wave")
        if not changes:
            continue
        agreed_waves = _waves(ca) if ca else []
        planned_waves = _waves(cb) if cb else []
        students_affected += ref.students
        rows.append({
            "cohort": cohort_id, "institution": ref.institution, "location": ref.location, "area": ref.area,
            "programme": ref.programme, "crebo": ref.crebo, "sector": ref.sector, "level": ref.level,
            "pathway": ref.pathway, "students": ref.students, "changes": changes,
            "agreed": agreed_waves, "planned": planned_waves,
            "description": f"agreed: {_describe(agreed_waves)}; plan: {_describe(planned_waves)}",
        })
    return {
        "cohorts_compared": len(set(a) | set(b)),
        "cohorts_deviating": len(rows),
        "students_affected": students_affected,
        "deviations": rows,
    }

"""Analysis of plans, for the command line, the reports and the API alike.

Pure functions of :class:`~planner.plan.model.Plan` objects: the KPI catalogue, KPI
differences, comparisons of two plans, hotspots, shortage per sector chamber and level,
filters, and deviations of a plan from an agreed one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from planner.codes import LEVELS, SECTOR_CHAMBERS, is_priority_group, sector_label
from planner.i18n import N_, _, current_language, fmt_int
from planner.plan.model import CohortPlan, KPIs, Plan, ShortageCell
from planner.plan.qualification_cells import CellShortage, HotspotGrouping, grouped_totals, qualification_label

LEVEL_ORDER = {level: i for i, level in enumerate(LEVELS)}
SECTOR_ORDER = {sector: i for i, sector in enumerate(SECTOR_CHAMBERS)}


def _sector_name(code: str, default: str | None = None) -> str:
    """A sector chamber's name in the current language (the code itself if unknown)."""
    return sector_label(code, current_language()) if code in SECTOR_CHAMBERS else (default or code)


@dataclass(frozen=True)
class KpiSpec:
    """How a KPI reads: its label (English, translated where shown), how to format it and which way is better."""

    label: str
    kind: str
    lower_is_better: bool | None  # None: neither way is better


#: Every KPI that is shown or compared, once.
KPI_SPECS: dict[str, KpiSpec] = {
    "students": KpiSpec(N_("BOL students"), "count", None),
    "placed": KpiSpec(N_("placed"), "count", False),
    "unplaced": KpiSpec(N_("unplaced (shortage)"), "count", True),
    "shortage_rate": KpiSpec(N_("shortage rate"), "rate", True),
    "unplaced_priority": KpiSpec(N_("unplaced in priority groups (entree, level 2, care)"), "count", True),
    "students_priority": KpiSpec(N_("BOL students in priority groups"), "count", None),
    "shortage_rate_priority": KpiSpec(N_("shortage rate in priority groups"), "rate", True),
    "objective": KpiSpec(N_("weighted shortage (objective)"), "number", True),
    "bound": KpiSpec(N_("proven lower bound"), "number", None),
    "gap": KpiSpec(N_("gap"), "rate", True),
    "peak_week": KpiSpec(N_("busiest week"), "text", None),
    "peak_week_utilisation": KpiSpec(N_("capacity used in the busiest week"), "rate", None),
    "mean_travel_minutes": KpiSpec(N_("mean travel (minutes)"), "number", True),
    "cohorts_changed": KpiSpec(N_("cohorts with a changed period"), "count", True),
    "students_moved": KpiSpec(N_("students not in their current period"), "count", True),
    "institution_max_shortage_rate": KpiSpec(N_("worst institution's shortage rate"), "rate", True),
    "solve_seconds": KpiSpec(N_("solve time (s)"), "number", None),
}
#: KPIs in the reports' tables (summary.md, the command line's comparison), in their order.
REPORT_KPIS: tuple[str, ...] = (
    "students", "placed", "unplaced", "shortage_rate", "unplaced_priority", "shortage_rate_priority", "objective",
    "bound", "gap", "peak_week", "peak_week_utilisation", "mean_travel_minutes", "cohorts_changed", "students_moved",
    "institution_max_shortage_rate", "solve_seconds",
)
#: KPIs the API compares (numbers only), in its order.
COMPARED_KPIS: tuple[str, ...] = (
    "students", "placed", "unplaced", "unplaced_priority", "students_priority", "shortage_rate",
    "shortage_rate_priority", "objective", "bound", "gap", "solve_seconds", "peak_week_utilisation",
    "mean_travel_minutes", "cohorts_changed", "students_moved", "institution_max_shortage_rate",
)


def kpi_differences(a: Plan, b: Plan, names: Iterable[str] = REPORT_KPIS) -> list[dict[str, Any]]:
    """Per KPI: its values in a and b, ``diff`` (b minus a; None for text) and ``better`` (a, b, same or None)."""
    rows = []
    for name in names:
        spec = KPI_SPECS[name]
        va, vb = getattr(a.kpis, name), getattr(b.kpis, name)
        diff = vb - va if spec.kind != "text" and va is not None and vb is not None else None
        if diff is None:
            better = None
        elif abs(diff) < 1e-9:
            better = "same"
        elif spec.lower_is_better is None:
            better = None
        else:
            better = "b" if (diff < 0) == spec.lower_is_better else "a"
        rows.append({"name": name, "label": _(spec.label), "kind": spec.kind, "a": va, "b": vb, "diff": diff,
                     "better": better, "lower_is_better": spec.lower_is_better})
    return rows


# ------------------------------------------------------------------ filters


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

HotspotKey = tuple[str, str, str]  # area, sector chamber, level
WeekCellKey = tuple[str, str, str, str]  # area, sector chamber, level, week


def week_cell_totals(plan: Plan) -> dict[WeekCellKey, int]:
    """Unplaced students per (area, sector chamber, level, week), summed over pathways (student-weeks)."""
    totals: dict[WeekCellKey, int] = defaultdict(int)
    for cell in plan.shortages:
        totals[(cell.area, cell.sector, cell.level, cell.week)] += cell.unplaced
    return dict(totals)


def hotspot_totals(plan: Plan) -> dict[HotspotKey, CellShortage]:
    """Students without a place per (area, sector chamber, level) cell, with the weeks they miss.

    Every unplaced student counts once, however many weeks their internship would have lasted.
    """
    students: dict[HotspotKey, int] = defaultdict(int)
    for cp in plan.cohorts:
        if cp.unplaced > 0:
            students[(cp.area, cp.sector, cp.level)] += cp.unplaced
    order = {week: i for i, week in enumerate(plan.weeks)}
    weeks: dict[HotspotKey, dict[str, int]] = defaultdict(dict)
    for (area, sector, level, week), n in week_cell_totals(plan).items():
        weeks[(area, sector, level)][week] = n
    cells = {}
    for key in set(students) | set(weeks):
        per_week = weeks.get(key, {})
        cells[key] = CellShortage(unplaced=students.get(key, 0), student_weeks=sum(per_week.values()),
                                  weeks=tuple(sorted(per_week, key=lambda w: order.get(w, len(order)))))
    return cells


@dataclass
class PlanCells:
    """The hotspot cells of one plan and where it comes from."""

    plan_id: int
    region: str
    totals: dict[tuple[str, ...], CellShortage]
    week_order: dict[str, int]


def rank_hotspots(plans: Iterable[PlanCells], limit: int, sector: str | None = None,
                  level: str | None = None) -> list[dict]:
    """Cells (area, sector chamber, level) with the most students without a place, over one or more plans, ranked.

    Each cell appears once, with the weeks its students miss. Cells per qualification (keys
    with a crebo or family, :mod:`planner.plan.qualification_cells`) name it in
    ``qualification`` and ``qualification_name``. Ties are broken by priority group (entree,
    level 2, care first), then student-weeks, region, first week, area, sector, level and
    qualification, so the ranking is stable.
    """
    rows = []
    for item in plans:
        for key, cell in item.totals.items():
            area, sec, lev = key[:3]
            if cell.unplaced <= 0 or (sector is not None and sec != sector) or (level is not None and lev != level):
                continue
            code = key[3] if len(key) > 3 else None
            rows.append({
                "region": item.region, "plan_id": item.plan_id, "area": area, "sector": sec,
                "sector_name": _sector_name(sec, sec), "level": lev, "qualification": code,
                "qualification_name": qualification_label(code) if code is not None else None,
                "unplaced": cell.unplaced, "student_weeks": cell.student_weeks,
                "first_week": cell.weeks[0] if cell.weeks else None,
                "last_week": cell.weeks[-1] if cell.weeks else None,
                "weeks": list(cell.weeks), "priority_group": is_priority_group(sec, lev),
                "_week": item.week_order.get(cell.weeks[0], 0) if cell.weeks else 0,
            })
    rows.sort(key=lambda r: (-r["unplaced"], not r["priority_group"], -r["student_weeks"], r["region"], r["_week"],
                             r["area"], r["sector"], LEVEL_ORDER.get(r["level"], 9), r["qualification"] or ""))
    ranked = []
    for rank, row in enumerate(rows[:limit], start=1):
        row.pop("_week")
        ranked.append({"rank": rank, **row})
    return ranked


def hotspot_cells(plan: Plan, by: HotspotGrouping = "cell", qualification: str | None = None,
                  ) -> dict[tuple[str, ...], CellShortage]:
    """The plan's hotspot cells: per (area, sector chamber, level), or per crebo or family too (``by``), of one
    qualification's cohorts only when ``qualification`` (a crebo or family) is given."""
    if by == "cell" and qualification is None:
        return dict(hotspot_totals(plan))
    return grouped_totals(plan, by, qualification)


def hotspots(plan: Plan, top: int = 10) -> list[dict[str, Any]]:
    """The (area, sector chamber, level) cells with the most students without a place, each once.

    Each row: ``area``, ``sector``, ``sector_name``, ``level``, ``unplaced`` (students),
    ``student_weeks``, ``first_week``, ``last_week`` and ``weeks`` (the weeks with shortage).
    """
    order = {week: i for i, week in enumerate(plan.weeks)}
    ranked = rank_hotspots([PlanCells(0, plan.scenario, hotspot_totals(plan), order)], top)
    keep = ("area", "sector", "sector_name", "level", "unplaced", "student_weeks", "first_week", "last_week", "weeks")
    return [{key: row[key] for key in keep} for row in ranked]


def qualification_hotspots(plan: Plan, top: int = 10) -> list[dict[str, Any]]:
    """The qualifications (crebo) with the most BOL students without a place, each once.

    Each row: ``crebo``, ``programme``, ``sector``, ``sector_name``, ``students`` (BOL),
    ``unplaced``, ``rate`` and ``areas`` (the school areas with unplaced students, most first).
    Where companies are recognised per qualification, this is where a region's shortage sits.
    """
    rows: dict[str, dict[str, Any]] = {}
    for cp in plan.cohorts:
        if cp.pathway != "BOL":
            continue
        row = rows.setdefault(cp.crebo, {"crebo": cp.crebo, "programme": cp.programme, "sector": cp.sector,
                                         "sector_name": _sector_name(cp.sector, cp.sector), "students": 0,
                                         "unplaced": 0, "_areas": defaultdict(int)})
        row["students"] += cp.students
        row["unplaced"] += cp.unplaced
        if cp.unplaced:
            row["_areas"][cp.area] += cp.unplaced
    ranked = sorted((row for row in rows.values() if row["unplaced"] > 0),
                    key=lambda row: (-row["unplaced"], row["crebo"]))[:top]
    for row in ranked:
        areas = row.pop("_areas")
        row["rate"] = row["unplaced"] / row["students"]
        row["areas"] = sorted(areas, key=lambda area: (-areas[area], area))
    return ranked


# ------------------------------------------------------------------ shortage by cell


def status_quo_kpis(plan: Plan, status_quo: Plan | None = None) -> KPIs | None:
    """The status-quo KPIs to compare ``plan`` with (the given status-quo plan wins)."""
    if plan.mode == "status-quo":
        return None
    if status_quo is not None:
        return status_quo.kpis
    return plan.baselines.get("status-quo")


def sector_level_rows(plan: Plan, baseline: KPIs | None = None) -> list[dict[str, Any]]:
    """Shortage per sector chamber x level (summed over pathways), with a baseline when given."""

    def by_sector_level(kpis: KPIs) -> dict[tuple[str, str], list[int]]:
        cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for cell in kpis.by_cell:
            cells[(cell.sector, cell.level)][0] += cell.students
            cells[(cell.sector, cell.level)][1] += cell.unplaced
        return cells

    ours = by_sector_level(plan.kpis)
    theirs = by_sector_level(baseline) if baseline is not None else {}
    rows = []
    for sector, level in sorted(set(ours) | set(theirs), key=lambda k: (SECTOR_ORDER.get(k[0], 99), LEVEL_ORDER.get(k[1], 9))):
        students, unplaced = ours.get((sector, level), [0, 0])
        row: dict[str, Any] = {
            "sector": sector, "sector_name": _sector_name(sector, sector), "level": level,
            "students": students, "unplaced": unplaced, "rate": unplaced / students if students else 0.0,
        }
        if baseline is not None:
            b_students, b_unplaced = theirs.get((sector, level), [0, 0])
            row.update(baseline_unplaced=b_unplaced, baseline_rate=b_unplaced / b_students if b_students else 0.0,
                       change=unplaced - b_unplaced)
        rows.append(row)
    return rows


# ------------------------------------------------------------------ comparing two plans


def bol_totals_by(plan: Plan, attribute: str) -> dict[str, tuple[int, int]]:
    """BOL students and unplaced students per value of a cohort attribute (``area``, ``institution``)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cp in plan.cohorts:
        if cp.pathway == "BOL":
            key = getattr(cp, attribute)
            totals[key][0] += cp.students
            totals[key][1] += cp.unplaced
    return {k: (v[0], v[1]) for k, v in totals.items()}


def _change(diff: float) -> str:
    """A code (shown translated: the catalogue has each)."""
    return N_("better") if diff < 0 else N_("worse") if diff > 0 else N_("same")


def compare_plans(a: Plan, b: Plan) -> dict[str, Any]:
    """Compare plan B with plan A: KPIs side by side, and the stagebarometer cells and areas that changed.

    ``diff`` is always B minus A; for unplaced students a negative diff is ``better``.
    """
    kpis = [{key: row[key] for key in ("name", "label", "kind", "a", "b", "diff")}
            for row in kpi_differences(a, b, REPORT_KPIS)]

    def cell_map(plan: Plan) -> dict[tuple[str, str, str], tuple[int, int]]:
        return {(c.sector, c.pathway, c.level): (c.students, c.unplaced) for c in plan.kpis.by_cell}

    ca, cb = cell_map(a), cell_map(b)
    cells = []
    for key in sorted(set(ca) | set(cb), key=lambda k: (SECTOR_ORDER.get(k[0], 99), k[1], LEVEL_ORDER.get(k[2], 9))):
        (sa, ua), (sb, ub) = ca.get(key, (0, 0)), cb.get(key, (0, 0))
        cells.append({"sector": key[0], "sector_name": _sector_name(key[0], key[0]), "pathway": key[1],
                      "level": key[2], "students_a": sa, "students_b": sb, "unplaced_a": ua, "unplaced_b": ub,
                      "diff": ub - ua, "change": _change(ub - ua)})

    aa, ab = bol_totals_by(a, "area"), bol_totals_by(b, "area")
    areas = []
    for area in sorted(set(aa) | set(ab)):
        (sa, ua), (sb, ub) = aa.get(area, (0, 0)), ab.get(area, (0, 0))
        areas.append({"area": area, "students_a": sa, "students_b": sb, "unplaced_a": ua, "unplaced_b": ub,
                      "diff": ub - ua, "change": _change(ub - ua)})
    notes = []
    if a.scenario != b.scenario:
        notes.append(_("the plans are for different scenarios ({a} and {b})").format(a=repr(a.scenario), b=repr(b.scenario)))
    if a.kpis.students != b.kpis.students:
        notes.append(_("the plans count different numbers of students ({a} and {b})").format(
            a=fmt_int(a.kpis.students), b=fmt_int(b.kpis.students)))
    return {
        "a": {"scenario": a.scenario, "mode": a.mode},
        "b": {"scenario": b.scenario, "mode": b.mode},
        "kpis": kpis,
        "cells": cells,
        "areas": areas,
        "notes": notes,
    }


def compare_hotspot_cells(a: Plan, b: Plan, limit: int) -> dict:
    """KPI differences (b minus a, which plan is better on each) and the hotspot cells where b is better or worse.

    Also the stagebarometer rates per (sector chamber, pathway, level). The API's comparison.
    """
    kpis = [{"name": row["name"], "a": row["a"], "b": row["b"], "difference": round(row["diff"], 6),
             "better": row["better"], "lower_is_better": row["lower_is_better"]}
            for row in kpi_differences(a, b, COMPARED_KPIS)]
    ta, tb = week_cell_totals(a), week_cell_totals(b)
    order = {w: i for i, w in enumerate(a.weeks)} | {w: i for i, w in enumerate(b.weeks) if w not in a.weeks}
    better_cells, worse_cells, same = [], [], 0
    for key in set(ta) | set(tb):
        ua, ub = ta.get(key, 0), tb.get(key, 0)
        area, sector, level, week = key
        cell = {"area": area, "sector": sector, "sector_name": _sector_name(sector, sector), "level": level,
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

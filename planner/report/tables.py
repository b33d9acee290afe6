"""The plan as tables: the CSV files' rows and columns, and how values and codes are written in reports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from planner.codes import LEVELS, SECTOR_CHAMBERS, level_label, mode_label
from planner.i18n import N_, _, current_language, fmt_int, fmt_num, fmt_pct
from planner.plan.model import Plan

SCHEDULE_COLUMNS = [
    "cohort", "institution", "sector", "level", "pathway", "wave", "form", "start_week", "end_week",
    "students", "placed", "company",
]
#: shortages.csv: one row per cell (sector chamber, pathway, level, area) with students without a
#: place; ``unplaced_students`` counts each student once (the column sums to the plan's unplaced
#: students), ``student_weeks`` the weeks they miss, ``first_week``/``last_week`` when.
SHORTAGE_COLUMNS = ["sector", "sector_name", "pathway", "level", "area", "unplaced_students", "student_weeks",
                    "first_week", "last_week"]
#: shortage_weeks.csv: one row per week and cell; ``unplaced_students_in_week`` counts the students
#: whose internship runs that week without a place (summed over weeks: student-weeks, not students).
SHORTAGE_WEEK_COLUMNS = ["week", "sector", "sector_name", "pathway", "level", "area", "unplaced_students_in_week"]
UTILISATION_COLUMNS = ["company", "area", "week", "capacity_student_days", "used_student_days", "utilisation"]


def plan_mode_label(mode: str) -> str:
    """What a plan mode means, in the current language (e.g. ``geoptimaliseerd plan``)."""
    return mode_label(mode, current_language())


#: The parts of a solver status (``SolveStats.status``), translated where shown.
STATUS_PARTS = (
    N_("optimal"), N_("heuristic"), N_("watchdog"), N_("plan by company-level search"), N_("plan by integer model"),
    N_("plan by rounding"), N_("plan by status-quo plan"), N_("mip feasible"), N_("mip optimal"),
    N_("mip not_solved"), N_("mip infeasible"), N_("relaxation cut short (Lagrangian bound)"),
)


def status_text(status: str) -> str:
    """A solver status in the current language, part by part (``optimal; plan by rounding``)."""
    return "; ".join(", ".join(_(part.strip()) for part in group.split(","))
                     for group in status.split(";"))


#: The words in a solver's method (``SolveStats.engine``: solver names and what each did), translated where shown;
#: the solvers' own names (GLOP, HiGHS, SCIP, CP-SAT) stay as they are.
ENGINE_PARTS = (
    N_("(bound)"), N_("(plan)"), N_("company level:"), N_("(exact parts)"), N_("(neighbourhood search, polish)"),
    N_("Dantzig-Wolfe bound"), N_("first come, first served"), N_("(full company-level model)"),
)


def engine_text(engine: str) -> str:
    """A solver's method in the current language, its known words translated (``GLOP (grens) + SCIP (plan)``)."""
    for part in sorted(ENGINE_PARTS, key=len, reverse=True):
        engine = engine.replace(part, _(part))
    return engine


#: What each progress phase (``Progress.phase``, as the solver reports it) means to a reader.
PHASE_TEXTS = {
    "starting": N_("starting"), "relaxation": N_("lower bound (relaxation)"), "rounding": N_("first plan (rounding)"),
    "staggered greedy": N_("first plan (staggered)"), "integer model": N_("integer model"),
    "start": N_("search per learning company"), "exact part": N_("part solved exactly"), "optimal": N_("proven optimal"),
    "bound": N_("lower bound per learning company"), "master plan": N_("plan from the lower bound"),
    "lns": N_("improving the plan neighbourhood by neighbourhood"),
    "secondary objectives": N_("fewer changes, travel and balance"), "plan": N_("plan checked"), "done": N_("done"),
}


def phase_text(phase: str) -> str:
    """A progress phase in the current language (a phase without a text, e.g. ``3/10``, as it is)."""
    text = PHASE_TEXTS.get(phase)
    return _(text) if text else phase


def level_text(level: str) -> str:
    """A level as it reads inside a report's sentence or table: ``entree``, ``niveau 2`` or ``level 2``."""
    if level == "entree":
        return "entree"
    return level_label(level, current_language()).lower()


def format_value(value: Any, kind: str) -> str:
    """Format a KPI value for tables, with the current language's separators."""
    if value is None:
        return "-"
    if kind == "count":
        return fmt_int(value)
    if kind == "rate":
        return fmt_pct(float(value), 2)
    if kind == "number":
        return fmt_num(float(value))
    return str(value)


def schedule_rows(plan: Plan) -> list[dict[str, Any]]:
    """One row per placement, plus a row with empty company for each wave's unplaced students."""
    rows = []
    for cp in plan.cohorts:
        for wave in cp.waves:
            base = {
                "cohort": cp.cohort, "institution": cp.institution, "sector": cp.sector, "level": cp.level,
                "pathway": cp.pathway, "wave": wave.wave, "form": wave.form, "start_week": wave.start_week,
                "end_week": wave.end_week,
            }
            for placement in wave.placements:
                rows.append({**base, "students": placement.students, "placed": placement.students,
                             "company": placement.company})
            unplaced = wave.students - wave.placed
            if unplaced > 0:
                rows.append({**base, "students": unplaced, "placed": 0, "company": ""})
    return rows


def shortage_rows(plan: Plan) -> list[dict[str, Any]]:
    """Students without a place per (sector chamber, pathway, level, area), each student once.

    Rows in the stagebarometer's order (sector chamber, pathway, level), then area; the
    ``unplaced_students`` column sums to the plan's unplaced students.
    """
    order = {week: i for i, week in enumerate(plan.weeks)}
    students: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for cp in plan.cohorts:
        if cp.unplaced > 0:
            students[(cp.sector, cp.pathway, cp.level, cp.area)] += cp.unplaced
    weeks: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(dict)
    for s in plan.shortages:
        weeks[(s.sector, s.pathway, s.level, s.area)][s.week] = s.unplaced
    sector_order = {code: i for i, code in enumerate(SECTOR_CHAMBERS)}
    level_order = {code: i for i, code in enumerate(LEVELS)}
    rows = []
    for key in sorted(set(students) | set(weeks), key=lambda k: (sector_order.get(k[0], 99), k[1],
                                                                  level_order.get(k[2], 9), k[3])):
        sector, pathway, level, area = key
        missed = sorted(weeks.get(key, {}), key=lambda w: order.get(w, len(order)))
        rows.append({"sector": sector, "sector_name": SECTOR_CHAMBERS.get(sector, sector), "pathway": pathway,
                     "level": level, "area": area, "unplaced_students": students.get(key, 0),
                     "student_weeks": sum(weeks.get(key, {}).values()),
                     "first_week": missed[0] if missed else "", "last_week": missed[-1] if missed else ""})
    return rows


def shortage_week_rows(plan: Plan) -> list[dict[str, Any]]:
    """Students without a place per week and (sector chamber, pathway, level, area): student-weeks, not students."""
    return [
        {"week": s.week, "sector": s.sector, "sector_name": SECTOR_CHAMBERS.get(s.sector, s.sector),
         "pathway": s.pathway, "level": s.level, "area": s.area, "unplaced_students_in_week": s.unplaced}
        for s in plan.shortages
    ]


def utilisation_rows(plan: Plan) -> list[dict[str, Any]]:
    """Capacity and use per company and week, in student-days (utilisation empty without capacity)."""
    rows = []
    for use in plan.utilisation:
        for week, capacity, used in zip(plan.weeks, use.capacity, use.used):
            rows.append({"company": use.company, "area": use.area, "week": week,
                         "capacity_student_days": capacity, "used_student_days": used,
                         "utilisation": f"{used / capacity:.4f}" if capacity > 0 else ""})
    return rows


#: First characters that make a spreadsheet read a cell as a formula (``=cmd|' /C calc'!A0``).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a leading ``'``.

    Numbers stay numbers (``-3`` is written as ``-3``); only text cells are changed.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as CSV text with exactly ``columns``; text cells made spreadsheet-safe (:func:`spreadsheet_safe`)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()

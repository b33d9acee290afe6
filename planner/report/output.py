"""Writing a plan's results: plan.json, CSV tables, summary.md, charts and the map.

:func:`write_outputs` writes every file of one run into a private staging folder next to
the output folder and only then moves the finished set into place (with Ctrl-C and SIGTERM
held back while it moves), so an interrupted or failing run never leaves half a file or a
mix of old and new files. The table and comparison helpers here are plain functions of
:class:`~planner.plan.Plan` objects; the CLI and the API both use them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import secrets
import shutil
import signal
import threading
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from planner.codes import LEVELS, SECTOR_CHAMBERS
from planner.plan.model import KPIs, Plan
from planner.scenario import LoadedScenario

SCHEDULE_COLUMNS = [
    "cohort", "institution", "sector", "level", "pathway", "wave", "form", "start_week", "end_week",
    "students", "placed", "company",
]
SHORTAGE_COLUMNS = ["week", "sector", "sector_name", "pathway", "level", "area", "unplaced"]
UTILISATION_COLUMNS = ["company", "area", "week", "capacity_student_days", "used_student_days", "utilisation"]

# Every file a run may write; files of an earlier run that this run does not write are removed.
OUTPUT_FILES = (
    "plan.json", "schedule.csv", "shortages.csv", "utilisation.csv", "summary.md",
    "weekly_capacity.png", "shortage_cells.png", "map.html",
)
STAGING_SUFFIX = ".partial"

MODE_LABELS = {"optimise": "optimised plan", "status-quo": "status quo", "greedy": "first come, first served"}

# KPIs shown side by side: (field, label, kind) with kind count, rate, number, text.
KPI_ROWS: list[tuple[str, str, str]] = [
    ("students", "BOL students", "count"),
    ("placed", "placed", "count"),
    ("unplaced", "unplaced (shortage)", "count"),
    ("shortage_rate", "shortage rate", "rate"),
    ("unplaced_priority", "unplaced in priority groups (entree, level 2, care)", "count"),
    ("shortage_rate_priority", "shortage rate in priority groups", "rate"),
    ("objective", "weighted shortage (objective)", "number"),
    ("bound", "proven lower bound", "number"),
    ("gap", "gap", "rate"),
    ("peak_week", "busiest week", "text"),
    ("peak_week_utilisation", "capacity used in the busiest week", "rate"),
    ("mean_travel_minutes", "mean travel (minutes)", "number"),
    ("cohorts_changed", "cohorts with a changed period", "count"),
    ("students_moved", "students not in their current period", "count"),
    ("institution_max_shortage_rate", "worst institution's shortage rate", "rate"),
    ("solve_seconds", "solve time (s)", "number"),
]


def mode_label(mode: str) -> str:
    """Readable name of a plan mode."""
    return MODE_LABELS.get(mode, mode)


def level_label(level: str) -> str:
    """``entree`` or ``niveau N``."""
    return "entree" if level == "entree" else f"niveau {level}"


def format_value(value: Any, kind: str) -> str:
    """Format a KPI value for tables."""
    if value is None:
        return "-"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{float(value):.2%}"
    if kind == "number":
        return f"{float(value):,.1f}"
    return str(value)


# ---------------------------------------------------------------- tables


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
    """Unplaced students per week and (sector chamber, pathway, level, area)."""
    return [
        {"week": s.week, "sector": s.sector, "sector_name": SECTOR_CHAMBERS.get(s.sector, s.sector),
         "pathway": s.pathway, "level": s.level, "area": s.area, "unplaced": s.unplaced}
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


def csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as CSV text with exactly ``columns``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def hotspots(plan: Plan, top: int = 10) -> list[dict[str, Any]]:
    """The (area, sector chamber, level, week) cells with the most unplaced students."""
    cells: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for s in plan.shortages:
        cells[(s.area, s.sector, s.level, s.week)] += s.unplaced
    order = {week: i for i, week in enumerate(plan.weeks)}
    ranked = sorted(cells.items(), key=lambda kv: (-kv[1], order.get(kv[0][3], 0), kv[0]))
    return [
        {"area": area, "sector": sector, "sector_name": SECTOR_CHAMBERS.get(sector, sector), "level": level,
         "week": week, "unplaced": unplaced}
        for (area, sector, level, week), unplaced in ranked[:top]
    ]


def status_quo_kpis(plan: Plan, status_quo: Plan | None = None) -> KPIs | None:
    """The status-quo KPIs to compare ``plan`` with (the given status-quo plan wins)."""
    if plan.mode == "status-quo":
        return None
    if status_quo is not None:
        return status_quo.kpis
    return plan.baselines.get("status-quo")


def align_with_status_quo(plan: Plan, status_quo: Plan | None) -> Plan:
    """Make an optimised plan and a separately solved status-quo plan tell one story.

    :func:`planner.solve.solve` keeps only the KPIs of its own status-quo baseline, so a
    caller that needs the status-quo *plan* (charts, map, the demo's second folder) solves
    it again; under a time limit the two status-quo solves may differ a little. This puts
    the given status-quo plan's KPIs in ``plan.baselines`` and, as the solver itself does,
    keeps the status-quo periods when they leave a lower weighted shortage than the
    optimised plan (the status quo is itself a feasible plan). Other modes pass unchanged.
    """
    if plan.mode != "optimise" or status_quo is None or status_quo.mode != "status-quo":
        return plan
    baselines = {**plan.baselines, "status-quo": status_quo.kpis}
    if status_quo.kpis.objective < plan.kpis.objective - 1e-9:
        bound = plan.kpis.bound
        objective = status_quo.kpis.objective
        kpis = status_quo.kpis.model_copy(update={
            "mode": "optimise", "bound": bound, "gap": max(0.0, objective - bound) / max(objective, 1.0),
            "solve_seconds": plan.kpis.solve_seconds})
        solver = plan.solver.model_copy(update={"explanation": [*plan.solver.explanation,
            "the optimised plan keeps the status-quo periods: no plan with a lower weighted shortage was found "
            "in the time limit"]})
        return status_quo.model_copy(update={"mode": "optimise", "kpis": kpis, "solver": solver,
                                             "baselines": baselines})
    return plan.model_copy(update={"baselines": baselines})


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
    sector_order = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    rows = []
    for sector, level in sorted(set(ours) | set(theirs), key=lambda k: (sector_order.get(k[0], 99), level_order.get(k[1], 9))):
        students, unplaced = ours.get((sector, level), [0, 0])
        row: dict[str, Any] = {
            "sector": sector, "sector_name": SECTOR_CHAMBERS.get(sector, sector), "level": level,
            "students": students, "unplaced": unplaced, "rate": unplaced / students if students else 0.0,
        }
        if baseline is not None:
            b_students, b_unplaced = theirs.get((sector, level), [0, 0])
            row.update(baseline_unplaced=b_unplaced, baseline_rate=b_unplaced / b_students if b_students else 0.0,
                       change=unplaced - b_unplaced)
        rows.append(row)
    return rows


# ---------------------------------------------------------------- comparing two plans


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Read a plan from a plan.json file or from an output folder that holds one.

    Raises FileNotFoundError when there is no plan there and ValueError when the file is not a plan.
    """
    path = Path(path)
    if path.is_dir():
        if not (path / "plan.json").is_file():
            raise FileNotFoundError(f"{path}: the folder holds no plan.json")
        path = path / "plan.json"
    elif not path.exists():
        raise FileNotFoundError(f"{path}: file does not exist")
    try:
        return Plan.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        first = str(err).splitlines()
        raise ValueError(f"{path}: is not a plan.json written by stageplanner ({first[0] if first else err})") from None


def _change(diff: float) -> str:
    return "better" if diff < 0 else "worse" if diff > 0 else "same"


def compare_plans(a: Plan, b: Plan) -> dict[str, Any]:
    """Compare plan B with plan A: KPIs side by side, and the cells and areas that changed.

    ``diff`` is always B minus A; for unplaced students a negative diff is ``better``.
    """
    kpis = []
    for name, label, kind in KPI_ROWS:
        va, vb = getattr(a.kpis, name), getattr(b.kpis, name)
        diff = vb - va if kind != "text" and va is not None and vb is not None else None
        kpis.append({"name": name, "label": label, "kind": kind, "a": va, "b": vb, "diff": diff})

    def cell_map(plan: Plan) -> dict[tuple[str, str, str], tuple[int, int]]:
        return {(c.sector, c.pathway, c.level): (c.students, c.unplaced) for c in plan.kpis.by_cell}

    ca, cb = cell_map(a), cell_map(b)
    sector_order = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    cells = []
    for key in sorted(set(ca) | set(cb), key=lambda k: (sector_order.get(k[0], 99), k[1], level_order.get(k[2], 9))):
        (sa, ua), (sb, ub) = ca.get(key, (0, 0)), cb.get(key, (0, 0))
        cells.append({"sector": key[0], "sector_name": SECTOR_CHAMBERS.get(key[0], key[0]), "pathway": key[1],
                      "level": key[2], "students_a": sa, "students_b": sb, "unplaced_a": ua, "unplaced_b": ub,
                      "diff": ub - ua, "change": _change(ub - ua)})

    def area_map(plan: Plan) -> dict[str, tuple[int, int]]:
        areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for cp in plan.cohorts:
            if cp.pathway == "BOL":
                areas[cp.area][0] += cp.students
                areas[cp.area][1] += cp.unplaced
        return {k: (v[0], v[1]) for k, v in areas.items()}

    aa, ab = area_map(a), area_map(b)
    areas = []
    for area in sorted(set(aa) | set(ab)):
        (sa, ua), (sb, ub) = aa.get(area, (0, 0)), ab.get(area, (0, 0))
        areas.append({"area": area, "students_a": sa, "students_b": sb, "unplaced_a": ua, "unplaced_b": ub,
                      "diff": ub - ua, "change": _change(ub - ua)})
    notes = []
    if a.scenario != b.scenario:
        notes.append(f"the plans are for different scenarios ({a.scenario!r} and {b.scenario!r})")
    if a.kpis.students != b.kpis.students:
        notes.append(f"the plans count different numbers of students ({a.kpis.students:,} and {b.kpis.students:,})")
    return {
        "a": {"scenario": a.scenario, "mode": a.mode},
        "b": {"scenario": b.scenario, "mode": b.mode},
        "kpis": kpis,
        "cells": cells,
        "areas": areas,
        "notes": notes,
    }


def _md_escape(text: Any) -> str:
    return str(text).replace("|", "\\|")


def comparison_markdown(a: Plan, b: Plan, label_a: str, label_b: str) -> str:
    """A markdown account of :func:`compare_plans` (B compared with A)."""
    result = compare_plans(a, b)
    lines = [f"| measure | {_md_escape(label_a)} | {_md_escape(label_b)} | difference |", "|---|---:|---:|---:|"]
    for row in result["kpis"]:
        diff = "" if row["diff"] is None else format_value(row["diff"], row["kind"])
        if row["diff"] is not None and row["diff"] > 0 and not diff.startswith("-"):
            diff = "+" + diff
        lines.append(f"| {row['label']} | {format_value(row['a'], row['kind'])} | {format_value(row['b'], row['kind'])} | {diff} |")
    changed = [c for c in result["cells"] if c["change"] != "same"]
    lines += ["", f"### Stagebarometer cells that changed ({label_b} against {label_a})", ""]
    if changed:
        lines += ["| sector chamber | pathway | level | students | unplaced " + _md_escape(label_a)
                  + " | unplaced " + _md_escape(label_b) + " | difference | |", "|---|---|---|---:|---:|---:|---:|---|"]
        for c in sorted(changed, key=lambda c: c["diff"]):
            lines.append(f"| {c['sector_name']} | {c['pathway']} | {level_label(c['level'])} | {c['students_b']:,} | "
                         f"{c['unplaced_a']:,} | {c['unplaced_b']:,} | {c['diff']:+,} | {c['change']} |")
    else:
        lines.append("No cell changed.")
    changed_areas = [r for r in result["areas"] if r["change"] != "same"]
    lines += ["", "### Areas that changed (students' school location)", ""]
    if changed_areas:
        lines += [f"| area | students | unplaced {_md_escape(label_a)} | unplaced {_md_escape(label_b)} | difference | |",
                  "|---|---:|---:|---:|---:|---|"]
        for r in sorted(changed_areas, key=lambda r: r["diff"]):
            lines.append(f"| {_md_escape(r['area'])} | {r['students_b']:,} | {r['unplaced_a']:,} | {r['unplaced_b']:,} | "
                         f"{r['diff']:+,} | {r['change']} |")
    else:
        lines.append("No area changed.")
    for note in result["notes"]:
        lines += ["", f"Note: {note}."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- summary.md


def explanation_lines(plan: Plan, status_quo: Plan | None = None) -> list[str]:
    """Plain-language lines that explain the plan's numbers."""
    k = plan.kpis
    lines = []
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        diff = base.unplaced - k.unplaced
        if diff > 0:
            lines.append(f"Agreeing periods as proposed places {diff:,} more students than the current periods "
                         f"({base.unplaced:,} -> {k.unplaced:,} without a place; priority groups "
                         f"{base.unplaced_priority:,} -> {k.unplaced_priority:,}).")
        elif diff == 0:
            lines.append(f"The proposed periods leave as many students without a place as the current periods ({k.unplaced:,}).")
        else:
            lines.append(f"This plan leaves {-diff:,} more students without a place than the current periods.")
    if k.students:
        lines.append(f"The bound proves that no plan can bring the weighted shortage below {k.bound:,.1f}; this plan "
                     f"reaches {k.objective:,.1f} (gap {k.gap:.2%}).")
    if k.peak_week:
        lines.append(f"The busiest week is {k.peak_week}, when {k.peak_week_utilisation:.0%} of all supervision "
                     "capacity is in use.")
    top = hotspots(plan, 1)
    if top:
        h = top[0]
        lines.append(f"The largest hotspot is {h['sector_name']} {level_label(h['level'])} from {h['area']} in "
                     f"{h['week']} ({h['unplaced']:,} students without a place).")
    lines.extend(plan.solver.explanation)
    return lines


def summary_markdown(plan: Plan, status_quo: Plan | None = None, files: list[str] | None = None) -> str:
    """The run's summary in markdown: KPIs, baselines, cells, hotspots, solver stats and explanation."""
    k = plan.kpis
    columns: list[tuple[str, KPIs]] = [(mode_label(plan.mode), k)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append(("status quo", base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append(("first come, first served", plan.baselines["greedy"]))
    lines = [
        f"# Internship plan: {plan.scenario} ({mode_label(plan.mode)})",
        "",
        f"{k.students:,} BOL students need an internship; {k.placed:,} are placed and {k.unplaced:,} "
        f"({k.shortage_rate:.2%}) are left without a place.",
        "",
        "## Key figures" + (" compared with the baselines" if len(columns) > 1 else ""),
        "",
        "| measure | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, label, kind in KPI_ROWS:
        if name in ("bound", "gap", "solve_seconds"):
            continue
        lines.append(f"| {label} | " + " | ".join(format_value(getattr(c, name), kind) for _, c in columns) + " |")

    lines += ["", "## Shortage by sector chamber and level (stagebarometer cells)", ""]
    rows = sector_level_rows(plan, base)
    if base is not None:
        lines += ["| sector chamber | level | students | unplaced status quo | unplaced this plan | change |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_label(r['level'])} | {r['students']:,} | "
                         f"{r['baseline_unplaced']:,} ({r['baseline_rate']:.1%}) | {r['unplaced']:,} ({r['rate']:.1%}) | "
                         f"{r['change']:+,} |")
    else:
        lines += ["| sector chamber | level | students | unplaced |", "|---|---|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_label(r['level'])} | {r['students']:,} | "
                         f"{r['unplaced']:,} ({r['rate']:.1%}) |")

    lines += ["", "## Top hotspots (area, sector chamber, level, week)", ""]
    spots = hotspots(plan, 10)
    if spots:
        lines += ["| area | sector chamber | level | week | unplaced |", "|---|---|---|---|---:|"]
        for h in spots:
            lines.append(f"| {_md_escape(h['area'])} | {h['sector_name']} | {level_label(h['level'])} | {h['week']} | {h['unplaced']:,} |")
    else:
        lines.append("No student is left without a place.")

    s = plan.solver
    lines += [
        "", "## Solver", "",
        "| | |", "|---|---|",
        f"| status | {s.status} |",
        f"| engine | {s.engine} |",
        f"| weighted shortage (objective) | {k.objective:,.3f} |",
        f"| proven lower bound | {k.bound:,.3f} |",
        f"| gap | {k.gap:.2%} |",
        f"| time limit | {s.time_limit:,.1f} s |",
        f"| wall time | {s.wall_seconds:,.2f} s (build {s.build_seconds:,.2f} s, solve {s.solve_seconds:,.2f} s) |",
        f"| model size | {s.variables:,} variables, {s.constraints:,} constraints, {s.clusters:,} company clusters |",
        f"| seed | {s.seed} |",
    ]
    lines += ["", "## Explanation", ""]
    lines += [f"- {line}" for line in explanation_lines(plan, status_quo)] or ["- (nothing to explain)"]
    if files:
        lines += ["", "## Files", ""]
        lines += [f"- `{name}`" for name in files]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- writing a run


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while a short critical step runs; act on them afterwards.

    Python runs signal handlers in the main thread only, so the handlers are swapped for
    ones that just remember the signal (blocking the signal with ``pthread_sigmask`` is not
    enough: the kernel may deliver it to another thread, e.g. one of numpy's). Outside the
    main thread no Python handler can interrupt the step, and nothing needs doing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {signum: signal.signal(signum, remember) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if received:
            signum = received[0]
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler in (signal.SIG_DFL, None):
                signal.raise_signal(signum)


def _write_files(
    plan: Plan, loaded: LoadedScenario, folder: Path, status_quo: Plan | None, warn: Callable[[str], None]
) -> None:
    from planner.report import charts

    (folder / "plan.json").write_text(plan.model_dump_json(indent=1), encoding="utf-8")
    (folder / "schedule.csv").write_text(csv_text(schedule_rows(plan), SCHEDULE_COLUMNS), encoding="utf-8")
    (folder / "shortages.csv").write_text(csv_text(shortage_rows(plan), SHORTAGE_COLUMNS), encoding="utf-8")
    (folder / "utilisation.csv").write_text(csv_text(utilisation_rows(plan), UTILISATION_COLUMNS), encoding="utf-8")
    charts.weekly_capacity_chart(plan, loaded.scenario, folder / "weekly_capacity.png", status_quo=status_quo)
    charts.shortage_cells_chart(plan, folder / "shortage_cells.png", status_quo=status_quo)
    _write_map(plan, loaded, folder / "map.html", status_quo, warn)
    files = sorted(p.name for p in folder.iterdir()) + ["summary.md"]
    (folder / "summary.md").write_text(summary_markdown(plan, status_quo, sorted(files)), encoding="utf-8")


def _write_map(plan: Plan, loaded: LoadedScenario, path: Path, status_quo: Plan | None,
               warn: Callable[[str], None]) -> None:
    try:
        from maps import write_plan_map  # written separately; optional
    except ImportError:
        return
    try:
        write_plan_map(plan, loaded, path, compare_with=status_quo)
    except Exception as err:  # a map problem must not cost the user the rest of the results
        warn(f"map.html not written: {type(err).__name__}: {err}")
        if path.exists():
            path.unlink()


def _commit(staging: Path, out_dir: Path) -> list[Path]:
    """Move the finished files from ``staging`` into ``out_dir`` as one step."""
    names = sorted(p.name for p in staging.iterdir())
    with signals_held():
        if not out_dir.exists():
            os.rename(staging, out_dir)
            return [out_dir / name for name in names]
        for stale in set(OUTPUT_FILES) - set(names):
            with contextlib.suppress(FileNotFoundError):
                (out_dir / stale).unlink()
        for name in names:
            target = out_dir / name
            if (staging / name).is_dir() and target.is_dir():
                shutil.rmtree(target)
            os.replace(staging / name, target)
    return [out_dir / name for name in names]


def _make_staging(out_dir: Path) -> Path:
    """A new hidden folder next to ``out_dir`` (normal permissions, unlike ``mkdtemp``)."""
    while True:
        staging = out_dir.parent / f".{out_dir.name}.{secrets.token_hex(4)}{STAGING_SUFFIX}"
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue


class StagedFolder:
    """A hidden folder next to ``out_dir`` to write into; :meth:`commit` moves its contents in.

    Use as a context manager: on leaving (normally or by an exception) the staging folder
    is removed, so only a committed set of files ever appears in ``out_dir``.
    """

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out_dir = Path(out_dir).absolute()
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise NotADirectoryError(f"{self.out_dir} exists and is not a folder")
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = _make_staging(self.out_dir)
        self.files: list[Path] = []

    def commit(self) -> list[Path]:
        """Move everything written into the staging folder to ``out_dir``."""
        self.files = _commit(self.path, self.out_dir)
        return self.files

    def __enter__(self) -> StagedFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


def write_outputs(
    plan: Plan,
    loaded: LoadedScenario,
    out_dir: str | os.PathLike[str],
    status_quo: Plan | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write a plan's result files into ``out_dir`` as one complete set.

    Writes ``plan.json``, ``schedule.csv``, ``shortages.csv``, ``utilisation.csv``,
    ``summary.md``, ``weekly_capacity.png``, ``shortage_cells.png`` and, when the ``maps``
    package provides ``write_plan_map``, ``map.html``. Everything is first written to a
    hidden staging folder next to ``out_dir`` and then moved in; if anything fails (or the
    run is interrupted) before that, ``out_dir`` is left exactly as it was. Files of an
    earlier run that this run does not write (e.g. an old ``map.html``) are removed.

    Parameters
    ----------
    plan
        The plan to write.
    loaded
        Its scenario (for company sectors in the charts and for the map).
    out_dir
        The output folder (created if needed).
    status_quo
        The status-quo plan, for the charts and the comparison (optimise mode).
    warn
        Called with non-fatal problems (default: :func:`warnings.warn`).

    Returns
    -------
    list[Path]
        The files written.
    """
    warn = warn or (lambda message: warnings.warn(message, RuntimeWarning, stacklevel=3))
    with StagedFolder(out_dir) as staged:
        _write_files(plan, loaded, staged.path, status_quo, warn)
        return staged.commit()

"""A sweep side by side: one table (KPIs, stagebarometer cells, institutions), one chart, and per
variant what changed against the base (the cells and cohorts behind its difference).

Plain data first (:func:`sweep_table`), then its forms: markdown (:func:`sweep_markdown`), a
PNG chart (:func:`sweep_chart`) and the files of a sweep (:func:`write_sweep`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from planner.codes import SECTOR_CHAMBERS
from planner.i18n import _, fmt_int, fmt_num, fmt_pct, fmt_signed
from planner.plan.analysis import LEVEL_ORDER, SECTOR_ORDER, bol_totals_by, compare_plans
from planner.plan.model import Plan
from planner.scenario import write_atomic
from planner.whatif.sweep import Sweep

#: The KPIs of the side-by-side table, in order.
SWEEP_KPIS: tuple[str, ...] = ("students", "placed", "unplaced", "unplaced_priority", "shortage_rate", "objective",
                               "bound", "cohorts_changed", "mean_travel_minutes", "institution_max_shortage_rate")
#: Cohorts listed per variant as the reason for its difference.
TOP_COHORTS = 10


def explain(base: Plan, plan: Plan, changed: dict[str, list[str]]) -> dict[str, Any]:
    """Why ``plan`` differs from ``base``: the stagebarometer cells and the cohorts whose shortage changed,
    and the scenario rows the variant changed."""
    compared = compare_plans(base, plan)
    cells = [c for c in compared["cells"] if c["diff"] or c["students_a"] != c["students_b"]]
    a = {cp.cohort: cp for cp in base.cohorts}
    cohorts = []
    for cp in plan.cohorts:
        before = a.get(cp.cohort)
        unplaced_before = before.unplaced if before else 0
        if cp.unplaced != unplaced_before or (before is not None and before.students != cp.students):
            cohorts.append({"cohort": cp.cohort, "institution": cp.institution, "sector": cp.sector, "level": cp.level,
                            "students_base": before.students if before else 0, "students": cp.students,
                            "unplaced_base": unplaced_before, "unplaced": cp.unplaced,
                            "diff": cp.unplaced - unplaced_before, "changed_by_variant": cp.cohort in set(
                                changed.get("cohorts_changed", []) + changed.get("cohorts_added", []))})
    cohorts.sort(key=lambda r: (-abs(r["diff"]), r["cohort"]))
    return {"cells": cells, "cohorts": cohorts[:TOP_COHORTS], "cohorts_with_changed_shortage": len(cohorts),
            "scenario_changes": {k: v for k, v in changed.items() if v}}


def sweep_table(sweep: Sweep) -> dict[str, Any]:
    """The sweep as plain data: a row per scenario (KPIs and differences with the base), the
    stagebarometer cells and the institutions per scenario, and each variant's explanation."""
    base = sweep.base.plan
    rows, cells, institutions, explanations = [], {}, {}, {}
    for case in sweep.cases:
        row: dict[str, Any] = {"name": case.name, "changes": case.changes, "ok": case.plan is not None,
                               "error": case.error, "wall_seconds": case.wall_seconds}
        plan = case.plan
        if plan is not None:
            row.update({name: getattr(plan.kpis, name) for name in SWEEP_KPIS})
            row["status"] = plan.solver.status
            if base is not None:
                for name in ("unplaced", "unplaced_priority", "objective"):
                    row[f"{name}_diff"] = getattr(plan.kpis, name) - getattr(base.kpis, name)
                if case.name != sweep.base.name:
                    explanations[case.name] = explain(base, plan, case.changed)
            for cell in plan.kpis.by_cell:
                cells.setdefault((cell.sector, cell.pathway, cell.level), {})[case.name] = cell.unplaced
            for inst, (students, unplaced) in bol_totals_by(plan, "institution").items():
                institutions.setdefault(inst, {})[case.name] = {"students": students, "unplaced": unplaced}
        rows.append(row)
    cell_rows = [{"sector": k[0], "sector_name": SECTOR_CHAMBERS.get(k[0], k[0]), "pathway": k[1], "level": k[2],
                  "unplaced": v} for k, v in sorted(cells.items(), key=lambda kv: (
                      SECTOR_ORDER.get(kv[0][0], 99), kv[0][1], LEVEL_ORDER.get(kv[0][2], 9)))]
    return {"params": {"mode": sweep.params.mode, "time_limit": sweep.params.time_limit, "seed": sweep.params.seed},
            "wall_seconds": sweep.wall_seconds, "executor": sweep.executor, "rows": rows, "cells": cell_rows,
            "institutions": [{"institution": k, "plans": v} for k, v in sorted(institutions.items())],
            "explanations": explanations}


def sweep_markdown(table: dict[str, Any]) -> str:
    """The sweep table as markdown: KPIs per scenario, cells, institutions, and what changed per variant."""
    names = [r["name"] for r in table["rows"]]
    lines = [f"# {_('What-if sweep')}", "",
             _("{n} scenarios, mode {mode}, {limit} s per solve, seed {seed}; wall time {wall} s").format(
                 n=len(names), mode=table["params"]["mode"], limit=fmt_num(table["params"]["time_limit"], 0),
                 seed=table["params"]["seed"], wall=fmt_num(table["wall_seconds"])), "",
             "| " + " | ".join([_("variant"), _("unplaced"), _("difference"), _("unplaced in priority groups"),
                                _("weighted shortage"), _("difference"), _("shortage rate"), _("cohorts changed"),
                                _("status")]) + " |",
             "|---|" + "---:|" * 7 + "---|"]
    for r in table["rows"]:
        if not r["ok"]:
            lines.append(f"| {r['name']} | - | - | - | - | - | - | - | {_('failed')}: {r['error']} |")
            continue
        lines.append(f"| {r['name']} | {fmt_int(r['unplaced'])} | {fmt_signed(r.get('unplaced_diff', 0))} | "
                     f"{fmt_int(r['unplaced_priority'])} | {fmt_num(r['objective'])} | "
                     f"{fmt_num(r.get('objective_diff', 0.0))} | {fmt_pct(r['shortage_rate'])} | "
                     f"{fmt_int(r['cohorts_changed'])} | {r['status']} |")
    lines += ["", f"## {_('Unplaced students per stagebarometer cell')}", "",
              "| " + " | ".join([_("sector chamber"), _("pathway"), _("level"), *names]) + " |",
              "|---|---|---|" + "---:|" * len(names)]
    for c in table["cells"]:
        values = [fmt_int(c["unplaced"][n]) if n in c["unplaced"] else "-" for n in names]
        lines.append(f"| {c['sector_name']} | {c['pathway']} | {c['level']} | " + " | ".join(values) + " |")
    lines += ["", f"## {_('Unplaced students per institution')}", "",
              "| " + " | ".join([_("institution"), *names]) + " |", "|---|" + "---:|" * len(names)]
    for inst in table["institutions"]:
        values = [fmt_int(inst["plans"][n]["unplaced"]) if n in inst["plans"] else "-" for n in names]
        lines.append(f"| {inst['institution']} | " + " | ".join(values) + " |")
    for name, why in table["explanations"].items():
        lines += ["", f"## {_('What changed in {name}').format(name=name)}", ""]
        changes = why["scenario_changes"]
        if changes:
            lines.append(_("Rows the variant changed: {rows}").format(rows="; ".join(
                f"{k} {', '.join(v[:8])}{', ...' if len(v) > 8 else ''}" for k, v in changes.items())))
            lines.append("")
        if not why["cells"]:
            lines.append(_("No stagebarometer cell changed."))
        for c in why["cells"]:
            lines.append("- " + _("{sector} {pathway} level {level}: {a} -> {b} unplaced ({diff})").format(
                sector=c["sector_name"], pathway=c["pathway"], level=c["level"], a=fmt_int(c["unplaced_a"]),
                b=fmt_int(c["unplaced_b"]), diff=fmt_signed(c["diff"])))
        for c in why["cohorts"]:
            lines.append("  - " + _("cohort {cohort} ({institution}): {a} -> {b} unplaced").format(
                cohort=c["cohort"], institution=c["institution"], a=fmt_int(c["unplaced_base"]),
                b=fmt_int(c["unplaced"])))
    return "\n".join(lines) + "\n"


def sweep_chart(table: dict[str, Any], path: Path) -> Path:
    """A bar chart: unplaced students (all and priority groups) per scenario, the base marked."""
    rows = [r for r in table["rows"] if r["ok"]]
    figure = Figure(figsize=(max(6.0, 1.1 * len(rows) + 2), 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))
    axes.bar([p - 0.2 for p in positions], [r["unplaced"] for r in rows], width=0.4, label=_("unplaced"),
             color="#c0392b")
    axes.bar([p + 0.2 for p in positions], [r["unplaced_priority"] for r in rows], width=0.4,
             label=_("unplaced in priority groups"), color="#e67e22")
    if rows and rows[0]["name"] == "base":
        axes.axhline(rows[0]["unplaced"], color="#555555", linestyle="--", linewidth=1, label=_("base"))
    axes.set_xticks(positions, [r["name"] for r in rows], rotation=30, ha="right")
    axes.set_ylabel(_("students without a place"))
    axes.set_title(_("What-if variants side by side"))
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path


def write_sweep(sweep: Sweep, out: Path) -> list[Path]:
    """Write sweep.json, sweep.md, sweep.png and each scenario's plan.json (under plans/) to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = sweep_table(sweep)
    write_atomic(out / "sweep.json", json.dumps(table, indent=1, default=str))
    write_atomic(out / "sweep.md", sweep_markdown(table))
    files = [out / "sweep.json", out / "sweep.md", sweep_chart(table, out / "sweep.png")]
    for case in sweep.cases:
        if case.plan is not None:
            safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case.name)
            write_atomic(out / "plans" / f"{safe}.json", case.plan.model_dump_json())
            files.append(out / "plans" / f"{safe}.json")
    return files

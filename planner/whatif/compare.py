"""A sweep side by side: one table (KPIs, stagebarometer cells, institutions), one chart, and per
variant what changed against the base (the cells and cohorts behind its difference).

Every variant row carries its bound and gap and its effect on the weighted shortage as a range
(one number when both plans are proven optimal), and the change in the cells the variant touched
apart from the change elsewhere (:mod:`planner.whatif.effects`).

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
from planner.i18n import _, fmt_int, fmt_num, fmt_signed
from planner.plan.analysis import LEVEL_ORDER, SECTOR_ORDER, bol_totals_by, compare_plans
from planner.plan.model import Plan
from planner.scenario import write_atomic
from planner.whatif.effects import cell_effects, effect_range, effect_text, gap_text, where_text
from planner.whatif.sweep import Sweep, SweepCase

#: The KPIs of the side-by-side table, in order.
SWEEP_KPIS: tuple[str, ...] = ("students", "placed", "unplaced", "unplaced_priority", "shortage_rate", "objective",
                               "bound", "gap", "cohorts_changed", "mean_travel_minutes", "institution_max_shortage_rate")
#: Cohorts listed per variant as the reason for its difference.
TOP_COHORTS = 10


def explain(base: Plan, plan: Plan, case: SweepCase) -> dict[str, Any]:
    """Why ``plan`` differs from ``base``: the stagebarometer cells and the cohorts whose shortage changed,
    the change in the cells the variant touched and elsewhere, and the scenario rows the variant changed."""
    changed = case.changed
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
            "scenario_changes": {k: v for k, v in changed.items() if v}, "summary": case.summary,
            "effects": cell_effects(base, plan, case.touched)}


def _effect(base: Plan, case: SweepCase) -> dict[str, Any]:
    """A variant row's effect on the weighted shortage: the range, whether it is exact, and the split by cells."""
    plan = case.plan
    assert plan is not None
    effect = effect_range(base, plan, case.sign)
    effects = cell_effects(base, plan, case.touched)
    return {"effect_low": effect.low, "effect_high": effect.high, "effect_exact": effect.exact,
            "comparable": case.comparable, "effect_touched": effects["touched"]["weighted"],
            "effect_elsewhere": effects["elsewhere"]["weighted"], "unplaced_touched": effects["touched"]["unplaced"],
            "unplaced_elsewhere": effects["elsewhere"]["unplaced"], "only_elsewhere": effects["only_elsewhere"],
            "whole_region": effects["whole_region"]}


def sweep_table(sweep: Sweep) -> dict[str, Any]:
    """The sweep as plain data: a row per scenario (KPIs and differences with the base), the
    stagebarometer cells and the institutions per scenario, and each variant's explanation."""
    base = sweep.base.plan
    rows, cells, institutions, explanations = [], {}, {}, {}
    for case in sweep.cases:
        row: dict[str, Any] = {"name": case.name, "changes": case.changes, "ok": case.plan is not None,
                               "error": case.error, "wall_seconds": case.wall_seconds, "summary": case.summary,
                               "source": case.source if case.name == sweep.base.name else None}
        plan = case.plan
        if plan is not None:
            row.update({name: getattr(plan.kpis, name) for name in SWEEP_KPIS})
            row["status"] = plan.solver.status
            row["proven"] = plan.kpis.objective - plan.kpis.bound <= 1e-6
            if base is not None:
                for name in ("unplaced", "unplaced_priority", "objective"):
                    row[f"{name}_diff"] = getattr(plan.kpis, name) - getattr(base.kpis, name)
                if case.name != sweep.base.name:
                    row.update(_effect(base, case))
                    explanations[case.name] = explain(base, plan, case)
            for cell in plan.kpis.by_cell:
                cells.setdefault((cell.sector, cell.pathway, cell.level), {})[case.name] = cell.unplaced
            for inst, (students, unplaced) in bol_totals_by(plan, "institution").items():
                institutions.setdefault(inst, {})[case.name] = {"students": students, "unplaced": unplaced}
        rows.append(row)
    cell_rows = [{"sector": k[0], "sector_name": SECTOR_CHAMBERS.get(k[0], k[0]), "pathway": k[1], "level": k[2],
                  "unplaced": v} for k, v in sorted(cells.items(), key=lambda kv: (
                      SECTOR_ORDER.get(kv[0][0], 99), kv[0][1], LEVEL_ORDER.get(kv[0][2], 9)))]
    return {"params": {"mode": sweep.params.mode, "time_limit": sweep.params.time_limit, "seed": sweep.params.seed,
                       "work_limit": sweep.params.work_limit},
            "base_source": sweep.base.source,
            "wall_seconds": sweep.wall_seconds, "executor": sweep.executor, "rows": rows, "cells": cell_rows,
            "institutions": [{"institution": k, "plans": v} for k, v in sorted(institutions.items())],
            "explanations": explanations}


def sweep_markdown(table: dict[str, Any]) -> str:
    """The sweep table as markdown: KPIs per scenario with bound, gap and the effect (a range unless both plans
    are proven), the effect in touched cells and elsewhere, cells, institutions, and what changed per variant."""
    names = [r["name"] for r in table["rows"]]
    params = table["params"]
    budget = (_("work budget {n} neighbourhoods").format(n=params["work_limit"]) if params.get("work_limit")
              else _("{limit} s per solve").format(limit=fmt_num(params["time_limit"], 0)))
    lines = [f"# {_('What-if sweep')}", "",
             _("{n} scenarios, mode {mode}, {budget}, seed {seed}; wall time {wall} s").format(
                 n=len(names), mode=params["mode"], budget=budget, seed=params["seed"],
                 wall=fmt_num(table["wall_seconds"])), ""]
    if table.get("base_source") == "stored plan":
        lines += [_("The base is the stored plan (not solved again); every variant starts from it."), ""]
    lines += [_("The effect is the change in weighted shortage against the base: one number when both plans are "
                "proven optimal, else the range the true effect lies in (variant bound minus base plan to variant "
                "plan minus base bound)."), "",
              "| " + " | ".join([_("variant"), _("unplaced"), _("difference"), _("unplaced in priority groups"),
                                 _("weighted shortage"), _("bound"), _("gap"), _("effect"), _("where"),
                                 _("status")]) + " |",
              "|---|" + "---:|" * 7 + "---|---|"]
    for r in table["rows"]:
        if not r["ok"]:
            lines.append(f"| {r['name']} | - | - | - | - | - | - | - | - | {_('failed')}: {r['error']} |")
            continue
        lines.append(f"| {r['name']} | {fmt_int(r['unplaced'])} | {fmt_signed(r.get('unplaced_diff', 0))} | "
                     f"{fmt_int(r['unplaced_priority'])} | {fmt_num(r['objective'])} | {fmt_num(r['bound'])} | "
                     f"{gap_text(r)} | {effect_text(r)} | {where_text(r)} | {r['status']} |")
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
        lines += [f"- {text}" for text in why.get("summary", [])]
        if why.get("summary"):
            lines.append("")
        changes = why["scenario_changes"]
        if changes:
            lines.append(_("Rows the variant changed: {rows}").format(rows="; ".join(
                f"{k} {', '.join(v[:8])}{', ...' if len(v) > 8 else ''}" for k, v in changes.items())))
            lines.append("")
        effects = why["effects"]
        if not effects["cells"]:
            lines.append(_("No stagebarometer cell changed."))
        for touched, title in ((True, _("In cells the variant touched")), (False, _("Elsewhere (re-optimisation)"))):
            cells = [c for c in effects["cells"] if c["touched"] == touched]
            if cells:
                lines.append(f"{title}:")
            for c in cells:
                lines.append("- " + _("{sector} {pathway} level {level}: {a} -> {b} unplaced ({diff})").format(
                    sector=SECTOR_CHAMBERS.get(c["sector"], c["sector"]), pathway=c["pathway"], level=c["level"],
                    a=fmt_int(c["unplaced_base"]), b=fmt_int(c["unplaced"]), diff=fmt_signed(c["diff"])))
        if effects["only_elsewhere"]:
            lines.append(_("The whole effect lies in cells the variant did not touch."))
        for c in why["cohorts"]:
            lines.append("  - " + _("cohort {cohort} ({institution}): {a} -> {b} unplaced").format(
                cohort=c["cohort"], institution=c["institution"], a=fmt_int(c["unplaced_base"]),
                b=fmt_int(c["unplaced"])))
    return "\n".join(lines) + "\n"


def sweep_chart(table: dict[str, Any], path: Path) -> Path:
    """Two panels: unplaced students (all and priority groups) per scenario, the base marked; and the
    weighted shortage per scenario with its bound (a line from bound to plan: the gap)."""
    rows = [r for r in table["rows"] if r["ok"]]
    figure = Figure(figsize=(max(6.0, 1.1 * len(rows) + 2), 8.0))
    FigureCanvasAgg(figure)
    axes, weighted = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(rows)))
    axes.bar([p - 0.2 for p in positions], [r["unplaced"] for r in rows], width=0.4, label=_("unplaced"),
             color="#c0392b")
    axes.bar([p + 0.2 for p in positions], [r["unplaced_priority"] for r in rows], width=0.4,
             label=_("unplaced in priority groups"), color="#e67e22")
    if rows and rows[0]["name"] == "base":
        axes.axhline(rows[0]["unplaced"], color="#555555", linestyle="--", linewidth=1, label=_("base"))
        weighted.axhline(rows[0]["objective"], color="#555555", linestyle="--", linewidth=1, label=_("base"))
    axes.set_ylabel(_("students without a place"))
    axes.set_title(_("What-if variants side by side"))
    axes.legend()
    weighted.bar(positions, [r["objective"] for r in rows], width=0.5, color="#7f8c8d", label=_("weighted shortage"))
    weighted.vlines(positions, [r["bound"] for r in rows], [r["objective"] for r in rows], color="#000000",
                    linewidth=3, label=_("from bound to plan (gap)"))
    weighted.scatter(positions, [r["bound"] for r in rows], color="#000000", marker="_", s=200, zorder=3)
    weighted.set_ylabel(_("weighted shortage"))
    weighted.set_xticks(positions, [r["name"] for r in rows], rotation=30, ha="right")
    weighted.legend()
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

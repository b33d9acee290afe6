"""Readable accounts of plans in markdown: summary.md and the comparison of two plans."""

from __future__ import annotations

from typing import Any

from planner.plan.analysis import KPI_SPECS, REPORT_KPIS, compare_plans, hotspots, sector_level_rows, status_quo_kpis
from planner.plan.model import KPIs, Plan
from planner.report.institutions import changes_markdown, reasons_markdown
from planner.report.tables import format_value, level_text, plan_mode_label
from planner.scenario import Scenario


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
        values = f"{format_value(row['a'], row['kind'])} | {format_value(row['b'], row['kind'])}"
        lines.append(f"| {row['label']} | {values} | {diff} |")
    changed = [c for c in result["cells"] if c["change"] != "same"]
    lines += ["", f"### Stagebarometer cells that changed ({label_b} against {label_a})", ""]
    if changed:
        lines += ["| sector chamber | pathway | level | students | unplaced " + _md_escape(label_a)
                  + " | unplaced " + _md_escape(label_b) + " | difference | |", "|---|---|---|---:|---:|---:|---:|---|"]
        for c in sorted(changed, key=lambda c: c["diff"]):
            lines.append(f"| {c['sector_name']} | {c['pathway']} | {level_text(c['level'])} | {c['students_b']:,} | "
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
        lines.append(f"The largest hotspot is {h['sector_name']} {level_text(h['level'])} from {h['area']} in "
                     f"{h['week']} ({h['unplaced']:,} students without a place).")
    lines.extend(plan.solver.explanation)
    return lines


def summary_markdown(plan: Plan, status_quo: Plan | None = None, files: list[str] | None = None,
                     scenario: Scenario | None = None) -> str:
    """The run's summary in markdown: KPIs, baselines, cells, hotspots, solver stats and explanation.

    With the plan's ``scenario``, also the changes per institution and why students stay unplaced.
    """
    k = plan.kpis
    columns: list[tuple[str, KPIs]] = [(plan_mode_label(plan.mode), k)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append(("status quo", base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append(("first come, first served", plan.baselines["greedy"]))
    lines = [
        f"# Internship plan: {plan.scenario} ({plan_mode_label(plan.mode)})",
        "",
        f"{k.students:,} BOL students need an internship; {k.placed:,} are placed and {k.unplaced:,} "
        f"({k.shortage_rate:.2%}) are left without a place.",
        "",
        "## Key figures" + (" compared with the baselines" if len(columns) > 1 else ""),
        "",
        "| measure | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name in REPORT_KPIS:
        if name in ("bound", "gap", "solve_seconds"):
            continue
        spec = KPI_SPECS[name]
        lines.append(f"| {spec.label} | " + " | ".join(format_value(getattr(c, name), spec.kind) for _, c in columns) + " |")

    lines += ["", "## Shortage by sector chamber and level (stagebarometer cells)", ""]
    rows = sector_level_rows(plan, base)
    if base is not None:
        lines += ["| sector chamber | level | students | unplaced status quo | unplaced this plan | change |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_text(r['level'])} | {r['students']:,} | "
                         f"{r['baseline_unplaced']:,} ({r['baseline_rate']:.1%}) | {r['unplaced']:,} ({r['rate']:.1%}) | "
                         f"{r['change']:+,} |")
    else:
        lines += ["| sector chamber | level | students | unplaced |", "|---|---|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_text(r['level'])} | {r['students']:,} | "
                         f"{r['unplaced']:,} ({r['rate']:.1%}) |")

    lines += ["", "## Top hotspots (area, sector chamber, level, week)", ""]
    spots = hotspots(plan, 10)
    if spots:
        lines += ["| area | sector chamber | level | week | unplaced |", "|---|---|---|---|---:|"]
        for h in spots:
            lines.append(f"| {_md_escape(h['area'])} | {h['sector_name']} | {level_text(h['level'])} | {h['week']} | "
                         f"{h['unplaced']:,} |")
    else:
        lines.append("No student is left without a place.")

    if scenario is not None:
        lines += ["", changes_markdown(plan, scenario).rstrip("\n"), "", reasons_markdown(plan, scenario).rstrip("\n")]

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

"""Readable accounts of plans in markdown: summary.md and the comparison of two plans."""

from __future__ import annotations

from typing import Any

from planner.i18n import _, fmt_int, fmt_num, fmt_pct, fmt_signed
from planner.markup import markdown_text
from planner.plan.analysis import (
    KPI_SPECS,
    REPORT_KPIS,
    compare_plans,
    hotspots,
    qualification_hotspots,
    sector_level_rows,
    status_quo_kpis,
)
from planner.plan.model import KPIs, Plan
from planner.report.institutions import changes_markdown, reasons_markdown
from planner.report.tables import engine_text, format_value, level_text, plan_mode_label, status_text
from planner.scenario import Scenario


def _md_escape(text: Any) -> str:
    return markdown_text(text)


def comparison_markdown(a: Plan, b: Plan, label_a: str, label_b: str) -> str:
    """A markdown account of :func:`compare_plans` (B compared with A)."""
    result = compare_plans(a, b)
    lines = [f"| {_('measure')} | {_md_escape(label_a)} | {_md_escape(label_b)} | {_('difference')} |", "|---|---:|---:|---:|"]
    for row in result["kpis"]:
        diff = "" if row["diff"] is None else format_value(row["diff"], row["kind"])
        if row["diff"] is not None and row["diff"] > 0 and not diff.startswith("-"):
            diff = "+" + diff
        values = f"{format_value(row['a'], row['kind'])} | {format_value(row['b'], row['kind'])}"
        lines.append(f"| {row['label']} | {values} | {diff} |")
    changed = [c for c in result["cells"] if c["change"] != "same"]
    title = _("Stagebarometer cells that changed ({b} against {a})").format(a=label_a, b=label_b)
    lines += ["", f"### {title}", ""]
    unplaced_a = _("unplaced {plan}").format(plan=_md_escape(label_a))
    unplaced_b = _("unplaced {plan}").format(plan=_md_escape(label_b))
    if changed:
        lines += [f"| {_('sector chamber')} | {_('pathway')} | {_('level')} | {_('students')} | {unplaced_a} | "
                  f"{unplaced_b} | {_('difference')} | |", "|---|---|---|---:|---:|---:|---:|---|"]
        for c in sorted(changed, key=lambda c: c["diff"]):
            lines.append(f"| {c['sector_name']} | {c['pathway']} | {level_text(c['level'])} | {fmt_int(c['students_b'])} | "
                         f"{fmt_int(c['unplaced_a'])} | {fmt_int(c['unplaced_b'])} | {fmt_signed(c['diff'])} | "
                         f"{_(c['change'])} |")
    else:
        lines.append(_("No cell changed."))
    changed_areas = [r for r in result["areas"] if r["change"] != "same"]
    lines += ["", "### " + _("Areas that changed (students' school location)"), ""]
    if changed_areas:
        lines += [f"| {_('area')} | {_('students')} | {unplaced_a} | {unplaced_b} | {_('difference')} | |",
                  "|---|---:|---:|---:|---:|---|"]
        for r in sorted(changed_areas, key=lambda r: r["diff"]):
            lines.append(f"| {_md_escape(r['area'])} | {fmt_int(r['students_b'])} | {fmt_int(r['unplaced_a'])} | "
                         f"{fmt_int(r['unplaced_b'])} | {fmt_signed(r['diff'])} | {_(r['change'])} |")
    else:
        lines.append(_("No area changed."))
    for note in result["notes"]:
        lines += ["", _("Note: {note}.").format(note=note)]
    return "\n".join(lines) + "\n"


def explanation_lines(plan: Plan, status_quo: Plan | None = None) -> list[str]:
    """Plain-language lines that explain the plan's numbers, as markdown (names escaped)."""
    k = plan.kpis
    lines = []
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        diff = base.unplaced - k.unplaced
        if diff > 0:
            lines.append(_("Agreeing periods as proposed places {diff} more students than the current periods "
                           "({before} -> {after} without a place; priority groups {before_priority} -> "
                           "{after_priority}).").format(
                diff=fmt_int(diff), before=fmt_int(base.unplaced), after=fmt_int(k.unplaced),
                before_priority=fmt_int(base.unplaced_priority), after_priority=fmt_int(k.unplaced_priority)))
        elif diff == 0:
            lines.append(_("The proposed periods leave as many students without a place as the current periods "
                           "({n}).").format(n=fmt_int(k.unplaced)))
        else:
            lines.append(_("This plan leaves {n} more students without a place than the current periods.").format(
                n=fmt_int(-diff)))
    if k.students:
        lines.append(_("The bound proves that no plan can bring the weighted shortage below {bound}; this plan "
                       "reaches {objective} (gap {gap}).").format(
            bound=fmt_num(k.bound), objective=fmt_num(k.objective), gap=fmt_pct(k.gap, 2)))
    if k.peak_week:
        lines.append(_("The busiest week is {week}, when {share} of all supervision capacity is in use.").format(
            week=k.peak_week, share=fmt_pct(k.peak_week_utilisation, 0)))
    top = hotspots(plan, 1)
    if top:
        h = top[0]
        lines.append(_("The largest hotspot is {sector} {level} from {area} in {weeks} ({n} students without a "
                       "place).").format(sector=h["sector_name"], level=level_text(h["level"]), area=_md_escape(h["area"]),
                                         weeks=_weeks(h), n=fmt_int(h["unplaced"])))
    lines.extend(_(line) for line in plan.solver.explanation)  # fixed texts are stored in English
    return lines


def _weeks(spot: dict) -> str:
    """The weeks of a hotspot: one week, or the first and last."""
    first, last = spot["first_week"], spot["last_week"]
    return str(first) if first == last else f"{first} - {last}"


def summary_markdown(plan: Plan, status_quo: Plan | None = None, files: list[str] | None = None,
                     scenario: Scenario | None = None) -> str:
    """The run's summary in markdown: KPIs, baselines, cells, hotspots, solver stats and explanation.

    With the plan's ``scenario``, also the changes per institution and why students stay unplaced.
    """
    k = plan.kpis
    columns: list[tuple[str, KPIs]] = [(plan_mode_label(plan.mode), k)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append((plan_mode_label("status-quo"), base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append((plan_mode_label("greedy"), plan.baselines["greedy"]))
    lines = [
        "# " + _("Internship plan: {scenario} ({mode})").format(scenario=_md_escape(plan.scenario),
                                                              mode=plan_mode_label(plan.mode)),
        "",
        _("{students} BOL students need an internship; {placed} are placed and {unplaced} ({rate}) are left without "
          "a place.").format(students=fmt_int(k.students), placed=fmt_int(k.placed), unplaced=fmt_int(k.unplaced),
                             rate=fmt_pct(k.shortage_rate, 2)),
        "",
        # Where the figures come from (e.g. real demand from DUO, generated supply): the scenario says it.
        *([_("Data: {description}").format(description=_md_escape(scenario.description)), ""]
          if scenario is not None and scenario.description.strip() else []),
        "## " + (_("Key figures compared with the baselines") if len(columns) > 1 else _("Key figures")),
        "",
        f"| {_('measure')} | " + " | ".join(name for name, _k in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name in REPORT_KPIS:
        if name in ("bound", "gap", "solve_seconds"):
            continue
        spec = KPI_SPECS[name]
        lines.append(f"| {_(spec.label)} | " + " | ".join(format_value(getattr(c, name), spec.kind) for _n, c in columns)
                     + " |")

    lines += ["", "## " + _("Shortage by sector chamber and level (stagebarometer cells)"), ""]
    rows = sector_level_rows(plan, base)
    head = f"| {_('sector chamber')} | {_('level')} | {_('students')} |"
    if base is not None:
        lines += [head + f" {_('unplaced status quo')} | {_('unplaced this plan')} | {_('change')} |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_text(r['level'])} | {fmt_int(r['students'])} | "
                         f"{fmt_int(r['baseline_unplaced'])} ({fmt_pct(r['baseline_rate'])}) | "
                         f"{fmt_int(r['unplaced'])} ({fmt_pct(r['rate'])}) | {fmt_signed(r['change'])} |")
    else:
        lines += [head + f" {_('unplaced')} |", "|---|---|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['sector_name']} | {level_text(r['level'])} | {fmt_int(r['students'])} | "
                         f"{fmt_int(r['unplaced'])} ({fmt_pct(r['rate'])}) |")

    lines += ["", "## " + _("Top hotspots (area, sector chamber, level)"), ""]
    spots = hotspots(plan, 10)
    if spots:
        lines += [f"| {_('area')} | {_('sector chamber')} | {_('level')} | {_('weeks')} | {_('unplaced students')} |",
                  "|---|---|---|---|---:|"]
        for h in spots:
            lines.append(f"| {_md_escape(h['area'])} | {h['sector_name']} | {level_text(h['level'])} | {_weeks(h)} | "
                         f"{fmt_int(h['unplaced'])} |")
    else:
        lines.append(_("No student is left without a place."))

    by_qualification = qualification_hotspots(plan, 10)
    if by_qualification:
        lines += ["", "## " + _("Top qualifications without a place (crebo)"), "",
                  f"| {_('crebo')} | {_('programme')} | {_('sector chamber')} | {_('areas')} | "
                  f"{_('unplaced students')} |", "|---|---|---|---|---:|"]
        for q in by_qualification:
            lines.append(f"| {q['crebo']} | {_md_escape(q['programme'])} | {q['sector_name']} | "
                         f"{_md_escape(', '.join(q['areas'][:3]))} | {fmt_int(q['unplaced'])} ({fmt_pct(q['rate'])}) |")
    if plan.tradeoff:
        lines += ["", tradeoff_markdown(plan, "tradeoff.png" if files and "tradeoff.png" in files else None).rstrip("\n")]
    if plan.wave_rules is not None and plan.mode == "optimise":
        rules = plan.wave_rules
        lines += ["", _("Practical rules of this plan: a split cohort's waves hold at least {students} students "
                        "and start at least {weeks} weeks apart.").format(
            students=fmt_int(rules.min_wave_students), weeks=fmt_int(rules.min_weeks_between_waves))]

    if scenario is not None:
        lines += ["", changes_markdown(plan, scenario).rstrip("\n"), "", reasons_markdown(plan, scenario).rstrip("\n")]

    s = plan.solver
    lines += [
        "", "## " + _("Solver"), "",
        "| | |", "|---|---|",
        f"| {_('status')} | {status_text(s.status)} |",
        f"| {_('engine')} | {engine_text(s.engine)} |",
        f"| {_('weighted shortage (objective)')} | {fmt_num(k.objective, 3)} |",
        f"| {_('proven lower bound')} | {fmt_num(k.bound, 3)} |",
        f"| {_('gap')} | {fmt_pct(k.gap, 2)} |",
        f"| {_('time limit')} | {fmt_num(s.time_limit)} s |",
        f"| {_('wall time')} | " + _("{wall} s (build {build} s, solve {solve} s)").format(
            wall=fmt_num(s.wall_seconds, 2), build=fmt_num(s.build_seconds, 2), solve=fmt_num(s.solve_seconds, 2)) + " |",
        f"| {_('model size')} | " + _("{variables} variables, {constraints} constraints, {clusters} company "
                                      "clusters").format(variables=fmt_int(s.variables),
                                                         constraints=fmt_int(s.constraints),
                                                         clusters=fmt_int(s.clusters)) + " |",
        f"| {_('seed')} | {s.seed} |",
    ]
    lines += ["", "## " + _("Explanation"), ""]
    lines += [f"- {line}" for line in explanation_lines(plan, status_quo)] or ["- " + _("(nothing to explain)")]
    if files:
        lines += ["", "## " + _("Files"), ""]
        lines += [f"- `{name}`" for name in files]
    return "\n".join(lines) + "\n"


def tradeoff_markdown(plan: Plan, chart: str | None = None) -> str:
    """The trade-off curve as a markdown table (and its chart, when written): per limit on changed cohorts
    the shortage, its proven bound and gap, and the students moved."""
    lines = ["## " + _("What moving cohorts gains (trade-off)"), "",
             _("Each row is the best plan in which at most this many cohorts change period or form, from the "
               "status quo (0) to this plan; the bound is proven for that limit. A consortium picks a row as its "
               "proposal."), "",
             f"| {_('at most changed cohorts')} | {_('changed cohorts')} | {_('students moved')} | "
             f"{_('unplaced students')} | {_('weighted shortage')} | {_('proven lower bound')} | {_('gap')} |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for p in plan.tradeoff or []:
        lines.append(f"| {fmt_int(p.max_changed)} | {fmt_int(p.changed)} | {fmt_int(p.moved)} | {fmt_int(p.unplaced)} | "
                     f"{fmt_num(p.shortage, 1)} | {fmt_num(p.bound, 1)}{'' if p.optimal else ' *'} | "
                     f"{fmt_pct(p.gap or 0.0, 2)} |")
    if any(not p.optimal for p in plan.tradeoff or []):
        lines += ["", _("* not proven optimal within the work budget: the best plan found and its bound.")]
    if chart:
        lines += ["", f"![{_('trade-off')}]({chart})"]
    return "\n".join(lines) + "\n"


def demo_markdown(plan: Plan, status_quo: Plan) -> str:
    """The demo's summary.md: the optimised plan against the status quo, pointing to both folders' summaries."""
    return ("# " + _("Demo: {scenario}").format(scenario=plan.scenario) + "\n\n"
            + _("The optimised plan (periods agreed across the region) against the status quo (every cohort "
                "in its current period).") + "\n"
            + _("Details: {a} and {b}.").format(a="`optimise/summary.md`", b="`status-quo/summary.md`")
            + "\n\n## " + _("Key figures") + "\n\n"
            + comparison_markdown(status_quo, plan, plan_mode_label("status-quo"), plan_mode_label("optimise")))

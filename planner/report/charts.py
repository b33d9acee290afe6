"""Charts of a plan (PNG, matplotlib with the Agg backend, no global pyplot state).

* :func:`weekly_capacity_chart`: weekly supervision demand against capacity per sector
  chamber, status quo against the optimised plan;
* :func:`shortage_cells_chart`: students without a place per stagebarometer cell
  (sector chamber x pathway x level), status quo against the optimised plan;
* :func:`reachable_capacity_chart`: per sector chamber and level, weekly demand against the
  capacity that can actually serve it: companies recognised for the sector chamber *and*
  level, within the travel limit of the cohorts (the numbers come from
  :mod:`planner.report.balance`).

Every chart draws each plan in its colour from :data:`~planner.report.chart_style.PLAN_COLOURS`
(one palette for all charts, :mod:`planner.report.chart_style`), writes its texts in the current
language (:mod:`planner.i18n`: Dutch by default) and wraps its title to the figure's width. All
draw on a fresh :class:`matplotlib.figure.Figure` with an Agg canvas, so they are safe to call
from the API's worker threads.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.catalogue import qualifications
from planner.codes import LEVELS, SECTOR_CHAMBERS
from planner.i18n import N_, _, fmt_int, fmt_pct
from planner.plan.model import Plan
from planner.report.balance import GroupBalance, reachable_balances, weekly_capacity, weekly_demand
from planner.report.chart_style import (
    CAPACITY_COLOUR,
    PLAN_LINESTYLES,
    REACHABLE_COLOUR,
    compared_plans,
    finish,
    hide_unused,
    level_title,
    new_figure,
    plan_colour,
    plan_label,
    sector_title,
    style_week_panel,
    thousands,
    wrap,
)
from planner.scenario import LoadedScenario, Scenario

# ------------------------------------------------------------------ weekly demand against sector capacity


def weekly_capacity_chart(
    plan: Plan, scenario: Scenario, path: str | os.PathLike[str], status_quo: Plan | None = None
) -> Path:
    """Draw weekly demand against capacity per sector chamber and save it as PNG.

    One panel per sector chamber with demand: the grey area is the capacity of the companies
    recognised for the chamber (any level, any distance), the lines the demand of the status
    quo (when given) and of ``plan``. The caption says that this capacity is an upper bound:
    what binds is capacity per level within the travel limit (:func:`reachable_capacity_chart`).
    """
    path = Path(path)
    weeks = plan.weeks
    plans = compared_plans(plan, status_quo)
    demands = {p.mode: weekly_demand(p) for p in plans}
    capacity = weekly_capacity(plan, scenario)
    sectors = [s for s in SECTOR_CHAMBERS if any(s in d for d in demands.values())]
    if not sectors:
        sectors = [s for s in SECTOR_CHAMBERS if s in capacity][:1] or ["zorg"]
    ncols = min(3, len(sectors))
    nrows = math.ceil(len(sectors) / ncols)
    fig = new_figure(5.4 * ncols + 0.6, 3.3 * nrows + 2.2)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    every = max(1, math.ceil(len(weeks) / 12))
    x = np.arange(len(weeks))
    zeros = np.zeros(len(weeks))
    handles: dict[str, object] = {}
    for n, sector in enumerate(sectors):
        ax = axes[n // ncols][n % ncols]
        cap = capacity.get(sector, zeros)
        handles["capacity"] = ax.fill_between(x, 0, cap, step="mid", color=CAPACITY_COLOUR, alpha=0.35, linewidth=0,
                                              label=_("capacity of the companies recognised for the sector chamber"))
        ax.step(x, cap, where="mid", color=CAPACITY_COLOUR, linewidth=1)
        top = float(cap.max(initial=0))
        for p in plans:
            values = demands[p.mode].get(sector, zeros)
            (handles[p.mode],) = ax.step(x, values, where="mid", color=plan_colour(p.mode),
                                         linestyle=PLAN_LINESTYLES.get(p.mode, "-"),
                                         linewidth=2.2 if p is plan else 1.6, zorder=4 if p is plan else 3,
                                         label=_("demand, {plan}").format(plan=plan_label(p.mode)))
            top = max(top, float(values.max(initial=0)))
        ax.set_title(sector_title(sector), fontsize=10.5, fontweight="bold")
        style_week_panel(ax, top, weeks, every, first_in_row=n % ncols == 0)
    hide_unused(axes, len(sectors))
    for ax in axes[-1]:
        if ax.get_visible():
            ax.set_xlabel(_("ISO week"))
    title = _("Weekly supervision demand against capacity per sector chamber - {scenario}").format(
        scenario=plan.scenario)
    legend = [handles[k] for k in ("capacity", *[p.mode for p in plans]) if k in handles]
    caption = _("Demand counts every student of a wave, placed or not. The grey capacity is an upper bound: a "
                "company recognised for several sector chambers counts in each, and it ignores level and travel "
                "time. What binds is the capacity per level within the travel limit: see reachable_capacity.png.")
    return finish(fig, title, legend, caption, path)


# ------------------------------------------------------------------ shortage per stagebarometer cell


def _cell_label(sector: str, pathway: str, level: str) -> str:
    return f"{sector_title(sector)} - {pathway} {level_title(level).lower()}"


def shortage_cells_chart(plan: Plan, path: str | os.PathLike[str], status_quo: Plan | None = None,
                         baseline=None) -> Path:  # noqa: ANN001
    """Draw students without a place per stagebarometer cell (status quo against ``plan``) and save it as PNG.

    The status-quo numbers come from ``status_quo`` (a plan), else ``baseline`` (KPIs), else
    the plan's own status-quo baseline KPIs. Cells without shortage in both are left out (and
    counted in a note).
    """
    path = Path(path)
    base = None
    if plan.mode != "status-quo":
        base = status_quo.kpis if status_quo is not None else baseline or plan.baselines.get("status-quo")
    ours = {(c.sector, c.pathway, c.level): c for c in plan.kpis.by_cell}
    theirs = {(c.sector, c.pathway, c.level): c for c in base.by_cell} if base is not None else {}
    sector_order = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    keys = sorted(set(ours) | set(theirs), key=lambda k: (sector_order.get(k[0], 99), k[1], level_order.get(k[2], 9)))
    shown = [k for k in keys if (ours[k].unplaced if k in ours else 0) or (theirs[k].unplaced if k in theirs else 0)]
    hidden = len(keys) - len(shown)
    rows = shown or keys
    series = []
    if base is not None:
        series.append(("status-quo", theirs))
    series.append((plan.mode, ours))
    height = 2.4 + 0.36 * max(1, len(rows)) * (1.6 if len(series) > 1 else 1.0)
    fig = new_figure(11, min(height, 30))
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1].astype(float)
    bar = 0.8 / len(series)
    top = 0
    legend = []
    for s, (mode, cells) in enumerate(series):
        values = [cells[k].unplaced if k in cells else 0 for k in rows]
        rates = [cells[k].rate if k in cells else 0.0 for k in rows]
        offset = (len(series) - 1) / 2 * bar - s * bar
        legend.append(ax.barh(y + offset, values, height=bar * 0.92, color=plan_colour(mode), label=plan_label(mode)))
        for yy, value, rate in zip(y + offset, values, rates):
            ax.text(value, yy, f" {fmt_int(value)} ({fmt_pct(rate)})", va="center", fontsize=8.5, color="#333333")
        top = max([top, *values])
    ax.set_yticks(y)
    ax.set_yticklabels([_cell_label(*k) for k in rows], fontsize=9)
    ax.set_xlim(0, max(1, top) * 1.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.set_xlabel(_("students without an internship place (share of the cell's students)"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    notes = []
    if not shown:
        notes.append(_("No student is left without a place in any cell."))
    elif hidden:
        notes.append(_("Cells without shortage in any plan are not shown ({n}).").format(n=fmt_int(hidden)))
    title = _("Students without an internship place per stagebarometer cell (sector chamber, pathway, level) - "
              "{scenario}").format(scenario=plan.scenario)
    return finish(fig, title, legend, " ".join(notes), path)


# ------------------------------------------------------------------ demand against reachable capacity


#: At most this many sector-chamber-and-level panels; the groups with most shortage come first.
MAX_GROUP_PANELS = 9


def reachable_capacity_chart(plan: Plan, loaded: LoadedScenario, path: str | os.PathLike[str],
                             status_quo: Plan | None = None) -> Path:
    """Draw, per sector chamber and level, weekly demand against the capacity that can serve it; save as PNG.

    Light grey: capacity of the companies recognised for the sector chamber and level anywhere
    in the region; green: those within the travel limit of the group's cohorts; lines: the
    demand of the status quo (when given) and of ``plan``. Panels for the groups with most
    students without a place (then most weeks short), at most :data:`MAX_GROUP_PANELS`.
    """
    path = Path(path)
    plans = compared_plans(plan, status_quo)
    balances = reachable_balances(plans, loaded)
    ours = balances[plan.mode]
    others = {p.mode: {g.key: g for g in balances[p.mode]} for p in plans}
    ranked = sorted(ours, key=lambda g: (-max(others[p.mode].get(g.key, g).unplaced for p in plans),
                                         -g.weeks_short, -float(g.demand.sum())))
    shown = [g for g in ranked if g.demand.any()][:MAX_GROUP_PANELS] or ranked[:1]
    hidden = len([g for g in ours if g.demand.any()]) - len(shown)
    weeks = plan.weeks
    ncols = min(3, max(1, len(shown)))
    nrows = max(1, math.ceil(len(shown) / ncols))
    fig = new_figure(5.4 * ncols + 0.6, 3.3 * nrows + 2.4)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    every = max(1, math.ceil(len(weeks) / 12))
    x = np.arange(len(weeks))
    handles: dict[str, object] = {}
    for n, group in enumerate(shown):
        ax = axes[n // ncols][n % ncols]
        handles["recognised"] = ax.fill_between(
            x, 0, group.recognised[: len(weeks)], step="mid", color=CAPACITY_COLOUR, alpha=0.3, linewidth=0,
            label=_("recognised for the qualification and level, whole region") if group.crebo is not None
            else _("recognised for the sector chamber and level, whole region"))
        handles["reachable"] = ax.fill_between(
            x, 0, group.reachable[: len(weeks)], step="mid", color=REACHABLE_COLOUR, alpha=0.45, linewidth=0,
            label=_("of which within the travel limit"))
        top = float(group.recognised.max(initial=0))
        unplaced = []
        for p in plans:
            g = others[p.mode].get(group.key)
            if g is None:
                continue
            (handles[p.mode],) = ax.step(x, g.demand[: len(weeks)], where="mid", color=plan_colour(p.mode),
                                         linestyle=PLAN_LINESTYLES.get(p.mode, "-"),
                                         linewidth=2.2 if p is plan else 1.6, zorder=4 if p is plan else 3,
                                         label=_("demand, {plan}").format(plan=plan_label(p.mode)))
            (handles[p.mode + ":free"],) = ax.step(
                x, g.available[: len(weeks)], where="mid", color=plan_colour(p.mode), linewidth=1.0, alpha=0.9,
                linestyle=(0, (1, 1)), zorder=2,
                label=_("within reach, left free by other groups, {plan}").format(plan=plan_label(p.mode)))
            top = max(top, float(g.demand.max(initial=0)))
            unplaced.append(fmt_int(g.unplaced))
        ax.set_title(wrap(_group_title(group), 5.0, 10.5) + "\n"
                     + _("without a place: {counts}").format(counts=" / ".join(unplaced)),
                     fontsize=10, fontweight="bold")
        style_week_panel(ax, top, weeks, every, first_in_row=n % ncols == 0)
    hide_unused(axes, len(shown))
    title = (_("Demand against the capacity that can serve it, per qualification and level - {scenario}")
             if any(g.crebo is not None for g in shown)
             else _("Demand against the capacity that can serve it, per sector chamber and level - {scenario}")).format(
        scenario=plan.scenario)
    keys = ("recognised", "reachable", *[p.mode for p in plans], *[p.mode + ":free" for p in plans])
    legend = [handles[k] for k in keys if k in handles]
    order = " / ".join(plan_label(p.mode) for p in plans)
    caption = _("Without a place: students per panel ({order}). A company's places are shared by every group it is "
                "recognised for: the dotted lines are the capacity within reach that the plan's other groups leave "
                "free. Where a demand line rises above its dotted line, the companies within reach cannot take every "
                "student. Cohorts in different places reach different companies, so a line below the area can still "
                "leave students of one place without a place.").format(order=order)
    if hidden > 0:
        caption += " " + _("Groups not shown: {n}.").format(n=fmt_int(hidden))
    return finish(fig, title, legend, caption, path)


def _group_title(group: GroupBalance) -> str:
    """A panel's group: the qualification (crebo) and level of a recognition group, else sector chamber and level."""
    if group.crebo is not None:
        known = qualifications().get(group.crebo)
        return f"{known.name if known else group.crebo} ({group.crebo}) - {level_title(group.level).lower()}"
    return f"{sector_title(group.sector)} - {level_title(group.level).lower()}"


#: The charts' titles for the catalogue (translated where shown).
CHART_NAMES = {
    "weekly_capacity": N_("Weekly supervision demand against capacity per sector chamber"),
    "shortage_cells": N_("Students without a place per stagebarometer cell (sector chamber x pathway x level)"),
    "reachable_capacity": N_("Demand against the capacity that can serve it, per sector chamber and level"),
}


# ------------------------------------------------------------------ the trade-off curve


def tradeoff_chart(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Draw the trade-off curve (at most k changed cohorts -> weighted shortage, with its bounds and the
    students moved beside each point) and save it as PNG. The plan must carry ``tradeoff``."""
    path = Path(path)
    points = plan.tradeoff or []
    fig = new_figure(11, 5.5)
    ax = fig.subplots()
    limits = [p.max_changed for p in points]
    legend = [
        ax.plot(limits, [p.shortage for p in points], marker="o", color=plan_colour("optimise"),
                label=_("weighted shortage"))[0],
        ax.plot(limits, [p.bound for p in points], linestyle=":", marker=".", color=plan_colour("status-quo"),
                label=_("proven lower bound"))[0],
    ]
    for p in points:
        ax.annotate(_("{moved} moved").format(moved=fmt_int(p.moved)), (p.max_changed, p.shortage),
                    textcoords="offset points", xytext=(4, 6), fontsize=8.5, color="#333333")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("at most this many cohorts change period or form"))
    ax.set_ylabel(_("weighted shortage"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.set_axisbelow(True)
    title = _("What moving cohorts gains: shortage per number of changed cohorts - {scenario}").format(
        scenario=plan.scenario)
    return finish(fig, title, legend, _("Beside each point: the students the plan moves."), path)

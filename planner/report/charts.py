"""Charts of a plan (PNG, matplotlib with the Agg backend, no global pyplot state).

* :func:`weekly_capacity_chart`: weekly supervision demand against capacity per sector
  chamber, status quo against the optimised plan;
* :func:`shortage_cells_chart`: students without a place per stagebarometer cell
  (sector chamber x pathway x level), status quo against the optimised plan;
* :func:`reachable_capacity_chart`: per sector chamber and level, weekly demand against the
  capacity that can actually serve it: companies recognised for the sector chamber *and*
  level, within the travel limit of the cohorts (the numbers come from the pure function
  :func:`demand_against_reachable`).

Every chart draws each plan in its colour from :data:`PLAN_COLOURS` (one palette for all
charts), writes its texts in the current language (:mod:`planner.i18n`: Dutch by default) and
wraps its title to the figure's width. All draw on a fresh :class:`matplotlib.figure.Figure`
with an Agg canvas, so they are safe to call from the API's worker threads.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.codes import LEVELS, SECTOR_CHAMBERS, level_label, mode_label, sector_label
from planner.i18n import N_, _, current_language, fmt_int, fmt_pct
from planner.plan.model import Plan
from planner.plan.state import cohort_demand, placement_loads
from planner.scenario import LoadedScenario, Scenario

#: One colour per plan kind, used by every chart (and nowhere a different one).
PLAN_COLOURS: dict[str, str] = {
    "status-quo": "#d9822b",  # orange
    "optimise": "#1f5fa8",  # blue
    "greedy": "#7b4ea3",  # purple
}
#: Line style per plan kind: the status quo dashed, so both lines stay visible where they coincide.
PLAN_LINESTYLES: dict[str, object] = {"status-quo": (0, (4, 2)), "optimise": "-", "greedy": (0, (1, 1.5))}
CAPACITY_COLOUR = "#9aa5b1"
REACHABLE_COLOUR = "#5e9c76"
FALLBACK_COLOUR = "#555555"
NOTE_COLOUR = "#555555"
DPI = 110


def plan_colour(mode: str) -> str:
    """The colour of a plan kind in every chart."""
    return PLAN_COLOURS.get(mode, FALLBACK_COLOUR)


def plan_label(mode: str) -> str:
    """A plan kind as the charts name it, in the current language."""
    if mode == "status-quo":
        return _("status quo (current periods)")
    return mode_label(mode, current_language())


def _sector(code: str) -> str:
    return sector_label(code, current_language())


def _level(code: str) -> str:
    return level_label(code, current_language())


def _wrap(text: str, width_inches: float, fontsize: float) -> str:
    """``text`` wrapped to lines that fit ``width_inches`` at ``fontsize`` (bold, with a margin)."""
    chars = max(20, int(width_inches * 72 / (fontsize * 0.62)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def _thousands(value: float, _pos: int) -> str:
    return fmt_int(value)


def _week_axis(ax, weeks: list[str], every: int) -> None:
    positions = list(range(0, len(weeks), every))
    ax.set_xticks(positions)
    ax.set_xticklabels([weeks[i] for i in positions], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(weeks) - 0.5)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, title: str, legend: list, caption: str, path: Path) -> Path:
    """Title, legend and caption around the panels, laid out so that nothing is cut off; saved as PNG."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    title = _wrap(title, width - 0.4, 13)
    caption = _wrap(caption, width - 0.6, 8.5)
    title_lines, caption_lines = title.count("\n") + 1, caption.count("\n") + 1 if caption else 0
    ncol = len(legend) if len(legend) <= 4 and width >= 10 else min(2 if width < 10 else 3, len(legend)) or 1
    legend_rows = math.ceil(len(legend) / ncol) if legend else 0
    top = (0.12 + 0.24 * title_lines + (0.1 + 0.22 * legend_rows if legend else 0.0)) / height
    bottom = (0.08 + 0.17 * caption_lines) / height
    # Panels first, then the texts around them (tight_layout would make room for the title twice).
    fig.tight_layout(rect=(0, bottom, 1, 1 - top))
    fig.suptitle(title, fontsize=13, fontweight="bold", y=1 - 0.08 / height, va="top")
    if legend:
        fig.legend(legend, [h.get_label() for h in legend], loc="upper center", ncol=ncol, frameon=False,
                   fontsize=9.5, bbox_to_anchor=(0.5, 1 - (0.1 + 0.24 * title_lines) / height))
    if caption:
        fig.text(0.5, 0.06 / height, caption, ha="center", va="bottom", fontsize=8.5, color=NOTE_COLOUR)
    fig.savefig(path, dpi=DPI, format="png")
    return path


# ------------------------------------------------------------------ weekly demand against sector capacity


def weekly_demand(plan: Plan) -> dict[str, np.ndarray]:
    """Student-days of supervision the plan's students need per week, by sector chamber.

    Every student of a wave counts, placed or not (an unplaced student still needs a place
    in those weeks); BBL students count at their own employer.
    """
    sector_of = {cp.cohort: cp.sector for cp in plan.cohorts}
    demand: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(plan.weeks)))
    for cohort, weekly in cohort_demand(plan).items():
        demand[sector_of[cohort]] += weekly
    return dict(demand)


def weekly_capacity(plan: Plan, scenario: Scenario) -> dict[str, np.ndarray]:
    """Supervision capacity (student-days) per week of the companies recognised for each sector chamber.

    A company recognised for several sector chambers counts in each of them: its places are
    shared, so the sector totals add up to more than the region's capacity.
    """
    sectors_of = {c.id: c.sectors for c in scenario.companies}
    capacity: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(plan.weeks)))
    for use in plan.utilisation:
        for sector in sectors_of.get(use.company, []):
            capacity[sector] += np.asarray(use.capacity, dtype=float)
    return dict(capacity)


def _compared(plan: Plan, status_quo: Plan | None) -> list[Plan]:
    """The plans a chart draws: the status quo first (when given and different), then ``plan``."""
    return ([status_quo] if status_quo is not None and status_quo.mode != plan.mode else []) + [plan]


def _style_week_panel(ax, top: float, weeks: list[str], every: int, first_in_row: bool) -> None:
    """One panel of a grid of weekly charts: student-days on y (from 0, a little above ``top``), weeks on x."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(0, max(5.0, top * 1.08))
    if first_in_row:
        ax.set_ylabel(_("student-days per week"))
    _week_axis(ax, weeks, every)
    ax.tick_params(axis="x", labelbottom=True)


def _hide_unused(axes, used: int) -> None:
    """Hide the grid's panels after the first ``used`` (row by row)."""
    for n, ax in enumerate(ax for row in axes for ax in row):
        if n >= used:
            ax.set_visible(False)


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
    plans = _compared(plan, status_quo)
    demands = {p.mode: weekly_demand(p) for p in plans}
    capacity = weekly_capacity(plan, scenario)
    sectors = [s for s in SECTOR_CHAMBERS if any(s in d for d in demands.values())]
    if not sectors:
        sectors = [s for s in SECTOR_CHAMBERS if s in capacity][:1] or ["zorg"]
    ncols = min(3, len(sectors))
    nrows = math.ceil(len(sectors) / ncols)
    fig = _figure(5.4 * ncols + 0.6, 3.3 * nrows + 2.2)
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
        ax.set_title(_sector(sector), fontsize=10.5, fontweight="bold")
        _style_week_panel(ax, top, weeks, every, first_in_row=n % ncols == 0)
    _hide_unused(axes, len(sectors))
    for ax in axes[-1]:
        if ax.get_visible():
            ax.set_xlabel(_("ISO week"))
    title = _("Weekly supervision demand against capacity per sector chamber - {scenario}").format(
        scenario=plan.scenario)
    legend = [handles[k] for k in ("capacity", *[p.mode for p in plans]) if k in handles]
    caption = _("Demand counts every student of a wave, placed or not. The grey capacity is an upper bound: a "
                "company recognised for several sector chambers counts in each, and it ignores level and travel "
                "time. What binds is the capacity per level within the travel limit: see reachable_capacity.png.")
    return _finish(fig, title, legend, caption, path)


# ------------------------------------------------------------------ shortage per stagebarometer cell


def _cell_label(sector: str, pathway: str, level: str) -> str:
    return f"{_sector(sector)} - {pathway} {_level(level).lower()}"


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
    fig = _figure(11, min(height, 30))
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
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
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
    return _finish(fig, title, legend, " ".join(notes), path)


# ------------------------------------------------------------------ demand against reachable capacity


@dataclass(frozen=True)
class CohortNeed:
    """What one cohort asks of the region in a plan.

    ``demand``: student-days per week its students need (placed or not); ``reachable``: the
    companies it may use (recognised for its sector chamber and level, within its travel limit).
    """

    sector: str
    level: str
    demand: Sequence[float]
    reachable: frozenset[str]
    unplaced: int = 0


@dataclass(frozen=True)
class CompanySupply:
    """A learning company's recognitions and its capacity per week (student-days, after BBL load).

    ``load``: student-days per week the plan's students of each (sector chamber, level) group use there.
    """

    id: str
    sectors: frozenset[str]
    levels: frozenset[str]
    capacity: Sequence[float]
    load: Mapping[tuple[str, str], Sequence[float]] = field(default_factory=dict)

    def left_for(self, group: tuple[str, str], n_weeks: int) -> np.ndarray:
        """Capacity per week not used by the plan's students of other groups."""
        free = np.zeros(n_weeks)
        free[: len(self.capacity)] = np.asarray(self.capacity, dtype=float)
        for other, load in self.load.items():
            if other != group:
                free[: len(load)] -= np.asarray(load, dtype=float)
        return np.maximum(free, 0.0)


@dataclass(frozen=True)
class GroupBalance:
    """Demand against capacity per week for one sector chamber and level.

    ``recognised``: capacity of every company recognised for the sector chamber and level,
    anywhere in the region; ``reachable``: of those, the companies within the travel limit of
    at least one of the group's cohorts; ``available``: the reachable capacity that the plan's
    students of other groups leave free (a company's places are shared by every group it is
    recognised for). The demand is what the group's students need, placed or not.
    """

    sector: str
    level: str
    demand: np.ndarray
    recognised: np.ndarray
    reachable: np.ndarray
    available: np.ndarray
    unplaced: int

    @property
    def weeks_short(self) -> int:
        """Weeks in which demand exceeds the reachable capacity left free by other groups."""
        return int((self.demand > self.available + 1e-9).sum())

    @property
    def weeks_short_recognised(self) -> int:
        """Weeks in which demand exceeds the capacity recognised for the sector chamber and level."""
        return int((self.demand > self.recognised + 1e-9).sum())


def demand_against_reachable(cohorts: Iterable[CohortNeed], companies: Iterable[CompanySupply]) -> list[GroupBalance]:
    """Per (sector chamber, level): the cohorts' weekly demand against the recognised and the reachable capacity.

    A pure function of its arguments. Groups come in the usual order (sector chamber, level);
    only groups with a cohort are returned.
    """
    companies = list(companies)
    by_id = {c.id: c for c in companies}
    groups: dict[tuple[str, str], list[CohortNeed]] = defaultdict(list)
    for need in cohorts:
        groups[(need.sector, need.level)].append(need)
    sector_order = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_order = {lv: i for i, lv in enumerate(LEVELS)}
    result = []
    for (sector, level) in sorted(groups, key=lambda k: (sector_order.get(k[0], 99), level_order.get(k[1], 9), k)):
        needs = groups[(sector, level)]
        n_weeks = max([len(n.demand) for n in needs] + [len(c.capacity) for c in companies] + [0])
        demand = np.zeros(n_weeks)
        for need in needs:
            demand[: len(need.demand)] += np.asarray(need.demand, dtype=float)
        recognised = np.zeros(n_weeks)
        for company in companies:
            if sector in company.sectors and level in company.levels:
                recognised[: len(company.capacity)] += np.asarray(company.capacity, dtype=float)
        reachable, available = np.zeros(n_weeks), np.zeros(n_weeks)
        for company_id in sorted(set().union(*(n.reachable for n in needs))):
            company = by_id.get(company_id)
            if company is not None:
                reachable[: len(company.capacity)] += np.asarray(company.capacity, dtype=float)
                available += company.left_for((sector, level), n_weeks)
        result.append(GroupBalance(sector, level, demand, recognised, reachable, available,
                                   sum(n.unplaced for n in needs)))
    return result


def _group_loads(plan: Plan, scenario: Scenario) -> dict[str, dict[tuple[str, str], np.ndarray]]:
    """Student-days per week the plan's placed BOL students use, per company and (sector chamber, level)."""
    loads: dict[str, dict[tuple[str, str], np.ndarray]] = defaultdict(dict)
    for placement in placement_loads(scenario, plan.cohorts):
        cp = placement.cohort
        weekly = placement.days.reshape(len(scenario.calendar.weeks), -1).sum(axis=1)
        group = loads[scenario.companies[placement.company].id]
        group[(cp.sector, cp.level)] = group.get((cp.sector, cp.level), 0) + weekly
    return loads


def reachable_balances(plans: Sequence[Plan], loaded: LoadedScenario) -> dict[str, list[GroupBalance]]:
    """:func:`demand_against_reachable` for each plan (by mode), from the scenario's eligibility rules.

    Which companies a cohort may use and their capacity after the BBL load come from
    :func:`planner.model.problem.compile_problem` (the rules the solver keeps); BBL cohorts are
    left out (their load is already taken off their employer's capacity).
    """
    from planner.geo.region import Region
    from planner.model.problem import compile_problem

    scenario = loaded.scenario
    problem = compile_problem(scenario, Region(scenario, loaded.base_dir), mode="status-quo", aggregate=False)
    n_weeks, n_days = problem.n_weeks, problem.n_days
    weekly = problem.company_capacity.reshape(len(scenario.companies), n_weeks, n_days).sum(axis=2)
    reachable = {}
    for position, i in enumerate(problem.cohorts):
        members = [problem.cluster_members[k] for k in problem.eligible[position]]
        ids = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
        reachable[scenario.cohorts[i].id] = frozenset(scenario.companies[int(k)].id for k in ids)
    result = {}
    for plan in plans:
        loads = _group_loads(plan, scenario)
        companies = [CompanySupply(c.id, frozenset(c.sectors), frozenset(c.levels), weekly[k].tolist(),
                                   loads.get(c.id, {}))
                     for k, c in enumerate(scenario.companies)]
        demand = cohort_demand(plan)
        needs = [CohortNeed(cp.sector, cp.level, demand[cp.cohort].tolist(), reachable[cp.cohort], cp.unplaced)
                 for cp in plan.cohorts if cp.cohort in reachable]
        result[plan.mode] = demand_against_reachable(needs, companies)
    return result


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
    plans = _compared(plan, status_quo)
    balances = reachable_balances(plans, loaded)
    ours = balances[plan.mode]
    others = {p.mode: {(g.sector, g.level): g for g in balances[p.mode]} for p in plans}
    ranked = sorted(ours, key=lambda g: (-max(others[p.mode].get((g.sector, g.level), g).unplaced for p in plans),
                                         -g.weeks_short, -float(g.demand.sum())))
    shown = [g for g in ranked if g.demand.any()][:MAX_GROUP_PANELS] or ranked[:1]
    hidden = len([g for g in ours if g.demand.any()]) - len(shown)
    weeks = plan.weeks
    ncols = min(3, max(1, len(shown)))
    nrows = max(1, math.ceil(len(shown) / ncols))
    fig = _figure(5.4 * ncols + 0.6, 3.3 * nrows + 2.4)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    every = max(1, math.ceil(len(weeks) / 12))
    x = np.arange(len(weeks))
    handles: dict[str, object] = {}
    for n, group in enumerate(shown):
        ax = axes[n // ncols][n % ncols]
        handles["recognised"] = ax.fill_between(
            x, 0, group.recognised[: len(weeks)], step="mid", color=CAPACITY_COLOUR, alpha=0.3, linewidth=0,
            label=_("recognised for the sector chamber and level, whole region"))
        handles["reachable"] = ax.fill_between(
            x, 0, group.reachable[: len(weeks)], step="mid", color=REACHABLE_COLOUR, alpha=0.45, linewidth=0,
            label=_("of which within the travel limit"))
        top = float(group.recognised.max(initial=0))
        unplaced = []
        for p in plans:
            g = others[p.mode].get((group.sector, group.level))
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
        ax.set_title(_wrap(f"{_sector(group.sector)} - {_level(group.level).lower()}", 5.0, 10.5) + "\n"
                     + _("without a place: {counts}").format(counts=" / ".join(unplaced)),
                     fontsize=10, fontweight="bold")
        _style_week_panel(ax, top, weeks, every, first_in_row=n % ncols == 0)
    _hide_unused(axes, len(shown))
    title = _("Demand against the capacity that can serve it, per sector chamber and level - {scenario}").format(
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
    return _finish(fig, title, legend, caption, path)


#: The charts' titles for the catalogue (translated where shown).
CHART_NAMES = {
    "weekly_capacity": N_("Weekly supervision demand against capacity per sector chamber"),
    "shortage_cells": N_("Students without a place per stagebarometer cell (sector chamber x pathway x level)"),
    "reachable_capacity": N_("Demand against the capacity that can serve it, per sector chamber and level"),
}

"""Charts of a plan (PNG, matplotlib with the Agg backend, no global pyplot state).

* :func:`weekly_capacity_chart`: weekly supervision demand against capacity per sector
  chamber, status quo against the optimised plan;
* :func:`shortage_cells_chart`: students without a place per stagebarometer cell
  (sector chamber x pathway x level), status quo against the optimised plan.

Both draw on a fresh :class:`matplotlib.figure.Figure` with an Agg canvas, so they are safe to
call from the API's worker threads.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.codes import LEVELS, SECTOR_CHAMBERS
from planner.model.capacity import student_days_per_week
from planner.plan.model import KPIs, Plan
from planner.report.tables import level_text, plan_mode_label
from planner.scenario import InternshipForm, Scenario

CAPACITY_COLOUR = "#9aa5b1"
STATUS_QUO_COLOUR = "#d9822b"
PLAN_COLOUR = "#1f5fa8"
DPI = 110


def weekly_demand(plan: Plan) -> dict[str, np.ndarray]:
    """Student-days of supervision the plan's students need per week, by sector chamber.

    Every student of a wave counts, placed or not (an unplaced student still needs a place
    in those weeks); BBL students count at their own employer.
    """
    index = {week: i for i, week in enumerate(plan.weeks)}
    demand: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(plan.weeks)))
    for cp in plan.cohorts:
        for wave in cp.waves:
            days = student_days_per_week(InternshipForm.parse(wave.form))
            for week in wave.weeks:
                demand[cp.sector][index[week]] += wave.students * days
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


def _week_axis(ax, weeks: list[str], every: int) -> None:
    positions = list(range(0, len(weeks), every))
    ax.set_xticks(positions)
    ax.set_xticklabels([weeks[i] for i in positions], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(weeks) - 0.5)


def _thousands(value: float, _pos: int) -> str:
    return f"{value:,.0f}"


def weekly_capacity_chart(
    plan: Plan, scenario: Scenario, path: str | os.PathLike[str], status_quo: Plan | None = None
) -> Path:
    """Draw weekly demand against capacity per sector chamber and save it as PNG.

    One panel per sector chamber with demand or capacity: the grey area is the capacity of
    the companies recognised for the chamber, the lines the demand of the status quo (when
    given) and of ``plan``.
    """
    path = Path(path)
    weeks = plan.weeks
    demand = weekly_demand(plan)
    base_demand = weekly_demand(status_quo) if status_quo is not None and status_quo.mode != plan.mode else None
    capacity = weekly_capacity(plan, scenario)
    sectors = [s for s in SECTOR_CHAMBERS if s in demand or (base_demand and s in base_demand)]
    if not sectors:
        sectors = [s for s in SECTOR_CHAMBERS if s in capacity][:1] or ["zorg"]
    ncols = min(3, len(sectors))
    nrows = math.ceil(len(sectors) / ncols)
    fig = Figure(figsize=(5.4 * ncols + 0.6, 3.5 * nrows + 1.5), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    every = max(1, math.ceil(len(weeks) / 12))
    x = np.arange(len(weeks))
    zeros = np.zeros(len(weeks))
    handles = {}
    for n, sector in enumerate(sectors):
        ax = axes[n // ncols][n % ncols]
        cap = capacity.get(sector, zeros)
        handles["capacity"] = ax.fill_between(x, 0, cap, step="mid", color=CAPACITY_COLOUR, alpha=0.35, linewidth=0,
                                              label="capacity of recognised companies")
        ax.step(x, cap, where="mid", color=CAPACITY_COLOUR, linewidth=1)
        ours = demand.get(sector, zeros)
        (handles["plan"],) = ax.step(x, ours, where="mid", color=PLAN_COLOUR, linewidth=2.2,
                                     label=f"demand, {plan_mode_label(plan.mode)}", zorder=3)
        if base_demand is not None:
            # Drawn on top, dashed: where both plans ask the same, both lines stay visible.
            theirs = base_demand.get(sector, zeros)
            over = np.maximum(theirs - cap, 0)
            if over.any():
                ax.fill_between(x, cap, np.maximum(theirs, cap), step="mid", color=STATUS_QUO_COLOUR, alpha=0.18,
                                linewidth=0)
            (handles["status quo"],) = ax.step(x, theirs, where="mid", color=STATUS_QUO_COLOUR, linewidth=1.6,
                                               linestyle=(0, (4, 2)), label="demand, status quo (current periods)",
                                               zorder=4)
        ax.set_title(SECTOR_CHAMBERS.get(sector, sector), fontsize=10.5, fontweight="bold")
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.grid(axis="y", alpha=0.3)
        top = max(float(cap.max(initial=0)), float(ours.max(initial=0)),
                  float(base_demand.get(sector, zeros).max(initial=0)) if base_demand else 0.0)
        ax.set_ylim(0, max(5.0, top * 1.08))
        if n % ncols == 0:
            ax.set_ylabel("student-days per week")
        _week_axis(ax, weeks, every)
        ax.tick_params(axis="x", labelbottom=True)
    for n in range(len(sectors), nrows * ncols):
        axes[n // ncols][n % ncols].set_visible(False)
    for ax in axes[-1]:
        if ax.get_visible():
            ax.set_xlabel("ISO week")
    fig.suptitle(f"Weekly supervision demand against capacity per sector chamber (sectorkamer) - {plan.scenario}",
                 fontsize=13, fontweight="bold", y=0.995)
    order = [handles[k] for k in ("capacity", "status quo", "plan") if k in handles]
    top_margin = 0.42 / fig.get_figheight()
    fig.legend(order, [h.get_label() for h in order], loc="upper center", ncol=len(order), frameon=False, fontsize=9.5,
               bbox_to_anchor=(0.5, 1 - top_margin))
    fig.text(0.5, 0.01, "Demand counts every student of a wave, placed or not; shaded orange: status-quo demand above "
             "capacity. A company recognised for several sector chambers counts in each.",
             ha="center", va="bottom", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.3 / fig.get_figheight(), 1, 1 - 0.62 / fig.get_figheight()))
    fig.savefig(path, dpi=DPI, format="png")
    return path


def _cell_label(sector: str, pathway: str, level: str) -> str:
    return f"{SECTOR_CHAMBERS.get(sector, sector)} - {pathway} {level_text(level)}"


def shortage_cells_chart(plan: Plan, path: str | os.PathLike[str], status_quo: Plan | None = None,
                         baseline: KPIs | None = None) -> Path:
    """Draw students without a place per stagebarometer cell (status quo against ``plan``) and save it as PNG.

    The status-quo numbers come from ``status_quo`` (a plan), else ``baseline``, else the
    plan's own status-quo baseline KPIs. Cells without shortage in both are left out (and
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
    height = 2.2 + 0.36 * max(1, len(rows)) * (1.6 if base is not None else 1.0)
    fig = Figure(figsize=(11, min(height, 30)), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1].astype(float)
    series = []
    if base is not None:
        series.append(("status quo (current periods)", theirs, STATUS_QUO_COLOUR))
    series.append((plan_mode_label(plan.mode), ours, PLAN_COLOUR))
    bar = 0.8 / len(series)
    top = 0
    for s, (label, cells, colour) in enumerate(series):
        values = [cells[k].unplaced if k in cells else 0 for k in rows]
        rates = [cells[k].rate if k in cells else 0.0 for k in rows]
        offset = (len(series) - 1) / 2 * bar - s * bar
        ax.barh(y + offset, values, height=bar * 0.92, color=colour, label=label)
        for yy, value, rate in zip(y + offset, values, rates):
            ax.text(value, yy, f" {value:,} ({rate:.1%})", va="center", fontsize=8.5, color="#333333")
        top = max([top, *values])
    ax.set_yticks(y)
    ax.set_yticklabels([_cell_label(*k) for k in rows], fontsize=9)
    ax.set_xlim(0, max(1, top) * 1.25)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.set_xlabel("students without an internship place (share of the cell's students)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    title = "Shortage by stagebarometer cell (sector chamber x pathway x level)"
    ax.set_title(f"{title}\n{plan.scenario}", fontsize=12, fontweight="bold")
    ax.legend(loc="best", fontsize=9)
    notes = []
    if not shown:
        notes.append("No student is left without a place in any cell.")
    elif hidden:
        notes.append(f"{hidden} other cell{'s' if hidden != 1 else ''} without shortage not shown.")
    if notes:
        ax.text(0.99, 0.99, " ".join(notes), transform=ax.transAxes, ha="right", va="top", fontsize=9, color="#555555")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, format="png")
    return path

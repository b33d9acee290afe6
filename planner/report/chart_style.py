"""What every chart of :mod:`planner.report.charts` draws the same way: one colour and line style per
plan kind, labels in the current language, titles wrapped to the figure, and the layout of title,
legend and caption around the panels (a fresh :class:`~matplotlib.figure.Figure` on an Agg canvas,
safe in the API's worker threads).
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.codes import level_label, mode_label, sector_label
from planner.i18n import _, current_language, fmt_int
from planner.plan.model import Plan

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


def sector_title(code: str) -> str:
    return sector_label(code, current_language())


def level_title(code: str) -> str:
    return level_label(code, current_language())


def wrap(text: str, width_inches: float, fontsize: float) -> str:
    """``text`` wrapped to lines that fit ``width_inches`` at ``fontsize`` (bold, with a margin)."""
    chars = max(20, int(width_inches * 72 / (fontsize * 0.62)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def thousands(value: float, _pos: int) -> str:
    return fmt_int(value)


def week_axis(ax, weeks: list[str], every: int) -> None:
    positions = list(range(0, len(weeks), every))
    ax.set_xticks(positions)
    ax.set_xticklabels([weeks[i] for i in positions], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(weeks) - 0.5)


def new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def finish(fig: Figure, title: str, legend: list, caption: str, path: Path) -> Path:
    """Title, legend and caption around the panels, laid out so that nothing is cut off; saved as PNG."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    title = wrap(title, width - 0.4, 13)
    caption = wrap(caption, width - 0.6, 8.5)
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


def compared_plans(plan: Plan, status_quo: Plan | None) -> list[Plan]:
    """The plans a chart draws: the status quo first (when given and different), then ``plan``."""
    return ([status_quo] if status_quo is not None and status_quo.mode != plan.mode else []) + [plan]


def style_week_panel(ax, top: float, weeks: list[str], every: int, first_in_row: bool) -> None:
    """One panel of a grid of weekly charts: student-days on y (from 0, a little above ``top``), weeks on x."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylim(0, max(5.0, top * 1.08))
    if first_in_row:
        ax.set_ylabel(_("student-days per week"))
    week_axis(ax, weeks, every)
    ax.tick_params(axis="x", labelbottom=True)


def hide_unused(axes, used: int) -> None:
    """Hide the grid's panels after the first ``used`` (row by row)."""
    for n, ax in enumerate(ax for row in axes for ax in row):
        if n >= used:
            ax.set_visible(False)

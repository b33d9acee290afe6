"""The sweep on the console: a progress bar for the whole sweep and the side-by-side table."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.i18n import _, fmt_int, fmt_num, fmt_signed
from planner.whatif.marginal import Spot
from planner.whatif.sweep import SweepProgress


@contextlib.contextmanager
def sweep_progress(console: Console, total: int, show: bool = True) -> Iterator[Callable[[SweepProgress], None]]:
    """A rich progress bar of a sweep (done of total, running, failed); yields the progress callback."""
    if not show:
        yield lambda state: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[state]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(_("solving variants"), total=total, state="")

        def update(state: SweepProgress) -> None:
            bar.update(task, completed=state.done, state=_("{running} running, {failed} failed").format(
                running=state.running, failed=state.failed))

        yield update


def print_sweep(console: Console, table: dict) -> None:
    """The KPIs of every scenario of a sweep, with the difference from the base."""
    out = Table(title=_("What-if variants side by side"))
    for header in (_("variant"), _("unplaced"), _("difference"), _("unplaced in priority groups"),
                   _("weighted shortage"), _("difference"), _("status")):
        out.add_column(header)
    for r in table["rows"]:
        if not r["ok"]:
            out.add_row(r["name"], "-", "-", "-", "-", "-", _("failed"))
            continue
        out.add_row(r["name"], fmt_int(r["unplaced"]), fmt_signed(r.get("unplaced_diff", 0)),
                    fmt_int(r["unplaced_priority"]), fmt_num(r["objective"]), fmt_num(r.get("objective_diff", 0.0)),
                    r["status"])
    console.print(out)
    for r in table["rows"]:
        if not r["ok"]:
            console.print(_("{name} failed: {error}").format(name=r["name"], error=r["error"]), markup=False)


def print_spots(console: Console, spots: list[Spot]) -> None:
    """The ranked spots with their estimated and realised reductions."""
    out = Table(title=_("Where one more supervision place helps most"))
    for header in (_("rank"), _("company"), _("area"), _("sector chamber"), _("level"), _("weeks"),
                   _("estimated reduction"), _("realised reduction")):
        out.add_column(header)
    for s in spots:
        out.add_row(str(s.rank), s.company, s.area, s.sector, s.level, f"{s.first_week}..{s.last_week}",
                    fmt_num(s.estimate), "-" if s.realised is None else fmt_num(s.realised))
    console.print(out)

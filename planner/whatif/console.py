"""The sweep on the console: what each variant does, a progress bar for the whole sweep (with what is
running) and the side-by-side table."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.i18n import _, fmt_int, fmt_num, fmt_signed
from planner.scenario import Scenario
from planner.whatif.compare import effect_text, gap_text, where_text
from planner.whatif.describe import variant_summary
from planner.whatif.marginal import Spot
from planner.whatif.spots_report import spot_qualification
from planner.whatif.sweep import SweepProgress, variant_scenarios
from planner.whatif.variants import Variant


def print_summaries(console: Console, base: Scenario, variants: list[Variant], base_dir: Path | None = None) -> None:
    """What each variant does, in plain words, before anything is solved (or why it does not apply)."""
    for variant, scenario, error in variant_scenarios(base, variants, base_dir):
        console.print(f"[bold]{escape(variant.name)}[/]")
        lines = variant_summary(base, variant, scenario) if scenario is not None else [
            _("does not apply: {error}").format(error=error)]
        for line in lines:
            console.print(f"  - {escape(line)}")


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
            text = _("{running} running, {failed} failed").format(running=state.running, failed=state.failed)
            if state.running_names:
                text += ": " + ", ".join(state.running_names)
            bar.update(task, completed=state.done, state=escape(text))

        yield update


def print_sweep(console: Console, table: dict) -> None:
    """The KPIs of every scenario of a sweep, with the difference from the base."""
    out = Table(title=_("What-if variants side by side"))
    for header in (_("variant"), _("unplaced"), _("difference"), _("unplaced in priority groups"),
                   _("weighted shortage"), _("bound"), _("gap"), _("effect"), _("where")):
        out.add_column(header)
    for r in table["rows"]:
        if not r["ok"]:
            out.add_row(escape(r["name"]), "-", "-", "-", "-", "-", "-", "-", _("failed"))
            continue
        out.add_row(escape(r["name"]), fmt_int(r["unplaced"]), fmt_signed(r.get("unplaced_diff", 0)),
                    fmt_int(r["unplaced_priority"]), fmt_num(r["objective"]), fmt_num(r["bound"]), gap_text(r),
                    escape(effect_text(r)), escape(where_text(r)))
    console.print(out)
    for r in table["rows"]:
        if not r["ok"]:
            console.print(_("{name} failed: {error}").format(name=r["name"], error=r["error"]), markup=False)


def print_spots(console: Console, spots: list[Spot]) -> None:
    """The ranked spots with their estimated and realised reductions."""
    out = Table(title=_("Where one more supervision place helps most"))
    for header in (_("rank"), _("learning company"), _("area"), _("sector chamber"), _("level"), _("qualification"),
                   _("weeks"), _("estimated reduction"), _("realised reduction")):
        out.add_column(header)
    for s in spots:
        out.add_row(str(s.rank), escape(s.company_name or s.company), escape(s.area), escape(s.sector_name or s.sector),
                    s.level, escape(spot_qualification(asdict(s))), f"{s.first_week}..{s.last_week}", fmt_num(s.estimate),
                    "-" if s.realised is None else fmt_num(s.realised))
    console.print(out)

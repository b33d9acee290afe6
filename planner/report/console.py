"""The command line's printed output: the solve progress display and the result tables (rich)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column, Table

from planner.i18n import _, fmt_int, fmt_num, fmt_pct, fmt_signed
from planner.plan.analysis import hotspots, sector_level_rows, status_quo_kpis
from planner.plan.model import Plan, Progress
from planner.plan.state import gap
from planner.report.tables import format_value, level_text, phase_text, plan_mode_label, status_text


def out_console() -> Console:
    """Standard output, without highlighting."""
    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """Standard error, without highlighting."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


class SolveDisplay:
    """A rich progress display for one or more solves (elapsed time, best plan, bound)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress: RichProgress | None = None

    def __enter__(self) -> SolveDisplay:
        if self.enabled:
            err_console().print(_("Solving: best = weighted shortage of the best plan so far, bound = proven lower "
                                  "bound (no plan can do better)"))
            self.progress = RichProgress(
                SpinnerColumn(finished_text="[green]✓[/]"),
                TextColumn("[bold]{task.description}", table_column=Column(min_width=14, no_wrap=True)),
                TimeElapsedColumn(table_column=Column(min_width=7, no_wrap=True)),
                TextColumn("{task.fields[detail]}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
                console=Console(stderr=True, highlight=False),  # wraps to the terminal, as Live needs
            )
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    @contextlib.contextmanager
    def stage(self, label: str) -> Iterator[Callable[[Progress], None]]:
        """A progress row for one solve; yields the callback for its Progress events."""
        if self.progress is None:
            yield lambda event: None
            return
        progress = self.progress
        task = progress.add_task(escape(label), total=None, detail=_("solving (no plan yet)"))
        best: dict[str, float | None] = {"incumbent": None, "bound": None}

        def on_event(event: Progress) -> None:
            if event.incumbent is not None and (best["incumbent"] is None or event.incumbent < best["incumbent"]):
                best["incumbent"] = event.incumbent
            if event.bound is not None and (best["bound"] is None or event.bound > best["bound"]):
                best["bound"] = event.bound
            parts = []
            if best["incumbent"] is not None:
                parts.append(_("best {value}").format(value=fmt_num(best["incumbent"])))
            if best["bound"] is not None:
                parts.append(_("bound {value}").format(value=fmt_num(best["bound"])))
            if best["incumbent"] is not None and best["bound"] is not None:
                parts.append(_("gap {value}").format(value=fmt_pct(gap(best["incumbent"], best["bound"]))))
            parts.append(f"({phase_text(event.phase)})")
            progress.update(task, detail=escape(" | ".join(parts[:-1]) + " " + parts[-1]).strip())

        try:
            yield on_event
        except BaseException:
            progress.update(task, detail=_("stopped"))
            progress.stop_task(task)
            raise
        progress.update(task, total=1, completed=1)
        progress.stop_task(task)


def kpi_table(plan: Plan, status_quo: Plan | None) -> Table:
    columns = [(plan_mode_label(plan.mode), plan.kpis)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append((plan_mode_label("status-quo"), base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append((plan_mode_label("greedy"), plan.baselines["greedy"]))
    table = Table(title=_("{scenario}: key figures").format(scenario=escape(plan.scenario)), title_justify="left")
    table.add_column(_("measure"))
    for name, _k in columns:
        table.add_column(name, justify="right")
    rows = [
        (_("BOL students"), lambda k: fmt_int(k.students)),
        (_("unplaced"), lambda k: f"{fmt_int(k.unplaced)} ({fmt_pct(k.shortage_rate)})"),
        (_("unplaced, priority groups"), lambda k: f"{fmt_int(k.unplaced_priority)} ({fmt_pct(k.shortage_rate_priority)})"),
        (_("weighted shortage"), lambda k: fmt_num(k.objective)),
        (_("busiest week"), lambda k: f"{k.peak_week} ({fmt_pct(k.peak_week_utilisation, 0)})"),
        (_("cohorts changed"), lambda k: fmt_int(k.cohorts_changed)),
    ]
    for label, fmt in rows:
        table.add_row(label, *(fmt(k) for _, k in columns))
    return table


def cells_table(plan: Plan, status_quo: Plan | None) -> Table:
    base = status_quo_kpis(plan, status_quo)
    rows = sector_level_rows(plan, base)
    table = Table(title=_("Shortage by sector chamber and level"), title_justify="left")
    table.add_column(_("sector chamber"))
    table.add_column(_("level"))
    table.add_column(_("students"), justify="right")
    if base is not None:
        table.add_column(plan_mode_label("status-quo"), justify="right")
    table.add_column(_("this plan") if base is not None else _("unplaced"), justify="right")
    if base is not None:
        table.add_column(_("change"), justify="right")
    for r in rows:
        cells = [escape(r["sector_name"]), level_text(r["level"]), fmt_int(r["students"])]
        if base is not None:
            cells.append(f"{fmt_int(r['baseline_unplaced'])} ({fmt_pct(r['baseline_rate'])})")
        cells.append(f"{fmt_int(r['unplaced'])} ({fmt_pct(r['rate'])})")
        if base is not None:
            change = r["change"]
            colour = "green" if change < 0 else "red" if change > 0 else "dim"
            cells.append(f"[{colour}]{fmt_signed(change)}[/]")
        table.add_row(*cells)
    return table


def hotspot_table(plan: Plan) -> Table | None:
    spots = hotspots(plan, 10)
    if not spots:
        return None
    table = Table(title=_("Top 10 hotspots (area, sector chamber, level)"), title_justify="left")
    for name, justify in ((_("area"), "left"), (_("sector chamber"), "left"), (_("level"), "left"),
                          (_("weeks"), "left"), (_("unplaced students"), "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for h in spots:
        weeks = h["first_week"] if h["first_week"] == h["last_week"] else f"{h['first_week']} - {h['last_week']}"
        table.add_row(escape(h["area"]), escape(h["sector_name"]), level_text(h["level"]), str(weeks),
                      fmt_int(h["unplaced"]))
    return table


def tradeoff_table(plan: Plan) -> Table:
    """The plan's trade-off curve: per limit on changed cohorts the shortage, its proven bound and gap."""
    table = Table(title=_("What moving cohorts gains (trade-off)"), title_justify="left")
    for name in (_("at most changed cohorts"), _("changed cohorts"), _("students moved"), _("unplaced students"),
                 _("weighted shortage"), _("proven lower bound"), _("gap")):
        table.add_column(name, justify="right")
    for p in plan.tradeoff or []:
        table.add_row(fmt_int(p.max_changed), fmt_int(p.changed), fmt_int(p.moved), fmt_int(p.unplaced),
                      fmt_num(p.shortage), fmt_num(p.bound) + ("" if p.optimal else " *"), fmt_pct(p.gap or 0.0, 2))
    return table


def print_result(plan: Plan, status_quo: Plan | None, out: Path, files: list[Path]) -> None:
    console = out_console()
    console.print()
    console.print(kpi_table(plan, status_quo))
    k = plan.kpis
    console.print(_("solver: {status}; weighted shortage {objective}, bound {bound}, gap {gap}; {seconds} s of "
                    "{limit} s").format(status=escape(status_text(plan.solver.status)), objective=fmt_num(k.objective),
                                        bound=fmt_num(k.bound), gap=fmt_pct(k.gap, 2),
                                        seconds=fmt_num(plan.solver.wall_seconds),
                                        limit=fmt_num(plan.solver.time_limit, 0)))
    console.print()
    console.print(cells_table(plan, status_quo))
    if plan.tradeoff:
        console.print()
        console.print(tradeoff_table(plan))
    spots = hotspot_table(plan)
    console.print()
    if spots is not None:
        console.print(spots)
    else:
        console.print(_("No student is left without a place."))
    console.print()
    console.print(_("Results in {folder}: {files}").format(folder=f"[bold]{escape(str(out))}[/]",
                                                           files=", ".join(escape(p.name) for p in files)))


def print_comparison(result: dict[str, Any], a: Path, b: Path) -> None:
    """Print :func:`~planner.plan.analysis.compare_plans` of plans read from ``a`` and ``b``."""
    console = out_console()
    table = Table(title=_("Key figures (A against B)"), title_justify="left")
    table.add_column(_("measure"))
    table.add_column(f"A: {escape(str(a))}", justify="right")
    table.add_column(f"B: {escape(str(b))}", justify="right")
    table.add_column("B - A", justify="right")
    for row in result["kpis"]:
        diff = "" if row["diff"] is None else format_value(row["diff"], row["kind"])
        if row["diff"] is not None and row["diff"] > 0:
            diff = "+" + diff
        table.add_row(row["label"], format_value(row["a"], row["kind"]), format_value(row["b"], row["kind"]), diff)
    console.print(table)
    for title, rows, key_columns in (
        (_("Stagebarometer cells (sector chamber x pathway x level) that changed"), result["cells"],
         lambda r: [escape(r["sector_name"]), r["pathway"], level_text(r["level"])]),
        (_("Areas (students' school location) that changed"), result["areas"], lambda r: [escape(r["area"])]),
    ):
        changed = sorted((r for r in rows if r["change"] != "same"), key=lambda r: r["diff"])
        console.print()
        if not changed:
            console.print(_("{title}: none.").format(title=title))
            continue
        table = Table(title=title, title_justify="left")
        for name in ([_("sector chamber"), _("pathway"), _("level")] if "sector" in changed[0] else [_("area")]):
            table.add_column(name)
        for name in (_("unplaced A"), _("unplaced B"), _("difference"), ""):
            table.add_column(name, justify="right")
        for r in changed:
            colour = "green" if r["change"] == "better" else "red"
            table.add_row(*key_columns(r), fmt_int(r["unplaced_a"]), fmt_int(r["unplaced_b"]), fmt_signed(r["diff"]),
                          f"[{colour}]{_(r['change'])}[/]")
        console.print(table)
    for note in result["notes"]:
        console.print(f"[yellow]{_('note:')}[/] {escape(note)}")

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

from planner.plan.analysis import hotspots, sector_level_rows, status_quo_kpis
from planner.plan.model import Plan, Progress
from planner.report.tables import format_value, level_text, plan_mode_label


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
            err_console().print("Solving: best = weighted shortage of the best plan so far, bound = proven lower bound "
                         "(no plan can do better)")
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
        task = progress.add_task(escape(label), total=None, detail="solving (no plan yet)")
        best: dict[str, float | None] = {"incumbent": None, "bound": None}

        def on_event(event: Progress) -> None:
            if event.incumbent is not None and (best["incumbent"] is None or event.incumbent < best["incumbent"]):
                best["incumbent"] = event.incumbent
            if event.bound is not None and (best["bound"] is None or event.bound > best["bound"]):
                best["bound"] = event.bound
            parts = []
            if best["incumbent"] is not None:
                parts.append(f"best {best['incumbent']:,.1f}")
            if best["bound"] is not None:
                parts.append(f"bound {best['bound']:,.1f}")
            if best["incumbent"] is not None and best["bound"] is not None:
                gap = max(0.0, best["incumbent"] - best["bound"]) / max(best["incumbent"], 1.0)
                parts.append(f"gap {gap:.1%}")
            parts.append(f"({event.phase})")
            progress.update(task, detail=escape(" | ".join(parts[:-1]) + " " + parts[-1]).strip())

        try:
            yield on_event
        except BaseException:
            progress.update(task, detail="stopped")
            progress.stop_task(task)
            raise
        progress.update(task, total=1, completed=1)
        progress.stop_task(task)


def _pct(value: float) -> str:
    return f"{value:.1%}"


def kpi_table(plan: Plan, status_quo: Plan | None) -> Table:
    columns = [(plan_mode_label(plan.mode), plan.kpis)]
    base = status_quo_kpis(plan, status_quo)
    if base is not None:
        columns.append(("status quo", base))
    if "greedy" in plan.baselines and plan.mode != "greedy":
        columns.append(("first come, first served", plan.baselines["greedy"]))
    table = Table(title=f"{plan.scenario}: key figures", title_justify="left")
    table.add_column("measure")
    for name, _ in columns:
        table.add_column(name, justify="right")
    rows = [
        ("BOL students", lambda k: f"{k.students:,}"),
        ("unplaced", lambda k: f"{k.unplaced:,} ({_pct(k.shortage_rate)})"),
        ("unplaced, priority groups", lambda k: f"{k.unplaced_priority:,} ({_pct(k.shortage_rate_priority)})"),
        ("weighted shortage", lambda k: f"{k.objective:,.1f}"),
        ("busiest week", lambda k: f"{k.peak_week} ({k.peak_week_utilisation:.0%})"),
        ("cohorts changed", lambda k: f"{k.cohorts_changed:,}"),
    ]
    for label, fmt in rows:
        table.add_row(label, *(fmt(k) for _, k in columns))
    return table


def cells_table(plan: Plan, status_quo: Plan | None) -> Table:
    base = status_quo_kpis(plan, status_quo)
    rows = sector_level_rows(plan, base)
    table = Table(title="Shortage by sector chamber and level", title_justify="left")
    table.add_column("sector chamber")
    table.add_column("level")
    table.add_column("students", justify="right")
    if base is not None:
        table.add_column("status quo", justify="right")
    table.add_column("this plan" if base is not None else "unplaced", justify="right")
    if base is not None:
        table.add_column("change", justify="right")
    for r in rows:
        cells = [escape(r["sector_name"]), level_text(r["level"]), f"{r['students']:,}"]
        if base is not None:
            cells.append(f"{r['baseline_unplaced']:,} ({_pct(r['baseline_rate'])})")
        cells.append(f"{r['unplaced']:,} ({_pct(r['rate'])})")
        if base is not None:
            change = r["change"]
            colour = "green" if change < 0 else "red" if change > 0 else "dim"
            cells.append(f"[{colour}]{change:+,}[/]")
        table.add_row(*cells)
    return table


def hotspot_table(plan: Plan) -> Table | None:
    spots = hotspots(plan, 10)
    if not spots:
        return None
    table = Table(title="Top 10 hotspots (area, sector chamber, level)", title_justify="left")
    for name, justify in (("area", "left"), ("sector chamber", "left"), ("level", "left"), ("weeks", "left"),
                          ("unplaced students", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for h in spots:
        weeks = h["first_week"] if h["first_week"] == h["last_week"] else f"{h['first_week']} - {h['last_week']}"
        table.add_row(escape(h["area"]), escape(h["sector_name"]), level_text(h["level"]), str(weeks),
                      f"{h['unplaced']:,}")
    return table


def print_result(plan: Plan, status_quo: Plan | None, out: Path, files: list[Path]) -> None:
    console = out_console()
    console.print()
    console.print(kpi_table(plan, status_quo))
    k = plan.kpis
    console.print(f"solver: {escape(plan.solver.status)}; weighted shortage {k.objective:,.1f}, bound {k.bound:,.1f}, "
                  f"gap {k.gap:.2%}; {plan.solver.wall_seconds:,.1f} s of {plan.solver.time_limit:,.0f} s")
    console.print()
    console.print(cells_table(plan, status_quo))
    spots = hotspot_table(plan)
    console.print()
    if spots is not None:
        console.print(spots)
    else:
        console.print("No student is left without a place.")
    console.print()
    console.print(f"Results in [bold]{escape(str(out))}[/]: " + ", ".join(escape(p.name) for p in files))


def print_comparison(result: dict[str, Any], a: Path, b: Path) -> None:
    """Print :func:`~planner.plan.analysis.compare_plans` of plans read from ``a`` and ``b``."""
    console = out_console()
    table = Table(title="Key figures (A against B)", title_justify="left")
    table.add_column("measure")
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
        ("Stagebarometer cells (sector chamber x pathway x level) that changed", result["cells"],
         lambda r: [escape(r["sector_name"]), r["pathway"], level_text(r["level"])]),
        ("Areas (students' school location) that changed", result["areas"], lambda r: [escape(r["area"])]),
    ):
        changed = sorted((r for r in rows if r["change"] != "same"), key=lambda r: r["diff"])
        console.print()
        if not changed:
            console.print(f"{title}: none.")
            continue
        table = Table(title=title, title_justify="left")
        for name in (["sector chamber", "pathway", "level"] if "sector" in changed[0] else ["area"]):
            table.add_column(name)
        for name in ("unplaced A", "unplaced B", "difference", ""):
            table.add_column(name, justify="right")
        for r in changed:
            colour = "green" if r["change"] == "better" else "red"
            table.add_row(*key_columns(r), f"{r['unplaced_a']:,}", f"{r['unplaced_b']:,}", f"{r['diff']:+,}",
                          f"[{colour}]{r['change']}[/]")
        console.print(table)
    for note in result["notes"]:
        console.print(f"[yellow]note:[/] {escape(note)}")

"""Writing a plan's results: plan.json, CSV tables, summary.md, charts and the map, as one set.

:func:`write_outputs` writes every file of one run (:func:`write_demo_outputs`: the demo's
two runs and their comparison) into a private staging folder next to the output folder and
only then moves the finished set into place (with Ctrl-C and SIGTERM held back while it
moves), so an interrupted or failing run never leaves half a file or a mix of old and new files.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

from planner.plan.model import Plan
from planner.report import charts
from planner.report.institutions import explained, write_institution_files
from planner.report.summary import demo_markdown, summary_markdown
from planner.report.tables import (
    SCHEDULE_COLUMNS,
    SHORTAGE_COLUMNS,
    SHORTAGE_WEEK_COLUMNS,
    UTILISATION_COLUMNS,
    csv_text,
    schedule_rows,
    shortage_rows,
    shortage_week_rows,
    utilisation_rows,
)
from planner.scenario import LoadedScenario
from planner.solve.interrupt import signals_held

# Every file a run may write; files of an earlier run that this run does not write are removed.
OUTPUT_FILES = (
    "plan.json", "schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv", "summary.md",
    "weekly_capacity.png", "shortage_cells.png", "reachable_capacity.png", "map.html", "changes.csv", "changes.xlsx",
    "institutions", "tradeoff.png",
)
STAGING_SUFFIX = ".partial"


def _write_files(
    plan: Plan, loaded: LoadedScenario, folder: Path, status_quo: Plan | None, warn: Callable[[str], None]
) -> None:
    plan = explained(plan, loaded)
    (folder / "plan.json").write_text(plan.model_dump_json(indent=1), encoding="utf-8")
    (folder / "schedule.csv").write_text(csv_text(schedule_rows(plan), SCHEDULE_COLUMNS), encoding="utf-8")
    (folder / "shortages.csv").write_text(csv_text(shortage_rows(plan), SHORTAGE_COLUMNS), encoding="utf-8")
    (folder / "shortage_weeks.csv").write_text(csv_text(shortage_week_rows(plan), SHORTAGE_WEEK_COLUMNS),
                                               encoding="utf-8")
    (folder / "utilisation.csv").write_text(csv_text(utilisation_rows(plan), UTILISATION_COLUMNS), encoding="utf-8")
    charts.weekly_capacity_chart(plan, loaded.scenario, folder / "weekly_capacity.png", status_quo=status_quo)
    charts.shortage_cells_chart(plan, folder / "shortage_cells.png", status_quo=status_quo)
    charts.reachable_capacity_chart(plan, loaded, folder / "reachable_capacity.png", status_quo=status_quo)
    if plan.tradeoff:
        charts.tradeoff_chart(plan, folder / "tradeoff.png")
    _write_map(plan, loaded, folder / "map.html", status_quo, warn)
    write_institution_files(folder, plan, loaded.scenario, status_quo)
    files = sorted(p.name for p in folder.iterdir()) + ["summary.md"]
    (folder / "summary.md").write_text(summary_markdown(plan, status_quo, sorted(files), loaded.scenario),
                                       encoding="utf-8")


def _write_map(plan: Plan, loaded: LoadedScenario, path: Path, status_quo: Plan | None,
               warn: Callable[[str], None]) -> None:
    try:
        # Loaded here: folium is heavy, and without the maps package the other files are still written.
        from maps import write_plan_map
    except ImportError:
        return
    try:
        write_plan_map(plan, loaded, path, compare_with=status_quo)
    except Exception as err:  # a map problem must not cost the user the rest of the results
        warn(f"map.html not written: {type(err).__name__}: {err}")
        if path.exists():
            path.unlink()


def _commit(staging: Path, out_dir: Path) -> list[Path]:
    """Move the finished files from ``staging`` into ``out_dir`` as one step."""
    names = sorted(p.name for p in staging.iterdir())
    with signals_held():
        if not out_dir.exists():
            os.rename(staging, out_dir)
            return [out_dir / name for name in names]
        for stale in set(OUTPUT_FILES) - set(names):
            if (out_dir / stale).is_dir():
                shutil.rmtree(out_dir / stale)
            with contextlib.suppress(FileNotFoundError):
                (out_dir / stale).unlink()
        for name in names:
            target = out_dir / name
            if (staging / name).is_dir() and target.is_dir():
                shutil.rmtree(target)
            os.replace(staging / name, target)
    return [out_dir / name for name in names]


def _make_staging(out_dir: Path) -> Path:
    """A new hidden folder next to ``out_dir`` (normal permissions, unlike ``mkdtemp``)."""
    while True:
        staging = out_dir.parent / f".{out_dir.name}.{secrets.token_hex(4)}{STAGING_SUFFIX}"
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue


class StagedFolder:
    """A hidden folder next to ``out_dir`` to write into; :meth:`commit` moves its contents in.

    Use as a context manager: on leaving (normally or by an exception) the staging folder
    is removed, so only a committed set of files ever appears in ``out_dir``.
    """

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out_dir = Path(out_dir).absolute()
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise NotADirectoryError(f"{self.out_dir} exists and is not a folder")
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = _make_staging(self.out_dir)
        self.files: list[Path] = []

    def commit(self) -> list[Path]:
        """Move everything written into the staging folder to ``out_dir``."""
        self.files = _commit(self.path, self.out_dir)
        return self.files

    def __enter__(self) -> StagedFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


def write_outputs(
    plan: Plan,
    loaded: LoadedScenario,
    out_dir: str | os.PathLike[str],
    status_quo: Plan | None = None,
    warn: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write a plan's result files into ``out_dir`` as one complete set.

    Writes ``plan.json`` (with the reasons why students stay unplaced), ``schedule.csv``,
    ``shortages.csv``, ``shortage_weeks.csv``, ``utilisation.csv``, ``summary.md``,
    ``weekly_capacity.png``, ``shortage_cells.png``, ``reachable_capacity.png``, what changes per
    institution (``changes.csv``, ``changes.xlsx``, ``institutions/<institution-id>.md``,
    ``.csv`` and the printable calendar ``.html``) and, when the ``maps``
    package provides ``write_plan_map``, ``map.html``. Everything is first written to a
    hidden staging folder next to ``out_dir`` and then moved in; if anything fails (or the
    run is interrupted) before that, ``out_dir`` is left exactly as it was. Files of an
    earlier run that this run does not write (e.g. an old ``map.html``) are removed.

    Parameters
    ----------
    plan
        The plan to write.
    loaded
        Its scenario (for company sectors in the charts and for the map).
    out_dir
        The output folder (created if needed).
    status_quo
        The status-quo plan, for the charts and the comparison (optimise mode).
    warn
        Called with non-fatal problems (default: :func:`warnings.warn`).

    Returns
    -------
    list[Path]
        The files written.
    """
    warn = warn or (lambda message: warnings.warn(message, RuntimeWarning, stacklevel=3))
    with StagedFolder(out_dir) as staged:
        _write_files(plan, loaded, staged.path, status_quo, warn)
        return staged.commit()


def write_demo_outputs(
    plan: Plan,
    status_quo: Plan,
    loaded: LoadedScenario,
    out_dir: str | os.PathLike[str],
    warn: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the demo as one set: ``optimise/`` and ``status-quo/`` (each as :func:`write_outputs`) and
    ``summary.md`` comparing them (:func:`~planner.report.summary.demo_markdown`).

    Returns
    -------
    list[Path]
        The files and folders moved into ``out_dir``.
    """
    with StagedFolder(out_dir) as staged:
        write_outputs(plan, loaded, staged.path / "optimise", status_quo=status_quo, warn=warn)
        write_outputs(status_quo, loaded, staged.path / "status-quo", warn=warn)
        (staged.path / "summary.md").write_text(demo_markdown(plan, status_quo), encoding="utf-8")
        return staged.commit()

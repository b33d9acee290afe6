"""Files made from stored records: scenario side files, CSV tables, charts, maps, result sets.

Nothing here is a record: every file is regenerated on demand from the plan JSON and the
scenario version in the database, and cached under ``<data_dir>`` in folders named by a hash
of what they are made from, so two databases (or two servers) sharing a data folder never
serve each other's files, and a file is never stale:

* ``scenarios/<hash of the side files>/``: the side files a version refers to (travel
  matrix, GeoJSON), so the solver and the map find them next to the scenario;
* ``plans/<hash of plan, compared plan and scenario>/``: charts, maps and the full output
  set of a plan, one file per language (``map-nl.html``, ``map-en.html``): their texts are in
  the language of the request that asked for them, so the language is part of the file's name.

Files are written to a temporary name and renamed into place, so a reader never sees half a
file, and one lock per file keeps two requests from drawing the same chart twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from api.core.config import Settings
from api.errors import InvalidInput
from api.models import ScenarioVersionRow
from planner.i18n import _, current_language, use_language
from planner.plan.model import Plan
from planner.report import charts, institutions, summary, tables
from planner.report.output import write_outputs
from planner.scenario import LoadedScenario, Scenario
from planner.scenario.problems import InputProblem

CHARTS = {
    "weekly_capacity": "Weekly supervision demand against capacity per sector chamber",
    "shortage_cells": "Students without a place per stagebarometer cell (sector chamber x pathway x level)",
    "reachable_capacity": "Demand against the capacity within the travel limit, per sector chamber and level",
}
TABLES = ("schedule", "shortages", "shortage_weeks", "utilisation")
#: Part of every plan file's cache key: raised when the files' form changes (2: user text escaped in maps and
#: reports), so a server never serves files an older version wrote.
FILES_VERSION = "2"

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class Unavailable(Exception):
    """A generated file cannot be made because an optional part is not installed (HTTP 503)."""


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def _write_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def cached_file(path: Path, write: Callable[[Path], object]) -> Path:
    """``path``, written by ``write(tmp_path)`` first when it does not exist yet."""
    if path.is_file():
        return path
    with _lock(str(path)):
        if path.is_file():
            return path
        return _write_atomic(path, write)


# ------------------------------------------------------------------ scenarios


def scenario_dir(settings: Settings, version: ScenarioVersionRow) -> Path | None:
    """Folder holding a version's side files (None when it has none)."""
    from api.crud import version_files

    files = version_files(version)
    if not files:
        return None
    folder = (settings.data_dir / "scenarios" / content_key(json.dumps(files, sort_keys=True))).absolute()
    for name, text in files.items():
        safe = Path(name).name
        cached_file(folder / safe, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
    return folder


def loaded_scenario(settings: Settings, version: ScenarioVersionRow) -> LoadedScenario:
    """A stored version as the LoadedScenario the report and map functions expect."""
    from api.crud import version_document, version_warnings

    scenario = Scenario.model_validate(version_document(version))
    folder = scenario_dir(settings, version) or (settings.data_dir / "scenarios" / "no-files").absolute()
    warnings = [InputProblem(p["file"], p["where"], p["field"], p["message"]) for p in version_warnings(version)]
    return LoadedScenario(scenario, folder / "scenario.yaml", warnings)


# ------------------------------------------------------------------ plans


def content_key(*parts: str) -> str:
    """A folder name that changes whenever any of ``parts`` does (SHA-256, 32 hex digits)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _plan_dir(settings: Settings, plan: Plan, other: Plan | None, scenario: Scenario | None,
              plan_id: int) -> Path:
    """The cache folder of a plan's files: keyed by the plan, the plan it is compared with and the scenario."""
    key = content_key(FILES_VERSION, str(plan_id), plan.model_dump_json(), other.model_dump_json() if other else "",
                      scenario.model_dump_json() if scenario else "")
    return (settings.data_dir / "plans" / key).absolute()


def _translated(folder: Path, name: str, language: str) -> Path:
    """The cached file ``name`` in ``language``: ``map.html`` -> ``map-en.html``."""
    stem, dot, suffix = name.partition(".")
    return folder / f"{stem}-{language}{dot}{suffix}"


def table_csv(plan: Plan, table: str) -> str:
    """One of the CLI's CSV tables (schedule, shortages, shortage_weeks, utilisation) as text."""
    rows, columns = {
        "schedule": (tables.schedule_rows, tables.SCHEDULE_COLUMNS),
        "shortages": (tables.shortage_rows, tables.SHORTAGE_COLUMNS),
        "shortage_weeks": (tables.shortage_week_rows, tables.SHORTAGE_WEEK_COLUMNS),
        "utilisation": (tables.utilisation_rows, tables.UTILISATION_COLUMNS),
    }[table]
    return tables.csv_text(rows(plan), columns)


def summary_markdown(plan: Plan, status_quo: Plan | None, loaded: LoadedScenario | None = None) -> str:
    """The CLI's summary.md of a plan (against the status quo of the same solve when given).

    With the plan's scenario, also the changes per institution and why students stay unplaced.
    """
    if loaded is None:
        return summary.summary_markdown(plan, status_quo)
    return summary.summary_markdown(institutions.explained(plan, loaded), status_quo, scenario=loaded.scenario)


def changes_csv(plan: Plan, loaded: LoadedScenario, institution: str | None = None) -> str:
    """changes.csv of the plan (one institution's rows when given), as the command line writes it."""
    from planner.plan.changes import cohort_changes

    plan = institutions.explained(plan, loaded)
    rows = institutions.change_rows(cohort_changes(plan, loaded.scenario, institution), plan.reasons or {})
    return tables.csv_text(rows, institutions.CHANGE_COLUMNS)


def changes_xlsx(settings: Settings, plan_id: int, plan: Plan, loaded: LoadedScenario, language: str) -> Path:
    """changes.xlsx of the plan (a sheet for the region and one per institution), made once per language."""
    from planner.plan.changes import cohort_changes

    path = _translated(_plan_dir(settings, plan, None, loaded.scenario, plan_id), "changes.xlsx", language)

    def build(tmp: Path) -> None:
        explained = institutions.explained(plan, loaded)
        with use_language(language):
            rows = institutions.change_rows(cohort_changes(explained, loaded.scenario), explained.reasons or {})
            institutions.write_changes_xlsx(tmp, rows, [(i.id, i.name) for i in loaded.scenario.institutions])

    return cached_file(path, build)


def chart_png(settings: Settings, plan_id: int, plan: Plan, loaded: LoadedScenario, name: str,
              status_quo: tuple[int, Plan] | None, language: str | None = None) -> Path:
    """A chart of the plan as a PNG file, its texts in ``language`` (default: the current one); drawn
    once per language, then cached."""
    language = language or current_language()
    other = status_quo[1] if status_quo else None
    path = _translated(_plan_dir(settings, plan, other, loaded.scenario, plan_id), f"{name}.png", language)

    def build(tmp: Path) -> None:
        with use_language(language):
            if name == "weekly_capacity":
                charts.weekly_capacity_chart(plan, loaded.scenario, tmp, status_quo=other)
            elif name == "reachable_capacity":
                charts.reachable_capacity_chart(plan, loaded, tmp, status_quo=other)
            else:
                charts.shortage_cells_chart(plan, tmp, status_quo=other)

    return cached_file(path, build)


def map_html(settings: Settings, plan_id: int, plan: Plan, loaded: LoadedScenario,
             status_quo: tuple[int, Plan] | None, language: str | None = None) -> Path:
    """The plan's map as an HTML file, its texts in ``language`` (default: the current one); made once
    per language, then cached. With the status quo as a second view."""
    try:
        from maps import write_plan_map
    except ImportError as err:
        raise Unavailable(_("maps are not available on this server ({error})").format(error=err)) from None
    language = language or current_language()
    other = status_quo[1] if status_quo else None
    path = _translated(_plan_dir(settings, plan, other, loaded.scenario, plan_id), "map.html", language)
    return cached_file(path, lambda tmp: write_plan_map(plan, loaded, tmp, compare_with=other, lang=language))


def comparison_map_html(settings: Settings, a: tuple[int, Plan], b: tuple[int, Plan], loaded: LoadedScenario,
                        language: str | None = None) -> Path:
    """Map of the difference in shortage per area between plans a and b, in ``language`` (cached per language)."""
    try:
        from maps import write_comparison_map
        from maps.data import PlanDoesNotFit
    except ImportError as err:
        raise Unavailable(_("maps are not available on this server ({error})").format(error=err)) from None
    language = language or current_language()
    path = _translated(_plan_dir(settings, b[1], a[1], loaded.scenario, b[0]), "comparison-map.html", language)
    try:
        return cached_file(path, lambda tmp: write_comparison_map(a[1], b[1], loaded, tmp, lang=language))
    except PlanDoesNotFit as err:  # e.g. plans of two scenarios with other areas: no map can show both
        raise InvalidInput.one("a", _("plan {a} does not fit the map of plan {b}: {reason}").format(
            a=a[0], b=b[0], reason=err.reason_text()), where="query") from None


def outputs_zip(settings: Settings, plan_id: int, plan: Plan, loaded: LoadedScenario,
                status_quo: tuple[int, Plan] | None, language: str | None = None) -> Path:
    """The CLI's complete result set of the plan (planner.report.output.write_outputs) as a zip file,
    its texts (summary, charts, map, workbook) in ``language`` (default: the current one)."""
    language = language or current_language()
    other = status_quo[1] if status_quo else None
    folder = _plan_dir(settings, plan, other, loaded.scenario, plan_id)
    path = _translated(folder, f"plan-{plan_id}.zip", language)

    def build(tmp: Path) -> None:
        with use_language(language), tempfile.TemporaryDirectory(dir=folder) as work:
            out = Path(work) / "out"
            files = write_outputs(plan, loaded, out, status_quo=other, warn=lambda _message: None)
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(files):
                    inside = sorted(file.rglob("*")) if file.is_dir() else [file]
                    for part in inside:
                        if part.is_file():
                            archive.write(part, arcname=f"plan-{plan_id}/{part.relative_to(out).as_posix()}")

    folder.mkdir(parents=True, exist_ok=True)
    return cached_file(path, build)


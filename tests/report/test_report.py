"""Result files of a run: plan.json, CSV tables, summary.md, charts; atomic writing; comparison."""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
import types
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from planner.i18n import fmt_num, use_language
from planner.model import load_scenario
from planner.plan.analysis import compare_plans, hotspots
from planner.plan.model import Plan, load_plan
from planner.report import balance, charts
from planner.report import output as report
from planner.report.output import write_outputs
from planner.report.summary import comparison_markdown, summary_markdown
from planner.report.tables import (
    PHASE_TEXTS,
    SCHEDULE_COLUMNS,
    SHORTAGE_COLUMNS,
    SHORTAGE_WEEK_COLUMNS,
    UTILISATION_COLUMNS,
    phase_text,
)
from planner.solve import SolveParams, solve
from planner.solve.interrupt import signals_held

KPI_KEYS = {"students", "placed", "unplaced", "unplaced_priority", "shortage_rate", "objective", "bound", "gap",
            "solve_seconds", "mode"}
CORE_FILES = {"plan.json", "schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv", "summary.md",
              "weekly_capacity.png", "shortage_cells.png", "reachable_capacity.png", "changes.csv", "changes.xlsx",
              "institutions"}


@pytest.fixture(scope="module")
def solved(tiny_scenario_path):
    """The tiny scenario loaded from disk, its optimised plan and the status-quo plan of the same solve."""
    loaded = load_scenario(tiny_scenario_path)
    result = solve(loaded.scenario, SolveParams("optimise", time_limit=120, work_limit=4, work_nodes=200),
                   base_dir=loaded.base_dir)  # a work budget: the same plans however loaded the machine is
    return loaded, result.plan, result.baselines["status-quo"]


@pytest.fixture(scope="module")
def written(solved, tmp_path_factory):
    """Both plans written with write_outputs (maps package hidden)."""
    loaded, plan, status_quo = solved
    out = tmp_path_factory.mktemp("runs")
    saved = sys.modules.get("maps", "absent")
    sys.modules["maps"] = None  # type: ignore[assignment]
    try:
        optimised = write_outputs(plan, loaded, out / "optimise", status_quo=status_quo)
        current = write_outputs(status_quo, loaded, out / "status-quo")
    finally:
        if saved == "absent":
            del sys.modules["maps"]
        else:
            sys.modules["maps"] = saved
    return {"optimise": (out / "optimise", optimised, plan), "status-quo": (out / "status-quo", current, status_quo)}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def staging_leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(report.STAGING_SUFFIX) or p.name.endswith(".tmp")]


# ---------------------------------------------------------------- the files


def test_the_fixture_has_shortage_in_the_status_quo_and_less_when_optimised(solved):
    _, plan, status_quo = solved
    assert status_quo.kpis.unplaced > 0
    assert plan.kpis.unplaced < status_quo.kpis.unplaced
    assert plan.baselines["status-quo"].unplaced == status_quo.kpis.unplaced


def test_every_progress_phase_reads_in_dutch_and_english(solved):
    # Every phase a solve reports has a text: the progress line and the web page show it, not the code.
    _, plan, status_quo = solved
    phases = {event.phase for p in (plan, status_quo) for event in p.solver.progress}
    assert {"plan", "start", "exact part"} <= phases  # the company-level stage ran
    assert phases <= set(PHASE_TEXTS)
    with use_language("nl"):
        dutch = {phase: phase_text(phase) for phase in phases}
    with use_language("en"):
        english = {phase: phase_text(phase) for phase in phases}
    assert dutch["plan"] == "plan gecontroleerd" and english["plan"] == "plan checked"
    assert all(dutch[phase] != english[phase] for phase in phases)
    assert phase_text("3/10") == "3/10"  # a sweep's count is shown as it is


@pytest.mark.parametrize("mode", ["optimise", "status-quo"])
def test_write_outputs_writes_the_complete_set_and_nothing_else(written, mode):
    folder, files, _ = written[mode]
    assert {p.name for p in files} == CORE_FILES
    assert {p.name for p in folder.iterdir()} == CORE_FILES
    assert all(p.parent == folder.absolute() and (p.is_dir() or p.stat().st_size > 0) for p in files)
    assert staging_leftovers(folder.parent) == []


def test_plan_json_round_trips_with_the_kpis(written):
    folder, _, plan = written["optimise"]
    data = json.loads((folder / "plan.json").read_text())
    assert KPI_KEYS <= set(data["kpis"])
    assert data["kpis"]["mode"] == "optimise"
    assert set(data["baselines"]) == {"status-quo", "greedy"}
    assert Plan.model_validate(data) == plan
    assert load_plan(folder) == plan
    assert load_plan(folder / "plan.json") == plan


@pytest.mark.parametrize("mode", ["optimise", "status-quo"])
def test_schedule_csv_has_the_documented_columns_and_adds_up(written, mode):
    folder, _, plan = written[mode]
    columns, rows = read_csv(folder / "schedule.csv")
    assert columns == SCHEDULE_COLUMNS == ["cohort", "institution", "sector", "level", "pathway", "wave", "form",
                                           "start_week", "end_week", "students", "placed", "company"]
    bol = [r for r in rows if r["pathway"] == "BOL"]
    assert sum(int(r["placed"]) for r in bol) == plan.kpis.placed
    assert sum(int(r["students"]) for r in bol) == plan.kpis.students
    assert sum(int(r["students"]) - int(r["placed"]) for r in bol) == plan.kpis.unplaced
    for r in rows:
        # A placement row places all its students at a company; an unplaced row has no company.
        assert (r["company"] != "") == (r["placed"] == r["students"]) and (r["company"] == "") == (r["placed"] == "0")
    per_cohort = defaultdict(lambda: [0, 0])
    for r in rows:
        per_cohort[r["cohort"]][0] += int(r["students"])
        per_cohort[r["cohort"]][1] += int(r["placed"])
    assert per_cohort == {cp.cohort: [cp.students, cp.placed] for cp in plan.cohorts}
    bbl = [r for r in rows if r["pathway"] == "BBL"]
    assert bbl == [{**bbl[0], "cohort": "zorg-bbl", "company": "k1", "students": "2", "placed": "2"}]


def test_status_quo_schedule_has_rows_for_unplaced_students(written):
    _, rows = read_csv(written["status-quo"][0] / "schedule.csv")
    unplaced = [r for r in rows if r["company"] == ""]
    assert unplaced and all(r["placed"] == "0" and int(r["students"]) > 0 for r in unplaced)


@pytest.mark.parametrize("mode", ["optimise", "status-quo"])
def test_shortage_csv_student_column_sums_to_the_plans_unplaced_students(written, mode):
    folder, _, plan = written[mode]
    columns, rows = read_csv(folder / "shortages.csv")
    assert columns == SHORTAGE_COLUMNS == ["sector", "sector_name", "pathway", "level", "area", "unplaced_students",
                                           "student_weeks", "first_week", "last_week"]
    assert sum(int(r["unplaced_students"]) for r in rows) == plan.kpis.unplaced
    cells = [(r["sector"], r["pathway"], r["level"], r["area"]) for r in rows]
    assert len(cells) == len(set(cells))  # every cell once
    expected = defaultdict(int)
    for cp in plan.cohorts:
        expected[(cp.sector, cp.pathway, cp.level, cp.area)] += cp.unplaced
    assert {c: int(r["unplaced_students"]) for c, r in zip(cells, rows)} == {k: v for k, v in expected.items() if v}
    for r in rows:
        assert int(r["student_weeks"]) >= int(r["unplaced_students"]) > 0
        assert plan.weeks.index(r["first_week"]) <= plan.weeks.index(r["last_week"])
    if mode == "status-quo":
        assert rows and {r["sector_name"] for r in rows} <= {"Zorg, welzijn en sport", "Techniek en gebouwde omgeving"}


@pytest.mark.parametrize("mode", ["optimise", "status-quo"])
def test_shortage_weeks_csv_counts_student_weeks_per_week(written, mode):
    folder, _, plan = written[mode]
    columns, rows = read_csv(folder / "shortage_weeks.csv")
    assert columns == SHORTAGE_WEEK_COLUMNS == ["week", "sector", "sector_name", "pathway", "level", "area",
                                                "unplaced_students_in_week"]
    from_csv = defaultdict(int)
    for r in rows:
        assert int(r["unplaced_students_in_week"]) > 0 and r["week"] in plan.weeks
        from_csv[(r["sector"], r["pathway"], r["level"], r["area"])] += int(r["unplaced_students_in_week"])
    expected = defaultdict(int)
    for cp in plan.cohorts:
        for wave in cp.waves:
            if wave.students > wave.placed:
                expected[(cp.sector, cp.pathway, cp.level, cp.area)] += (wave.students - wave.placed) * len(wave.weeks)
    assert from_csv == expected
    _, cells = read_csv(folder / "shortages.csv")
    assert sum(int(r["student_weeks"]) for r in cells) == sum(from_csv.values())


def test_utilisation_csv_is_one_row_per_company_and_week(written, solved):
    folder, _, plan = written["optimise"]
    columns, rows = read_csv(folder / "utilisation.csv")
    assert columns == UTILISATION_COLUMNS == ["company", "area", "week", "capacity_student_days", "used_student_days",
                                              "utilisation"]
    scenario = solved[0].scenario
    assert len(rows) == len(scenario.companies) * len(plan.weeks)
    for r in rows:
        capacity, used = int(r["capacity_student_days"]), int(r["used_student_days"])
        assert 0 <= used <= capacity
        assert float(r["utilisation"]) == pytest.approx(used / capacity, abs=1e-4)
    k1_w37 = next(r for r in rows if r["company"] == "k1" and r["week"] == "2026-W37")
    assert int(k1_w37["capacity_student_days"]) == 50 and int(k1_w37["used_student_days"]) >= 4  # BBL: 2 students x 2 days


def png_checks(path: Path) -> None:
    import matplotlib.image as mpimg

    assert path.stat().st_size > 20_000
    image = mpimg.imread(path)
    assert image.ndim == 3 and image.shape[0] >= 300 and image.shape[1] >= 800
    rgb = image[..., :3]
    assert float(rgb.std()) > 0.05
    colours = np.unique((rgb.reshape(-1, 3) * 255).astype(np.uint8), axis=0)
    assert len(colours) > 50
    # The chart colours are really drawn: the plan's blue, and the status quo's orange.
    return colours


@pytest.mark.parametrize("name", ["weekly_capacity.png", "shortage_cells.png", "reachable_capacity.png"])
def test_charts_are_real_pictures_with_both_series(written, name):
    colours = png_checks(written["optimise"][0] / name)
    as_set = {tuple(c) for c in colours}
    assert (0x1F, 0x5F, 0xA8) in as_set or name == "shortage_cells.png"  # optimised has no shortage bars here
    assert (0xD9, 0x82, 0x2B) in as_set


def test_weekly_demand_and_capacity_per_sector(solved):
    loaded, plan, status_quo = solved
    demand = balance.weekly_demand(status_quo)
    index = plan.weeks.index("2026-W40")
    # Status quo: care level 3 (30) and level 2 (20) students full time in W40, BBL 2 students x 2 days.
    assert demand["zorg"][index] == (30 + 20) * 5 + 2 * 2
    assert demand["techniek"][index] == 15 * 5
    capacity = balance.weekly_capacity(plan, loaded.scenario)
    assert capacity["zorg"][index] == (10 + 8) * 5 and capacity["techniek"][index] == 5 * 5
    # Every student's supervision days are counted once (a line form may take fewer days than a block).
    from planner.scenario import InternshipForm

    for p in (plan, status_quo):
        expected = sum(w.students * InternshipForm.parse(w.form).student_days for cp in p.cohorts for w in cp.waves)
        assert sum(d.sum() for d in balance.weekly_demand(p).values()) == expected


def test_summary_md_has_kpis_baselines_cells_hotspots_solver_and_explanation_in_dutch(written):
    text = (written["optimise"][0] / "summary.md").read_text()
    plan, status_quo = written["optimise"][2], written["status-quo"][2]
    for heading in ("# Stageplan: test (geoptimaliseerd plan)", "## Kerncijfers naast de vergelijkingsplannen",
                    "## Tekort per sectorkamer en niveau", "## Grootste knelpunten", "## Solver", "## Toelichting"):
        assert heading in text
    assert "| maat | geoptimaliseerd plan | status quo | wie het eerst komt |" in text
    assert f"| zonder stageplaats (tekort) | {plan.kpis.unplaced} | {status_quo.kpis.unplaced} |" in text
    assert "| Zorg, welzijn en sport | niveau 2 | 20 |" in text
    assert f"| bewezen ondergrens | {fmt_num(plan.kpis.bound, 3)} |" in text and "," in fmt_num(plan.kpis.bound, 3)
    assert "studenten meer een stageplaats dan met de huidige periodes" in text
    for english in ("Internship plan", "Key figures", "students", "unplaced", "Explanation"):
        assert english not in text
    sq_text = (written["status-quo"][0] / "summary.md").read_text()
    assert "| gebied | sectorkamer | niveau | weken | studenten zonder stageplaats |" in sq_text
    top = hotspots(status_quo, 1)[0]
    assert f"| {top['area']} | {top['sector_name']} |" in sq_text


def test_summary_md_says_where_its_figures_come_from(solved):
    """A scenario built from open data says which figures are real (Bron: DUO) and which generated; the summary
    repeats it under its title, escaped like every user text."""
    loaded, plan, status_quo = solved
    told = loaded.scenario.model_copy(update={"description": "Echte vraag (Bron: DUO); gegenereerd <b>aanbod</b>"})
    text = summary_markdown(plan, status_quo, scenario=told)
    assert "Gegevens: Echte vraag (Bron: DUO); gegenereerd" in text and "<b>" not in text
    assert "Gegevens:" not in summary_markdown(plan, status_quo,
                                               scenario=loaded.scenario.model_copy(update={"description": ""}))


def test_summary_md_in_english_on_request(solved):
    loaded, plan, status_quo = solved
    with use_language("en"):
        text = summary_markdown(plan, status_quo)
        top = hotspots(status_quo, 1)[0]
        sq_text = summary_markdown(status_quo)
    for heading in ("# Internship plan: test (optimised plan)", "## Key figures compared with the baselines",
                    "## Shortage by sector chamber and level", "## Top hotspots", "## Solver", "## Explanation"):
        assert heading in text
    assert "| measure | optimised plan | status quo | first come, first served |" in text
    assert f"| unplaced (shortage) | {plan.kpis.unplaced} | {status_quo.kpis.unplaced} |" in text
    assert "| Care, welfare and sport | level 2 | 20 |" in text
    assert f"| proven lower bound | {plan.kpis.bound:,.3f} |" in text
    assert "more students than the current periods" in text
    assert "| area | sector chamber | level | weeks | unplaced students |" in sq_text
    assert f"| {top['area']} | {top['sector_name']} |" in sq_text


def test_hotspots_are_ranked_by_cell_with_their_weeks(solved):
    _, _, status_quo = solved
    spots = hotspots(status_quo, 10)
    assert 0 < len(spots) <= 10
    assert [s["unplaced"] for s in spots] == sorted((s["unplaced"] for s in spots), reverse=True)
    assert set(spots[0]) == {"area", "sector", "sector_name", "level", "unplaced", "student_weeks", "first_week",
                             "last_week", "weeks"}
    cells = [(s["area"], s["sector"], s["level"]) for s in spots]
    assert len(cells) == len(set(cells)), "a cell is repeated"
    assert sum(s["unplaced"] for s in hotspots(status_quo, 1000)) == status_quo.kpis.unplaced
    for s in spots:
        assert s["weeks"] == sorted(s["weeks"], key=status_quo.weeks.index)
        assert (s["first_week"], s["last_week"]) == (s["weeks"][0], s["weeks"][-1])
        assert s["student_weeks"] == sum(c.unplaced for c in status_quo.shortages
                                         if (c.area, c.sector, c.level) == (s["area"], s["sector"], s["level"]))


# ---------------------------------------------------------------- atomic writing


def test_a_failing_writer_leaves_no_folder_and_no_half_file(solved, tmp_path, monkeypatch, no_maps):
    loaded, plan, status_quo = solved

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(charts, "shortage_cells_chart", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_outputs(plan, loaded, tmp_path / "out", status_quo=status_quo)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failing_run_leaves_the_previous_results_untouched(solved, tmp_path, monkeypatch, no_maps, failure):
    loaded, plan, status_quo = solved
    out = tmp_path / "out"
    write_outputs(status_quo, loaded, out)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(charts, "weekly_capacity_chart", broken)
    with pytest.raises(type(failure)):
        write_outputs(plan, loaded, out, status_quo=status_quo)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert staging_leftovers(tmp_path) == []


def test_a_new_run_replaces_every_file_of_the_old_one(solved, tmp_path, no_maps):
    loaded, plan, status_quo = solved
    out = tmp_path / "out"
    out.mkdir()
    (out / "map.html").write_text("old map")
    (out / "plan.json").write_text("old")
    (out / "notes.txt").write_text("the user's own file")
    write_outputs(plan, loaded, out, status_quo=status_quo)
    assert {p.name for p in out.iterdir()} == CORE_FILES | {"notes.txt"}
    assert load_plan(out) == plan
    assert (out / "notes.txt").read_text() == "the user's own file"


def test_the_output_path_must_not_be_a_file(solved, tmp_path):
    loaded, plan, _ = solved
    (tmp_path / "out").write_text("x")
    with pytest.raises(NotADirectoryError):
        write_outputs(plan, loaded, tmp_path / "out")


def test_signals_are_held_while_files_are_moved_in(python_ctrl_c):
    hits = []
    with pytest.raises(KeyboardInterrupt):
        with signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            hits.append("still running")
    assert hits == ["still running"]


def test_a_held_sigterm_reaches_its_handler_afterwards():
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        hits = []
        with pytest.raises(Stop):
            with signals_held():
                os.kill(os.getpid(), signal.SIGTERM)
                hits.append("still running")
        assert hits == ["still running"]
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------- the map (optional package)


def test_the_map_is_written_by_the_maps_package_when_present(solved, tmp_path, monkeypatch):
    loaded, plan, status_quo = solved
    calls = []

    def write_plan_map(plan_arg, loaded_arg, path, compare_with=None):
        calls.append((plan_arg.mode, loaded_arg is loaded, compare_with.mode if compare_with else None))
        Path(path).write_text("<html>map</html>")

    monkeypatch.setitem(sys.modules, "maps", types.SimpleNamespace(write_plan_map=write_plan_map))
    files = write_outputs(plan, loaded, tmp_path / "out", status_quo=status_quo)
    assert "map.html" in {p.name for p in files}
    assert calls == [("optimise", True, "status-quo")]


def test_a_broken_map_is_reported_and_the_rest_is_written(solved, tmp_path, monkeypatch):
    loaded, plan, _ = solved

    def write_plan_map(plan_arg, loaded_arg, path, compare_with=None):
        Path(path).write_text("<html>half")
        raise ValueError("no polygons")

    monkeypatch.setitem(sys.modules, "maps", types.SimpleNamespace(write_plan_map=write_plan_map))
    warnings = []
    files = write_outputs(plan, loaded, tmp_path / "out", warn=warnings.append)
    assert {p.name for p in files} == CORE_FILES
    assert warnings == ["map.html not written: ValueError: no polygons"]


# ---------------------------------------------------------------- comparison


def test_compare_shows_the_cells_and_areas_that_got_better(solved):
    _, plan, status_quo = solved
    result = compare_plans(status_quo, plan)
    json.dumps(result)
    cells = {(c["sector"], c["pathway"], c["level"]): c for c in result["cells"]}
    assert cells[("zorg", "BOL", "2")]["unplaced_a"] == next(
        c.unplaced for c in status_quo.kpis.by_cell if (c.sector, c.level) == ("zorg", "2"))
    assert all(c["diff"] == c["unplaced_b"] - c["unplaced_a"] for c in result["cells"])
    assert {c["change"] for c in result["cells"]} <= {"better", "same"}
    assert any(c["change"] == "better" for c in result["cells"])
    assert result["areas"] == [{"area": "Enschede", "students_a": 65, "students_b": 65,
                                "unplaced_a": status_quo.kpis.unplaced, "unplaced_b": plan.kpis.unplaced,
                                "diff": plan.kpis.unplaced - status_quo.kpis.unplaced, "change": "better"}]
    kpis = {k["name"]: k for k in result["kpis"]}
    assert kpis["unplaced"]["diff"] == plan.kpis.unplaced - status_quo.kpis.unplaced
    reverse = compare_plans(plan, status_quo)
    assert any(c["change"] == "worse" for c in reverse["cells"])
    text = comparison_markdown(status_quo, plan, "status quo", "optimised")
    assert "| Zorg, welzijn en sport | BOL | niveau 2 |" in text and "| beter |" in text


def test_load_plan_reports_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder holds no plan.json"):
        load_plan(tmp_path)
    with pytest.raises(FileNotFoundError, match="file does not exist"):
        load_plan(tmp_path / "plan.json")
    (tmp_path / "plan.json").write_text('{"not": "a plan"}')
    with pytest.raises(ValueError, match="is not a plan.json written by stageplanner"):
        load_plan(tmp_path)

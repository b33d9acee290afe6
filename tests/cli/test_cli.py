"""The stageplanner command line: every command, exit codes, messages, and interrupted runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import yaml
from typer.testing import CliRunner

from planner import bench, cli
from planner.commands import solve as solve_commands
from planner.generate import generate_scenario, write_generated
from planner.i18n import use_language
from planner.model import load_scenario
from planner.plan.model import load_plan
from planner.report.output import STAGING_SUFFIX
from planner.scenario import ScenarioError
from planner.solve import runner as solve_runner
from tests.builders import cohort, company, scenario_dict

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
CORE_FILES = {"plan.json", "schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv", "summary.md",
              "weekly_capacity.png", "shortage_cells.png", "reachable_capacity.png", "changes.csv", "changes.xlsx",
              "institutions"}
KPI_KEYS = {"students", "placed", "unplaced", "unplaced_priority", "shortage_rate", "objective", "bound", "gap",
            "solve_seconds", "mode"}

# The tiny test scenario has a cohort of two students: the privacy check warns about it.
SMALL_COHORT_WARNING = ("warning: scenario.yaml cohorts[3], students: 2 student(s): a cohort this small can identify "
                        "a person; merge it with a similar cohort where you can (at least 5)")
SMALL_COHORT_WARNING_NL = ("waarschuwing: scenario.yaml cohorts[3], students: 2 student(en): een cohort zo klein kan "
                           "een persoon herkenbaar maken; voeg het waar mogelijk samen met een vergelijkbaar cohort "
                           "(minstens 5)")
# A scenario whose companies list no recognitions is matched by sector chamber and level: validate says so first.
SECTOR_RULE_WARNING = ("warning: scenario.yaml, recognitions: no learning company lists recognitions: companies are "
                       "matched by sector chamber and level, not per qualification (crebo)")
SECTOR_RULE_WARNING_NL = ("waarschuwing: scenario.yaml, recognitions: geen leerbedrijf noemt erkenningen: leerbedrijven "
                          "worden gekoppeld op sectorkamer en niveau, niet per kwalificatie (crebo)")


def invoke(*args: str, lang: str = "en"):
    """Run the command line in-process; in English unless ``lang`` says otherwise (Dutch is the default).

    The language the command sets ends with it, also when a module-scoped fixture invokes it.
    """
    prefix = ["--lang", lang] if lang else []
    with use_language("nl"):
        return runner.invoke(cli.app, prefix + [str(a) for a in args], catch_exceptions=False)


def result_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} - {"map.html"}  # the map comes from the optional maps package


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(STAGING_SUFFIX) or p.name.endswith(".tmp")]


def bad_scenario(folder: Path, lang: str = "en") -> tuple[Path, list[str]]:
    """A scenario with several problems in two tables; returns its path and the exact messages in ``lang``."""
    document = scenario_dict([cohort("a"), cohort("b")], [company("k")])
    document["cohorts"][0].update(students=-5, sector="zorgg")
    document["cohorts"][1].update(crebo="123")
    document["companies"][0].update(levels=["niveau 5"])
    path = folder / "bad.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    expected = [
        "bad.yaml cohorts[0], sector: 'zorgg' is not one of zorg, techniek, handel, mobiliteit, specialistisch, "
        "zakelijk, voedsel, ict, entree (did you mean 'zorg'?)",
        "bad.yaml cohorts[0], students: -5 must be at least 1",
        "bad.yaml cohorts[1], crebo: '123' is not a five-digit crebo code",
        "bad.yaml companies[0], levels[0]: 'niveau 5' is not one of entree, 2, 3, 4",
    ]
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    with use_language("en"):
        assert sorted(str(p) for p in caught.value.problems) == sorted(expected)
    with use_language(lang), pytest.raises(ScenarioError) as caught:
        load_scenario(path)  # messages are written when the input is read, in the language of that moment
    with use_language(lang):
        return path, [str(p) for p in caught.value.problems]


@pytest.fixture(scope="module")
def solved_run(tiny_scenario_path, tmp_path_factory):
    """`stageplanner solve` on the tiny scenario (optimise mode), run once for several tests."""
    out = tmp_path_factory.mktemp("cli") / "optimise"
    result = invoke("solve", tiny_scenario_path, "--out", out, "--time-limit", 60)
    return result, out


# ---------------------------------------------------------------- solve


def test_solve_writes_the_result_set_and_prints_the_tables(solved_run):
    result, out = solved_run
    assert result.exit_code == 0, result.output
    assert result_files(out) == CORE_FILES
    plan = load_plan(out)
    assert plan.mode == "optimise" and KPI_KEYS <= set(json.loads((out / "plan.json").read_text())["kpis"])
    text = result.stdout
    for expected in ("key figures", "optimised plan", "status quo", "Shortage by sector chamber and level",
                     "Care, welfare and", "level 2", "Results in", "plan.json", "weekly_capacity.png"):
        assert expected in text
    # Progress display (on stderr): the status-quo solve and the optimised solve with bound and best plan.
    assert "Solving: best = weighted shortage of the best plan so far" in result.stderr
    assert re.search(r"optimised plan .*best [\d,.]+ \| bound [\d,.]+ \| gap [\d.]+%", result.stderr)


def test_solve_in_optimise_mode_also_solves_the_status_quo_for_the_charts(solved_run):
    _, out = solved_run
    plan = load_plan(out)
    summary = (out / "summary.md").read_text()
    sq = plan.baselines["status-quo"]
    assert sq.unplaced > plan.kpis.unplaced
    assert f"| unplaced (shortage) | {plan.kpis.unplaced} | {sq.unplaced} |" in summary


def test_solve_json_prints_only_the_kpis(tiny_scenario_path, tmp_path):
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--json", "--time-limit", 10,
                    "--mode", "greedy")
    assert result.exit_code == 0
    kpis = json.loads(result.stdout)
    assert KPI_KEYS <= set(kpis) and kpis["mode"] == "greedy"
    assert kpis == json.loads((tmp_path / "out" / "plan.json").read_text())["kpis"]
    assert "bound" not in result.stderr  # no progress display


def test_solve_takes_the_wave_rules_and_writes_the_tradeoff(tiny_scenario_path, tmp_path):
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--quiet", "--time-limit", 10,
                    "--min-wave", 3, "--wave-gap", 1, "--tradeoff")
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "out")
    assert (plan.wave_rules.min_wave_students, plan.wave_rules.min_weeks_between_waves) == (3, 1)
    assert plan.tradeoff and plan.tradeoff[0].max_changed == 0
    assert plan.tradeoff[-1].max_changed == plan.kpis.cohorts_changed
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "What moving cohorts gains (trade-off)" in summary and "(tradeoff.png)" in summary
    assert "hold at least 3 students and start at least 1 weeks apart" in summary
    assert (tmp_path / "out" / "tradeoff.png").stat().st_size > 0
    wrong = invoke("solve", tiny_scenario_path, "--out", tmp_path / "x", "--min-wave", -1)
    assert wrong.exit_code == 2


def test_solve_prints_the_tradeoff_with_each_points_bound_and_gap(tiny_scenario_path, tmp_path):
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--time-limit", 10, "--tradeoff")
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "out")
    printed = result.stdout[result.stdout.index("What moving cohorts gains (trade-off)"):]
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "| weighted shortage | proven lower bound | gap |" in summary
    for point in plan.tradeoff:
        assert point.gap == pytest.approx(max(0.0, point.shortage - point.bound) / max(point.shortage, 1.0))
        row = (f"| {point.max_changed} | {point.changed} | {point.moved} | {point.unplaced} | {point.shortage:.1f} | "
               f"{point.bound:.1f}{'' if point.optimal else ' *'} | {point.gap:.2%} |")
        assert row in summary, row
        assert f"{point.bound:,.1f}{'' if point.optimal else ' *'} │ {point.gap:.2%} │" in printed


def test_solve_with_a_work_budget_gives_the_same_plan_twice(tiny_scenario_path, tmp_path):
    runs = [invoke("solve", tiny_scenario_path, "--out", tmp_path / name, "--quiet", "--mode", "status-quo",
                   "--work-limit", 1, "--time-limit", 300) for name in ("a", "b")]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    a, b = load_plan(tmp_path / "a"), load_plan(tmp_path / "b")
    assert "work budget 1 neighbourhoods" in a.solver.status
    assert a.cohorts == b.cohorts and a.kpis.objective == b.kpis.objective
    assert invoke("solve", tiny_scenario_path, "--out", tmp_path / "x", "--work-limit", 0).exit_code == 2


def test_solve_quiet_prints_nothing(tiny_scenario_path, tmp_path):
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--quiet", "--mode", "status-quo",
                    "--time-limit", 5, "--seed", 3)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""
    plan = load_plan(tmp_path / "out")
    assert plan.mode == "status-quo" and plan.solver.seed == 3
    assert result_files(tmp_path / "out") == CORE_FILES


def test_solve_rejects_bad_input_with_every_message_and_exit_2(tmp_path):
    path, expected = bad_scenario(tmp_path)
    result = invoke("solve", path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == expected
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_solve_reports_a_missing_file_with_exit_2(tmp_path):
    result = invoke("solve", tmp_path / "nope.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{tmp_path / 'nope.yaml'}: file does not exist"]


def test_solve_refuses_an_output_path_that_is_a_file(tiny_scenario_path, tmp_path):
    (tmp_path / "out").write_text("x")
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [SMALL_COHORT_WARNING, f"{tmp_path / 'out'}: exists and is not a folder"]


def test_an_internal_error_exits_1_with_a_short_message(tiny_scenario_path, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the solver broke\nwith details")

    monkeypatch.setattr(solve_runner, "solve_watched", broken)
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["error: RuntimeError: the solver broke",
                                          "(run again with --debug for the full traceback)"]
    assert "Traceback" not in result.output
    result = invoke("solve", tiny_scenario_path, "--out", tmp_path / "out", "--quiet", "--debug")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr and "RuntimeError: the solver broke" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- validate


def test_validate_accepts_a_good_scenario(tiny_scenario_path):
    result = invoke("validate", tiny_scenario_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        SECTOR_RULE_WARNING, SMALL_COHORT_WARNING,
        f"{tiny_scenario_path}: OK (4 cohorts, 67 students, 3 learning companies, 16 weeks, 2 warnings)"]


def test_validate_lists_every_problem_and_exits_2(tmp_path):
    path, expected = bad_scenario(tmp_path)
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == expected
    assert result.stderr.splitlines() == ["4 problems found"]


def test_validate_prints_warnings_and_exits_0(tmp_path):
    document = scenario_dict([cohort("a"), cohort("shop", sector="handel")], [company("k")])
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [SECTOR_RULE_WARNING, (
        "warning: scenario.yaml cohorts[1]: no learning company accepts sector handel level 3 within 45 minutes "
        "by pt; all 10 students will be short")]
    assert result.stdout.splitlines()[2].endswith("OK (2 cohorts, 20 students, 1 learning companies, 16 weeks, 2 warnings)")


def test_validate_reports_a_missing_file(tmp_path):
    result = invoke("validate", tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"{tmp_path / 'missing.yaml'}: file does not exist"]


# ---------------------------------------------------------------- compare


@pytest.fixture(scope="module")
def status_quo_run(tiny_scenario_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "status-quo"
    result = invoke("solve", tiny_scenario_path, "--out", out, "--mode", "status-quo", "--time-limit", 60, "--quiet")
    assert result.exit_code == 0
    return out


def test_compare_shows_kpis_and_the_cells_that_got_better(solved_run, status_quo_run):
    _, optimised = solved_run
    result = invoke("compare", status_quo_run, optimised / "plan.json")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Key figures (A against B)" in text and "unplaced (shortage)" in text
    assert "Stagebarometer cells (sector chamber x pathway x level) that changed" in text
    assert "Areas (students' school location) that changed" in text
    assert "better" in text and "worse" not in text
    assert "Enschede" in text
    reverse = invoke("compare", optimised, status_quo_run)
    assert "worse" in reverse.stdout and "better" not in reverse.stdout.replace("B - A", "")


def test_compare_json(solved_run, status_quo_run):
    _, optimised = solved_run
    result = invoke("compare", status_quo_run, optimised, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    a, b = load_plan(status_quo_run), load_plan(optimised)
    assert data["a"]["mode"] == "status-quo" and data["b"]["mode"] == "optimise"
    unplaced = next(k for k in data["kpis"] if k["name"] == "unplaced")
    assert (unplaced["a"], unplaced["b"], unplaced["diff"]) == (a.kpis.unplaced, b.kpis.unplaced,
                                                               b.kpis.unplaced - a.kpis.unplaced)
    care2 = next(c for c in data["cells"] if (c["sector"], c["level"]) == ("zorg", "2"))
    assert care2["change"] == "better" and care2["unplaced_b"] < care2["unplaced_a"]
    assert data["areas"][0]["area"] == "Enschede" and data["areas"][0]["change"] == "better"


def test_compare_reports_missing_and_foreign_plans_with_exit_2(tmp_path, solved_run):
    _, optimised = solved_run
    (tmp_path / "plan.json").write_text("{}")
    result = invoke("compare", tmp_path / "nowhere", tmp_path / "plan.json")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{tmp_path / 'nowhere'}: file does not exist"
    assert lines[1].startswith(f"{tmp_path / 'plan.json'}: is not a plan.json written by stageplanner")
    assert len(lines) == 2
    result = invoke("compare", tmp_path / "plan.json", tmp_path, "--json")
    assert result.exit_code == 2 and result.stdout == ""


# ---------------------------------------------------------------- generate, bench, serve


def test_generate_writes_a_scenario_that_validates(tmp_path):
    out = tmp_path / "gen" / "scenario.yaml"
    result = invoke("generate", "--size", "s", "--seed", 7, "--out", out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and (out.parent / "cohorts.csv").is_file() and (out.parent / "companies.csv").is_file()
    assert f"wrote {out}" in result.stdout
    assert invoke("validate", out).exit_code == 0


def test_generate_an_unknown_region_exits_2_and_names_it(tmp_path):
    result = invoke("generate", "--size", "S", "--region", "Atlantis", "--out", tmp_path / "s.yaml")
    assert result.exit_code == 2
    assert "Atlantis" in result.stderr
    assert not (tmp_path / "s.yaml").exists()


def test_generate_a_named_region(tmp_path):
    out = tmp_path / "gen" / "scenario.yaml"
    result = invoke("generate", "--size", "S", "--region", "Twente", "--seed", 7, "--out", out)
    assert result.exit_code == 0, result.output
    assert invoke("validate", out).exit_code == 0


def test_bench_passes_its_options_to_the_benchmark(monkeypatch, tmp_path):
    calls = []

    def run_bench(instances, out_dir, time_limit=None, seed=2026, methods=None, modes=None, progress=None):
        calls.append((instances, out_dir, time_limit, seed, methods, modes))
        progress(bench.BenchRow("S", "optimise", "stageplanner", 5.0, "optimal", plan=12.0, bound=12.0, seconds=3.2))
        return []

    monkeypatch.setattr(bench, "run_bench", run_bench)
    result = invoke("bench", "--instance", "S", "--size", "M", "--time-limit", 5, "--mode", "optimise", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert calls == [(["S", "M"], tmp_path, 5.0, 2026, None, ["optimise"])]
    assert "S optimise, stageplanner: plan 12.0, bound 12.0" in result.stdout
    invoke("bench", "--seed", 9, "--method", "stageplanner")
    assert calls[-1] == (["twente", "S"], Path("bench-out"), None, 9, ["stageplanner"], None)


def test_bench_rejects_an_unknown_instance_with_what_is_allowed(tmp_path):
    result = invoke("bench", "--instance", "XL", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--instance 'XL': allowed are twente, S, M, L" in result.stderr


def test_serve_runs_the_api(monkeypatch):
    import api.main

    calls = []
    monkeypatch.setattr(api.main, "serve", lambda **kwargs: calls.append(kwargs))
    result = invoke("serve", "--port", 8765)
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "127.0.0.1", "port": 8765}]


def test_serve_with_a_bad_setting_exits_2_naming_it(monkeypatch):
    monkeypatch.setenv("STAGEPLANNER_MAX_CONCURRENT_SOLVES", "0")
    result = invoke("serve", "--port", 8765)
    assert result.exit_code == 2
    assert "STAGEPLANNER_MAX_CONCURRENT_SOLVES" in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- demo


def test_default_scenario_is_the_embedded_twente_scenario():
    # Package data: the repository's scenarios/ folder, reached through the planner package.
    path = solve_commands.default_scenario_path()
    assert path.parent.parent.parent.name == "planner"
    assert path.resolve() == (REPO / "scenarios" / "twente" / "scenario.yaml").resolve()


def test_demo_writes_both_plans_and_a_comparison(monkeypatch, tiny_scenario_path, tmp_path):
    monkeypatch.setattr(solve_commands, "default_scenario_path", lambda: tiny_scenario_path)
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--time-limit", 10)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"optimise", "status-quo", "summary.md"}
    assert result_files(out / "optimise") == CORE_FILES == result_files(out / "status-quo")
    optimised, status_quo = load_plan(out / "optimise"), load_plan(out / "status-quo")
    assert (optimised.mode, status_quo.mode) == ("optimise", "status-quo")
    assert (optimised.baselines["status-quo"].model_dump(exclude={"solve_seconds"})
            == status_quo.kpis.model_dump(exclude={"solve_seconds"}))
    summary = (out / "summary.md").read_text()
    assert "| measure | status quo | optimised plan | difference |" in summary
    assert f"| unplaced (shortage) | {status_quo.kpis.unplaced} | {optimised.kpis.unplaced} |" in summary
    assert "better" in summary
    assert str(out / "status-quo") in result.stdout.replace("\n", "")
    assert leftovers(tmp_path) == []


def test_demo_on_the_default_scenario(tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--time-limit", 15)  # the demo's own limit is 60 s
    assert result.exit_code == 0, result.output
    plan = load_plan(out / "optimise")
    assert plan.kpis.students > 1000 and len(plan.cohorts) >= 50
    assert plan.kpis.unplaced <= plan.baselines["status-quo"].unplaced
    assert (out / "summary.md").is_file() and (out / "optimise" / "weekly_capacity.png").stat().st_size > 50_000


# ---------------------------------------------------------------- as a real program


def test_solve_as_a_subprocess(tiny_scenario_path, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "planner.cli", "solve", str(tiny_scenario_path), "--out", str(out),
                           "--json", "--time-limit", "10"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads((out / "plan.json").read_text())["kpis"]
    assert result_files(out) == CORE_FILES
    assert "Traceback" not in done.stderr


def console_script() -> Path:
    script = Path(sys.executable).parent / "stageplanner"
    assert script.is_file(), "the stageplanner console script is not installed (pip install -e .)"
    return script


def test_validate_as_a_subprocess(tmp_path, tiny_scenario_path):
    path, expected = bad_scenario(tmp_path, lang="nl")  # a new process speaks Dutch
    done = subprocess.run([str(console_script()), "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout.splitlines() == expected
    done = subprocess.run([str(console_script()), "validate", str(tiny_scenario_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines() == [  # Dutch: the default language
        SECTOR_RULE_WARNING_NL, SMALL_COHORT_WARNING_NL,
        f"{tiny_scenario_path}: OK (4 cohorten, 67 studenten, 3 leerbedrijven, 16 weken, 2 waarschuwingen)"]


def test_bad_input_as_a_subprocess_exits_2(tmp_path):
    path, expected = bad_scenario(tmp_path, lang="nl")  # a new process speaks Dutch
    done = subprocess.run([str(console_script()), "solve", str(path), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == expected


# ---------------------------------------------------------------- interrupted runs


@pytest.fixture(scope="module")
def big_scenario(tmp_path_factory) -> Path:
    """A generated region (size S) that takes the solver more than a few seconds."""
    folder = tmp_path_factory.mktemp("big")
    return Path(write_generated(generate_scenario("S", 11), folder / "scenario.yaml"))


def solver_children(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


def start_and_interrupt(scenario: Path, out: Path, send, delay: float) -> tuple[subprocess.CompletedProcess, list]:
    """Start `stageplanner solve` in its own process group; ``delay`` s after the solver process exists, call ``send``."""
    process = subprocess.Popen([sys.executable, "-m", "planner.cli", "solve", str(scenario), "--out", str(out),
                                "--time-limit", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while not children and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
            children = solver_children(process.pid)
        assert children, "the solver process did not start"
        time.sleep(delay)
        assert process.poll() is None, "the solve finished before it could be interrupted"
        send(process)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        for child in children:  # never leave a solver behind, even when the test fails
            if child.is_running():
                child.kill()
        if process.returncode is None:
            process.communicate(timeout=10)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), children


def assert_stopped(children: list[psutil.Process]) -> None:
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []


def assert_no_traceback(stderr: str) -> None:
    for sign in ("Traceback", "KeyboardInterrupt", "Exception ignored"):
        assert sign not in stderr, stderr


def test_ctrl_c_during_the_solve_stops_everything_and_writes_nothing(big_scenario, tmp_path):
    out = tmp_path / "out"
    # Ctrl-C in a terminal signals the whole foreground process group.
    done, children = start_and_interrupt(big_scenario, out, lambda p: os.killpg(p.pid, signal.SIGINT), delay=2.0)
    assert done.returncode == 130, done.stderr
    assert done.stderr.splitlines()[-1] == "onderbroken: de run is gestopt; er zijn geen halve resultaten geschreven"
    assert_no_traceback(done.stderr)  # neither this process nor the solver process prints one
    assert not out.exists()
    assert leftovers(tmp_path) == []
    assert_stopped(children)


def test_sigterm_during_the_solve_keeps_the_previous_results(big_scenario, tiny_scenario_path, tmp_path, solved_run):
    _, previous = solved_run
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    done, children = start_and_interrupt(big_scenario, out, lambda p: p.send_signal(signal.SIGTERM), delay=2.0)
    assert done.returncode == 143, done.stderr
    assert done.stderr.splitlines()[-1] == "beëindigd: de run is gestopt; er zijn geen halve resultaten geschreven"
    assert_no_traceback(done.stderr)
    assert {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert leftovers(tmp_path) == [] and leftovers(out) == []
    assert_stopped(children)


def test_ctrl_c_while_the_solver_process_starts_stops_everything(big_scenario, tmp_path):
    # The solver process exists but is still importing and receiving the scenario.
    done, children = start_and_interrupt(big_scenario, tmp_path / "out", lambda p: os.killpg(p.pid, signal.SIGINT),
                                         delay=0.0)
    assert done.returncode == 130, done.stderr
    assert_no_traceback(done.stderr)
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []
    assert_stopped(children)


# ---------------------------------------------------------------- language


def test_dutch_is_the_default_and_english_on_request(tiny_scenario_path, tmp_path):
    dutch = invoke("validate", tiny_scenario_path, lang="")
    assert dutch.exit_code == 0
    assert dutch.stdout.splitlines()[-1].endswith("OK (4 cohorten, 67 studenten, 3 leerbedrijven, 16 weken, 2 waarschuwingen)")
    for english in (invoke("validate", tiny_scenario_path), invoke("validate", tiny_scenario_path, "--lang", "en", lang="")):
        assert english.stdout.splitlines()[-1].endswith(
            "OK (4 cohorts, 67 students, 3 learning companies, 16 weeks, 2 warnings)")
    refused = runner.invoke(cli.app, ["--lang", "fr", "validate", str(tiny_scenario_path)])
    assert refused.exit_code == 2 and "fr" in refused.output


def test_solve_writes_a_dutch_summary_by_default_and_an_english_one_on_request(tiny_scenario_path, tmp_path):
    for lang, title, kpi in (("", "# Stageplan:", "| zonder stageplaats (tekort) |"),
                             ("en", "# Internship plan:", "| unplaced (shortage) |")):
        out = tmp_path / (lang or "nl")
        result = invoke("solve", tiny_scenario_path, "--out", out, "--time-limit", 5, lang=lang)
        assert result.exit_code == 0, result.output
        summary = (out / "summary.md").read_text()
        assert summary.startswith(title) and kpi in summary
        assert ("Resultaten in" if not lang else "Results in") in result.stdout


def test_template_export_and_validate_round_trip_a_workbook(tiny_scenario_path, tmp_path):
    template = invoke("template", "--out", tmp_path / "regio.xlsx", lang="nl")
    assert template.exit_code == 0 and (tmp_path / "regio.xlsx").is_file()
    empty = invoke("validate", tmp_path / "regio.xlsx", lang="nl")
    assert empty.exit_code == 2
    assert "regio.xlsx tabblad Cohorten: heeft geen cohorten" in empty.stdout.splitlines()
    exported = invoke("export", tiny_scenario_path.parent, "--out", tmp_path / "tiny.xlsx")
    assert exported.exit_code == 0, exported.output
    again = invoke("validate", tmp_path / "tiny.xlsx")
    assert again.exit_code == 0
    # The same two warnings as the tiny scenario's own files (test_dutch_is_the_default_and_english_on_request).
    assert again.stdout.splitlines()[-1] == (
        f"{tmp_path / 'tiny.xlsx'}: OK (4 cohorts, 67 students, 3 learning companies, 16 weeks, 2 warnings)")
    embedded = invoke("export", "small", "--out", tmp_path / "small.xlsx")
    assert embedded.exit_code == 0 and invoke("validate", tmp_path / "small.xlsx").exit_code == 0


def test_export_names_what_it_cannot_find(tmp_path):
    result = invoke("export", "nowhere", "--out", tmp_path / "x.xlsx")
    assert result.exit_code == 2
    assert result.stderr.startswith("nowhere: no scenario file, folder with scenario.yaml or embedded scenario of that "
                                    "name; embedded: small, twente")
    assert invoke("template", "--out", tmp_path / "regio.csv").exit_code == 2

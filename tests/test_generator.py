"""The scenario generator: deterministic, the promised sizes, and calibrated on the brief's figures."""

from __future__ import annotations

from collections import Counter

import pytest

from planner.generate import SIZES, generate_scenario, write_generated
from planner.io import load_scenario, scenario_document
from planner.solve import solve


@pytest.fixture(scope="module")
def region_s():
    return generate_scenario("S", 2026)


def bol_students(scenario, key):
    counts = Counter()
    for cohort in scenario.cohorts:
        if cohort.pathway == "BOL":
            counts[key(cohort)] += cohort.students
    return counts


def test_same_seed_same_scenario_other_seed_other_scenario():
    first, again, other = generate_scenario("S", 7), generate_scenario("S", 7), generate_scenario("S", 8)
    assert scenario_document(first) == scenario_document(again)
    assert scenario_document(first) != scenario_document(other)


def test_size_s_is_one_labour_market_region(region_s):
    students = sum(bol_students(region_s, lambda c: 1).values())
    assert students == pytest.approx(12_000, rel=0.10)
    assert len(region_s.cohorts) == pytest.approx(400, rel=0.10)
    assert len(region_s.companies) == pytest.approx(4_000, rel=0.10)
    assert len(region_s.calendar.weeks) == 46  # 2026-W36 .. 2027-W28, 2026 has a week 53


@pytest.mark.slow
@pytest.mark.parametrize("size, students, cohorts, companies", [("M", 50_000, 1_600, 15_000), ("L", 250_000, 8_000, 80_000)])
def test_sizes_m_and_l(size, students, cohorts, companies):
    scenario = generate_scenario(size, 2026)
    assert sum(bol_students(scenario, lambda c: 1).values()) == pytest.approx(students, rel=0.10)
    assert len(scenario.cohorts) == pytest.approx(cohorts, rel=0.10)
    assert len(scenario.companies) == pytest.approx(companies, rel=0.10)


def test_generated_region_passes_every_check_from_files(tmp_path, region_s):
    path = write_generated(region_s, tmp_path / "scenario.yaml")
    loaded = load_scenario(path)
    assert (tmp_path / "cohorts.csv").is_file() and (tmp_path / "companies.csv").is_file()
    assert scenario_document(loaded.scenario) == scenario_document(region_s)


def test_shares_follow_the_brief(region_s):
    by_sector = bol_students(region_s, lambda c: c.sector)
    total = sum(by_sector.values())
    assert by_sector.most_common(1)[0][0] == "zorg"  # care is the largest sector chamber
    assert 0.25 <= by_sector["zorg"] / total <= 0.40
    by_level = bol_students(region_s, lambda c: c.level)
    assert by_level.most_common(1)[0][0] == "4"  # BOL 4 is the largest track
    assert 0.02 <= by_level["entree"] / total <= 0.08
    assert 0.10 <= by_level["2"] / total <= 0.22
    one_place = sum(1 for c in region_s.companies if c.places == 1) / len(region_s.companies)
    assert 0.5 <= one_place <= 0.7  # many small companies have a single place
    care_only = [c for c in region_s.companies if c.sectors == ["zorg"]]
    mostly_senior = sum(1 for c in care_only if set(c.levels) <= {"3", "4"}) / len(care_only)
    assert mostly_senior >= 0.7  # care companies mostly take levels 3 and 4
    assert {loc.holiday_region for inst in region_s.institutions for loc in inst.locations} <= {"noord", "midden", "zuid"}


def test_status_quo_shortage_has_the_order_the_sources_report(region_s):
    plan = solve(region_s, "status-quo", time_limit=10, baselines=False)
    rate = plan.kpis.shortage_rate
    assert 0.005 <= rate <= 0.04
    cells = {(c.sector, c.level): c for c in plan.kpis.by_cell}
    low = sum(c.unplaced for (s, lv), c in cells.items() if lv in ("entree", "2"))
    low_students = sum(c.students for (s, lv), c in cells.items() if lv in ("entree", "2"))
    high = sum(c.unplaced for (s, lv), c in cells.items() if lv in ("3", "4"))
    high_students = sum(c.students for (s, lv), c in cells.items() if lv in ("3", "4"))
    assert low / low_students > high / high_students  # entree and level 2 run short more often
    by_sector = Counter()
    for (sector, _), cell in cells.items():
        by_sector[sector] += cell.unplaced
    assert by_sector.most_common(1)[0][0] == "zorg"  # care has the most shortage in absolute terms


def test_sizes_are_declared():
    assert set(SIZES) == {"S", "M", "L"}


def test_default_scenario_loads_and_names_real_places():
    from planner.cli import default_scenario_path

    loaded = load_scenario(default_scenario_path())
    names = {area.name for area in loaded.scenario.areas}
    assert {"Enschede", "Hengelo", "Almelo"} <= names
    assert loaded.warnings == [] or all("no learning company" in str(w) for w in loaded.warnings)

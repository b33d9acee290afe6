"""Generated scenarios: deterministic, the right size, valid, calibrated like the domain brief."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from planner.catalogue import families, qualifications
from planner.generate import (
    DEMO,
    DEMO_SEED,
    SIZES,
    StatusQuoShortage,
    UnknownRegion,
    generate_scenario,
    labour_market_regions,
    status_quo_shortage,
    write_generated,
)
from planner.generate.programmes import PROGRAMMES
from planner.i18n import use_language
from planner.model import load_scenario
from planner.scenario import InternshipForm, LoadedScenario, Scenario, scenario_document
from planner.scenario.validate import SMALL_COHORT_STUDENTS
from planner.solve.params import WorkBudget

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


# The calibration below pins the region matched by sector chamber and level; recognitions are tested apart.
@pytest.fixture(scope="module")
def small_region() -> Scenario:
    return generate_scenario("S", seed=0, recognitions=False)


@pytest.fixture(scope="module")
def recognised_region() -> Scenario:
    return generate_scenario("S", seed=0)


def test_recognitions_size_the_places_per_family_for_the_same_students(small_region, recognised_region):
    # The same BOL cohorts and as many companies; the places are sized per qualification family,
    # whose peaks do not fall in the same weeks, so there are more of them than per sector chamber.
    assert bol(recognised_region) == bol(small_region)
    assert len(recognised_region.companies) == len(small_region.companies)
    assert not any(c.recognitions for c in small_region.companies)
    places = [sum(c.places for c in region.companies) for region in (small_region, recognised_region)]
    assert places[0] < places[1] <= 1.1 * places[0]


def test_companies_are_recognised_for_programmes_their_kind_trains(recognised_region):
    scenario = recognised_region
    programmes = {p.crebo: p for p in PROGRAMMES}
    for company in scenario.companies:
        assert company.recognitions
        trained = {qualifications()[crebo].family for crebo in company.recognitions
                   if programmes[crebo].sector != "entree"}
        kinds = {kind for family in trained for kind in families()[family].kinds}
        assert any(company.name.startswith(kind + " ") for kind in kinds), company
        assert all(programmes[crebo].level in company.levels for crebo in company.recognitions)
    for cohort in scenario.cohorts:
        if cohort.pathway == "BBL":
            assert cohort.crebo in scenario.companies[scenario.company_index[cohort.company]].recognitions
    # Every BOL crebo has companies recognised for it, and they hold places in proportion.
    recognised = {crebo for company in scenario.companies for crebo in company.recognitions}
    assert {c.crebo for c in bol(scenario)} <= recognised


def bol(scenario: Scenario):
    return [c for c in scenario.cohorts if c.pathway == "BOL"]


def assert_size(scenario: Scenario, size: str) -> None:
    spec = SIZES[size]
    students = sum(c.students for c in bol(scenario))
    assert abs(students - spec.bol_students) <= 0.1 * spec.bol_students
    assert abs(len(scenario.companies) - spec.companies) <= 0.1 * spec.companies
    assert abs(len(scenario.cohorts) - spec.cohorts) <= 0.1 * spec.cohorts


def assert_only_small_cohort_warnings(loaded: LoadedScenario) -> None:
    """The only warnings are the privacy ones: one per cohort of fewer than five students."""
    small = {f"row {i + 2}" for i, c in enumerate(loaded.scenario.cohorts) if c.students < SMALL_COHORT_STUDENTS}
    assert {(w.file, w.where, w.field) for w in loaded.warnings} == {("cohorts.csv", row, "students") for row in small}
    assert all("een persoon herkenbaar" in w.message for w in loaded.warnings)  # Dutch: the default


def assert_loads(scenario: Scenario, folder: Path) -> None:
    path = write_generated(scenario, folder)
    assert path == folder / "scenario.yaml"
    assert (folder / "cohorts.csv").is_file() and (folder / "companies.csv").is_file()
    loaded = load_scenario(path)  # raises ScenarioError on any problem
    assert_only_small_cohort_warnings(loaded)
    assert len(loaded.scenario.cohorts) == len(scenario.cohorts)
    assert len(loaded.scenario.companies) == len(scenario.companies)


def assert_calibrated(shortage: StatusQuoShortage) -> None:
    # The domain brief: about 1 % nationally, about 2 % for BOL entree and level 2, most in care.
    assert 0.005 <= shortage.overall_rate <= 0.02
    assert 0.01 <= shortage.rate_by_level["entree"] <= 0.04
    assert 0.01 <= shortage.rate_by_level["2"] <= 0.04
    short = shortage.short_by_sector
    assert max(short, key=short.get) == "zorg"


# -- determinism and size ------------------------------------------------------


def test_same_seed_gives_the_same_scenario(recognised_region):
    again = generate_scenario("S", seed=0)
    assert scenario_document(again) == scenario_document(recognised_region)


def test_another_seed_gives_another_scenario(small_region):
    other = generate_scenario("S", seed=1)
    assert scenario_document(other) != scenario_document(small_region)


def test_small_region_has_the_size_of_S(small_region):
    assert_size(small_region, "S")
    assert len(small_region.calendar.weeks) == 46  # 2026-W36..2027-W28; 2026 has a week 53
    assert {a.name for a in small_region.areas} >= {"Enschede", "Hengelo", "Almelo", "Oldenzaal", "Borne"}


def test_other_regions_and_unknown_names():
    amsterdam = generate_scenario("S", seed=0, region="Groot Amsterdam")
    assert "Amsterdam" in {a.name for a in amsterdam.areas}
    with use_language("en"), pytest.raises(ValueError, match="unknown labour-market region"):
        generate_scenario("S", seed=0, region="Atlantis")
    with use_language("en"), pytest.raises(UnknownRegion, match="unknown province 'Atlantis'"):
        generate_scenario("M", seed=0, region="Atlantis")
    with pytest.raises(ValueError, match="unknown size"):
        generate_scenario("XL")  # type: ignore[arg-type]


def test_unknown_region_lists_the_known_ones_and_suggests_the_closest():
    assert "Twente" in labour_market_regions() and "Groot Amsterdam" in labour_market_regions()
    with use_language("en"), pytest.raises(UnknownRegion) as raised:
        generate_scenario("S", seed=0, region="Groot Amsterdm")
    error = raised.value
    assert isinstance(error, ValueError)
    assert error.known == labour_market_regions()
    message = str(error)
    assert message.startswith("unknown labour-market region 'Groot Amsterdm'; known: ")
    assert all(name in message for name in labour_market_regions())
    assert message.endswith("Did you mean 'Groot Amsterdam'?")
    with use_language("en"), pytest.raises(UnknownRegion) as raised:
        generate_scenario("S", seed=0, region="Xyzzy")
    assert "Did you mean" not in str(raised.value)


def test_region_names_ignore_case_and_accents():
    assert generate_scenario("S", seed=0, region="twente").name == generate_scenario("S", seed=0).name


def test_generated_region_loads_without_problems(small_region, tmp_path):
    assert_loads(small_region, tmp_path)


# -- calibration -----------------------------------------------------------------


def test_care_is_the_largest_sector_and_entree_its_own(small_region):
    students = Counter()
    for cohort in bol(small_region):
        students[cohort.sector] += cohort.students
    total = sum(students.values())
    assert students.most_common(1)[0][0] == "zorg"
    assert 0.28 <= students["zorg"] / total <= 0.38
    assert 0.035 <= students["entree"] / total <= 0.06
    assert all(c.level == "entree" for c in small_region.cohorts if c.sector == "entree")


def test_level_mix_has_bol_4_largest(small_region):
    students = Counter()
    for cohort in bol(small_region):
        students[cohort.level] += cohort.students
    total = sum(students.values())
    share = {level: students[level] / total for level in ("entree", "2", "3", "4")}
    assert 0.03 <= share["entree"] <= 0.07
    assert 0.11 <= share["2"] <= 0.19
    assert 0.25 <= share["3"] <= 0.35
    assert 0.44 <= share["4"] <= 0.56


def test_cohorts_look_like_programmes(small_region):
    for cohort in bol(small_region):
        assert 10 <= cohort.students <= 60
        assert 1 <= cohort.max_waves <= 3
        assert cohort.travel_mode in ("pt", "bike")
        if cohort.travel_mode == "bike":
            assert cohort.level in ("entree", "2") and cohort.max_travel_minutes == 30
        else:
            assert cohort.max_travel_minutes in (45, 60)
    forms = Counter(InternshipForm.parse(c.current_form).kind for c in bol(small_region))
    assert forms["block"] > 2 * forms["line"] > 0
    both = sum(len({InternshipForm.parse(f).kind for f in c.forms}) == 2 for c in bol(small_region))
    assert both >= 0.3 * len(bol(small_region))


def test_status_quo_clusters_in_popular_weeks(small_region):
    starts = Counter()
    for cohort in bol(small_region):
        starts[cohort.current_start] += cohort.students
    popular = {"2026-W37", "2026-W38", "2026-W39", "2027-W02", "2027-W06", "2027-W07", "2027-W09"}
    assert sum(starts[w] for w in popular) >= 0.8 * sum(starts.values())


def test_companies_are_mostly_small_and_care_takes_levels_3_and_4(small_region):
    companies = small_region.companies
    single = sum(c.places == 1 for c in companies) / len(companies)
    assert 0.5 <= single <= 0.7
    assert max(c.places for c in companies) >= 10
    care = [c for c in companies if c.sectors[0] == "zorg"]
    upper_only = sum(set(c.levels) - {"entree"} <= {"3", "4"} for c in care) / len(care)
    assert upper_only >= 0.7
    entree = [c for c in companies if "entree" in c.sectors]
    assert 0 < len(entree) < 0.25 * len(companies)
    assert len({c.sectors[0] for c in entree}) >= 4
    assert all("entree" in c.levels for c in entree)
    assert all(c.places_per_weekday is None for c in companies)
    closed = sum(c.reduced_weeks.get("2026-W52") == 0 for c in companies)
    assert closed >= 0.4 * len(companies)


def test_bbl_cohorts_work_four_days_at_a_fitting_company(small_region):
    bbl = [c for c in small_region.cohorts if c.pathway == "BBL"]
    assert bbl
    for cohort in bbl:
        company = small_region.companies[small_region.company_index[cohort.company]]
        assert cohort.sector in company.sectors and cohort.level in company.levels
        assert InternshipForm.parse(cohort.current_form).days_per_week == 4
        assert 4 * cohort.students <= 5 * company.places


# Work budgets, so that the figures do not depend on the machine's load (the time limit is only a
# safety net). 40 neighbourhoods: a near-converged status quo (S seed 2026 after 10 still leaves
# 2.2 % short, after 40 1.7 %); 10 are enough for the shape of the shortage.
CALIBRATION_WORK = WorkBudget(40, bound_rounds=0, polish_ticks=0)
SHAPE_WORK = WorkBudget(10, bound_rounds=0, polish_ticks=0)
SAFETY_SECONDS = 900


@pytest.mark.slow  # 45 s on 2 cores: make test-all (the shape test below keeps a status-quo check in make test)
def test_solved_status_quo_is_on_target(small_region):
    shortage = status_quo_shortage(small_region, time_limit=SAFETY_SECONDS, work=CALIBRATION_WORK)
    assert shortage.bol_students == sum(c.students for c in bol(small_region))
    assert_calibrated(shortage)


@pytest.mark.slow  # about 4 minutes on a busy 2-core machine: make test-all
def test_solved_status_quo_with_recognitions_is_on_the_overall_target(recognised_region):
    # Places sized per qualification family bring the region with recognitions back to the brief's
    # overall figure, most of it in care (measured 1.98 %; sized per sector chamber and level it left
    # 5.76 % short). Level 2 is not on its own target yet (0.56 %, the brief's 1-4 %): docs/benchmarks.md.
    shortage = status_quo_shortage(recognised_region, time_limit=SAFETY_SECONDS, work=CALIBRATION_WORK)
    assert 0.005 <= shortage.overall_rate <= 0.02
    assert 0.01 <= shortage.rate_by_level["entree"] <= 0.04
    short = shortage.short_by_sector
    assert max(short, key=short.get) == "zorg"


@pytest.mark.slow  # about 2.5 minutes on a busy 2-core machine; the seed above is the requirement's test
def test_another_seed_is_on_target_too():
    assert_calibrated(status_quo_shortage(generate_scenario("S", seed=2026), time_limit=SAFETY_SECONDS,
                                          work=CALIBRATION_WORK))


# -- shipped scenarios -------------------------------------------------------------


# The embedded demo is a checked-in file: plans and outputs are compared against it, so it must
# not change when the generator's calibration does (it was generated as DEMO, seed DEMO_SEED).
TWENTE_SHA256 = {
    "cohorts.csv": "cf91dc6f3fc7a7c926030372fb3954eb2ae3b2c35224e13b8bdf84baae9fb307",
    "companies.csv": "cf04dc63b1a5ec4caafae04a48d45a035767faf9f6602af7df0dbdf750237b74",
    "scenario.yaml": "f1a906637933d159b917014d7f5e0673e1a4c651224f248170209af53b6f0da6",  # description in Dutch
}


def assert_demo_size(scenario: Scenario) -> None:
    assert 2000 <= sum(c.students for c in bol(scenario)) <= 3000
    assert 70 <= len(scenario.cohorts) <= 100
    assert 600 <= len(scenario.companies) <= 900


def test_default_scenario_loads_and_is_unchanged():
    folder = SCENARIOS / "twente-sector"
    assert {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in TWENTE_SHA256} == TWENTE_SHA256
    loaded = load_scenario(folder / "scenario.yaml")
    assert_only_small_cohort_warnings(loaded)
    assert_demo_size(loaded.scenario)


@pytest.mark.slow  # 40-50 s: make test-all (the file is pinned above, so its status quo changes only with the solver)
def test_default_scenario_status_quo_has_the_domain_shape():
    loaded = load_scenario(SCENARIOS / "twente-sector" / "scenario.yaml")
    assert_status_quo_shape(status_quo_shortage(loaded.scenario, time_limit=SAFETY_SECONDS, base_dir=loaded.base_dir,
                                                 work=SHAPE_WORK))


def test_generated_demo_has_the_size_of_the_embedded_one():
    demo = generate_scenario(DEMO, DEMO_SEED)
    assert_demo_size(demo)
    assert demo.name == load_scenario(SCENARIOS / "twente" / "scenario.yaml").scenario.name


def test_small_scenario_loads():
    loaded = load_scenario(SCENARIOS / "small" / "scenario.yaml")
    assert loaded.warnings == []
    assert len(loaded.scenario.institutions) == 2
    assert len(loaded.scenario.cohorts) == 6


# -- larger sizes ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", ["M", "L"])
def test_larger_sizes(size, tmp_path):
    scenario = generate_scenario(size, seed=0)
    assert_size(scenario, size)
    assert_loads(scenario, tmp_path)
    assert_calibrated(status_quo_shortage(scenario, time_limit=120))


def test_files_round_trip_to_the_same_scenario(small_region, tmp_path):
    loaded = load_scenario(write_generated(small_region, tmp_path / "scenario.yaml"))
    assert scenario_document(loaded.scenario) == scenario_document(small_region)


def assert_status_quo_shape(shortage: StatusQuoShortage) -> None:
    assert 0.005 <= shortage.overall_rate <= 0.04
    low = [level for level in ("entree", "2") if level in shortage.students_by_level]
    high = [level for level in ("3", "4") if level in shortage.students_by_level]

    def rate(levels: list[str]) -> float:
        return sum(shortage.short_by_level[lvl] for lvl in levels) / sum(shortage.students_by_level[lvl] for lvl in levels)

    assert rate(low) > rate(high)  # entree and level 2 run short more often
    short = shortage.short_by_sector
    assert max(short, key=short.get) == "zorg"  # care: most shortage in absolute terms


def test_solved_status_quo_has_the_shape_the_sources_report(small_region):
    assert_status_quo_shape(status_quo_shortage(small_region, time_limit=SAFETY_SECONDS, work=SHAPE_WORK))

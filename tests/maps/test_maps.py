"""Shortage maps: the data they embed, offline HTML, and the page in a headless browser."""

from __future__ import annotations

import io
import os
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from maps import comparison_map, embedded_payload, plan_map, render_html, write_comparison_map, write_plan_map
from maps.bundle import external_references
from maps.texts import TEXT
from planner.codes import SECTOR_CHAMBERS
from planner.model import load_scenario
from planner.scenario import LoadedScenario, Scenario, save_scenario
from planner.solve import SolveParams, solve
from tests.builders import cohort, company, scenario_dict
from tests.conftest import require_system_tool

ROOT = Path(__file__).resolve().parents[2]
TWENTE = ROOT / "scenarios" / "twente-sector" / "scenario.yaml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


# ---------------------------------------------------------------- a small region with shortage


def small_region(last: str = "2026-W51") -> Scenario:
    """Four towns, care (levels 2 and 3), entree and technology; too few places in the autumn."""
    cohorts = [
        cohort("zorg-3-e", 30, current_start="2026-W40", forms="block:4|line:2x8"),
        cohort("zorg-2-e", 20, level="2", current_start="2026-W40"),
        cohort("entree-e", 12, sector="entree", level="entree", current_start="2026-W41"),
        cohort("tech-3-h", 15, sector="techniek", location="loc-h", forms="block:4|line:2x8"),
        cohort("zorg-2-a", 18, level="2", location="loc-a", current_start="2026-W44"),
        cohort("zorg-bbl", 4, pathway="BBL", company="k1", forms="line:2x12", current_start="2026-W37"),
    ]
    companies = [
        company("k1", 10), company("k2", 6, area="Hengelo", levels="2|3|4"),
        company("k3", 5, sectors="techniek", levels="2|3|4", area="Hengelo"),
        company("k4", 4, area="Almelo", sectors="zorg|entree", levels="entree|2|3"),
        company("k5", 3, area="Zwolle", sectors="zorg", levels="3|4",
                reduced_weeks={"2026-W42": 0}),
    ]
    doc = scenario_dict(cohorts, companies, last=last, areas=("Enschede", "Hengelo", "Almelo", "Zwolle"))
    doc["institutions"] = [
        {"id": "roc", "name": "ROC Test", "locations": [
            {"id": "loc-e", "area": "Enschede", "holiday_region": "noord"},
            {"id": "loc-h", "area": "Hengelo", "holiday_region": "noord"}]},
        {"id": "aoc", "name": "Vakcollege Almelo", "locations": [
            {"id": "loc-a", "area": "Almelo", "holiday_region": "noord"}]},
    ]
    return Scenario.model_validate(doc)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(loaded, optimised plan, status-quo plan) of the small region."""
    path = save_scenario(small_region(), tmp_path_factory.mktemp("small-region") / "scenario.yaml")
    loaded = load_scenario(path)
    plan = solve(loaded.scenario, SolveParams("optimise", time_limit=10, baselines=False), base_dir=loaded.base_dir).plan
    status_quo = solve(loaded.scenario, SolveParams("status-quo", time_limit=10, baselines=False),
                       base_dir=loaded.base_dir).plan
    assert status_quo.kpis.unplaced > 0, "the fixture needs shortage in the status quo"
    return loaded, plan, status_quo


@pytest.fixture(scope="module")
def small_html(small):
    loaded, plan, status_quo = small
    return render_html(plan_map(plan, loaded, compare_with=status_quo))


# ---------------------------------------------------------------- the embedded data


def _week_totals(rows, week_column=0, value_column=-1):
    totals = defaultdict(int)
    for row in rows:
        totals[row[week_column]] += row[value_column]
    return totals


def test_one_feature_per_area_with_names_and_indices(small, small_html):
    loaded, _, _ = small
    data = embedded_payload(small_html)
    features = data["areas"]["features"]
    assert len(features) == len(loaded.scenario.areas)
    assert [f["id"] for f in features] == list(range(len(features)))
    assert [f["properties"]["name"] for f in features] == [a.name for a in loaded.scenario.areas]
    assert data["areaNames"] == [a.name for a in loaded.scenario.areas]
    for feature in features:
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # Coordinates are rounded to 4 decimals (about 10 m).
    text = small_html[small_html.index('"areas":'):small_html.index('"students":')]
    assert not re.search(r"\d+\.\d{5,}", text)


def test_per_week_totals_equal_the_plans_shortages(small, small_html):
    loaded, plan, status_quo = small
    data = embedded_payload(small_html)
    weeks = loaded.scenario.calendar.weeks
    assert data["weeks"] == weeks
    by_key = {p["key"]: p for p in data["plans"]}
    for key, source in (("optimise", plan), ("status-quo", status_quo)):
        embedded = _week_totals(by_key[key]["weekly"])
        expected = Counter()
        for cell in source.shortages:
            expected[cell.week] += cell.unplaced
        assert {weeks[w]: n for w, n in embedded.items()} == {w: n for w, n in expected.items() if n}
        assert sum(r[-1] for r in by_key[key]["year"]) == source.kpis.unplaced
        assert by_key[key]["unplaced"] == source.kpis.unplaced
        # Per area, the year rows add up to the cohorts' unplaced students there.
        per_area = Counter()
        for cp in source.cohorts:
            per_area[cp.area] += cp.unplaced
        embedded_area = Counter()
        for _sector, _level, a, n in by_key[key]["year"]:
            embedded_area[data["areaNames"][a]] += n
        assert +embedded_area == +per_area
    assert sum(n for *_, n in data["students"]) == plan.kpis.students


def test_status_quo_and_optimised_views_and_their_difference(small, small_html):
    data = embedded_payload(small_html)
    labels = [v["label"] for v in data["views"]]
    assert labels[0].startswith("Status quo") and labels[1].startswith("Geoptimaliseerd")
    assert data["views"][2] == {"label": "Verschil: geoptimaliseerd − status quo", "a": 0, "b": 1}
    assert data["defaultView"] == 1
    # Care, entree and level 2 are selectable; names are the Dutch sector chambers.
    sectors = [data["sectors"][s][0] for s in data["sectorsShown"]]
    assert {"zorg", "entree"} <= set(sectors)
    assert [name for _, name in data["sectors"]] == list(SECTOR_CHAMBERS.values())
    levels = [data["levels"][lv][0] for lv in data["levelsShown"]]
    assert {"entree", "2"} <= set(levels)


def test_companies_carry_capacity_and_use_per_plan(small, small_html):
    loaded, plan, status_quo = small
    data = embedded_payload(small_html)
    companies = data["companies"]
    assert not companies["aggregated"]
    assert [it[0] for it in companies["items"]] == [c.id for c in loaded.scenario.companies]
    assert [it[5] for it in companies["items"]] == [c.places for c in loaded.scenario.companies]
    weeks = len(loaded.scenario.calendar.weeks)

    def expand(v):
        return [v] * weeks if isinstance(v, int) else v

    for j, use in enumerate(status_quo.utilisation):
        assert expand(companies["cap"][j]) == use.capacity
        assert expand(companies["used"][0][j]) == use.used
    for j, use in enumerate(plan.utilisation):
        assert expand(companies["used"][1][j]) == use.used
    assert len(data["institutions"]) == 3
    assert sum(i["students"] for i in data["institutions"]) == plan.kpis.students
    assert [sum(i["unplaced"][k] for i in data["institutions"]) for k in (0, 1)] == [
        status_quo.kpis.unplaced, plan.kpis.unplaced]


def test_flows_and_local_placements_add_up_to_the_placed_students(small, small_html):
    _, plan, _ = small
    data = embedded_payload(small_html)
    optimised = data["plans"][1]
    assert not optimised["flowsCapped"]
    placed_bol = sum(cp.placed for cp in plan.cohorts if cp.pathway == "BOL")
    assert sum(r[-1] for r in optimised["flows"]) + optimised["flowsLocal"] == placed_bol
    assert all(o != d for o, d, *_ in optimised["flows"])


def test_many_companies_are_drawn_per_area(small):
    loaded, plan, status_quo = small
    data = embedded_payload(render_html(plan_map(plan, loaded, status_quo, aggregate_above=1)))
    companies = data["companies"]
    assert companies["aggregated"]
    assert sum(it[3] for it in companies["items"]) == len(loaded.scenario.companies) == companies["count"]
    assert sum(it[4] for it in companies["items"]) == sum(c.places for c in loaded.scenario.companies)
    used_total = sum(sum(u.used) for u in plan.utilisation)
    weeks = len(loaded.scenario.calendar.weeks)
    assert sum(v * weeks if isinstance(v, int) else sum(v) for v in companies["used"][1]) == used_total


def test_map_texts_come_from_the_catalogue_dutch_by_default_english_on_request(small, small_html):
    loaded, plan, status_quo = small
    dutch = embedded_payload(small_html)
    english = embedded_payload(render_html(plan_map(plan, loaded, compare_with=status_quo, lang="en")))
    assert (dutch["lang"], english["lang"]) == ("nl", "en")
    assert dutch["text"]["unit_count"] == "studenten zonder stageplaats"
    assert english["text"]["unit_count"] == "students without an internship place"
    assert [v["label"] for v in dutch["views"]][:2] == ["Status quo (huidige periodes)",
                                                         "Geoptimaliseerd (gespreide periodes)"]
    assert [v["label"] for v in english["views"]][:2] == ["Status quo (current periods)", "Optimised (spread periods)"]
    assert set(dutch["text"]) == set(english["text"])
    assert TEXT["unit_count"] == "studenten zonder stageplaats"  # the current language is still Dutch


def test_legend_and_controls_speak_dutch_with_units(small_html):
    assert TEXT["unit_count"] == "studenten zonder stageplaats"
    for text in ("unit_count", "unit_rate", "layer_institutions", "layer_flows", "all_sectors", "year"):
        assert TEXT[text] in small_html
    assert "Eenheid: " in small_html  # legend unit line, built by the map script
    assert "Zorg, welzijn en sport" in small_html


# ---------------------------------------------------------------- the script has no texts of its own

SCRIPT = ROOT / "maps" / "assets" / "shortage-map.js"
#: Texts the map's script once wrote itself (Dutch, and the English of a few); they come from TEXT now.
FORMER_SCRIPT_TEXTS = (
    "(vol)", "%-punt", "(vakantie)", "Studenten zonder", "Tekortpercentage", "Verschil", "zonder stageplek",
    "zonder stageplaats", "deze week", "schooljaar", "tekort %", "BOL-studenten", "BBL-studenten",
    "opleidingen in dit gebied", "Zonder stageplek", "opleidingen met tekort", "Opleiding met tekort",
    "Afspelen", "heel schooljaar", "Staven", "klik een staaf", "links = ", "grijs = ", "schoolvakantie",
    "% van de studenten", "Sectorkamer", "Locatie", "Cohorten", "Leerbedrijf", "leerbedrijven", "Niveaus",
    "Begeleidingsplaatsen", "begeleidingsplaatsen", "Per sectorkamer", "gem. ", "piek", "\" (wk", " van ",
    "plaatsen", "studentdagen", "capaciteit", "bezet", "studenten (", "Stagetekort", "(gelijk)", "Eenheid",
    "per gebied", "Schaal gelijk", "Regio", "in deze week", "grootte", "Stroom studenten", "grootste stromen",
    "max \"", "\"tot ", "en nog", "niv.", "stud.",
    "without", "internship", "school year", "learning compan", "Learning compan", "(holiday)", "percentage point",
    "Difference", "Region", "Unit", "Bars:", "click a bar", "places per week", "(full)", "up to",
)


def _script_code() -> str:
    """The map's script without its comments (which explain it in English)."""
    code = re.sub(r"/\*.*?\*/", "", SCRIPT.read_text(encoding="utf-8"), flags=re.DOTALL)
    return "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("//"))


def test_the_script_writes_no_text_of_its_own():
    code = _script_code()
    found = [text for text in FORMER_SCRIPT_TEXTS if text in code]
    assert not found, f"texts written in maps/assets/shortage-map.js instead of maps/texts.py TEXT: {found}"
    # Numbers are formatted in the locale the data names, never a fixed one.
    assert not re.search(r"NumberFormat\(\s*\"", code)
    assert "nl-NL" not in code and "en-GB" not in code


def test_every_text_the_script_reads_is_in_text():
    code = _script_code()
    used = set(re.findall(r"\bT\.(\w+)", code))
    assert used and used <= set(TEXT), f"T.<key> without a text in maps/texts.py TEXT: {sorted(used - set(TEXT))}"
    python = (ROOT / "maps" / "shortage.py").read_text(encoding="utf-8")
    unused = [key for key in TEXT if key not in used and f'TEXT["{key}"]' not in python]
    assert not unused, f"texts in TEXT that no part of the map shows: {unused}"


def test_an_english_and_a_dutch_map_embed_their_own_texts(small, small_html):
    from planner.i18n import catalogue

    loaded, plan, status_quo = small
    english_html = render_html(plan_map(plan, loaded, compare_with=status_quo, lang="en"))
    english, dutch = embedded_payload(english_html), embedded_payload(small_html)
    assert '<html lang="en">' in english_html and '<html lang="nl">' in small_html
    assert (english["numberLocale"], dutch["numberLocale"]) == ("en-GB", "nl-NL")
    dutch_texts = catalogue("nl")
    for key, source in TEXT.source.items():
        assert english["text"][key] == source, key
        assert dutch["text"][key] == dutch_texts[source], key
    differ = [key for key in TEXT if english["text"][key] != dutch["text"][key]]
    assert len(differ) > 0.8 * len(TEXT)
    assert english["text"]["title_count"] == "Students without an internship place"
    assert dutch["text"]["title_count"] == "Studenten zonder stageplaats"
    assert english["text"]["col_unplaced_week"] == "without a place\nthis week"
    assert dutch["text"]["col_unplaced_week"] == "zonder stageplaats\ndeze week"
    assert english["text"]["area_students"] == "{n} BOL students of programmes in this area ({filter})"
    assert dutch["text"]["area_students"] == "{n} BOL-studenten van opleidingen in dit gebied ({filter})"
    # The page title and the layer names folium writes follow the language too.
    assert f"<title>Internship shortage {loaded.scenario.name}</title>" in english_html
    assert "Institution locations" in english_html and "Onderwijslocaties" not in english_html
    # So do the names of sector chambers and levels.
    assert ["zorg", "Care, welfare and sport"] in english["sectors"] and ["2", "Level 2"] in english["levels"]
    assert ["zorg", "Zorg, welzijn en sport"] in dutch["sectors"] and ["2", "Niveau 2"] in dutch["levels"]
    # A map written to a file in English says so; the current language stays Dutch.
    single = embedded_payload(render_html(plan_map(plan, loaded, lang="en")))
    assert single["lang"] == "en" and TEXT["title_count"] == "Studenten zonder stageplaats"


def test_every_placeholder_of_a_text_is_one_the_script_fills_in():
    placeholders = {key: set(re.findall(r"\{(\w+)\}", text)) for key, text in TEXT.source.items()}
    code = _script_code()
    for key, names in placeholders.items():
        for name in names:
            if key in ("percent", "points"):  # number templates, filled in through unit texts too
                continue
            assert re.search(rf"T\.{key}\b[^;]*\b{name}:", code, flags=re.DOTALL), (key, name)


def test_no_cdn_or_network_reference_is_left(small_html):
    assert external_references(small_html) == []
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", small_html)
    assert not [t for t in tags if re.search(r"(src|href)\s*=", t)], tags
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "fontawesome"):
        assert cdn not in small_html
    # The only remote URL a script would request is the (off by default) tile template.
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", small_html))
    requested = {u for u in urls if "{z}" in u}
    assert requested == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert "L.map(" in small_html and "L.markerClusterGroup" in small_html  # libraries inlined
    assert "leaflet-control-layers-group" in small_html


def test_write_plan_map_writes_one_file_atomically(small, tmp_path):
    loaded, plan, status_quo = small
    target = tmp_path / "out" / "map.html"
    assert write_plan_map(plan, loaded, target, compare_with=status_quo) == target
    assert [p.name for p in target.parent.iterdir()] == ["map.html"]
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    single = write_plan_map(plan, loaded, tmp_path / "single.html")
    data = embedded_payload(single.read_text(encoding="utf-8"))
    assert len(data["plans"]) == 1 and data["views"] == [{"label": data["plans"][0]["label"], "plan": 0}]


def test_comparison_map_shows_the_difference_first(small, tmp_path):
    loaded, plan, status_quo = small
    path = write_comparison_map(status_quo, plan, loaded, tmp_path / "compare.html")
    data = embedded_payload(path.read_text(encoding="utf-8"))
    assert data["defaultView"] == 0 and data["views"][0]["a"] == 0 and data["views"][0]["b"] == 1
    assert "Verschil" in data["views"][0]["label"]
    # Two plans of the same mode are told apart.
    same = embedded_payload(render_html(comparison_map(plan, plan, loaded)))
    assert [p["label"][:3] for p in same["plans"]] == ["A: ", "B: "]


def test_a_bare_scenario_is_accepted_and_a_foreign_plan_refused(small):
    loaded, plan, _ = small
    m = plan_map(plan, loaded.scenario)
    assert embedded_payload(render_html(m))["scenario"] == loaded.scenario.name
    other = LoadedScenario(small_region(last="2026-W50"), loaded.path)
    with pytest.raises(ValueError, match="other weeks"):
        plan_map(plan, other)


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def region_plans(tmp_path_factory):
    """(loaded, optimised, status quo) of the default scenario (Twente), or the small region."""
    if TWENTE.is_file():
        loaded = load_scenario(TWENTE)
    else:  # not written yet: the same generator makes it
        from planner.generate import DEMO, generate_scenario, write_generated

        folder = tmp_path_factory.mktemp("twente")
        loaded = load_scenario(write_generated(generate_scenario(DEMO, 2026), folder / "scenario.yaml"))
    plan = solve(loaded.scenario, SolveParams("optimise", time_limit=15, baselines=False), base_dir=loaded.base_dir).plan
    status_quo = solve(loaded.scenario, SolveParams("status-quo", time_limit=10, baselines=False),
                       base_dir=loaded.base_dir).plan
    return loaded, plan, status_quo


@pytest.fixture(scope="module")
def browser():
    chromium = require_system_tool("chromium", "headless Chromium draws the maps (run `make system-deps`)", str(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Page:
    """A map page with its JavaScript errors and outgoing requests recorded."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        self.page.on("request", lambda req: self.requests.append(req.url)
                     if not req.url.startswith(("file:", "data:", "about:")) else None)
        started = time.perf_counter()
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".folium-map.sm-ready", state="attached", timeout=20_000)
        self.seconds = time.perf_counter() - started

    def fills(self) -> dict[int, str]:
        """Area index to the fill of its SVG path as drawn."""
        pairs = self.page.evaluate(
            "() => stageplannerMap.areaLayer.getLayers().map(l => [l.feature.id, l._path.getAttribute('fill')])")
        return dict(pairs)

    def state(self) -> str:
        return self.page.get_attribute(".folium-map", "data-sm-state")

    def click_choice(self, label: str) -> None:
        self.page.locator(".sm-layers label", has_text=label).first.locator("input").click()


SHORTAGE_COLOURS = {"#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"}


def _assert_fills_follow(fills: dict[int, str], shortage: Counter, students: Counter) -> None:
    """White without students, pale green with students all placed, yellow-red with shortage."""
    for a, fill in fills.items():
        if not students[a]:
            assert fill == "#ffffff", (a, fill)
        elif not shortage[a]:
            assert fill == "#dfe9d8", (a, fill)
        else:
            assert fill in SHORTAGE_COLOURS, (a, fill)


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 20) or [])


@pytest.mark.browser
def test_the_map_renders_offline_with_layers_week_control_and_legend(browser, region_plans, tmp_path):
    loaded, plan, status_quo = region_plans
    path = write_plan_map(plan, loaded, tmp_path / "map.html", compare_with=status_quo)
    data = embedded_payload(path.read_text(encoding="utf-8"))
    view = Page(browser, path)
    page = view.page
    try:
        # Every area is drawn, every location marked, every company counted in a marker or cluster.
        assert page.locator(".leaflet-overlay-pane path").count() == len(data["areas"]["features"])
        assert page.locator(".leaflet-marker-pane .sm-inst").count() == len(data["institutions"])
        clustered = page.eval_on_selector_all(".leaflet-marker-pane .sm-cl div",
                                              "ds => ds.reduce((s, d) => s + Number(d.dataset.n), 0)")
        single = page.locator(".leaflet-marker-pane .sm-co").count()
        assert clustered + single == len(loaded.scenario.companies)

        legend = page.locator(".sm-legend")
        assert "Studenten zonder stageplaats" in legend.inner_text()
        assert TEXT["unit_count"] in legend.inner_text()
        assert "Heel schooljaar" in legend.inner_text()
        assert "klik een staaf of sleep" in page.locator(".sm-week-hint").inner_text()
        assert page.get_attribute(".sm-slider", "aria-label") == "Week (0 = heel schooljaar)"
        year_fills = view.fills()
        students = Counter()
        for *_, a, n in data["students"]:
            students[a] += n
        year = Counter()
        for *_, a, n in data["plans"][1]["year"]:
            year[a] += n
        _assert_fills_follow(year_fills, year, students)
        assert any(f in SHORTAGE_COLOURS for f in year_fills.values()), "no hotspot coloured"

        # A sector chamber via the layer control: the state, legend and colours follow.
        view.click_choice("Zorg, welzijn en sport")
        assert view.state().split("|")[2] == str(list(SECTOR_CHAMBERS).index("zorg"))
        assert "Zorg, welzijn en sport" in legend.inner_text()
        care = Counter()
        for s, _l, a, n in data["plans"][1]["year"]:
            care[a] += n if data["sectors"][s][0] == "zorg" else 0
        care_students = Counter()
        for s, _l, a, n in data["students"]:
            care_students[a] += n if data["sectors"][s][0] == "zorg" else 0
        _assert_fills_follow(view.fills(), care, care_students)
        view.click_choice("Alle sectorkamers")
        assert view.fills() == year_fills

        # An overlay off and on again.
        institutions = page.locator(".sm-layers label", has_text=TEXT["layer_institutions"]).locator("input")
        institutions.click()
        assert page.locator(".leaflet-marker-pane .sm-inst").count() == 0
        institutions.click()
        assert page.locator(".leaflet-marker-pane .sm-inst").count() == len(data["institutions"])

        # The week control: the busiest and the quietest week of the optimised plan (the
        # default view) restyle the areas and the legend with that week's numbers.
        weekly = defaultdict(Counter)
        for w, _s, _l, a, n in data["plans"][1]["weekly"]:
            weekly[w + 1][a] += n
        busiest = max(range(1, len(data["weeks"]) + 1), key=lambda w: sum(weekly[w].values()))
        quietest = min(range(1, len(data["weeks"]) + 1), key=lambda w: sum(weekly[w].values()))
        for week in (busiest, quietest):
            page.locator(".sm-slider").fill(str(week))
            assert page.get_attribute(".sm-legend", "data-week") == str(week)
            caption = data["weekCaptions"][week - 1]
            assert caption in legend.inner_text()
            assert caption in page.locator(".sm-week-label").inner_text()
            total = sum(weekly[week].values())
            assert f"Regio: {total:,}".replace(",", ".") + " studenten zonder stageplaats" in legend.inner_text()
            _assert_fills_follow(view.fills(), weekly[week], students)
        assert sum(weekly[busiest].values()) > 0
        if sum(weekly[quietest].values()) == 0:
            assert view.fills() != year_fills
        page.locator(".sm-slider").focus()
        page.keyboard.press("Home")
        assert page.get_attribute(".sm-legend", "data-week") == "0"
        assert view.fills() == year_fills

        # The difference view colours with the diverging scale.
        view.click_choice("Verschil")
        assert "Verschil in studenten zonder stageplaats" in legend.inner_text()

        view.click_choice(data["views"][1]["label"])
        page.locator(".sm-slider").fill(str(busiest))
        shot = page.screenshot()
        folder = Path(os.environ.get("STAGEPLANNER_SCREENSHOTS", tmp_path))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "map-week.png").write_bytes(shot)
        assert _distinct_colours(shot) > 200
        assert view.errors == []
        assert view.requests == []
    finally:
        page.close()


@pytest.mark.browser
def test_the_comparison_map_renders_and_popups_give_both_numbers(browser, region_plans, tmp_path):
    loaded, plan, status_quo = region_plans
    path = write_comparison_map(status_quo, plan, loaded, tmp_path / "compare.html")
    data = embedded_payload(path.read_text(encoding="utf-8"))
    view = Page(browser, path)
    page = view.page
    try:
        assert "Verschil in studenten zonder stageplaats" in page.locator(".sm-legend").inner_text()
        # The area with the biggest change: its popup lists both plans and the difference.
        year = [Counter(), Counter()]
        for k in (0, 1):
            for *_, a, n in data["plans"][k]["year"]:
                year[k][a] += n
        area = max(set(year[0]) | set(year[1]), key=lambda a: abs(year[1][a] - year[0][a]))
        page.evaluate(f"() => stageplannerMap.areaLayer.getLayers().find(l => l.feature.id === {area}).openPopup()")
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert data["areaNames"][area] in popup
        for label in (data["plans"][0]["label"], data["plans"][1]["label"], "Verschil"):
            assert label in popup
        assert str(year[0][area]) in popup and str(year[1][area]) in popup
        shot = page.screenshot()
        folder = Path(os.environ.get("STAGEPLANNER_SCREENSHOTS", tmp_path))
        (folder / "compare.png").write_bytes(shot)
        assert _distinct_colours(shot) > 200
        assert view.errors == [] and view.requests == []
    finally:
        page.close()


@pytest.mark.browser
def test_the_english_map_speaks_english_in_the_browser(browser, small, tmp_path):
    loaded, plan, status_quo = small
    path = write_plan_map(plan, loaded, tmp_path / "map-en.html", compare_with=status_quo, lang="en")
    data = embedded_payload(path.read_text(encoding="utf-8"))
    view = Page(browser, path)
    page = view.page
    try:
        assert page.evaluate("() => document.documentElement.lang") == "en"
        legend = page.locator(".sm-legend")
        text = legend.inner_text()
        for english in ("Students without an internship place", "Whole school year", "Unit: ",
                        "Same scale for the whole school year and both plans.", "Region: "):
            assert english in text, (english, text)
        for dutch in ("Studenten", "zonder", "Heel schooljaar", "Eenheid", "Regio:"):
            assert dutch not in text, (dutch, text)
        assert "Internship shortage · " in page.locator(".sm-title").inner_text()
        assert " of " in page.locator(".sm-title").inner_text()
        layers = page.locator(".sm-layers").inner_text()
        for english in ("Institution locations", "Shortage rate (% of the students)", "Care, welfare and sport",
                        "Level 2"):
            assert english in layers, (english, layers)
        assert page.get_attribute(".sm-slider", "aria-label") == "Week (0 = whole school year)"
        assert page.get_attribute(".sm-play", "title") == "Play through the school year"
        assert "click a bar or drag" in page.locator(".sm-week-hint").inner_text()
        assert page.locator(".sm-bars text").last.text_content().startswith("max ")

        # A week, the difference view and an area's popup: all in English.
        page.locator(".sm-slider").fill("3")
        assert "planned on internship in this week" in legend.inner_text()
        view.click_choice("Difference")
        assert "Difference in students without an internship place" in legend.inner_text()
        view.click_choice("Shortage rate")
        assert "percentage points" in legend.inner_text() or "0 (equal)" in legend.inner_text()
        area = next(i for i, n in enumerate(data["areaNames"]) if n == "Enschede")
        page.evaluate(f"() => stageplannerMap.areaLayer.getLayers().find(l => l.feature.id === {area}).openPopup()")
        popup = page.locator(".leaflet-popup-content").inner_text()
        for english in ("without a place", "this week", "BOL students of programmes in this area", "Difference"):
            assert english in popup, (english, popup)
        assert "zonder" not in popup and "Verschil" not in popup
        assert view.errors == [] and view.requests == []
    finally:
        page.close()


#: A programme name with markup, on a crebo the catalogue does not have (so the map shows the programme).
MARKUP_PROGRAMME = "Zorg <img src=x onerror=\"window.__pwned=1\"> & co"


@pytest.mark.browser
def test_an_area_popup_lists_its_qualifications_with_shortage_and_escapes_their_names(browser, tmp_path):
    from tests.builders import CARE, HELPER, recognised_scenario

    base = recognised_scenario()
    rows = base.model_dump()
    rows["cohorts"].append(cohort("odd", 3, crebo="99999", programme=MARKUP_PROGRAMME))
    loaded = load_scenario(save_scenario(Scenario.model_validate(rows), tmp_path / "scenario.yaml"))
    plan = solve(loaded.scenario, SolveParams("status-quo", time_limit=10, baselines=False),
                 base_dir=loaded.base_dir).plan
    assert {cp.cohort: cp.unplaced for cp in plan.cohorts} == {"care": 0, "helper": 2, "odd": 3}
    path = write_plan_map(plan, loaded, tmp_path / "map.html")
    data = embedded_payload(path.read_text(encoding="utf-8"))
    names = dict(map(tuple, data["qualifications"]["names"]))
    assert names == {CARE: "Verzorgende IG", HELPER: "Helpende Zorg en Welzijn", "99999": MARKUP_PROGRAMME}
    view = Page(browser, path)
    page = view.page
    try:
        area = data["areaNames"].index("Enschede")
        page.evaluate(f"() => stageplannerMap.areaLayer.getLayers().find(l => l.feature.id === {area}).openPopup()")
        popup = page.locator(".leaflet-popup-content")
        text = popup.inner_text()
        assert "Kwalificatie met tekort (schooljaar)" in text
        # The two qualifications with shortage, most first, by name and crebo; the one without shortage is not listed.
        table = popup.locator("table.sm-break").last.inner_text()
        assert table.index(MARKUP_PROGRAMME) < table.index("Helpende Zorg en Welzijn") and "Verzorgende IG" not in table
        assert popup.locator("img").count() == 0 and page.evaluate("() => window.__pwned") is None
        assert view.errors == [] and view.requests == []
    finally:
        page.close()


@pytest.mark.browser
def test_a_spot_for_one_qualification_names_it_in_its_popup_as_text(browser, tmp_path):
    from maps.spots import write_spots_map
    from planner.whatif.marginal import capacity_spots, spot_rows
    from tests.builders import HELPER, recognised_scenario

    loaded = load_scenario(save_scenario(recognised_scenario(), tmp_path / "scenario.yaml"))
    plan = solve(loaded.scenario, SolveParams("status-quo", time_limit=10, baselines=False),
                 base_dir=loaded.base_dir).plan
    [spot] = spot_rows(capacity_spots(loaded.scenario, plan, "status-quo", top=1, base_dir=loaded.base_dir,
                                      per="crebo"))
    assert spot["qualification"] == HELPER
    spot["qualification_name"] = MARKUP_PROGRAMME  # a name with markup must arrive as text
    view = Page(browser, write_spots_map(plan, loaded, [spot], tmp_path / "marginal.html"))
    try:
        view.page.locator(".sm-spot").first.dispatch_event("click")
        popup = view.page.locator(".sm-popup").first
        assert f"de plaats is alleen voor {MARKUP_PROGRAMME} ({HELPER})" in popup.inner_text()
        assert popup.locator("img").count() == 0 and view.page.evaluate("() => window.__pwned") is None
        assert view.errors == []
    finally:
        view.page.close()


# ---------------------------------------------------------------- national size (slow)


@pytest.mark.slow
def test_a_national_plan_renders_small_and_complete(tmp_path):
    from planner.generate import generate_scenario

    scenario = generate_scenario("L", 2026)
    assert len(scenario.areas) > 600 and len(scenario.companies) >= 80_000
    plan = solve(scenario, SolveParams("greedy", time_limit=600, baselines=False)).plan
    assert plan.kpis.unplaced > 0
    # Two plans' worth of data (the greedy plan stands in for both): the size a report writes.
    path = write_plan_map(plan, scenario, tmp_path / "map.html", compare_with=plan)
    size = path.stat().st_size
    assert size < 10 * 2**20, size
    data = embedded_payload(path.read_text(encoding="utf-8"))
    assert data["companies"]["aggregated"] and data["companies"]["count"] == len(scenario.companies)
    assert len(data["areas"]["features"]) == len(scenario.areas)
    if CHROMIUM.exists():
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            view = Page(instance, path)
            assert view.errors == [] and view.requests == []
            assert view.page.locator(".leaflet-overlay-pane path").count() == len(data["areas"]["features"])
            assert view.page.locator(".sm-coa").count() == len(data["companies"]["items"])
            instance.close()


@pytest.mark.browser
def test_every_map_the_project_writes_runs_without_errors_under_the_served_policy(browser, small, tmp_path):
    """The plan map, the comparison map and the marginal map, served as the API serves them (its
    Content-Security-Policy: only the page's own inline scripts, by hash): not one console error, and the
    marginal map draws its ranked spots, named by company."""
    from api.core.headers import map_policy
    from maps.spots import write_spots_map
    from planner.whatif.marginal import capacity_spots, spot_rows

    loaded, plan, status_quo = small
    spots = spot_rows(capacity_spots(loaded.scenario, status_quo, "status-quo", top=3, base_dir=loaded.base_dir))
    assert spots
    maps = {"plan": write_plan_map(plan, loaded, tmp_path / "plan.html", compare_with=status_quo),
            "comparison": write_comparison_map(status_quo, plan, loaded, tmp_path / "comparison.html"),
            "marginal": write_spots_map(status_quo, loaded, spots, tmp_path / "marginal.html")}
    names = {c.id: c.name for c in loaded.scenario.companies}
    for kind, path in maps.items():
        html = path.read_text(encoding="utf-8")
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg, errors=errors: errors.append(f"console: {msg.text}")
                if msg.type == "error" else None)
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": map_policy(html)}
        page.route("http://maps.test/**", lambda route, _request, body=html, headers=headers: route.fulfill(
            status=200, body=body, headers=headers))
        page.goto(f"http://maps.test/{kind}.html")
        page.wait_for_selector(".folium-map.sm-ready", state="attached", timeout=20_000)
        if kind == "marginal":
            assert page.locator(".sm-spot").count() == len(spots)
            page.locator(".sm-spot").first.dispatch_event("click")
            popup = page.locator(".sm-popup").first.inner_text()
            assert popup.startswith(f"#1 {names[spots[0]['company']]} ({spots[0]['area']})")
        page.wait_for_timeout(300)
        assert errors == [], (kind, errors)
        page.close()

"""Each change kind changes exactly what it says, and nothing else (the scenario compared field by field)."""

from __future__ import annotations

from typing import Any

import pytest

from planner.i18n import use_language
from planner.scenario import Scenario, ScenarioError
from planner.whatif.variants import Variant, VariantSet, apply_variant
from tests.builders import WITHOUT_PRACTICAL_DEFAULTS, tiny_scenario


def differences(before: Scenario, after: Scenario) -> dict[str, Any]:
    """Every field that differs: settings by path, rows by (table, id, field), added and removed rows."""
    a, b = before.model_dump(), after.model_dump()
    out: dict[str, Any] = {}
    for key in set(a) | set(b):
        if key in ("cohorts", "companies", "name", "description"):
            continue
        if isinstance(a.get(key), dict) and isinstance(b.get(key), dict):
            for sub in set(a[key]) | set(b[key]):
                if a[key].get(sub) != b[key].get(sub):
                    out[f"{key}.{sub}"] = (a[key].get(sub), b[key].get(sub))
        elif a.get(key) != b.get(key):
            out[key] = (a.get(key), b.get(key))
    for table in ("cohorts", "companies"):
        rows_a = {r["id"]: r for r in a[table]}
        rows_b = {r["id"]: r for r in b[table]}
        for rid in set(rows_a) | set(rows_b):
            if rid not in rows_a:
                out[(table, rid)] = "added"
            elif rid not in rows_b:
                out[(table, rid)] = "removed"
            else:
                for field in rows_a[rid]:
                    if rows_a[rid][field] != rows_b[rid][field]:
                        out[(table, rid, field)] = (rows_a[rid][field], rows_b[rid][field])
    return out


def apply(*changes: dict) -> tuple[Scenario, Scenario, dict]:
    base = tiny_scenario()
    after = apply_variant(base, Variant.model_validate({"name": "v", "changes": list(changes)}))
    return base, after, differences(base, after)


def test_scale_capacity_of_a_sector() -> None:
    _, _, diff = apply({"kind": "scale_capacity", "companies": {"sector": "techniek"}, "factor": 2})
    assert diff == {("companies", "k3", "places"): (5, 10)}


def test_add_capacity_in_some_weeks() -> None:
    _, after, diff = apply({"kind": "add_capacity", "companies": {"area": "Hengelo"}, "places": 3,
                            "weeks": {"first": "2026-W40", "last": "2026-W41"}})
    assert diff == {("companies", "k2", "reduced_weeks"): ({}, {"2026-W40": 11, "2026-W41": 11})}
    k2 = after.companies[after.company_index["k2"]]
    assert [k2.places_in(w) for w in ("2026-W39", "2026-W40", "2026-W41", "2026-W42")] == [8, 11, 11, 8]


def test_add_and_remove_companies() -> None:
    _, _, diff = apply({"kind": "add_companies", "companies": [
        {"id": "k9", "name": "Ziekenhuis", "area": "Hengelo", "sectors": ["zorg"], "levels": ["2"], "places": 4}]})
    assert diff == {("companies", "k9"): "added"}
    _, _, diff = apply({"kind": "remove_companies", "companies": {"ids": ["k2"]}})
    assert diff == {("companies", "k2"): "removed"}


def test_allow_and_convert_forms() -> None:
    _, _, diff = apply({"kind": "allow_forms", "cohorts": {"sector": "zorg", "level": "2"}, "forms": "line:2x8"})
    assert diff == {("cohorts", "zorg-2", "forms"): (["block:4"], ["block:4", "line:2x8"])}
    _, _, diff = apply({"kind": "convert_forms", "cohorts": {"ids": "tech-3"}, "convert": {"block:4": "line:2x8"}})
    assert diff == {("cohorts", "tech-3", "forms"): (["block:4", "line:2x8"], ["line:2x8"]),
                    ("cohorts", "tech-3", "current_form"): ("block:4", "line:2x8")}


def test_move_and_widen_windows() -> None:
    base = tiny_scenario().model_dump()
    base["calendar"]["last_week"] = "2027-W05"
    scenario = Scenario.model_validate(base)
    moved = apply_variant(scenario, Variant.model_validate({"name": "v", "changes": [
        {"kind": "move_window", "cohorts": {"institution": "roc", "pathway": "BOL", "level": "2"}, "weeks": 4}]}))
    assert differences(scenario, moved) == {("cohorts", "zorg-2", "earliest_start"): ("2026-W36", "2026-W40"),
                                            ("cohorts", "zorg-2", "latest_end"): ("2026-W51", "2026-W55".replace(
                                                "2026-W55", moved.calendar.weeks[19])),
                                            ("cohorts", "zorg-2", "current_start"): ("2026-W40", "2026-W44")}
    widened = apply_variant(scenario, Variant.model_validate({"name": "v", "changes": [
        {"kind": "widen_window", "cohorts": {"ids": "zorg-3"}, "earlier": 2, "later": 3}]}))
    assert differences(scenario, widened) == {("cohorts", "zorg-3", "latest_end"): ("2026-W51",
                                                                                   scenario.calendar.weeks[18])}


def test_scale_inflow_by_level() -> None:
    _, _, diff = apply({"kind": "scale_inflow", "cohorts": {"level": "2"}, "factor": 1.15})
    assert diff == {("cohorts", "zorg-2", "students"): (20, 23)}


def test_weights_travel_and_scenario_fields() -> None:
    _, _, diff = apply({"kind": "set_weights", "level_weights": {"2": 4}, "sector_weights": {"techniek": 2}})
    assert set(diff) == {"policy.level_weights", "policy.sector_weights"}
    assert diff["policy.level_weights"][1] == {"entree": 3.0, "2": 4.0, "3": 1.0, "4": 1.0}
    assert diff["policy.sector_weights"][1] == {"zorg": 1.5, "techniek": 2.0}
    _, _, diff = apply({"kind": "set_travel_limit", "minutes": 60})
    assert diff == {"policy.default_max_travel_minutes": (45.0, 60.0)}
    _, _, diff = apply({"kind": "set_travel_limit", "minutes": 20, "cohorts": {"ids": "zorg-3"}})
    assert diff == {("cohorts", "zorg-3", "max_travel_minutes"): (None, 20.0)}
    # A policy replaces the whole policy: the hand-made scenario's rules without the wave defaults are given again.
    _, _, diff = apply({"kind": "set_scenario_fields",
                        "fields": {"policy": {**WITHOUT_PRACTICAL_DEFAULTS, "then_minimise": ["travel"]}}})
    assert diff == {"policy.then_minimise": (["changes", "travel", "balance"], ["travel"])}


def test_set_cohort_fields_goes_through_the_cohort_model() -> None:
    _, _, diff = apply({"kind": "set_cohort_fields", "cohorts": {"sector": "zorg", "pathway": "BOL"},
                        "fields": {"max_waves": 3, "priority": 5}})
    assert diff == {("cohorts", c, f): (old, new) for c in ("zorg-3", "zorg-2")
                    for f, old, new in (("max_waves", 2, 3), ("priority", None, 5.0))}
    with use_language("en"), pytest.raises(ScenarioError) as err:
        apply({"kind": "set_cohort_fields", "cohorts": {"ids": "zorg-3"}, "fields": {"keep_frm": True}})
    with use_language("en"):
        assert str(err.value.problems[0]) == ("variant 'v' change 1 (set_cohort_fields): cohort zorg-3: keep_frm: "
                                              "is not a known field")
    with pytest.raises(ScenarioError) as err:  # Dutch: the default
        apply({"kind": "set_cohort_fields", "cohorts": {"ids": "zorg-3"}, "fields": {"keep_frm": True}})
    assert str(err.value.problems[0]).endswith("keep_frm: is geen bekend veld")


def test_problems_name_the_variant_and_the_change() -> None:
    with use_language("en"), pytest.raises(ScenarioError) as err:
        apply({"kind": "scale_inflow", "factor": 2}, {"kind": "remove_companies", "companies": {"ids": "k1"}})
    assert str(err.value.problems[0]).startswith("variant 'v' change 2 (remove_companies): cohorts[3], company: 'k1'")
    with use_language("en"), pytest.raises(ScenarioError) as err:
        apply({"kind": "scale_inflow", "cohorts": {"area": "Zwolle"}, "factor": 2})
    assert "matches no cohorts" in str(err.value)
    # Dutch by default: the change, and what it says.
    with pytest.raises(ScenarioError) as err:
        apply({"kind": "scale_inflow", "cohorts": {"area": "Zwolle"}, "factor": 2})
    assert str(err.value.problems[0]) == ("variant 'v' wijziging 1 (scale_inflow): de selectie {'area': ['Zwolle']} "
                                          "past op geen enkel cohort")
    with pytest.raises(ScenarioError) as err:
        apply({"kind": "add_capacity", "companies": {"ids": "k1"}, "places": 1,
               "weeks": {"first": "2027-W10", "last": "2027-W12"}})
    assert str(err.value.problems[0]).endswith("week 2027-W10 valt buiten het schooljaar 2026-W36..2026-W51")


def test_the_variant_is_a_scenario_and_the_base_is_untouched() -> None:
    base, after, _ = apply({"kind": "scale_inflow", "factor": 2})
    assert base == tiny_scenario() and after.name == "test: v"
    assert Scenario.model_validate(after.model_dump()) == after
    with pytest.raises(ValueError):
        VariantSet.model_validate({"base": "s.yaml", "variants": [{"name": "a"}, {"name": "a"}]})


def test_move_window_clamps_to_the_school_year_and_says_so() -> None:
    from planner.whatif.describe import variant_notes

    document = tiny_scenario().model_dump()
    document["calendar"]["last_week"] = "2027-W05"  # windows 2026-W36..2026-W51: seven weeks left (2026 has a W53)
    base = Scenario.model_validate(document)
    late = Variant.model_validate({"name": "late", "changes": [
        {"kind": "move_window", "cohorts": {"ids": "zorg-3"}, "weeks": 10}]})
    moved = apply_variant(base, late)  # no longer refused: moved as far as the year allows
    weeks = base.calendar.weeks
    assert differences(base, moved) == {
        ("cohorts", "zorg-3", "earliest_start"): ("2026-W36", "2026-W43"),
        ("cohorts", "zorg-3", "latest_end"): ("2026-W51", weeks[-1]),
        ("cohorts", "zorg-3", "current_start"): ("2026-W40", "2026-W47")}
    early = Variant.model_validate({"name": "early", "changes": [
        {"kind": "move_window", "cohorts": {"ids": "zorg-3"}, "weeks": -2}]})
    assert differences(base, apply_variant(base, early)) == {}  # the window starts with the year
    assert variant_notes(base, late) == [
        "cohort zorg-3 schuift 7 weken in plaats van 10: zijn venster raakt het einde van het schooljaar"]
    assert variant_notes(base, early) == [
        "cohort zorg-3 schuift 0 weken in plaats van -2: zijn venster raakt het begin van het schooljaar"]


def test_a_variant_says_in_plain_words_how_many_places_it_adds_and_where() -> None:
    from planner.whatif.describe import variant_summary

    base = tiny_scenario()
    per_company = Variant.model_validate({"name": "+1 per company", "changes": [
        {"kind": "add_capacity", "companies": {"sector": "zorg"}, "places": 1}]})
    assert variant_summary(base, per_company, apply_variant(base, per_company)) == [
        "voegt 2 begeleidingsplaatsen toe bij 2 leerbedrijven (Zorg, welzijn en sport; Enschede, Hengelo)"]
    spring = Variant.model_validate({"name": "k3 autumn", "changes": [
        {"kind": "add_capacity", "companies": {"ids": "k3"}, "places": 3,
         "weeks": {"first": "2026-W40", "last": "2026-W43"}},
        {"kind": "scale_inflow", "cohorts": {"ids": "tech-3"}, "factor": 2}]})
    with use_language("en"):
        assert variant_summary(base, spring, apply_variant(base, spring)) == [
            "adds 3 supervision places at 1 learning company (Engineering and built environment; Enschede) "
            "in weeks 2026-W40..2026-W43", "adds 15 students"]

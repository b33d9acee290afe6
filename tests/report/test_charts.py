"""Charts: one colour per plan, titles that fit, and demand against the capacity within reach."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from planner.codes import MODES
from planner.i18n import use_language
from planner.model import load_scenario
from planner.report import balance, chart_style, charts
from planner.report.balance import CohortNeed, CompanySupply, demand_against_reachable
from planner.solve import SolveParams, solve


@pytest.fixture(scope="module")
def solved(tiny_scenario_path):
    loaded = load_scenario(tiny_scenario_path)
    result = solve(loaded.scenario, SolveParams("optimise", time_limit=120, work_limit=4, work_nodes=200),
                   base_dir=loaded.base_dir)  # a work budget: the same plans however loaded the machine is
    return loaded, result.plan, result.baselines["status-quo"]


@pytest.fixture
def figures(monkeypatch):
    """The figures the charts draw, captured when they are saved."""
    drawn = []
    finish = charts.finish

    def capture(fig, *args, **kwargs):
        drawn.append(fig)
        return finish(fig, *args, **kwargs)

    monkeypatch.setattr(charts, "finish", capture)
    return drawn


def draw_all(solved, tmp_path, scenario_name=None):
    loaded, plan, status_quo = solved
    if scenario_name:
        plan = plan.model_copy(update={"scenario": scenario_name})
    charts.weekly_capacity_chart(plan, loaded.scenario, tmp_path / "weekly.png", status_quo=status_quo)
    charts.shortage_cells_chart(plan, tmp_path / "cells.png", status_quo=status_quo)
    charts.reachable_capacity_chart(plan, loaded, tmp_path / "reachable.png", status_quo=status_quo)


def test_one_colour_per_plan_kind():
    assert set(chart_style.PLAN_COLOURS) == set(MODES)
    assert len(set(chart_style.PLAN_COLOURS.values())) == len(MODES)
    assert chart_style.CAPACITY_COLOUR not in chart_style.PLAN_COLOURS.values()
    assert chart_style.REACHABLE_COLOUR not in chart_style.PLAN_COLOURS.values()
    assert all(chart_style.plan_colour(mode) == colour for mode, colour in chart_style.PLAN_COLOURS.items())


def test_every_chart_draws_each_plan_in_its_palette_colour(solved, tmp_path, figures):
    draw_all(solved, tmp_path)
    assert len(figures) == 3
    for fig in figures:
        legend = fig.legends[0]
        by_label = {}
        for handle, text in zip(legend.legend_handles, legend.get_texts()):
            colour = handle.get_facecolor() if isinstance(handle, (Rectangle, PolyCollection)) else handle.get_color()
            by_label[text.get_text()] = to_hex(colour[0] if np.ndim(colour) == 2 else colour)
        for mode in ("status-quo", "optimise"):
            label = next(t for t in by_label if chart_style.plan_label(mode) in t)
            assert by_label[label] == chart_style.PLAN_COLOURS[mode], (label, fig.texts)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_chart_titles_fit_in_the_figure(solved, tmp_path, figures, lang):
    long_name = "Regio Twente en Achterhoek, scenario met een heel lange naam voor de leesbaarheid"
    with use_language(lang):
        draw_all(solved, tmp_path, long_name)
    assert len(figures) == 3
    for fig in figures:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        titles = [fig._suptitle] + [ax.title for ax in fig.axes if ax.get_visible() and ax.get_title()]
        for title in titles:
            extent = title.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1, \
                title.get_text()
        for legend in fig.legends:
            extent = legend.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1, "legend cut off"
            assert not extent.overlaps(fig._suptitle.get_window_extent(renderer)), "legend over the title"


def test_charts_speak_dutch_by_default_and_english_on_request(solved, tmp_path, figures):
    draw_all(solved, tmp_path)
    with use_language("en"):
        draw_all(solved, tmp_path)
    dutch, english = figures[:3], figures[3:]
    assert "Studenten zonder stageplaats" in dutch[1]._suptitle.get_text()
    assert "Students without an internship place" in english[1]._suptitle.get_text()
    assert "ISO-week" in [ax.get_xlabel() for ax in dutch[0].axes]


def week_capacity(value: float, weeks: int = 4) -> list[float]:
    return [value] * weeks


def test_reachable_capacity_shows_the_bottleneck_sector_capacity_hides():
    """Care level 2 in Almelo: 50 student-days a week needed; the region recognises 80, but within
    the travel limit only 30 (the large hospital is too far away)."""
    near = CompanySupply("near", frozenset({"zorg"}), frozenset({"2", "3"}), week_capacity(30))
    far = CompanySupply("far", frozenset({"zorg"}), frozenset({"2"}), week_capacity(50))
    other_level = CompanySupply("level-4-only", frozenset({"zorg"}), frozenset({"4"}), week_capacity(100))
    cohort = CohortNeed("zorg", "2", week_capacity(50), frozenset({"near"}), unplaced=4)
    [group] = demand_against_reachable([cohort], [near, far, other_level])
    assert (group.sector, group.level, group.unplaced) == ("zorg", "2", 4)
    sector_capacity = sum(np.asarray(c.capacity) for c in (near, far, other_level) if "zorg" in c.sectors)
    assert (sector_capacity > group.demand).all()  # the sector chamber as a whole has room ...
    assert (group.recognised == 80).all() and (group.recognised > group.demand).all()  # ... so has the level ...
    assert (group.reachable == 30).all() and (group.reachable < group.demand).all()  # ... but not within reach
    assert group.weeks_short == 4 and group.weeks_short_recognised == 0


def test_capacity_used_by_other_groups_is_not_available():
    shared = CompanySupply("shared", frozenset({"zorg"}), frozenset({"2", "3"}), week_capacity(40),
                           load={("zorg", "3"): [30, 30, 0, 0], ("zorg", "2"): [10, 10, 10, 10]})
    level_2 = CohortNeed("zorg", "2", week_capacity(20), frozenset({"shared"}))
    level_3 = CohortNeed("zorg", "3", [30, 30, 0, 0], frozenset({"shared"}))
    groups = {g.level: g for g in demand_against_reachable([level_3, level_2], [shared])}
    assert list(groups) == ["2", "3"]  # the usual order
    assert groups["2"].available.tolist() == [10, 10, 40, 40]
    assert groups["2"].weeks_short == 2
    assert groups["3"].available.tolist() == [30, 30, 30, 30] and groups["3"].weeks_short == 0


def test_reachable_balances_of_a_solved_plan(solved):
    loaded, plan, status_quo = solved
    balances = balance.reachable_balances([status_quo, plan], loaded)
    assert set(balances) == {"status-quo", "optimise"}
    for mode, p in (("status-quo", status_quo), ("optimise", plan)):
        groups = balances[mode]
        assert sum(g.unplaced for g in groups) == p.kpis.unplaced
        for g in groups:
            assert (g.available <= g.reachable + 1e-9).all() and (g.reachable <= g.recognised + 1e-9).all()

"""The school year and internship forms: ISO weeks, holidays, block and line forms, fitting starts."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from planner.scenario import Calendar, InternshipForm, fitting_starts, week_label, week_monday
from tests.builders import cohort, company, make_scenario


def test_iso_week_labels_and_mondays():
    assert week_monday("2026-W53") == dt.date(2026, 12, 28)
    assert week_label(dt.date(2027, 1, 3)) == "2026-W53"
    assert week_label(week_monday("2027-W01")) == "2027-W01"


def test_calendar_weeks_and_holidays():
    calendar = Calendar(first_week="2026-W50", last_week="2027-W02", holidays={"noord": ["2026-W52", "2026-W53"]})
    assert calendar.weeks == ["2026-W50", "2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert calendar.week_index["2027-W01"] == 4
    assert calendar.holiday_mask("noord") == [False, False, True, True, False, False]
    assert calendar.holiday_mask("zuid") == [False] * 6
    with pytest.raises(ValidationError, match="is before first_week"):
        Calendar(first_week="2027-W02", last_week="2026-W50")
    with pytest.raises(ValidationError, match="is not an ISO week: 2026 has no week 54"):
        Calendar(first_week="2026-W54", last_week="2027-W02")


@pytest.mark.parametrize(("text", "kind", "days", "weeks"), [
    ("block:10", "block", 5, 10), (" line:2x30 ", "line", 2, 30), ("line:4x1", "line", 4, 1)])
def test_internship_forms_parse_and_print(text, kind, days, weeks):
    form = InternshipForm.parse(text)
    assert (form.kind, form.days_per_week, form.weeks) == (kind, days, weeks)
    assert str(form) == text.strip() and form.student_days == days * weeks


@pytest.mark.parametrize("text", ["block:0", "block:53", "line:5x10", "line:2x0", "blok:10"])
def test_impossible_forms_are_refused(text):
    with pytest.raises(ValueError):
        InternshipForm.parse(text)


def test_occupied_weeks_pause_or_block_in_holidays():
    holidays = {"noord": ["2026-W52", "2026-W53"]}
    paused = Calendar(first_week="2026-W50", last_week="2027-W02", holidays=holidays)
    blocked = Calendar(first_week="2026-W50", last_week="2027-W02", holidays=holidays, holiday_rule="blocked")
    three = InternshipForm.parse("block:3")
    assert paused.occupied_weeks(0, three, "noord") == [0, 1, 4]
    assert paused.occupied_weeks(0, three, "zuid") == [0, 1, 2]
    assert blocked.occupied_weeks(0, three, "noord") is None
    assert paused.occupied_weeks(2, three, "noord") is None  # starts in a holiday
    assert paused.occupied_weeks(4, three, "noord") is None  # runs past the school year


def test_fitting_starts_stay_inside_the_cohort_window():
    scenario = make_scenario([cohort("a", forms="block:4", earliest="2026-W40", latest="2026-W45",
                                     current_start="2026-W40")], [company("k")])
    starts = fitting_starts(scenario, 0, InternshipForm.parse("block:4"))
    assert [start for start, _ in starts] == [4, 5, 6]
    assert starts[0] == (4, [4, 5, 6, 7])

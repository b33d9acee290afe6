"""The fixed texts of a shortage map, in the current language (Dutch by default), and its week captions.

The map's script reads these texts (``T.<key>``) and writes none of its own, so every word a
region's people read on a map is translated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from planner.i18n import N_, _, current_language
from planner.scenario import week_monday


class _Translated(Mapping[str, str]):
    """Fixed texts written in English (marked with ``N_``), given in the current language when read."""

    def __init__(self, source: dict[str, str]):
        self.source = source

    def __getitem__(self, key: str) -> str:
        return _(self.source[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.source)

    def __len__(self) -> int:
        return len(self.source)


#: The plan kinds as the map names them (in the current language: Dutch by default).
PLAN_LABELS: Mapping[str, str] = _Translated({
    "status-quo": N_("Status quo (current periods)"),
    "optimise": N_("Optimised (spread periods)"),
    "greedy": N_("First come, first served (current periods)"),
})
_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

#: Fixed texts of the map (in the current language: Dutch by default), read by the map's script
#: as ``T.<key>``; tests check the legend units. A ``{name}`` in a text is a placeholder the script
#: fills in: ``{n}``, ``{total}``, ``{used}``, ``{places}``, ``{companies}``: a number formatted for
#: the language; ``{pct}``, ``{mean}``, ``{peak}``: a percentage; ``{plan}``, ``{other}``: a plan's
#: label; ``{area}``, ``{from}``, ``{to}``: an area's name; ``{id}``: a location or company id;
#: ``{week}``: a week caption or number; ``{unit}``: the unit of the measure (``unit_count`` or
#: ``unit_rate``); ``{value}``: the measure's value; ``{filter}``: the chosen sector chamber and
#: level; ``{year}``: the text ``year``; ``{scenario}``: the scenario's name. A line break in a
#: column heading is ``\n``.
TEXT: Mapping[str, str] = _Translated({
    "unit_count": N_("students without an internship place"),
    "unit_rate": N_("% of the students of programmes in the area"),
    "metric_count": N_("Number of students without an internship place"),
    "metric_rate_choice": N_("Shortage rate (% of the students)"),
    "title_count": N_("Students without an internship place"),
    "title_rate": N_("Shortage rate"),
    "title_count_diff": N_("Difference in students without an internship place"),
    "title_rate_diff": N_("Difference in shortage rate"),
    "year": N_("Whole school year"),
    "holiday_week": N_("{week} (holiday)"),
    "all_sectors": N_("All sector chambers"),
    "all_levels": N_("All levels"),
    "no_students": N_("no students (no institution location)"),
    "zero": N_("0 (everyone placed)"),
    "equal": N_("0 (equal)"),
    "group_view": N_("Plan"),
    "group_metric": N_("Measure"),
    "group_sector": N_("Sector chamber"),
    "group_level": N_("Level"),
    "group_layers": N_("Map layers"),
    "layer_areas": N_("Shortage per area"),
    "layer_institutions": N_("Institution locations"),
    "layer_companies": N_("Learning companies (supervision capacity)"),
    "layer_companies_agg": N_("Learning companies per area (supervision capacity)"),
    "layer_flows": N_("Flows: where students do their internship"),
    "base_blank": N_("Plain background (offline)"),
    "base_osm": N_("OpenStreetMap (needs internet)"),
    "less": N_("less shortage"),
    "more": N_("more shortage"),
    "utilisation": N_("Use of supervision capacity"),
    # numbers with a unit
    "percent": N_("{n}%"),
    "points": N_("{n} percentage points"),
    "up_to": N_("up to {n}"),
    "util_full": N_("≥ {pct} (full)"),
    # title, legend and week control
    "title": N_("Internship shortage · {scenario}"),
    "title_plan": N_("{plan}: {n} of {total} without an internship place ({pct})"),
    "unit_line": N_("Unit: {unit} per area (the area of the institution location)."),
    "unit_line_week": N_("Unit: {unit} per area (the area of the institution location); "
                         "planned on internship in this week."),
    "scale_weeks": N_("Same scale for all weeks."),
    "scale_weeks_plans": N_("Same scale for all weeks and both plans."),
    "scale_year": N_("Same scale for the whole school year."),
    "scale_year_plans": N_("Same scale for the whole school year and both plans."),
    "region_total": N_("Region: {value} {unit}"),
    "util_week": N_("in this week, {plan}; size = supervision places"),
    "util_peak": N_("peak week, {plan}; size = supervision places"),
    "flow_key": N_("Flow of students → internship area"),
    "flow_key_capped": N_("Flow of students → internship area (largest flows)"),
    "flow_tip": N_("{from} → {to}: {n} students ({plan})"),
    "play": N_("Play through the school year"),
    "slider": N_("Week (0 = whole school year)"),
    "bars_max": N_("max {n} per week"),
    "bars_hint": N_("Bars: {plan} · click a bar or drag · left = {year} · grey = school holiday"),
    "bars_hint_line": N_("Bars: {plan}; line: {other} · click a bar or drag · left = {year} · "
                         "grey = school holiday"),
    # area popup
    "col_unplaced_week": N_("without a place\nthis week"),
    "col_unplaced_year": N_("without a place\nschool year"),
    "col_rate_year": N_("shortage %\nschool year"),
    "difference": N_("Difference"),
    "area_students": N_("{n} BOL students of programmes in this area ({filter})"),
    "col_sector_year": N_("Sector chamber (school year)"),
    "col_students": N_("students"),
    "col_qualification_year": N_("Qualification with shortage (school year)"),
    "more_qualifications": N_("and {n} more qualifications with shortage"),
    # institution popup
    "location": N_("Location {id}"),
    "cohorts": N_("Cohorts"),
    "bol_students": N_("BOL students with an internship this year"),
    "bbl_students": N_("BBL students (own learning company)"),
    "unplaced_plan": N_("Without an internship place – {plan}"),
    "col_programme": N_("Programme with shortage"),
    "col_level": N_("lvl."),
    "col_stud": N_("stud."),
    "more_programmes": N_("and {n} more programmes with shortage"),
    # learning company popups, markers and clusters
    "company": N_("Learning company {id}"),
    "sector": N_("Sector chamber"),
    "levels": N_("Levels"),
    "places_per_week": N_("Supervision places per week"),
    "companies_in": N_("Learning companies in {area}"),
    "companies": N_("Learning companies"),
    "per_sector": N_("Per sector chamber"),
    "usage": N_("average {mean}, peak {peak}"),
    "peak_week": N_("(week {week})"),
    "week_places": N_("{used} of {places} places ({pct})"),
    "spark": N_("student-days per week: capacity (light) and used ({plan})"),
    "cluster": N_("{companies} learning companies, {places} places per week, use {pct}"),
    "area_companies": N_("{area}: {companies} learning companies, {places} places"),
    # where one more supervision place helps most (the marginal map)
    "layer_spots": N_("Where one more supervision place helps most"),
    "spot_for": N_("the place is for {qualification} only"),
    "spot": N_("#{rank} {company} ({area}): {sector} level {level}, weeks {first}..{last}; estimated {estimate}, "
               "realised {realised}"),
})

#: The locale the map's script formats numbers in (decimal and thousands separators), per language.
NUMBER_LOCALES = {"nl": "nl-NL", "en": "en-GB"}


def month_abbreviations() -> tuple[str, ...]:
    """The months' short names in the current language (Dutch by default)."""
    return _MONTHS.get(current_language(), _MONTHS["nl"])


def week_caption(label: str) -> str:
    """``2026-W45`` -> ``week 45 · 2 nov 2026`` (Monday of the week)."""
    monday = week_monday(label)
    return f"{_('week')} {int(label[-2:])} · {monday.day} {month_abbreviations()[monday.month - 1]} {monday.year}"

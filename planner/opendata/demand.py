"""Real demand: DUO's full-time BOL students as study-year cohorts with internship forms and windows.

DUO counts the students of an institution per crebo and level, not per study year. The rule
(written down in docs/model.md, "Real demand from DUO"):

- a programme lasts :data:`PROGRAMME_YEARS` years by level (entree 1, level 2 two, level 3
  three, level 4 three: the default lengths since "Focus op vakmanschap" 2014; some level-3
  programmes take two years and some level-4 programmes four);
- the students are spread evenly over the study years (earlier years take the remainder), but
  a row is split into no more years than it has :data:`MIN_COHORT` students for, keeping the
  last years (a smaller cohort could identify a person);
- every BOL student does one internship (BPV) period in the school year: BPV is part of every
  study year, its share rising towards the last year; so every full-time BOL student is demand;
- the period depends on where the year lies in the programme (:data:`YEAR_PERIODS`): a short
  first-year block in the second half of the year, a longer middle-year block, a long
  final-year block from the start of the year; each also allowed as a line form of about the
  same student-days. Entree has one year with a line internship.

The forms are the project's defaults: the catalogue (DUO) gives no internship form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.scenario import Calendar

__all__ = ["PROGRAMME_YEARS", "YEAR_PERIODS", "YearPeriod", "bol_cohorts", "study_years"]

#: Years a programme takes, by level.
PROGRAMME_YEARS: dict[str, int] = {"entree": 1, "2": 2, "3": 3, "4": 3}


@dataclass(frozen=True)
class YearPeriod:
    """The internship of a study year: allowed forms, the current one, the window and the current start."""

    forms: tuple[str, ...]
    current_form: str
    earliest_start: str
    latest_end: str
    current_start: str


#: The internship of a study year by its place in the programme.
YEAR_PERIODS: dict[str, YearPeriod] = {
    "entree": YearPeriod(("line:2x30", "block:12"), "line:2x30", "2026-W36", "2027-W26", "2026-W38"),
    "first": YearPeriod(("block:8", "line:2x20"), "block:8", "2027-W02", "2027-W26", "2027-W09"),
    "middle": YearPeriod(("block:12", "line:3x20"), "block:12", "2026-W45", "2027-W26", "2027-W02"),
    "final": YearPeriod(("block:20", "line:3x33"), "block:20", "2026-W36", "2027-W26", "2026-W37"),
}
#: Travel limit by level: entree and level 2 students travel less far.
TRAVEL_MINUTES: dict[str, int] = {"entree": 45, "2": 45, "3": 60, "4": 60}
#: The fewest students a study-year cohort is split off with.
MIN_COHORT = 5
#: Cohorts of at least this many students may be split over two waves.
TWO_WAVES_FROM = 15


def study_years(students: int, level: str) -> list[int]:
    """Students per study year (year 1 first): spread evenly, earlier years taking the remainder.

    A small row is split into no more years than it has :data:`MIN_COHORT` students for (a
    cohort that small could identify a person): the years kept are the last ones, the others 0.
    """
    years = PROGRAMME_YEARS[level]
    kept = min(years, max(1, students // MIN_COHORT))
    base, extra = divmod(students, kept)
    return [0] * (years - kept) + [base + (year < extra) for year in range(kept)]


def _kind(level: str, year: int) -> str:
    if level == "entree":
        return "entree"
    last = PROGRAMME_YEARS[level] - 1
    return "final" if year == last else "first" if year == 0 else "middle"


def _open_start(calendar: Calendar, holiday_region: str, week: str) -> str:
    """The first week at or after ``week`` that is not a holiday of ``holiday_region``."""
    holiday = calendar.holiday_mask(holiday_region)
    index = calendar.week_index[week]
    while holiday[index]:
        index += 1
    return calendar.weeks[index]


def bol_cohorts(rows: list[dict[str, Any]], calendar: Calendar, holiday_region: dict[str, str]) -> list[dict[str, Any]]:
    """Cohort rows of the BOL students of ``rows``, split by study year.

    Parameters
    ----------
    rows : list of dict
        One per location x crebo x level: ``location``, ``crebo``, ``programme``, ``sector``,
        ``level``, ``students``.
    calendar : Calendar
        The school year.
    holiday_region : dict
        Holiday region of every location.

    Returns
    -------
    list of dict
        Scenario cohort rows (``<location>-<crebo>-n<level>-j<year>``).
    """
    cohorts = []
    for row in rows:
        for year, students in enumerate(study_years(row["students"], row["level"])):
            if students == 0:
                continue
            period = YEAR_PERIODS[_kind(row["level"], year)]
            start = _open_start(calendar, holiday_region[row["location"]], period.current_start)
            level = row["level"]
            cohorts.append({
                "id": f"{row['location']}-{row['crebo']}-n{'1' if level == 'entree' else level}-j{year + 1}",
                "location": row["location"],
                "crebo": row["crebo"],
                "programme": row["programme"],
                "sector": row["sector"],
                "level": level,
                "pathway": "BOL",
                "students": students,
                "forms": list(period.forms),
                "earliest_start": period.earliest_start,
                "latest_end": period.latest_end,
                "current_start": start,
                "current_form": period.current_form,
                "max_travel_minutes": TRAVEL_MINUTES[level],
                "travel_mode": "pt",
                "max_waves": 2 if students >= TWO_WAVES_FROM else 1,
            })
    return cohorts

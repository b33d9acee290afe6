"""The school year and the forms an internship takes: ISO weeks, holidays, block and line.

A week is written as an ISO week label (``2026-W36``); the :class:`Calendar` lists the weeks
of one school year with the holiday weeks per holiday region, and :func:`fitting_starts`
finds the start weeks at which an :class:`InternshipForm` fits a cohort's window.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, Field, model_validator

from planner.codes import DAYS_PER_WEEK, HolidayRegion
from planner.i18n import _
from planner.scenario.base import InputModel

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_FORM = re.compile(r"^(?:block:(\d+)|line:([1-4])x(\d+))$")
#: A form in words, as :func:`form_words` writes it (Dutch or English), read back as its code.
_FORM_WORDS = re.compile(r"^(?:(?:blokstage|block internship)\s+(\d+)\s+(?:weken|weeks?)"
                         r"|(?:lintstage|line internship)\s+([1-4])\s+(?:dagen|dag|days?)\s*x\s*(\d+)\s+(?:weken|weeks?))$",
                         re.IGNORECASE)
#: Every form code in a text (``block:16``, ``line:3x20``), for writing them in words.
_FORM_CODES = re.compile(r"\bblock:(\d+)\b|\bline:([1-4])x(\d+)\b")


def _check_iso_week(label: str) -> str:
    label = label.strip()
    match = _ISO_WEEK.match(label)
    if not match:
        raise ValueError(_("{week} is not an ISO week like 2026-W36").format(week=repr(label)))
    year, week = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(_("{label} is not an ISO week: {year} has no week {week}").format(
            label=repr(label), year=year, week=week)) from None
    return label


IsoWeek = Annotated[str, AfterValidator(_check_iso_week)]


def week_monday(label: str) -> dt.date:
    """Return the Monday of an ISO week label such as ``2026-W36``."""
    year, week = label.split("-W")
    return dt.date.fromisocalendar(int(year), int(week), 1)


def week_label(monday: dt.date) -> str:
    """Return the ISO week label (``YYYY-Www``) of a date."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, order=True)
class InternshipForm:
    """One way to do the internship: a block (5 days a week) or a line (D days a week).

    Written in files as ``block:N`` (N full-time weeks) or ``line:DxM`` (D days a week for
    M weeks), e.g. ``block:10`` or ``line:2x30``.
    """

    kind: Literal["block", "line"]
    days_per_week: int
    weeks: int

    @classmethod
    def parse(cls, text: str) -> InternshipForm:
        """Parse ``block:N`` or ``line:DxM``."""
        match = _FORM.match(text.strip()) or _FORM_WORDS.match(" ".join(text.split()))
        if not match:
            raise ValueError(_(
                "{form} is not an internship form; allowed: block:WEEKS (e.g. block:10) "
                "or line:DAYSxWEEKS with 1 to 4 days (e.g. line:2x30)").format(form=repr(text))
            )
        if match[1] is not None:
            weeks = int(match[1])
            if not 1 <= weeks <= 52:
                raise ValueError(_("{form}: a block lasts 1 to 52 weeks").format(form=repr(text)))
            return cls("block", DAYS_PER_WEEK, weeks)
        weeks = int(match[3])
        if not 1 <= weeks <= 52:
            raise ValueError(_("{form}: a line internship lasts 1 to 52 weeks").format(form=repr(text)))
        return cls("line", int(match[2]), weeks)

    def __str__(self) -> str:
        if self.kind == "block":
            return f"block:{self.weeks}"
        return f"line:{self.days_per_week}x{self.weeks}"

    @property
    def words(self) -> str:
        """The form in words, in the current language: ``blokstage 16 weken``, ``lintstage 3 dagen x 20 weken``."""
        if self.kind == "block":
            return _("block internship {weeks} weeks").format(weeks=self.weeks)
        return _("line internship {days} days x {weeks} weeks").format(days=self.days_per_week, weeks=self.weeks)

    @property
    def student_days(self) -> int:
        """Supervision student-days the whole internship takes."""
        return self.days_per_week * self.weeks


def forms_in_words(text: str) -> str:
    """``text`` with every form code in it written in words (``block:16 2026-W40..`` -> ``blokstage 16 weken 2026-W40..``)."""
    def words(match: re.Match[str]) -> str:
        if match[1] is not None:
            return InternshipForm("block", DAYS_PER_WEEK, int(match[1])).words
        return InternshipForm("line", int(match[2]), int(match[3])).words

    return _FORM_CODES.sub(words, text)


def _check_form(text: str) -> str:
    return str(InternshipForm.parse(text))


FormText = Annotated[str, AfterValidator(_check_form)]


class Calendar(InputModel):
    """The school year as consecutive ISO weeks, with holiday weeks per holiday region."""

    first_week: IsoWeek = Field(description="First week of the school year, e.g. 2026-W36.")
    last_week: IsoWeek = Field(description="Last week of the school year, e.g. 2027-W28.")
    holidays: dict[HolidayRegion, list[IsoWeek]] = Field(
        default_factory=dict, description="School holiday weeks per holiday region (noord, midden, zuid)."
    )
    holiday_rule: Literal["paused", "blocked"] = Field(
        default="paused",
        description="paused: an internship pauses in holiday weeks and runs on after them; "
        "blocked: an internship period may not contain a holiday week.",
    )

    @model_validator(mode="after")
    def _weeks_in_order(self) -> Calendar:
        if week_monday(self.last_week) < week_monday(self.first_week):
            raise ValueError(_("last_week {last} is before first_week {first}").format(
                last=self.last_week, first=self.first_week))
        if len(self.weeks) > 60:
            raise ValueError(_("the calendar spans {weeks} weeks; at most 60 are allowed").format(weeks=len(self.weeks)))
        known = set(self.weeks)
        for region, weeks in self.holidays.items():
            for week in weeks:
                if week not in known:
                    raise ValueError(
                        _("holiday week {week} of region {region} is outside {span}").format(
                            week=week, region=region, span=f"{self.first_week}..{self.last_week}")
                    )
        return self

    @cached_property
    def weeks(self) -> list[str]:
        """All week labels of the school year, in order."""
        start, end = week_monday(self.first_week), week_monday(self.last_week)
        return [week_label(start + dt.timedelta(weeks=i)) for i in range((end - start).days // 7 + 1)]

    @cached_property
    def week_index(self) -> dict[str, int]:
        """Week label to position (0-based) in the school year."""
        return {label: i for i, label in enumerate(self.weeks)}

    def holiday_mask(self, region: str) -> list[bool]:
        """Per week, whether it is a school holiday in ``region``."""
        holiday = set(self.holidays.get(region, []))
        return [week in holiday for week in self.weeks]

    def occupied_weeks(self, start: int, form: InternshipForm, region: str) -> list[int] | None:
        """Weeks (indices) in which a student starting in week ``start`` is at the company.

        Holiday weeks of the student's holiday region are skipped ('paused') or may not occur
        inside the period ('blocked'). Returns None when the internship does not fit in the
        calendar or would start in a holiday.
        """
        mask = self.holiday_mask(region)
        if not 0 <= start < len(mask) or mask[start]:
            return None
        weeks: list[int] = []
        week = start
        while len(weeks) < form.weeks and week < len(mask):
            if mask[week]:
                if self.holiday_rule == "blocked":
                    return None
            else:
                weeks.append(week)
            week += 1
        return weeks if len(weeks) == form.weeks else None


class CohortsOnCalendar(Protocol):
    """What :func:`fitting_starts` reads of a :class:`~planner.scenario.model.Scenario`.

    Structural, so that the calendar does not import the scenario model that is built on it.
    """

    calendar: Calendar
    cohorts: Sequence[Any]
    locations: Mapping[str, Any]


def fitting_starts(scenario: CohortsOnCalendar, cohort_index: int, form: InternshipForm) -> list[tuple[int, list[int]]]:
    """Start weeks (with their occupied weeks) at which ``form`` fits the cohort's window."""
    cohort = scenario.cohorts[cohort_index]
    calendar = scenario.calendar
    region = scenario.locations[cohort.location].holiday_region
    first = calendar.week_index[cohort.earliest_start]
    last = calendar.week_index[cohort.latest_end]
    starts = []
    for start in range(first, last + 1):
        weeks = calendar.occupied_weeks(start, form, region)
        if weeks is not None and weeks[-1] <= last:
            starts.append((start, weeks))
    return starts

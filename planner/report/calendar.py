"""A printable internship calendar per institution: real dates, each cohort's proposed waves, what
changed and why, and the reasons for students left without a place.

One HTML page per institution (``institutions/<institution-id>.html`` next to its markdown report,
served by the API and linked from the web plan page). Dates are the Monday of a wave's first week
and the Friday of its last week, written for the language (``ma 1 feb 2027`` in Dutch, ``Mon 1 Feb
2027`` in English, by Babel); the ISO weeks stay beside them. The page carries its own print
stylesheet, so a browser prints it as the school's calendar. The rows are those of the institution
report (:func:`planner.plan.changes.cohort_changes`), the reasons those of :mod:`planner.plan.reasons`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, select_autoescape

from planner.i18n import _, current_language, fmt_int, ngettext
from planner.plan.changes import CohortChange, ProposedWave, cohort_changes
from planner.plan.model import Plan, UnplacedReason
from planner.plan.reasons import form_text, reason_text
from planner.scenario import Scenario
from planner.scenario.calendar import week_monday

#: How a date is written: abbreviated weekday, day, abbreviated month, year (``ma 1 feb 2027``).
DATE_PATTERN = "EEE d MMM y"


def week_start_date(week: str) -> str:
    """The Monday of an ISO week in words, in the current language: ``2027-W05`` -> ``ma 1 feb 2027``."""
    return format_date(week_monday(week), DATE_PATTERN, locale=current_language())


def week_end_date(week: str) -> str:
    """The Friday of an ISO week in words (the last working day of an internship week)."""
    return format_date(week_monday(week) + dt.timedelta(days=4), DATE_PATTERN, locale=current_language())


@dataclass(frozen=True)
class Period:
    """An internship period as people read it: the form in words, dates, ISO weeks and students."""

    form: str
    start: str
    end: str
    weeks: str
    students: str
    placed: str


@dataclass(frozen=True)
class CohortCalendar:
    """One cohort on the calendar page."""

    title: str
    detail: str
    current: Period
    proposed: list[Period]
    changed: bool
    what_changed: list[str]
    why: list[str]
    unplaced_reason: str


def _students(n: int) -> str:
    return ngettext("{n} student", "{n} students", n).format(n=fmt_int(n))


def _period(form: str, start: str, end: str, students: int, placed: int | None) -> Period:
    return Period(form=form_text(form), start=week_start_date(start) if start else "",
                  end=week_end_date(end) if end else "", weeks=f"{start} – {end}" if start and end else "",
                  students=_students(students),
                  placed=fmt_int(placed) if placed is not None else "")


def _what_changed(row: CohortChange) -> list[str]:
    """The changes in words: start date, form, waves."""
    if not row.changed:
        return [_("The internship period stays as it is.")]
    lines = []
    if len(row.waves) > 1:
        lines.append(ngettext("The cohort is split into {n} wave.", "The cohort is split into {n} waves.",
                              len(row.waves)).format(n=len(row.waves)))
    for wave in row.waves:
        if wave.start_week != row.current_start:
            lines.append(_("{students} start on {new} instead of {old}.").format(
                students=_students(wave.students), new=week_start_date(wave.start_week),
                old=week_start_date(row.current_start)))
        if wave.form != row.current_form:
            lines.append(_("{students}: {new} instead of {old}.").format(
                students=_students(wave.students), new=form_text(wave.form), old=form_text(row.current_form)))
    return lines


def _why(row: CohortChange, before: int | None) -> list[str]:
    """Why the period changes: the places in the current period against the proposal (when known)."""
    if not row.changed:
        return []
    if before is None:
        return [_("The proposal spreads the internships over the year so that more students of the region get a "
                  "place.")]
    lines = [_("In the current period {before} of the {students} students get a place; in the proposed periods "
               "{after}.").format(before=fmt_int(before), students=fmt_int(row.students), after=fmt_int(row.placed))]
    if row.placed == before:
        lines.append(_("This cohort gives up no places: its move frees companies and weeks for students of other "
                       "cohorts in the region."))
    elif row.placed < before:
        lines.append(ngettext("This cohort gives up {n} place so that more students of other cohorts in the region "
                              "get one.",
                              "This cohort gives up {n} places so that more students of other cohorts in the region "
                              "get one.", before - row.placed).format(n=fmt_int(before - row.placed)))
    return lines


def _wave_period(wave: ProposedWave) -> Period:
    return _period(wave.form, wave.start_week, wave.end_week, wave.students, wave.placed)


def institution_calendar(plan: Plan, scenario: Scenario, institution: str, status_quo: Plan | None = None,
                         changes: list[CohortChange] | None = None) -> list[CohortCalendar]:
    """The cohorts of one institution as calendar entries (changed cohorts first)."""
    rows = changes if changes is not None else cohort_changes(plan, scenario, institution)
    rows = [r for r in rows if r.institution == institution]
    reasons: dict[str, UnplacedReason] = plan.reasons or {}
    before = {cp.cohort: cp.placed for cp in status_quo.cohorts} if status_quo is not None else {}
    entries = []
    for row in sorted(rows, key=lambda r: (not r.changed, r.location, r.programme, r.cohort)):
        reason = reasons.get(row.cohort)
        unplaced = ""
        if row.unplaced:
            unplaced = reason_text(reason) if reason else _("{n} without a place.").format(n=fmt_int(row.unplaced))
        level = _("entree") if row.level == "entree" else _("level {level}").format(level=row.level)
        entries.append(CohortCalendar(
            title=f"{row.programme} ({row.crebo})",
            detail=", ".join([level, row.location, row.area, _students(row.students)]),
            current=_period(row.current_form, row.current_start, row.current_end, row.students, None),
            proposed=[_wave_period(w) for w in row.waves],
            changed=row.changed, what_changed=_what_changed(row),
            why=_why(row, before.get(row.cohort) if status_quo is not None else None),
            unplaced_reason=unplaced,
        ))
    return entries


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("planner.report", "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def calendar_html(plan: Plan, scenario: Scenario, institution: str, status_quo: Plan | None = None,
                  changes: list[CohortChange] | None = None) -> str:
    """The printable calendar page of one institution (HTML, every user text escaped)."""
    entries = institution_calendar(plan, scenario, institution, status_quo, changes)
    name = next((i.name for i in scenario.institutions if i.id == institution), institution)
    changed = [e for e in entries if e.changed]
    unplaced = sum(r.unplaced for r in (changes or cohort_changes(plan, scenario, institution))
                   if r.institution == institution)
    summary = _("{cohorts} BOL cohorts; the plan proposes a different internship period for {changed} of them; "
                "{unplaced} students stay without a place.").format(
        cohorts=fmt_int(len(entries)), changed=fmt_int(len(changed)), unplaced=fmt_int(unplaced))
    texts = {
        "lang": current_language(),
        "title": _("Internship calendar of {institution}").format(institution=name),
        "plan": _("Plan {scenario}").format(scenario=plan.scenario),
        "summary": summary,
        "current": _("now"), "proposed": _("proposal"), "form": _("form"), "from": _("from"), "to": _("to"),
        "weeks": _("ISO weeks"), "students": _("students"), "placed": _("placed"),
        "what_changed": _("What changes"), "why": _("Why"),
        "unplaced": _("Why students stay without a place"), "no_cohorts": _("This institution has no BOL cohorts in this plan."),
        "dates_note": _("Dates are the Monday of the first and the Friday of the last internship week; school "
                        "holidays inside a period are free."),
    }
    return _environment().get_template("calendar.html").render(t=texts, entries=entries)

"""What a plan changes, per cohort and per institution: current period against the proposed waves.

Pure functions of a :class:`~planner.plan.model.Plan` and the :class:`~planner.scenario.Scenario`
it was made for (for the names of institutions and companies and the current periods). The
institution reports (:mod:`planner.report.institutions`) and the API show these rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from planner.plan.model import Plan
from planner.scenario import InternshipForm, Scenario


@dataclass(frozen=True)
class ProposedWave:
    """One proposed wave of a cohort: form, weeks, students, and the companies that take them."""

    form: str
    start_week: str
    end_week: str
    students: int
    placed: int
    companies: tuple[str, ...] = ()
    company_students: tuple[int, ...] = ()


@dataclass(frozen=True)
class CohortChange:
    """A cohort's current period against the plan's proposal."""

    cohort: str
    institution: str
    institution_name: str
    location: str
    area: str
    programme: str
    crebo: str
    sector: str
    level: str
    pathway: str
    students: int
    current_form: str
    current_start: str
    current_end: str
    waves: tuple[ProposedWave, ...]
    placed: int
    unplaced: int
    changed: bool
    weight: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def moved(self) -> int:
        """Students not in the current period (in a wave whose form or start differs)."""
        return sum(w.students for w in self.waves
                   if w.form != self.current_form or w.start_week != self.current_start)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        data = asdict(self)
        data.pop("extra")
        data["waves"] = [{**asdict(w), "companies": list(w.companies), "company_students": list(w.company_students)}
                         for w in self.waves]
        data["moved"] = self.moved
        return data


def period_changed(current_form: str, current_start: str, waves: list[tuple[str, str]]) -> bool:
    """Whether any wave (form, start week) differs from the current period."""
    return any(form != current_form or start != current_start for form, start in waves)


def cohort_changes(plan: Plan, scenario: Scenario, institution: str | None = None,
                   pathway: str | None = "BOL") -> list[CohortChange]:
    """Per cohort of the plan (BOL by default: BBL students stay with their employer), what changes.

    Sorted by institution, location, programme and cohort id. ``institution`` keeps one institution.
    """
    names = {inst.id: inst.name for inst in scenario.institutions}
    company_names = {c.id: c.name for c in scenario.companies}
    calendar = scenario.calendar
    rows = []
    for cp in plan.cohorts:
        if (pathway is not None and cp.pathway != pathway) or (institution is not None and cp.institution != institution):
            continue
        index = scenario.cohort_index.get(cp.cohort)
        cohort = scenario.cohorts[index] if index is not None else None
        current_form = cohort.current_form if cohort else (cp.waves[0].form if cp.waves else "")
        current_start = cohort.current_start if cohort else (cp.waves[0].start_week if cp.waves else "")
        current_end = _current_end(scenario, cp.cohort) if cohort else ""
        waves = tuple(
            ProposedWave(form=w.form, start_week=w.start_week, end_week=w.end_week, students=w.students,
                         placed=w.placed,
                         companies=tuple(company_names.get(p.company, p.company) for p in w.placements),
                         company_students=tuple(p.students for p in w.placements))
            for w in sorted(cp.waves, key=lambda w: (calendar.week_index.get(w.start_week, 0), w.form))
        )
        rows.append(CohortChange(
            cohort=cp.cohort, institution=cp.institution, institution_name=names.get(cp.institution, cp.institution),
            location=cp.location, area=cp.area, programme=cp.programme, crebo=cp.crebo, sector=cp.sector,
            level=cp.level, pathway=cp.pathway, students=cp.students, current_form=current_form,
            current_start=current_start, current_end=current_end, waves=waves, placed=cp.placed,
            unplaced=cp.unplaced, changed=period_changed(current_form, current_start,
                                                         [(w.form, w.start_week) for w in waves]),
            weight=cp.weight,
        ))
    rows.sort(key=lambda r: (r.institution, r.location, r.programme, r.cohort))
    return rows


def _current_end(scenario: Scenario, cohort_id: str) -> str:
    cohort = scenario.cohorts[scenario.cohort_index[cohort_id]]
    calendar = scenario.calendar
    region = scenario.locations[cohort.location].holiday_region
    weeks = calendar.occupied_weeks(calendar.week_index[cohort.current_start], InternshipForm.parse(cohort.current_form),
                                    region)
    return calendar.weeks[weeks[-1]] if weeks else ""


@dataclass(frozen=True)
class InstitutionTotals:
    """One institution's line in the summary: cohorts, changed, students moved, unplaced."""

    institution: str
    institution_name: str
    cohorts: int
    changed: int
    students: int
    moved: int
    placed: int
    unplaced: int


def institution_totals(changes: list[CohortChange]) -> list[InstitutionTotals]:
    """Per institution, the totals of its cohorts' changes (sorted by institution id)."""
    groups: dict[str, list[CohortChange]] = defaultdict(list)
    for row in changes:
        groups[row.institution].append(row)
    return [
        InstitutionTotals(
            institution=inst, institution_name=rows[0].institution_name, cohorts=len(rows),
            changed=sum(r.changed for r in rows), students=sum(r.students for r in rows),
            moved=sum(r.moved for r in rows), placed=sum(r.placed for r in rows),
            unplaced=sum(r.unplaced for r in rows),
        )
        for inst, rows in sorted(groups.items())
    ]


def wave_text(wave: ProposedWave) -> str:
    """A wave as a short code: ``block:4 2026-W40..2026-W43 (12)``."""
    return f"{wave.form} {wave.start_week}..{wave.end_week} ({wave.students})"

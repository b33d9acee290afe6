"""The changes a variant makes to a scenario, each a pydantic model with a ``kind`` (the
discriminator of :data:`planner.whatif.variants.Change`) and an ``apply(scenario) -> scenario`` that returns a new
scenario and never touches its input.

Changes select the cohorts or companies they act on with a :class:`CohortSelection` or
:class:`CompanySelection` (sector chamber, level, pathway, institution, location, area, ids;
every given filter must hold). Supply: :class:`ScaleCapacity`, :class:`AddCapacity`,
:class:`AddCompanies`, :class:`RemoveCompanies`; demand: :class:`ScaleInflow`,
:class:`AllowForms`, :class:`ConvertForms`, :class:`MoveWindow`, :class:`WidenWindow`,
:class:`SetCohortFields`; policy and options: :class:`SetWeights`, :class:`SetTravelLimit`,
:class:`SetScenarioFields`; per qualification (:mod:`planner.whatif.qualification_changes`):
recognitions added or removed, places for one qualification. A change raises ValueError with a message for the user when it
cannot be applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from planner.catalogue import families, qualifications, recognised_crebos
from planner.i18n import _
from planner.scenario import Cohort, Company, Scenario
from planner.scenario.calendar import FormText, IsoWeek
from planner.scenario.problems import close_names, problems_from
from planner.scenario.spelling import LevelCode, PathwayCode, SectorCode


class Spec(BaseModel):
    """A part of a variants file: unknown fields are errors, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


def catalogue_code(item: str, scenario_crebos: Iterable[str] = ()) -> str:
    """``item`` when it is a crebo of the catalogue or a family; ValueError with a suggestion otherwise.

    For a number the suggestion is the closest crebo the scenario's cohorts have, else the
    closest of the catalogue; for a word, a crebo of the scenario whose name holds it, else the
    closest family, else any crebo whose name holds it.
    """
    known, groups = qualifications(), families()
    item, ours = str(item).strip(), sorted(set(scenario_crebos) & set(known))
    if item in known or item in groups:
        return item
    if item.isdigit():
        close = close_names(item, ours) or close_names(item, known)
    else:
        named = [q.crebo for q in known.values() if item.casefold() in q.name.casefold()]
        close = ([c for c in named if c in ours][:1] or close_names(item, groups)
                 or sorted(named, key=lambda c: (-known[c].students_2019, c))[:1])
    hint = ""
    if close:
        hint = _(" (did you mean {name}?)").format(name=f"{close[0]} ({qualification_name(close[0])})")
    raise ValueError(_("{item} is not a crebo of the qualification catalogue nor a qualification family").format(
        item=repr(item)) + hint)


def qualification_name(code: str) -> str:
    """The catalogue's name of a crebo or family (the code itself when unknown)."""
    known = qualifications().get(code)
    if known is not None:
        return known.name
    family = families().get(code)
    return family.name if family is not None else code


class CohortSelection(Spec):
    """Which cohorts a change acts on; every given filter must hold, none given selects all."""

    ids: list[str] | None = None
    sector: list[SectorCode] | None = None
    level: list[LevelCode] | None = None
    pathway: list[PathwayCode] | None = None
    institution: list[str] | None = None
    location: list[str] | None = None
    area: list[str] | None = None

    _lists = field_validator("*", mode="before")(_as_list)

    def matches(self, scenario: Scenario, cohort: Cohort) -> bool:
        """Whether ``cohort`` of ``scenario`` is selected."""
        location = scenario.locations.get(cohort.location)
        return ((self.ids is None or cohort.id in self.ids)
                and (self.sector is None or cohort.sector in self.sector)
                and (self.level is None or cohort.level in self.level)
                and (self.pathway is None or cohort.pathway in self.pathway)
                and (self.institution is None or scenario.institution_of.get(cohort.location) in self.institution)
                and (self.location is None or cohort.location in self.location)
                and (self.area is None or (location is not None and location.area in self.area)))

    def indices(self, scenario: Scenario) -> list[int]:
        """Positions of the selected cohorts."""
        return [i for i, c in enumerate(scenario.cohorts) if self.matches(scenario, c)]


class CompanySelection(Spec):
    """Which learning companies a change acts on; a company matches a sector or level it offers.

    ``kind``: the kind of company its name starts with (``Dierenartspraktijk``, any case);
    ``recognised_for``: a crebo or family of the catalogue it is recognised for (a company
    without recognitions is recognised for none).
    """

    ids: list[str] | None = None
    sector: list[SectorCode] | None = None
    level: list[LevelCode] | None = None
    area: list[str] | None = None
    kind: list[str] | None = None
    recognised_for: list[str] | None = None

    _lists = field_validator("*", mode="before")(_as_list)

    def matches(self, company: Company) -> bool:
        """Whether ``company`` is selected."""
        return ((self.ids is None or company.id in self.ids)
                and (self.sector is None or bool(set(company.sectors) & set(self.sector)))
                and (self.level is None or bool(set(company.levels) & set(self.level)))
                and (self.area is None or company.area in self.area)
                and (self.kind is None or any(_of_kind(company.name, kind) for kind in self.kind))
                and (self.recognised_for is None or bool(
                    recognised_crebos(tuple(sorted(company.recognitions)))
                    & recognised_crebos(tuple(sorted(self.recognised_for))))))

    def indices(self, scenario: Scenario) -> list[int]:
        """Positions of the selected companies; ValueError for a crebo or family the catalogue does not have."""
        for item in self.recognised_for or []:
            catalogue_code(item, (c.crebo for c in scenario.cohorts))
        found = [i for i, c in enumerate(scenario.companies) if self.matches(c)]
        for kind in self.kind or []:
            if not any(_of_kind(c.name, kind) for c in scenario.companies):
                close = close_names(kind, {c.name.split(" ")[0] for c in scenario.companies})
                raise ValueError(_("no learning company's name starts with {kind}").format(kind=repr(kind))
                                 + (_(" (did you mean {name}?)").format(name=repr(close[0])) if close else ""))
        return found


def _of_kind(name: str, kind: str) -> bool:
    """Whether a company's name starts with the word(s) ``kind`` (any case)."""
    name, kind = name.casefold(), kind.casefold().strip()
    return name == kind or name.startswith(kind + " ")


class WeekRange(Spec):
    """The weeks ``first`` to ``last`` of the school year, both included."""

    first: IsoWeek
    last: IsoWeek

    def weeks(self, scenario: Scenario) -> list[str]:
        """The school-year weeks in the range; ValueError when a week is outside the year or the range is empty."""
        index = scenario.calendar.week_index
        for week in (self.first, self.last):
            if week not in index:
                raise ValueError(_("week {week} is outside the school year {first}..{last}").format(
                    week=week, first=scenario.calendar.first_week, last=scenario.calendar.last_week))
        if index[self.last] < index[self.first]:
            raise ValueError(_("week range {first}..{last} is empty").format(first=self.first, last=self.last))
        return scenario.calendar.weeks[index[self.first]: index[self.last] + 1]


def _copy(scenario: Scenario) -> Scenario:
    return scenario.model_copy(deep=True)


def _selected(selection: CohortSelection | CompanySelection, scenario: Scenario) -> list[int]:
    found = selection.indices(scenario)
    if not found:
        text = (_("the selection {selection} matches no cohorts") if isinstance(selection, CohortSelection)
                else _("the selection {selection} matches no learning companies"))
        raise ValueError(text.format(selection=selection.model_dump(exclude_none=True)))
    return found


def _rebuilt(scenario: Scenario, **tables: list) -> Scenario:
    """A new scenario with some tables replaced (cached properties are computed afresh)."""
    fields = {name: getattr(scenario, name) for name in Scenario.model_fields}
    fields.update(tables)
    return Scenario.model_construct(**fields)


# ------------------------------------------------------------------ supply


def _company_with(company: Company, weeks: list[str] | None, new_places: Any) -> Company:
    """``company`` with its places changed by ``new_places(old) -> new`` (in ``weeks`` only, when given)."""
    if weeks is None:
        update: dict[str, Any] = {"places": new_places(company.places),
                                  "reduced_weeks": {w: new_places(p) for w, p in company.reduced_weeks.items()}}
        if company.places_per_weekday is not None:
            update["places_per_weekday"] = [new_places(p) for p in company.places_per_weekday]
        return company.model_copy(update=update)
    if company.places_per_weekday is not None:
        raise ValueError(_("company {id} gives places per weekday; change its places for the whole year "
                           "(leave out weeks)").format(id=company.id))
    reduced = dict(company.reduced_weeks)
    for week in weeks:
        reduced[week] = new_places(company.places_in(week))
    return company.model_copy(update={"reduced_weeks": reduced})


class ScaleCapacity(Spec):
    """Multiply the supervision places of the selected companies (in some weeks only, when given)."""

    kind: Literal["scale_capacity"] = "scale_capacity"
    companies: CompanySelection = Field(default_factory=CompanySelection)
    factor: float = Field(ge=0, le=100)
    weeks: WeekRange | None = None

    def apply(self, scenario: Scenario) -> Scenario:
        weeks = self.weeks.weeks(scenario) if self.weeks else None
        chosen = set(_selected(self.companies, scenario))
        companies = [_company_with(c, weeks, lambda p: max(0, round(p * self.factor))) if i in chosen else c
                     for i, c in enumerate(scenario.companies)]
        return _rebuilt(_copy(scenario), companies=companies)


class AddCapacity(Spec):
    """Add supervision places to each selected company (negative: take them away), in some weeks only when given."""

    kind: Literal["add_capacity"] = "add_capacity"
    companies: CompanySelection
    places: int = Field(ge=-10000, le=10000)
    weeks: WeekRange | None = None

    def apply(self, scenario: Scenario) -> Scenario:
        weeks = self.weeks.weeks(scenario) if self.weeks else None
        chosen = set(_selected(self.companies, scenario))
        companies = [_company_with(c, weeks, lambda p: max(0, p + self.places)) if i in chosen else c
                     for i, c in enumerate(scenario.companies)]
        return _rebuilt(_copy(scenario), companies=companies)


class AddCompanies(Spec):
    """Add learning companies (rows as in the companies table)."""

    kind: Literal["add_companies"] = "add_companies"
    companies: list[dict[str, Any]] = Field(min_length=1)

    def apply(self, scenario: Scenario) -> Scenario:
        added = []
        for i, row in enumerate(self.companies):
            try:
                added.append(Company.model_validate(row))
            except ValidationError as err:
                raise ValueError(f"companies[{i}]: " + "; ".join(p.message for p in problems_from(
                    err, "variant", f"companies[{i}]"))) from None
        scenario = _copy(scenario)
        return _rebuilt(scenario, companies=[*scenario.companies, *added])


class RemoveCompanies(Spec):
    """Remove the selected learning companies (their BBL students' employers must stay)."""

    kind: Literal["remove_companies"] = "remove_companies"
    companies: CompanySelection

    def apply(self, scenario: Scenario) -> Scenario:
        chosen = set(_selected(self.companies, scenario))
        scenario = _copy(scenario)
        return _rebuilt(scenario, companies=[c for i, c in enumerate(scenario.companies) if i not in chosen])


# ------------------------------------------------------------------ demand


def _cohorts_with(scenario: Scenario, selection: CohortSelection, change: Any) -> Scenario:
    """A new scenario where every selected cohort is replaced by ``change(cohort) -> dict of new field values``.

    The new cohort is validated through the Cohort model, so a field that does not exist or a
    value it does not allow is an error naming the cohort.
    """
    chosen = set(_selected(selection, scenario))
    scenario = _copy(scenario)
    cohorts = []
    for i, cohort in enumerate(scenario.cohorts):
        if i in chosen:
            document = cohort.model_dump()
            document.update(change(scenario, cohort))
            try:
                cohort = Cohort.model_validate(document)
            except ValidationError as err:
                raise ValueError(_("cohort {id}: ").format(id=cohort.id) + "; ".join(
                    f"{p.field}: {p.message}" if p.field else p.message
                    for p in problems_from(err, "variant", cohort.id))) from None
        cohorts.append(cohort)
    return _rebuilt(scenario, cohorts=cohorts)


class ScaleInflow(Spec):
    """Multiply the students of the selected cohorts (rounded, at least one)."""

    kind: Literal["scale_inflow"] = "scale_inflow"
    cohorts: CohortSelection = Field(default_factory=CohortSelection)
    factor: float = Field(gt=0, le=100)

    def apply(self, scenario: Scenario) -> Scenario:
        return _cohorts_with(scenario, self.cohorts, lambda s, c: {"students": max(1, round(c.students * self.factor))})


class AllowForms(Spec):
    """Let the selected cohorts also do their internship in the given forms (e.g. a line internship)."""

    kind: Literal["allow_forms"] = "allow_forms"
    cohorts: CohortSelection
    forms: list[FormText] = Field(min_length=1)

    _lists = field_validator("forms", mode="before")(_as_list)

    def apply(self, scenario: Scenario) -> Scenario:
        return _cohorts_with(scenario, self.cohorts,
                             lambda s, c: {"forms": [*c.forms, *(f for f in self.forms if f not in c.forms)]})


class ConvertForms(Spec):
    """Replace forms of the selected cohorts (``block:4`` -> ``line:2x10``), their current form included."""

    kind: Literal["convert_forms"] = "convert_forms"
    cohorts: CohortSelection
    convert: dict[FormText, FormText] = Field(min_length=1, description="Old form -> new form.")

    def apply(self, scenario: Scenario) -> Scenario:
        def change(s: Scenario, c: Cohort) -> dict[str, Any]:
            forms = list(dict.fromkeys(self.convert.get(f, f) for f in c.forms))
            return {"forms": forms, "current_form": self.convert.get(c.current_form, c.current_form)}

        return _cohorts_with(scenario, self.cohorts, change)


def _shift_within(scenario: Scenario, cohort: Cohort, weeks: int) -> int:
    """How far ``cohort`` can move by ``weeks`` (same sign) with its window still inside the school year."""
    index, last = scenario.calendar.week_index, len(scenario.calendar.weeks) - 1
    if weeks > 0:
        return min(weeks, last - index[cohort.latest_end])
    return max(weeks, -index[cohort.earliest_start])


class MoveWindow(Spec):
    """Move the selected cohorts' windows and current periods by a number of weeks (negative: earlier).

    A window that would leave the school year moves only as far as the year allows (its current
    period too, so it stays inside the window); :meth:`clamped` names those cohorts.
    """

    kind: Literal["move_window"] = "move_window"
    cohorts: CohortSelection
    weeks: int = Field(ge=-52, le=52)

    def clamped(self, scenario: Scenario) -> dict[str, int]:
        """The selected cohorts that move less than asked, with the weeks they do move."""
        out = {}
        for i in self.cohorts.indices(scenario):
            cohort = scenario.cohorts[i]
            moved = _shift_within(scenario, cohort, self.weeks)
            if moved != self.weeks:
                out[cohort.id] = moved
        return out

    def apply(self, scenario: Scenario) -> Scenario:
        def change(s: Scenario, c: Cohort) -> dict[str, Any]:
            shift, weeks, index = _shift_within(s, c, self.weeks), s.calendar.weeks, s.calendar.week_index
            return {name: weeks[index[getattr(c, name)] + shift]
                    for name in ("earliest_start", "latest_end", "current_start")}

        return _cohorts_with(scenario, self.cohorts, change)


class WidenWindow(Spec):
    """Open the selected cohorts' windows ``earlier`` weeks before and ``later`` weeks after (within the year)."""

    kind: Literal["widen_window"] = "widen_window"
    cohorts: CohortSelection
    earlier: int = Field(default=0, ge=0, le=52)
    later: int = Field(default=0, ge=0, le=52)

    def apply(self, scenario: Scenario) -> Scenario:
        def change(s: Scenario, c: Cohort) -> dict[str, Any]:
            index, weeks = s.calendar.week_index, s.calendar.weeks
            return {"earliest_start": weeks[max(0, index[c.earliest_start] - self.earlier)],
                    "latest_end": weeks[min(len(weeks) - 1, index[c.latest_end] + self.later)]}

        return _cohorts_with(scenario, self.cohorts, change)


class SetCohortFields(Spec):
    """Set fields of the selected cohorts (any field of a cohort, e.g. ``max_waves``, ``max_travel_minutes``)."""

    kind: Literal["set_cohort_fields"] = "set_cohort_fields"
    cohorts: CohortSelection
    fields: dict[str, Any] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _not_identity(cls, fields: dict[str, Any]) -> dict[str, Any]:
        if "id" in fields:
            raise ValueError(_("a change cannot set a cohort's id"))
        return fields

    def apply(self, scenario: Scenario) -> Scenario:
        return _cohorts_with(scenario, self.cohorts, lambda s, c: dict(self.fields))


# ------------------------------------------------------------------ policy and options


class SetWeights(Spec):
    """Change the weight of an unplaced student per level and/or sector chamber (others stay)."""

    kind: Literal["set_weights"] = "set_weights"
    level_weights: dict[LevelCode, float] = Field(default_factory=dict)
    sector_weights: dict[SectorCode, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something(self) -> SetWeights:
        if not self.level_weights and not self.sector_weights:
            raise ValueError(_("give level_weights or sector_weights"))
        return self

    def apply(self, scenario: Scenario) -> Scenario:
        policy = scenario.policy.model_dump()
        policy["level_weights"] = {**policy["level_weights"], **self.level_weights}
        policy["sector_weights"] = {**policy["sector_weights"], **self.sector_weights}
        return set_scenario_fields(scenario, {"policy": policy})


class SetTravelLimit(Spec):
    """The travel limit in minutes: the region's default, or of the selected cohorts only."""

    kind: Literal["set_travel_limit"] = "set_travel_limit"
    minutes: float = Field(gt=0, le=240)
    cohorts: CohortSelection | None = None

    def apply(self, scenario: Scenario) -> Scenario:
        if self.cohorts is not None:
            return _cohorts_with(scenario, self.cohorts, lambda s, c: {"max_travel_minutes": self.minutes})
        return set_scenario_fields(scenario, {"policy": {**scenario.policy.model_dump(),
                                                         "default_max_travel_minutes": self.minutes}})


class SetScenarioFields(Spec):
    """Set top-level scenario fields or options (``policy``, ``description``, options the scenario model has)."""

    kind: Literal["set_scenario_fields"] = "set_scenario_fields"
    fields: dict[str, Any] = Field(min_length=1)

    @field_validator("fields")
    @classmethod
    def _not_tables(cls, fields: dict[str, Any]) -> dict[str, Any]:
        for name in ("cohorts", "companies", "name"):
            if name in fields:
                raise ValueError(_("{name} cannot be set here; use the changes for cohorts and companies").format(
                    name=name))
        return fields

    def apply(self, scenario: Scenario) -> Scenario:
        return set_scenario_fields(scenario, self.fields)


def set_scenario_fields(scenario: Scenario, fields: dict[str, Any]) -> Scenario:
    """``scenario`` with top-level fields replaced, validated through the Scenario model (tables kept as they are)."""
    settings = {name: getattr(scenario, name) for name in Scenario.model_fields if name not in ("cohorts", "companies")}
    document = {name: value.model_dump() if isinstance(value, BaseModel) else
                [v.model_dump() if isinstance(v, BaseModel) else v for v in value] if isinstance(value, list) else value
                for name, value in settings.items()}
    document.update(fields)
    # Validate the settings with a one-row stand-in for the tables, then put the real tables back.
    try:
        checked = Scenario.model_validate({**document, "cohorts": [scenario.cohorts[0].model_dump()],
                                           "companies": [scenario.companies[0].model_dump()]})
    except ValidationError as err:
        raise ValueError("; ".join(f"{p.field}: {p.message}" if p.field else p.message
                                   for p in problems_from(err, "variant", None))) from None
    return _rebuilt(checked, cohorts=[c.model_copy(deep=True) for c in scenario.cohorts],
                    companies=[c.model_copy(deep=True) for c in scenario.companies])

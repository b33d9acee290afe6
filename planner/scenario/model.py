"""The scenario: a region's internship demand and supply over one school year.

A scenario is plain, validated data (pydantic v2 models). It is read from YAML or JSON,
where the two large tables (cohorts and companies) may be CSV files or xlsx sheets referenced by name
(see :mod:`planner.scenario.read`). Everything here is aggregated: cohorts and capacities, never
individual students. The school year and the internship forms are in :mod:`planner.scenario.calendar`.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from planner.catalogue import families
from planner.codes import DAYS_PER_WEEK, WEEKDAYS, HolidayRegion, TravelMode
from planner.i18n import _
from planner.scenario.base import InputModel
from planner.scenario.calendar import Calendar, FormText, InternshipForm, IsoWeek
from planner.scenario.spelling import LevelCode, PathwayCode, SectorCode


class Area(InputModel):
    """A place where schools or companies are: a Dutch place name, or a name with coordinates."""

    name: str = Field(min_length=1, description="Place name; resolved from the embedded Dutch place list.")
    lat: float | None = Field(default=None, ge=50.5, le=53.7, description="Latitude (WGS84), optional.")
    lon: float | None = Field(default=None, ge=3.2, le=7.3, description="Longitude (WGS84), optional.")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Area:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(_("give both lat and lon, or neither"))
        return self


class Barrier(InputModel):
    """A link between two areas that is cut (e.g. no bridge) or costs extra minutes (a ferry)."""

    between: tuple[str, str]
    penalty_minutes: float | None = Field(
        default=None, ge=0, description="Extra minutes to cross; omitted means the link is removed."
    )


class Travel(InputModel):
    """How travel times between areas are found."""

    matrix_csv: str | None = Field(
        default=None, description="Optional CSV (from,to,mode,minutes) that overrides estimated times."
    )
    barriers: list[Barrier] = Field(default_factory=list)


class Location(InputModel):
    """One location (vestiging) of an institution."""

    id: str = Field(min_length=1)
    area: str = Field(min_length=1)
    holiday_region: HolidayRegion


class Institution(InputModel):
    """An MBO institution (fictional names in the shipped scenarios) with its locations."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    locations: list[Location] = Field(min_length=1)


def _split_list(value: object) -> object:
    """Let CSV cells hold lists separated by '|' or ';', and a spreadsheet's number cell (level 4) one value."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[|;]", value) if part.strip()]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    return value


#: A cohort's consortium controls: what a consortium may fix of a BOL cohort's period when optimising.
CONTROLS = ("locked", "keep_form", "min_wave_students", "max_shift_weeks")


class Cohort(InputModel):
    """Demand: one institution location's students of one programme and study year."""

    id: str = Field(min_length=1)
    location: str = Field(min_length=1, description="Id of the institution location.")
    crebo: str = Field(pattern=r"^\d{5}$", description="Five-digit crebo code of the programme.")
    programme: str = Field(min_length=1)
    sector: SectorCode
    level: LevelCode
    pathway: PathwayCode
    students: int = Field(ge=1, le=5000)
    forms: Annotated[list[FormText], Field(min_length=1)]
    earliest_start: IsoWeek
    latest_end: IsoWeek
    current_start: IsoWeek = Field(description="Start week of the current or agreed period (status quo).")
    current_form: FormText = Field(description="Form of the current or agreed period; one of forms.")
    max_travel_minutes: float | None = Field(default=None, gt=0, le=240)
    travel_mode: TravelMode | None = None
    max_waves: int = Field(default=2, ge=1, le=6)
    priority: float | None = Field(default=None, gt=0, le=100)
    company: str | None = Field(
        default=None, description="BBL only: the employing learning company, where the student already works."
    )
    locked: bool = Field(
        default=False, description="Keep the current period (current_form from current_start) when optimising."
    )
    keep_form: bool = Field(default=False, description="Keep the current form when optimising; the start may move.")
    min_wave_students: int | None = Field(
        default=None, ge=1, le=5000,
        description="When the cohort is split over two or more waves, each wave places at least this many students.",
    )
    max_shift_weeks: int | None = Field(
        default=None, ge=0, le=60,
        description="A wave starts at most this many weeks before or after current_start when optimising.",
    )

    _ignored_controls: tuple[str, ...] = PrivateAttr(default=())
    _lists = field_validator("forms", mode="before")(_split_list)

    @model_validator(mode="after")
    def _consistent(self) -> Cohort:
        if self.current_form not in self.forms:
            raise ValueError(_("current_form {form} is not one of forms ({forms})").format(
                form=self.current_form, forms=", ".join(self.forms)))
        if self.pathway == "BBL" and not self.company:
            raise ValueError(_("a BBL cohort names its employing company (field company)"))
        if self.pathway == "BOL" and self.company:
            raise ValueError(_("company is only for BBL cohorts; BOL cohorts are placed by the planner"))
        if self.pathway == "BBL" and self.has_controls:
            # Controls filled down a spreadsheet column onto BBL rows: ignored with a warning, not an error.
            self._ignored_controls = tuple(name for name in CONTROLS if getattr(self, name) not in (None, False))
            self.locked = self.keep_form = False
            self.min_wave_students = self.max_shift_weeks = None
        return self

    @property
    def ignored_controls(self) -> tuple[str, ...]:
        """Controls given on a BBL row, which are ignored (BBL cohorts always keep their current period)."""
        return self._ignored_controls

    @property
    def has_controls(self) -> bool:
        """Whether any consortium control (locked, keep_form, min_wave_students, max_shift_weeks) is set."""
        return (self.locked or self.keep_form or self.min_wave_students is not None
                or self.max_shift_weeks is not None)

    @property
    def parsed_forms(self) -> list[InternshipForm]:
        """The allowed forms, parsed."""
        return [InternshipForm.parse(f) for f in self.forms]


def check_recognitions(items: list[str]) -> list[str]:
    """Recognitions as given, each a five-digit crebo or a family of the catalogue; raises ValueError otherwise."""
    known = families()
    for item in items:
        if not re.fullmatch(r"\d{5}", item) and item not in known:
            raise ValueError(_("{item} is not a crebo (five digits) nor a qualification family; families: "
                               "{families}").format(item=repr(item), families=", ".join(known)))
    return list(dict.fromkeys(items))


class Company(InputModel):
    """Supply: a recognised learning company (or cluster) with weekly supervision places.

    One place supervises one full-time student in a week, i.e. five student-days.
    """

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    area: str = Field(min_length=1)
    sectors: Annotated[list[SectorCode], Field(min_length=1)]
    levels: Annotated[list[LevelCode], Field(min_length=1)]
    places: int = Field(ge=0, le=10000, description="Supervision places per week.")
    places_per_weekday: list[int] | None = Field(
        default=None, description="Optional places per weekday ma..vr; then capacity is counted per weekday."
    )
    reduced_weeks: dict[IsoWeek, int] = Field(
        default_factory=dict, description="Weeks with fewer (or no) places: week -> places."
    )
    recognitions: list[str] = Field(
        default_factory=list,
        description="Qualifications the company is recognised for: crebo codes, or families of the catalogue "
                    "(a family stands for all its crebos). Empty: matched by sector chamber and level.",
    )

    _lists = field_validator("sectors", "levels", "recognitions", mode="before")(_split_list)

    @field_validator("recognitions")
    @classmethod
    def _known_recognitions(cls, items: list[str]) -> list[str]:
        return check_recognitions(items)

    @field_validator("places_per_weekday", mode="before")
    @classmethod
    def _weekday_list(cls, value: object) -> object:
        if isinstance(value, str):
            return _split_list(value) or None
        return value

    @field_validator("reduced_weeks", mode="before")
    @classmethod
    def _reduced_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            parsed: dict[str, object] = {}
            for part in _split_list(value):
                week, sep, places = part.partition(":")
                if not sep:
                    raise ValueError(_("{part} is not WEEK:PLACES, e.g. 2026-W52:0").format(part=repr(part)))
                parsed[week.strip()] = places.strip()
            return parsed
        return value

    @model_validator(mode="after")
    def _weekday_shape(self) -> Company:
        if self.places_per_weekday is not None:
            if len(self.places_per_weekday) != DAYS_PER_WEEK:
                raise ValueError(_("places_per_weekday needs {count} numbers, for {days}").format(
                    count=DAYS_PER_WEEK, days=" ".join(WEEKDAYS)))
            if any(p < 0 for p in self.places_per_weekday):
                raise ValueError(_("places_per_weekday must not be negative"))
        if any(p < 0 for p in self.reduced_weeks.values()):
            raise ValueError(_("reduced_weeks places must not be negative"))
        return self

    def places_in(self, week: str) -> int:
        """Places available in a week (reduced weeks applied)."""
        return self.reduced_weeks.get(week, self.places)

    def weekday_places_in(self, week: str) -> list[int]:
        """Places per weekday in a week; without weekday detail every day has ``places``."""
        base = self.places_per_weekday or [self.places] * DAYS_PER_WEEK
        if week in self.reduced_weeks:
            return [min(p, self.reduced_weeks[week]) for p in base]
        return list(base)


class PlaceGroup(InputModel):
    """A share of a company's weekly places kept for some of its recognitions (e.g. 1 of 4 for the kitchen).

    The group's places are taken from the company's; the places left keep the company's own
    recognitions. A company with groups is modelled as one learning company per group (id
    ``company/group``) next to the company with the places left, so capacity holds per group.
    """

    company: str = Field(min_length=1, description="Id of the learning company whose places are split.")
    group: str = Field(min_length=1, pattern=r"^[^/]+$", description="Name of the group (no '/').")
    recognitions: list[str] = Field(min_length=1, description="Crebos or families this group's places are for.")
    places: int = Field(ge=0, le=10000, description="Weekly places of the group, taken from the company's.")

    _lists = field_validator("recognitions", mode="before")(_split_list)

    @field_validator("recognitions")
    @classmethod
    def _known_recognitions(cls, items: list[str]) -> list[str]:
        return check_recognitions(items)


def split_places(companies: list[Company], groups: list[PlaceGroup]) -> list[Company]:
    """The companies with each place group as a company of its own (id ``company/group``).

    In a week with reduced places every group keeps its share (rounded down) and the company
    the rest. Raises ValueError naming the first group that names no company, a company with
    places per weekday, a group twice, or groups that take more places than the company has.
    """
    if not groups:
        return companies
    by_id = {company.id: company for company in companies}
    of_company: dict[str, list[PlaceGroup]] = {}
    for group in groups:
        if group.company not in by_id:
            raise ValueError(_("place group {group} names company {company}, which is not in companies").format(
                group=repr(group.group), company=repr(group.company)))
        if any(other.group == group.group for other in of_company.get(group.company, [])):
            raise ValueError(_("company {company} has place group {group} twice").format(
                company=repr(group.company), group=repr(group.group)))
        of_company.setdefault(group.company, []).append(group)
    result = []
    for company in companies:
        own = of_company.get(company.id, [])
        if not own:
            result.append(company)
            continue
        if company.places_per_weekday is not None:
            raise ValueError(_("company {company}: place groups cannot be combined with places_per_weekday").format(
                company=repr(company.id)))
        taken = sum(group.places for group in own)
        if taken > company.places:
            raise ValueError(_("company {company}: its place groups take {taken} places, it has {places}").format(
                company=repr(company.id), taken=taken, places=company.places))
        total = max(company.places, 1)
        rest = {week: places - sum(places * group.places // total for group in own)
                for week, places in company.reduced_weeks.items()}
        result.append(company.model_copy(update={"places": company.places - taken, "reduced_weeks": rest}))
        for group in own:
            result.append(company.model_copy(update={
                "id": f"{company.id}/{group.group}", "name": f"{company.name} ({group.group})",
                "places": group.places, "recognitions": group.recognitions,
                "reduced_weeks": {week: places * group.places // total for week, places in company.reduced_weeks.items()},
            }))
    return result


Objective = Literal["changes", "travel", "balance"]


class Policy(InputModel):
    """Priorities and limits that the region agrees on."""

    level_weights: dict[LevelCode, float] = Field(
        default_factory=lambda: {"entree": 3.0, "2": 2.0, "3": 1.0, "4": 1.0},
        description="Weight of one unplaced student by level.",
    )
    sector_weights: dict[SectorCode, float] = Field(
        default_factory=lambda: {"zorg": 1.5},
        description="Extra weight factor of one unplaced student by sector chamber (default 1).",
    )
    default_max_travel_minutes: float = Field(default=45.0, gt=0, le=240)
    default_travel_mode: TravelMode = "pt"
    then_minimise: list[Objective] = Field(
        default_factory=lambda: ["changes", "travel", "balance"],
        description="What to minimise after the weighted shortage, in order.",
    )
    no_cell_worse_than_status_quo: bool = Field(
        default=False,
        description="When optimising, no stagebarometer cell (sector chamber x pathway x level) ends with more "
                    "unplaced students than in the status-quo plan.",
    )
    min_wave_students: int = Field(
        default=5, ge=0, le=5000,
        description="When optimising, a cohort split over two or more waves places at least this many students in "
                    "each (a cohort's own min_wave_students overrides it; 0 or 1: no minimum).",
    )
    min_weeks_between_waves: int = Field(
        default=2, ge=0, le=20,
        description="When optimising, the waves of a split cohort start at least this many weeks apart (0: no rule).",
    )

    @field_validator("level_weights", "sector_weights")
    @classmethod
    def _positive(cls, weights: dict[str, float]) -> dict[str, float]:
        for key, weight in weights.items():
            if weight <= 0:
                raise ValueError(_("weight of {key} must be above 0").format(key=key))
        return weights

    @field_validator("then_minimise")
    @classmethod
    def _unique(cls, order: list[str]) -> list[str]:
        if len(set(order)) != len(order):
            raise ValueError(_("then_minimise lists an objective twice"))
        return order

    def wave_minimum(self, cohort: Cohort) -> int:
        """The smallest wave of ``cohort`` when it is split: its own ``min_wave_students``, else the policy's."""
        return cohort.min_wave_students if cohort.min_wave_students is not None else self.min_wave_students

    def weight(self, cohort: Cohort) -> float:
        """Weight of one unplaced student of ``cohort`` in the objective."""
        if cohort.priority is not None:
            return cohort.priority
        return self.level_weights.get(cohort.level, 1.0) * self.sector_weights.get(cohort.sector, 1.0)


class ScenarioSettings(InputModel):
    """Everything in a scenario except its two large tables (cohorts and companies)."""

    name: str = Field(min_length=1)
    description: str = ""
    calendar: Calendar
    areas: list[Area] = Field(min_length=1)
    area_polygons: str | None = Field(
        default=None, description="Optional GeoJSON file with a polygon per area (property name)."
    )
    travel: Travel = Field(default_factory=Travel)
    institutions: list[Institution] = Field(min_length=1)
    policy: Policy = Field(default_factory=Policy)


class Scenario(ScenarioSettings):
    """A region's internship demand and supply for one school year."""

    cohorts: list[Cohort] = Field(min_length=1)
    companies: list[Company] = Field(min_length=1)
    place_groups: list[PlaceGroup] = Field(
        default_factory=list,
        description="Optional split of companies' places between groups of recognitions; applied on reading "
                    "(each group becomes a company of its own), so it is empty afterwards.",
    )

    @model_validator(mode="after")
    def _split_places(self) -> Scenario:
        if self.place_groups:
            self.companies = split_places(self.companies, self.place_groups)
            self.place_groups = []
        return self

    @cached_property
    def locations(self) -> dict[str, Location]:
        """All institution locations by id."""
        return {loc.id: loc for inst in self.institutions for loc in inst.locations}

    @cached_property
    def institution_of(self) -> dict[str, str]:
        """Location id to institution id."""
        return {loc.id: inst.id for inst in self.institutions for loc in inst.locations}

    @cached_property
    def cohort_index(self) -> dict[str, int]:
        """Cohort id to position in ``cohorts``."""
        return {cohort.id: i for i, cohort in enumerate(self.cohorts)}

    @cached_property
    def company_index(self) -> dict[str, int]:
        """Company id to position in ``companies``."""
        return {company.id: i for i, company in enumerate(self.companies)}

    def travel_mode(self, cohort: Cohort) -> str:
        """The travel mode that limits ``cohort``."""
        return cohort.travel_mode or self.policy.default_travel_mode

    def max_travel(self, cohort: Cohort) -> float:
        """The travel-time limit (minutes) of ``cohort``."""
        return cohort.max_travel_minutes or self.policy.default_max_travel_minutes

    @cached_property
    def weekday_detail(self) -> bool:
        """Whether any company gives places per weekday (then capacity is counted per weekday)."""
        return any(c.places_per_weekday is not None for c in self.companies)

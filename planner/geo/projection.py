"""Coordinates of areas: WGS84 degrees in, metres on the Dutch national grid for planar work.

Distances and geometry always go through pyproj/shapely; planar work is done
in EPSG:28992 (Amersfoort / RD New), the Dutch national grid in metres.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyproj
import shapely

from planner.geo.errors import GeoInputError

WGS84 = "EPSG:4326"
RD_NEW = "EPSG:28992"

#: Ellipsoid for great-circle distances in metres.
GEOD = pyproj.Geod(ellps="WGS84")


@functools.cache
def transformer(source: str, target: str) -> pyproj.Transformer:
    """A cached coordinate transformer (x = longitude or easting, y = latitude or northing)."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def reproject(geometry: Any, source: str, target: str) -> Any:
    """Reproject shapely geometries (scalar or array) vertex by vertex."""
    tr = transformer(source, target)
    return shapely.transform(geometry, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def validate_areas(areas: Sequence[tuple[str, float, float]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Split ``(name, lat, lon)`` areas into names, latitudes and longitudes.

    Raises
    ------
    GeoInputError
        Listing every malformed tuple, repeated name and impossible coordinate.
    """
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

"""Area polygons: Voronoi cells of the area points, a user's GeoJSON, and lighter copies for maps."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from planner.geo.errors import GeoInputError, did_you_mean
from planner.geo.places import match_key
from planner.geo.projection import RD_NEW, WGS84, reproject, transformer, validate_areas
from planner.i18n import _

#: Margin around the area points for the default Voronoi outline.
DEFAULT_OUTLINE_BUFFER_M = 8_000.0
#: Voronoi sites closer than this count as one location.
MIN_SITE_SEPARATION_M = 1.0
#: Longest straight piece of a cell border before reprojection: a chord that
#: is straight in metres bends in lon/lat, ~3 cm over 1 km but ~60 m over 50 km.
_MAX_SEGMENT_M = 1_000.0


def _voronoi_cells(xy: np.ndarray, lonlat: np.ndarray, outline: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells (bisectors in metres) clipped to a lon/lat outline."""
    sites = shapely.MultiPoint(xy)
    # Straight outline edges in lon/lat bend slightly in metres, so the
    # diagram gets a margin beyond the projected outline and the points.
    outline_m = reproject(shapely.segmentize(outline, 0.01), WGS84, RD_NEW)
    extent = shapely.union(outline_m.envelope, sites.envelope).envelope.buffer(
        DEFAULT_OUTLINE_BUFFER_M, join_style="mitre"
    )
    # Work from the edges, each border once: densifying the two copies of a
    # shared border held by neighbouring polygons would not give identical
    # vertices, leaving hairline gaps and overlaps.
    edges_m = shapely.voronoi_polygons(sites, extend_to=extent, only_edges=True)
    edges = reproject(shapely.segmentize(edges_m, _MAX_SEGMENT_M), RD_NEW, WGS84)
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
    ix, iy = transformer(WGS84, RD_NEW).transform(shapely.get_x(inner), shapely.get_y(inner))
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
    names, lat, lon = validate_areas(areas)
    x, y = transformer(WGS84, RD_NEW).transform(lon, lat)
    points = shapely.points(np.column_stack([x, y]))
    close = sorted(cKDTree(np.column_stack([x, y])).query_pairs(MIN_SITE_SEPARATION_M))
    if close:
        raise GeoInputError(
            [
                _("areas {a} and {b} are less than {metres} m apart; Voronoi cells need distinct locations").format(
                    a=repr(names[i]), b=repr(names[j]), metres=f"{MIN_SITE_SEPARATION_M:g}")
                for i, j in close
            ]
        )

    if outline is None:
        hull_m = shapely.MultiPoint(points).convex_hull.buffer(DEFAULT_OUTLINE_BUFFER_M)
        outline = reproject(hull_m, RD_NEW, WGS84)
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


def unreadable_geojson_message(source: str, error: object) -> str:
    """The message for an area polygon file that cannot be read."""
    return _("{source}: not a readable GeoJSON file ({error})").format(source=source, error=error)


def load_area_geojson(path: str | Path, names: Iterable[str], text: str | None = None) -> gpd.GeoDataFrame:
    """Read area polygons from a GeoJSON FeatureCollection.

    Parameters
    ----------
    path : str or Path
        GeoJSON (lon/lat, RFC 7946) whose features carry the area name in the
        property ``name`` or ``naam`` and a Polygon/MultiPolygon geometry.
    names : iterable of str
        Areas to return; matched to feature names ignoring case, accents
        and punctuation. Features for other names are ignored.
    text : str, optional
        The file's contents when already read (an upload's file); ``path`` then only names it.

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
        data = json.loads(path.read_text(encoding="utf-8-sig") if text is None else text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise GeoInputError([unreadable_geojson_message(source, exc)]) from exc
    is_collection = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    if not is_collection or not isinstance(data.get("features"), list):
        raise GeoInputError([_("{source}: expected a GeoJSON FeatureCollection with a 'features' list").format(
            source=source)])

    errors: list[str] = []
    by_key: dict[str, tuple[int, str, shapely.Geometry | None]] = {}
    for i, feature in enumerate(data["features"]):
        where = f"{source} features[{i}]"
        if not isinstance(feature, dict):
            errors.append(_("{where}: not a GeoJSON Feature object").format(where=where))
            continue
        props = feature.get("properties") or {}
        name = props.get("name", props.get("naam")) if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip():
            errors.append(_("{where}: no area name; set property 'name' (or 'naam') to a non-empty text").format(
                where=where))
            name = None
        else:
            where = f"{where} ({name})"
        geometry = None
        if feature.get("geometry") is None:
            errors.append(_("{where}, geometry: missing; a Polygon or MultiPolygon is required").format(where=where))
        else:
            try:
                geometry = shapely.geometry.shape(feature["geometry"])
            except Exception as exc:  # shapely raises assorted types for malformed GeoJSON
                errors.append(_("{where}, geometry: not a valid GeoJSON geometry ({error})").format(
                    where=where, error=exc))
        if geometry is not None:
            problem = None
            if not isinstance(geometry, (shapely.Polygon, shapely.MultiPolygon)):
                problem = _("is a {kind}; only Polygon or MultiPolygon is allowed").format(kind=geometry.geom_type)
            elif geometry.is_empty:
                problem = _("is empty")
            elif not geometry.is_valid:
                problem = _("is invalid ({reason})").format(reason=shapely.is_valid_reason(geometry))
            else:
                minx, miny, maxx, maxy = geometry.bounds
                if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
                    problem = _(
                        "has coordinates outside longitude/latitude range; GeoJSON must use WGS84 (EPSG:4326)"
                    )
            if problem:
                errors.append(_("{where}, geometry: {problem}").format(where=where, problem=problem))
                geometry = None
        if name is None:
            continue
        key = match_key(name)
        if key in by_key:
            errors.append(
                _("{where}: name also used by features[{index}]; each area needs exactly one feature").format(
                    where=where, index=by_key[key][0])
            )
            continue
        by_key[key] = (i, name, geometry)

    rows = []
    for name in wanted:
        hit = by_key.get(match_key(name))
        if hit is None:
            feature_names = [entry[1] for entry in by_key.values()]
            errors.append(_("{source}: no feature for area {name}{hint}").format(
                source=source, name=repr(name), hint=did_you_mean(name, feature_names)))
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
    lonlat = reproject(simplified, RD_NEW, WGS84)
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

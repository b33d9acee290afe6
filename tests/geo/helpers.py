"""Places, random points and a file writer shared by the geography tests."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from planner.geo.places import find_place

# Real places used throughout (lat, lon from the embedded list).
UTRECHT = ("Utrecht", 52.09083, 5.12222)
AMERSFOORT = ("Amersfoort", 52.155, 5.3875)
ZWOLLE = ("Zwolle", 52.5125, 6.09444)
ENSCHEDE = ("Enschede", 52.21833, 6.89583)
DEVENTER = ("Deventer", 52.255, 6.16389)
ARNHEM = ("Arnhem", 51.98, 5.91111)

NL_LAT = (50.8, 53.4)
NL_LON = (3.5, 7.1)


def area_of(name: str) -> tuple[str, float, float]:
    """``(name, lat, lon)`` of a place in the embedded list."""
    place = find_place(name)
    assert place is not None, name
    return (name, place.lat, place.lon)


@st.composite
def nl_points(draw, min_size=1, max_size=14):
    """Distinct random points in the Netherlands' bounding box, >= ~0.5 km apart."""
    n = draw(st.integers(min_size, max_size))
    coords = draw(
        st.lists(
            st.tuples(st.floats(*NL_LAT), st.floats(*NL_LON)),
            min_size=n,
            max_size=n,
            unique_by=lambda p: (round(p[0], 2), round(p[1], 2)),
        )
    )
    return [(f"A{i}", lat, lon) for i, (lat, lon) in enumerate(coords)]


def write_file(folder: Path, name: str, text: str) -> Path:
    """Write a UTF-8 text file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

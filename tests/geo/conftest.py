"""Fixtures shared by the geography tests."""

from __future__ import annotations

import pytest

from planner.geo.travel import TravelNetwork
from tests.geo.helpers import AMERSFOORT, ARNHEM, DEVENTER, ENSCHEDE, UTRECHT, ZWOLLE


@pytest.fixture(scope="module")
def east_network() -> TravelNetwork:
    """Six places in the middle and east of the country."""
    return TravelNetwork([UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM])

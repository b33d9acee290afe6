"""Fixtures shared by the geography tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.geo.travel import TravelNetwork
from planner.i18n import use_language
from tests.geo.helpers import AMERSFOORT, ARNHEM, DEVENTER, ENSCHEDE, UTRECHT, ZWOLLE


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Give messages in English, the language they are written in, so tests can quote them."""
    with use_language("en"):
        yield


@pytest.fixture(scope="module")
def east_network() -> TravelNetwork:
    """Six places in the middle and east of the country."""
    return TravelNetwork([UTRECHT, AMERSFOORT, ZWOLLE, ENSCHEDE, DEVENTER, ARNHEM])

"""The messages these tests check are the texts as written (English); the Dutch ones are checked apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from planner.i18n import use_language


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Give messages in English, the language they are written in, so tests can quote them."""
    with use_language("en"):
        yield

"""Reading a row by its id, with the caller's "does not exist" message."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.errors import NotFound
from planner.i18n import _


def by_id(session: Session, model: type, key: int, missing: str) -> Any:
    """The row with id ``key``, else :class:`NotFound` with ``missing`` (a text marked with ``N_``, ``{id}`` in it)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(_(missing).format(id=key))
    return row

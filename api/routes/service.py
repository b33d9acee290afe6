"""The server's own state: health and the solve queue."""

from __future__ import annotations

from fastapi import APIRouter

from api import crud, schemas
from api.deps import DatabaseDep, OptionalPrincipalDep, SessionDep, SettingsDep

router = APIRouter(tags=["service"])


@router.get("/health", response_model=schemas.Health, summary="Health and queue state")
def health(principal: OptionalPrincipalDep, session: SessionDep, db: DatabaseDep,
           settings: SettingsDep) -> schemas.Health:
    """The server is up (no token needed: liveness). With a valid token also the database kind, solve
    slots and jobs per status; without one nothing but the status."""
    if principal is None:
        return schemas.Health(status="ok")
    return schemas.Health(status="ok", database=db.engine.dialect.name,
                          max_concurrent_solves=settings.max_concurrent_solves, jobs=crud.job_counts(session))

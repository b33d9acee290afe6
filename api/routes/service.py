"""The server's own state: health and the solve queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api import crud, schemas
from api.core.db import Database
from api.core.security import Principal

router = APIRouter(tags=["service"])


def _state(db: Database, max_concurrent_solves: int) -> schemas.Health:
    with db.session() as session:
        return schemas.Health(status="ok", database=db.engine.dialect.name,
                              max_concurrent_solves=max_concurrent_solves, jobs=crud.job_counts(session))


@router.get("/health", response_model=schemas.Health, summary="Health and queue state")
async def health(request: Request) -> schemas.Health:
    """The server is up (no token needed: liveness). With a valid token also the database kind, solve
    slots and jobs per status; without one nothing but the status."""
    # Asynchronous, with no synchronous dependency: liveness is answered on the event loop, never
    # behind requests waiting for a thread.
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        return schemas.Health(status="ok")
    return await run_in_threadpool(_state, request.app.state.db, request.app.state.settings.max_concurrent_solves)

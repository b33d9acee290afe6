"""Shared route dependencies and parameter types, and the caller behind the request's token.

The dependencies that only read the app's state are ``async``: FastAPI runs a synchronous
dependency in the request thread pool, a hop per dependency per request that a crowd of
clients waits for. The session is made on the event loop too and ends in a thread of its own.

Every protected route takes :data:`PrincipalDep` (the caller, authenticated by
:mod:`api.auth` before the route runs) and asks it what it may do:
``principal.check_read(region)``, ``principal.check_write(region)`` (both raise
:class:`api.core.security.AccessDenied`, answered with 403), or passes
``principal.visible_regions`` to a list query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.core.config import Settings
from api.core.db import Database
from api.core.security import Principal
from api.jobs import JobManager
from api.schemas.common import MAX_ID, NAME_PATTERN
from planner.i18n import _


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; write routes commit explicitly, everything else is rolled back.

    Made on the event loop (a session takes no connection until its first query); ended in a
    thread of its own when it holds a connection (its rollback talks to the database).
    """
    session = request.app.state.db.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await anyio.to_thread.run_sync(_end, session, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()


def _end(session: Session) -> None:
    session.rollback()
    session.close()


bearer_scheme = HTTPBearer(auto_error=False, scheme_name="APIToken",
                           description="An API token made with `stageplanner tokens create` (shown once).")


async def get_principal(request: Request,
                  _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]) -> Principal:
    """The caller behind the request's token (set by :class:`api.auth.TokenAuthentication`); 401 without one."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(401, _("an API token is needed: send 'Authorization: Bearer <token>'"),
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


async def get_optional_principal(request: Request) -> Principal | None:
    """The caller behind the request's token on an open route, or None (anonymous)."""
    return getattr(request.state, "principal", None)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
# Function scope: the session (and its connection) ends when the route returns, before the answer is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]

ScenarioId = Annotated[int, Path(ge=1, le=MAX_ID, description="Scenario id.", examples=[1])]
JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="Job id.", examples=[7])]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="Plan id.", examples=[3])]
AgreementId = Annotated[int, Path(ge=1, le=MAX_ID, description="Agreement id.", examples=[1])]
RegionPath = Annotated[str, Path(min_length=1, max_length=200, pattern=NAME_PATTERN,
                                 description="Region name (as given when the scenario was stored).",
                                 examples=["Twente"])]
RegionQuery = Annotated[str | None, Query(min_length=1, max_length=200, pattern=NAME_PATTERN,
                                          description="Only this region.", examples=["Twente"])]
Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many items.", examples=[20])]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Skip this many items.", examples=[0])]
ProposalId = Annotated[int, Path(ge=1, le=MAX_ID, description="Proposal id.", examples=[2])]

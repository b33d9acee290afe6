"""The audit log: who changed which scenario, job or agreement (admin tokens only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import crud, schemas, views
from api.deps import Limit, Offset, PrincipalDep, RegionQuery, SessionDep

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[schemas.AuditEntry], responses={422: schemas.ERRORS[422]},
            summary="The audit log")
def audit_log(principal: PrincipalDep, session: SessionDep, region: RegionQuery = None,
              action: Annotated[str | None, Query(min_length=1, max_length=50, pattern=r"^[a-z]+\.[a-z]+$",
                                                  description="Only this action.", examples=["agreement.adopt"])
                                ] = None,
              limit: Limit = 100, offset: Offset = 0) -> list[schemas.AuditEntry]:
    """Changes, newest first: who (token), when, what (create/update/delete a scenario, start/cancel a
    solve, adopt an agreement, create/revoke a token), which target and region. Admin tokens only."""
    principal.check_admin()
    return [views.audit_entry(row) for row in crud.list_audit(session, region, action, limit, offset)]

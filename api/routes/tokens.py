"""API tokens over the API (admin tokens only); ``stageplanner tokens`` does the same on the database."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api import crud, schemas, views
from api.deps import MAX_ID, PrincipalDep, SessionDep
from api.errors import Conflict
from api.services import tokens
from planner.i18n import _

router = APIRouter(prefix="/tokens", tags=["tokens"])

TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="Token id.", examples=[3])]


@router.get("", response_model=list[schemas.TokenOut], summary="List API tokens")
def list_tokens(principal: PrincipalDep, session: SessionDep) -> list[schemas.TokenOut]:
    """Every token, revoked and expired ones too, oldest first: id, name, role, regions, created, revoked and
    expiry times; never the token itself."""
    principal.check_admin()
    return [views.token_out(row) for row in crud.list_tokens(session)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=schemas.TokenCreated,
             responses=schemas.BODY_ERRORS, summary="Create an API token")
def create_token(body: schemas.TokenCreate, principal: PrincipalDep, session: SessionDep,
                 response: Response) -> schemas.TokenCreated:
    """Make a token; the response holds it once (only its hash is stored). Readers and editors need at
    least one region. With `expires_in_days` the token stops working (401) that many days from now."""
    principal.check_admin()
    lifetime = dt.timedelta(days=body.expires_in_days) if body.expires_in_days is not None else None
    row, token = tokens.create(session, principal, body.name, body.role, body.regions, lifetime, body.institution)
    response.headers["Cache-Control"] = "no-store"
    return schemas.TokenCreated(**views.token_out(row).model_dump(), token=token)


@router.delete("/{token_id}", response_model=schemas.TokenOut, summary="Revoke an API token",
               responses={**schemas.ERRORS, 409: {"model": schemas.Message, "description": "A token cannot revoke "
                                                   "itself"}})
def revoke_token(token_id: TokenId, principal: PrincipalDep, session: SessionDep) -> schemas.TokenOut:
    """Revoke a token at once: requests with it get 401 from now on and its web sessions end. It stays
    listed, marked revoked.
    A token cannot revoke itself (409): use another admin token or `stageplanner tokens revoke`."""
    principal.check_admin()
    if token_id == principal.token_id:
        raise Conflict(_("a token cannot revoke itself; use another admin token or 'stageplanner tokens revoke'"))
    row = tokens.revoke(session, principal, token_id)
    return views.token_out(row)

"""Pages: sign in and out, the language switch, the home page, a region, its agreements, the SBB view."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api import crud, schemas
from api.deps import RegionPath, SessionDep
from api.models import utcnow
from api.schemas import WEEK_PATTERN
from api.services import agreements, proposals, regions, web_sessions
from api.services import plans as plan_service
from api.web.render import WebPrincipal, checked_form, form_error, page, redirect, safe_next
from api.web.session import cookie_session, current_session, new_signin_csrf, set_signin_cookie, sign_in, sign_out
from planner.codes import LANGUAGES, LEVELS, SECTOR_CHAMBERS
from planner.i18n import _, ngettext

router = APIRouter(prefix="/web", include_in_schema=False)


# ------------------------------------------------------------------ signing in and out, language


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - the query parameter's name
    value = new_signin_csrf(request)
    response = page(request, "signin.html", next=safe_next(next), error=None)
    set_signin_cookie(request, response, value)
    return response


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request) -> Response:
    """Start a session for a valid token; failures are counted per client address and overall (429 past the limit).

    Every refused token, whether unknown, revoked, expired or mistyped, gets the same answer.
    """
    form = await checked_form(request)
    token = str(form.get("token") or "").strip()
    target = safe_next(str(form.get("next") or ""))
    failures = request.app.state.signin_failures
    address = request.client.host if request.client else ""
    wait = math.ceil(failures.retry_after(address))
    if wait > 0:
        response = _signin_again(request, target, 429, ngettext(
            "Too many failed sign-ins from this address. Try again in {seconds} second.",
            "Too many failed sign-ins from this address. Try again in {seconds} seconds.", wait).format(seconds=wait))
        response.headers["Retry-After"] = str(wait)
        return response
    with request.app.state.db.sessions() as session:
        principal = crud.authenticate(session, token) if token else None
        if principal is None:
            failures.record(address)
            return _signin_again(request, target, 401, _(
                "This token is not valid (unknown, revoked, expired or mistyped). Paste the whole token, "
                "starting with spt_."))
        previous = cookie_session(request)
        if previous is not None:
            web_sessions.end(session, previous)  # a new id at every sign-in: no fixed session
        session_id = web_sessions.start(session, principal.token_id, request.app.state.settings, utcnow())
        session.commit()
    response = redirect(target)
    sign_in(request, response, session_id)
    return response


def _signin_again(request: Request, target: str, status: int, error: str) -> Response:
    """The sign-in form again, with why the last attempt did not sign in."""
    value = new_signin_csrf(request)
    response = page(request, "signin.html", status_code=status, next=target, error=error)
    set_signin_cookie(request, response, value)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """End the session (its cookie is refused from now on); without a valid session only the cookie is cleared."""
    response = redirect("/web/signin")
    session_id = current_session(request)
    if session_id is not None:
        await checked_form(request)
        with request.app.state.db.sessions() as session:
            web_sessions.end(session, session_id)
            session.commit()
    sign_out(request, response)
    return response


@router.get("/lang")
def switch_language(request: Request, lang: str = "nl", next: str | None = None) -> Response:  # noqa: A002
    response = redirect(safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
    return response


# ------------------------------------------------------------------ home and regions


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: WebPrincipal, session: SessionDep) -> HTMLResponse:
    listed = {r.region: r for r in regions.list_regions(session, principal)}
    if principal.visible_regions is not None:
        empty = {"scenarios": 0, "jobs": 0, "plans": 0, "agreements": 0}
        for name in sorted(principal.regions - set(listed)):
            listed[name] = schemas.RegionOut(region=name, **empty, latest_plan=None, current_agreement=None)
    return page(request, "home.html", regions=sorted(listed.values(), key=lambda r: r.region.casefold()))


@router.get("/regions/{region}", response_class=HTMLResponse)
def region_home(request: Request, region: RegionPath, principal: WebPrincipal, session: SessionDep) -> HTMLResponse:
    principal.check_read(region)
    rows = crud.list_scenarios(session, region, 100, 0, principal.visible_regions)
    scenarios = [(row, crud.list_versions(session, row.id)) for row in rows]
    current = crud.current_agreement(session, region)
    plan_rows = crud.list_plans(session, region, None, None, 10, 0, principal.visible_regions)
    latest = crud.latest_plan(session, region)
    cells = plan_service.hotspots(session, principal, latest.id, limit=10).cells if latest else []
    return page(request, "region.html", region=region, scenarios=scenarios, plans=plan_rows,
                agreement=agreements.current(session, principal, region) if current else None,
                hotspot_plan=latest, cells=cells, may_write=principal.may_write(region),
                proposal=proposals.open_proposal(session, principal, region))


@router.get("/regions/{region}/agreements", response_class=HTMLResponse)
def agreement_page(request: Request, region: RegionPath, principal: WebPrincipal, session: SessionDep,
                   plan_id: Annotated[int | None, Query(ge=1)] = None,
                   adopt: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
    history = agreements.history(session, principal, region)
    deviations = agreements.deviations(session, principal, region, plan_id) if history else None
    plan_rows = crud.list_plans(session, region, None, None, 20, 0, principal.visible_regions)
    if adopt is None:  # preselect the newest optimised plan, not a baseline solved after it
        adopt = next((p.id for p in plan_rows if p.mode == "optimise"), None)
    return page(request, "agreements.html", region=region, history=history, deviations=deviations, plans=plan_rows,
                adopt=adopt, may_write=principal.may_write(region),
                proposals=proposals.history(session, principal, region))


@router.post("/regions/{region}/agreements")
async def adopt(request: Request, region: RegionPath, principal: WebPrincipal, session: SessionDep) -> Response:
    form = await checked_form(request)
    try:
        body = schemas.AgreementCreate(plan_id=form.get("plan_id"), note=str(form.get("note") or ""),
                                       override_reason=str(form.get("override_reason") or "").strip() or None)
    except ValidationError as err:
        raise form_error(err) from None
    agreements.adopt(session, principal, region, body)
    return redirect(f"/web/regions/{region}/agreements", request)


# ------------------------------------------------------------------ the SBB view


@cache
def _outline() -> list[tuple[float, float]]:
    """Every place of the embedded Dutch place list, as map points (the country's shape)."""
    from planner.geo.places import dutch_places

    places = dutch_places()
    return [_project(lat, lon) for lat, lon in zip(places["lat"], places["lon"])]


def _project(lat: float, lon: float) -> tuple[float, float]:
    """WGS84 to the national map's SVG coordinates (560 x 660 for the Netherlands)."""
    x = (lon - 3.2) * math.cos(math.radians(52.2)) * 220
    y = (53.65 - lat) * 220
    return round(x, 1), round(y, 1)


@router.get("/sbb", response_class=HTMLResponse)
def sbb(request: Request, principal: WebPrincipal, session: SessionDep,
        sector: Annotated[str | None, Query(max_length=40)] = None,
        level: Annotated[str | None, Query(max_length=10)] = None,
        week: Annotated[str | None, Query(max_length=10)] = None,
        by: Annotated[str | None, Query(max_length=10)] = None,
        qualification: Annotated[str | None, Query(max_length=40)] = None) -> HTMLResponse:
    """Hotspots across regions; an empty or unknown filter (the form's "all") is no filter, except a
    qualification that is neither in the catalogue nor in a plan (its problem is shown)."""
    from planner.geo.places import find_place

    sector = sector if sector in SECTOR_CHAMBERS else None
    level = level if level in LEVELS else None
    week = week if week and re.fullmatch(WEEK_PATTERN, week) else None
    grouping = by if by in ("crebo", "family") else "cell"
    qualification = (qualification or "").strip() or None

    found = regions.hotspots(session, principal, limit=200, mode=None, sector=sector, level=level, by=grouping,
                             qualification=qualification)
    cells = [c for c in found.cells if week is None or week in c.weeks][:50]
    top = max((c.unplaced for c in cells), default=1) or 1
    points = []
    for cell in cells:
        place = find_place(cell.area)
        if place is not None:
            x, y = _project(place.lat, place.lon)
            points.append({"x": x, "y": y, "r": round(4 + 18 * math.sqrt(cell.unplaced / top), 1), "cell": cell})
    weeks = sorted({w for c in found.cells for w in c.weeks})
    return page(request, "sbb.html", cells=cells, plans=found.plans, points=points, outline=_outline(),
                weeks=weeks, sector=sector, level=level, week=week, by=grouping, qualification=qualification)

"""Pages: a plan (KPIs against the status quo and first come first served, the shortage map,
changes per institution, reasons, charts, downloads) and where one more place helps most."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api import artifacts, crud, views
from api.core.config import Settings
from api.core.db import end_reads
from api.core.headers import map_response
from api.deps import MAX_ID, JobsDep, PlanId, SessionDep, SettingsDep
from api.errors import Conflict, NotFound
from api.schemas.tradeoff import TradeoffRequest
from api.schemas.whatif import MarginalRequest
from api.services import plans as plan_service
from api.services import tradeoff as tradeoff_service
from api.services import whatif as whatif_service
from api.services.jobs import may_analyse
from api.web.render import WebPrincipal, checked_form, page, redirect
from maps.spots import write_spots_map
from planner.i18n import _, current_language
from planner.scenario.problems import ScenarioError, problems_from

router = APIRouter(prefix="/web/plans", include_in_schema=False)

#: Downloads offered on the plan page (made as the API's download routes make them).
DOWNLOADS = ("schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv", "changes.csv", "changes.xlsx",
             "summary.md", "plan.json", "outputs.zip")


@router.get("/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
              institution: Annotated[str | None, Query(max_length=200)] = None,
              marginal_job: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
              tradeoff_job: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> HTMLResponse:
    out = plan_service.plan_out(session, principal, plan_id)
    changes = plan_service.changes(session, settings, principal, plan_id, institution or None, None)
    reasons = plan_service.reasons(session, settings, principal, plan_id, institution or None, None)
    all_institutions = plan_service.changes(session, settings, principal, plan_id, None, None).institutions \
        if institution else changes.institutions
    return page(request, "plan.html", plan=out, changes=changes, reasons=reasons, institution=institution or "",
                institutions=all_institutions, charts=artifacts.CHARTS, downloads=DOWNLOADS,
                may_write=principal.may_write(out.region), may_analyse=may_analyse(principal, out.region),
                plan_id=plan_id, **_marginal(session, principal, plan_id, marginal_job),
                **_tradeoff(session, principal, plan_id, tradeoff_job))


@router.get("/{plan_id}/map", response_class=HTMLResponse)
def plan_map(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    return map_response(plan_service.map_file(session, settings, principal, plan_id))


@router.get("/{plan_id}/charts/{name}.png")
def chart(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
          name: Annotated[Literal["weekly_capacity", "shortage_cells", "reachable_capacity"], PathParam()]
          ) -> FileResponse:
    return FileResponse(plan_service.chart_file(session, settings, principal, plan_id, name), media_type="image/png")


@router.get("/{plan_id}/files/{name}")
def download(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
             name: Annotated[str, PathParam(max_length=40)]) -> Response:
    """The plan's files, made as the API's download routes make them (summary.md offered for saving)."""
    if name.endswith(".csv") and name.removesuffix(".csv") in artifacts.TABLES:
        return views.file_response(plan_service.table_file(session, principal, plan_id, name.removesuffix(".csv")))
    if name == "plan.json":
        return views.file_response(plan_service.json_file(session, principal, plan_id))
    if name not in ("changes.csv", "changes.xlsx", "summary.md", "outputs.zip"):
        raise NotFound(name)
    made = plan_service.plan_file(session, settings, principal, plan_id, name, lang=current_language())
    return views.file_response(made, save_as=name if name == "summary.md" else None)


# ------------------------------------------------------------------ marginal value of one more place
# A ranking is a job in the solve queue (api.services.whatif): the form queues it, the plan page
# follows it (htmx) and shows the ranking and its map once it is done.


def _marginal_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "web" / "marginal"


def _marginal(session: Any, principal: Any, plan_id: int, job_id: int | None) -> dict[str, Any]:
    """The plan page's marginal context: the job followed (or the newest done one) and its ranking."""
    job = whatif_service.marginal_jobs(session, principal, plan_id, job_id)
    if job is None:
        return {"marginal": None, "marginal_job": None}
    ranking = json.loads(job.result) if job.status == "done" and job.result else None
    return {"marginal": ranking, "marginal_job": views.job_out(session, job)}


@router.post("/{plan_id}/marginal")
async def marginal(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                   manager: JobsDep) -> Response:
    """Queue the ranking of where one more place helps most; the plan page follows the job."""
    form = await checked_form(request)
    try:
        body = MarginalRequest(top=form.get("top") or 10, verify=form.get("verify") or 0,
                               time_limit=form.get("time_limit") or 5, per=form.get("per") or "place")
    except ValidationError as err:
        raise ScenarioError(problems_from(err, "request", "marginal")) from None
    job = await run_in_threadpool(whatif_service.start_marginal, session, manager, principal, plan_id, body)
    return redirect(f"/web/plans/{plan_id}?marginal_job={job.id}#marginal", request)


@router.get("/{plan_id}/marginal/progress", response_class=HTMLResponse)
def marginal_progress(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                      job: Annotated[int, Query(ge=1, le=MAX_ID)]) -> Response:
    """The ranking's progress block, fetched every second (htmx); when the job ends the page reloads."""
    context = _marginal(session, principal, plan_id, job)
    if context["marginal_job"].status in ("done", "failed", "cancelled"):
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return page(request, "_marginal_progress.html", plan_id=plan_id, **context)


@router.get("/{plan_id}/marginal/map", response_class=HTMLResponse)
def marginal_map(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
                 job: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    """The ranked spots over the plan's map, drawn once per job (the name carries the files' version)."""
    found = whatif_service.marginal_jobs(session, principal, plan_id, job)
    if found is None or found.status != "done" or not found.result:
        raise NotFound(_("plan {id} has no ranking yet").format(id=plan_id))
    path = _marginal_dir(settings) / f"job-{found.id}.v{artifacts.FILES_VERSION}.html"
    row = crud.get_plan_row(session, plan_id)
    plan, spots = crud.plan_of(row), json.loads(found.result)["spots"]
    loaded = plan_service.loaded_scenario(session, settings, row)
    end_reads(session)  # no connection held while the map is drawn
    artifacts.cached_file(path, lambda tmp: write_spots_map(plan, loaded, spots, tmp))
    return map_response(path)


# ------------------------------------------------------------------ the moves-versus-shortage trade-off
# A curve is a job in the solve queue (api.services.tradeoff): the form queues it, the plan page follows
# it (htmx) and shows the curve; a point's button makes it the proposal (a new plan of the version).

#: The curve's drawing on the page (SVG units): width, height and margin.
CURVE_BOX = (640, 240, 40)


def _curve_drawing(points: list[Any]) -> dict[str, Any]:
    """Where the curve's points and bounds go in the page's SVG (x: the limit k, y: weighted shortage)."""
    width, height, margin = CURVE_BOX
    most_k = max(1, max(p.max_changed for p in points))
    most = max(1.0, max(p.shortage for p in points))

    def at(k: float, value: float) -> tuple[float, float]:
        return (round(margin + (width - 2 * margin) * k / most_k, 1),
                round(height - margin - (height - 2 * margin) * value / most, 1))

    return {"width": width, "height": height, "margin": margin,
            "shortage": [at(p.max_changed, p.shortage) for p in points],
            "bound": [at(p.max_changed, p.bound) for p in points]}


def _tradeoff(session: Any, principal: Any, plan_id: int, job_id: int | None) -> dict[str, Any]:
    """The plan page's trade-off context: the job followed (until it is done), or the newest done curve."""
    context: dict[str, Any] = {"tradeoff": None, "tradeoff_job": None, "tradeoff_drawing": None}
    if job_id is not None:
        job = crud.get_job(session, job_id)
        principal.check_read(job.region)
        if job.kind == "tradeoff" and job.status != "done":
            context["tradeoff_job"] = views.job_out(session, job)
            return context
    try:
        curve = tradeoff_service.curve(session, principal, plan_id, job_id)
    except (NotFound, Conflict):
        return context
    context.update(tradeoff=curve, tradeoff_drawing=_curve_drawing(curve.points))
    return context


@router.post("/{plan_id}/tradeoff")
async def tradeoff(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                   manager: JobsDep, settings: SettingsDep) -> Response:
    """Queue the plan's trade-off curve; the plan page follows the job."""
    form = await checked_form(request)
    try:
        body = TradeoffRequest(points=form.get("points") or 10)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, "request", "tradeoff")) from None
    job = await run_in_threadpool(tradeoff_service.start, session, manager, settings, principal, plan_id, body)
    return redirect(f"/web/plans/{plan_id}?tradeoff_job={job.id}#tradeoff", request)


@router.get("/{plan_id}/tradeoff/progress", response_class=HTMLResponse)
def tradeoff_progress(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                      job: Annotated[int, Query(ge=1, le=MAX_ID)]) -> Response:
    """The curve's progress block, fetched every second (htmx); when the job ends the page reloads."""
    context = _tradeoff(session, principal, plan_id, job)
    if context["tradeoff_job"] is None or context["tradeoff_job"].status in ("done", "failed", "cancelled"):
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return page(request, "_tradeoff_progress.html", plan_id=plan_id, **context)


@router.post("/{plan_id}/tradeoff/{max_changed}/proposal")
async def tradeoff_proposal(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                            settings: SettingsDep,
                            max_changed: Annotated[int, PathParam(ge=0, le=100_000)]) -> Response:
    """Make a point of the curve the proposal: a new plan of the same scenario version, shown at once."""
    await checked_form(request)
    row = await run_in_threadpool(tradeoff_service.propose, session, settings, principal, plan_id, max_changed)
    return redirect(f"/web/plans/{row.id}", request)

"""Pages: a plan (KPIs against the status quo and first come first served, the shortage map,
changes per institution, reasons, charts, downloads) and where one more place helps most."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api import artifacts, crud
from api.core.config import Settings
from api.core.headers import map_response
from api.deps import PlanId, SessionDep, SettingsDep
from api.routes import plans, whatif
from api.web.render import WebPrincipal, checked_form, page, redirect
from maps.spots import write_spots_map
from planner.i18n import current_language
from planner.scenario.problems import ScenarioError, problems_from

router = APIRouter(prefix="/web/plans", include_in_schema=False)

#: Downloads offered on the plan page: file name -> the API route function that makes it.
DOWNLOADS = ("schedule.csv", "shortages.csv", "shortage_weeks.csv", "utilisation.csv", "changes.csv", "changes.xlsx",
             "summary.md", "plan.json", "outputs.zip")


@router.get("/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
              institution: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    out = plans.get_plan(plan_id, principal, session)
    changes = plans.changes(plan_id, principal, session, settings, institution or None, None)
    reasons = plans.reasons(plan_id, principal, session, settings, institution or None, None)
    all_institutions = plans.changes(plan_id, principal, session, settings, None, None).institutions \
        if institution else changes.institutions
    return page(request, "plan.html", plan=out, changes=changes, reasons=reasons, institution=institution or "",
                institutions=all_institutions, charts=artifacts.CHARTS, downloads=DOWNLOADS,
                marginal=_marginal_saved(settings, plan_id), may_write=principal.may_write(out.region))


@router.get("/{plan_id}/map", response_class=HTMLResponse)
def plan_map(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep) -> FileResponse:
    return plans.plan_map(plan_id, principal, session, settings, True)


@router.get("/{plan_id}/charts/{name}.png")
def chart(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
          name: Annotated[Literal["weekly_capacity", "shortage_cells", "reachable_capacity"], PathParam()]
          ) -> FileResponse:
    return plans.chart(plan_id, principal, session, settings, name, True)


@router.get("/{plan_id}/files/{name}")
def download(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep,
             name: Annotated[str, PathParam(max_length=40)]) -> Response:
    """The plan's files, made by the API's own download routes."""
    lang = current_language()
    if name.endswith(".csv") and name.removesuffix(".csv") in artifacts.TABLES:
        return plans._csv(name.removesuffix(".csv"))(plan_id, principal, session)
    makers = {
        "changes.csv": lambda: plans.changes_csv(plan_id, principal, session, settings, None, lang),
        "changes.xlsx": lambda: plans.changes_xlsx(plan_id, principal, session, settings, lang),
        "summary.md": lambda: plans.summary_md(plan_id, principal, session, settings),
        "plan.json": lambda: plans.plan_json(plan_id, principal, session),
        "outputs.zip": lambda: plans.outputs_zip(plan_id, principal, session, settings),
    }
    if name not in makers:
        from api.errors import NotFound

        raise NotFound(name)
    response = makers[name]()
    if name == "summary.md":
        response.headers["Content-Disposition"] = 'attachment; filename="summary.md"'
    return response


# ------------------------------------------------------------------ marginal value of one more place


def _marginal_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "web" / "marginal"


def _marginal_map_file(settings: Settings, plan_id: int) -> Path:
    """The ranking's map; its name carries the files' version, so a map an older version wrote is drawn again."""
    return _marginal_dir(settings) / f"plan-{plan_id}.v{artifacts.FILES_VERSION}.html"


def _marginal_saved(settings: Settings, plan_id: int) -> dict | None:
    path = _marginal_dir(settings) / f"plan-{plan_id}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@router.post("/{plan_id}/marginal")
async def marginal(request: Request, plan_id: PlanId, principal: WebPrincipal, session: SessionDep,
                   settings: SettingsDep) -> Response:
    """Rank where one more place helps most (the API's marginal route) and draw the spots over the plan's map."""
    form = await checked_form(request)
    try:
        body = whatif.MarginalRequest(top=form.get("top") or 10, verify=form.get("verify") or 0,
                                      time_limit=form.get("time_limit") or 5)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, "request", "marginal")) from None

    def rank() -> None:
        result = whatif.marginal(plan_id, principal, session, settings, body)
        row = crud.get_plan_row(session, plan_id)
        folder = _marginal_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        write_spots_map(crud.plan_of(row), plans._loaded(session, settings, row), result["spots"],
                        _marginal_map_file(settings, plan_id))
        artifacts._write_atomic(folder / f"plan-{plan_id}.json",
                                lambda tmp: tmp.write_text(json.dumps(result), encoding="utf-8"))

    await run_in_threadpool(rank)
    return redirect(f"/web/plans/{plan_id}#marginal", request)


@router.get("/{plan_id}/marginal/map", response_class=HTMLResponse)
def marginal_map(plan_id: PlanId, principal: WebPrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    row = plans._readable(session, principal, plan_id)
    path = _marginal_map_file(settings, plan_id)
    saved = None if path.is_file() else _marginal_saved(settings, plan_id)
    if not path.is_file() and saved is None:
        from api.errors import NotFound

        raise NotFound(f"plan {plan_id} has no ranking yet")
    if saved is not None:  # ranked before this version: the map is drawn again from the saved ranking
        artifacts.cached_file(path, lambda tmp: write_spots_map(crud.plan_of(row), plans._loaded(session, settings, row),
                                                                saved["spots"], tmp))
    return map_response(path)



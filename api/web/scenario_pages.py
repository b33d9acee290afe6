"""Pages: upload a scenario, read it (cohorts and companies with filters), solve it and follow the job,
and what-if variants compared side by side."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import crud, schemas, views
from api.deps import JobId, JobsDep, ScenarioId, SessionDep, SettingsDep
from api.scenario_input import UploadedFile, check_off_loop, read_form, safe_file_name
from api.schemas.common import MAX_ID
from api.schemas.whatif import SweepRequest, VariantCreate
from api.services import jobs, scenarios
from api.services import whatif as whatif_service
from api.services.jobs import may_analyse
from api.web.render import WebPrincipal, checked_form, page, redirect
from api.web.session import CSRF_FIELD, check_csrf
from planner.i18n import _
from planner.scenario.problems import InputProblem, ScenarioError, problems_from

router = APIRouter(prefix="/web", include_in_schema=False)

#: Rows of a table shown at once (the filters narrow it down).
MAX_ROWS = 300
TERMINAL = ("done", "failed", "cancelled")


# ------------------------------------------------------------------ upload


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, principal: WebPrincipal, session: SessionDep,
                region: Annotated[str | None, Query(max_length=200)] = None,
                scenario_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> HTMLResponse:
    principal.check_writer()
    target = crud.get_scenario(session, scenario_id) if scenario_id else None
    if target is not None:
        principal.check_write(target.region)
    return page(request, "upload.html", region=region or (target.region if target else ""), target=target,
                problems=[])


def _form_scenario_id(value: object) -> int | None:
    """The form's ``scenario_id`` (a new version of that scenario); None for a new scenario."""
    text = str(value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ScenarioError([InputProblem("request", None, "scenario_id", _(
            "must be the id of a scenario: a whole number from 1 to {max}").format(max=MAX_ID))])
    return int(text)


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, principal: WebPrincipal, session: SessionDep, settings: SettingsDep) -> Response:
    """The API's upload path (the same checks, limits and messages), from a browser form."""
    principal.check_writer()
    form = await read_form(request, settings, max_fields=20)
    try:
        check_csrf(request, form.get(CSRF_FIELD))
        region = str(form.get("region") or "").strip() or None
        target = None
        try:
            scenario_id = _form_scenario_id(form.get("scenario_id"))
            target = crud.get_scenario(session, scenario_id) if scenario_id else None
            if target is not None:
                principal.check_write(target.region)
            if region is not None:
                principal.check_write(region)
            scenario_file, others = await _files(form)
            parsed = await check_off_loop(scenario_file, others, "multipart", settings, region)
        except ScenarioError as err:
            # Sent by htmx, the answer's list of problems replaces the page's (the chosen files stay chosen): an
            # answer to swap, so 200; a plain form post gets the page again with 422.
            return page(request, "upload.html", status_code=200 if request.headers.get("hx-request") else 422,
                        region=region or "", target=target, problems=_grouped(err.problems))
        principal.check_write(crud.scenario_region(parsed.content, parsed.region))
        if target is not None and parsed.region is not None:
            principal.check_write(parsed.region.strip())

        row, _version = await run_in_threadpool(scenarios.store, session, principal, parsed.content, parsed.region,
                                                target.id if target is not None else None)
        new_id = row.id
    finally:
        await form.close()
    return redirect(f"/web/scenarios/{new_id}", request)


async def _files(form: Any) -> tuple[UploadedFile, list[UploadedFile]]:
    scenario_file = None
    others = []
    for name, value in form.multi_items():
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        data = await value.read()
        if name == "scenario":
            scenario_file = UploadedFile(safe_file_name(value.filename, "scenario.yaml"), data)
        else:
            others.append(UploadedFile(safe_file_name(value.filename, "table.csv"), data))
    if scenario_file is None:
        raise ScenarioError([InputProblem("request", None, "scenario",
                                          _("is required: choose the scenario file (YAML or JSON)"))])
    return scenario_file, others


def _grouped(problems: list[InputProblem]) -> list[tuple[str, list[InputProblem]]]:
    """Problems per file, in the order the files first appear."""
    files: dict[str, list[InputProblem]] = {}
    for problem in problems:
        files.setdefault(problem.file, []).append(problem)
    return list(files.items())


# ------------------------------------------------------------------ a scenario


def _matches(row: dict[str, Any], sector: str | None, level: str | None, area: str | None, text: str | None,
             area_of: dict[str, str]) -> bool:
    sectors = row.get("sectors") or [row.get("sector")]
    levels = row.get("levels") or [row.get("level")]
    where = row.get("area") or area_of.get(row.get("location", ""), "")
    haystack = " ".join(str(v) for v in row.values()).casefold()
    return ((not sector or sector in sectors) and (not level or level in levels)
            and (not area or where.casefold() == area.casefold()) and (not text or text.casefold() in haystack))


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def scenario_page(request: Request, scenario_id: ScenarioId, principal: WebPrincipal, session: SessionDep,
                  settings: SettingsDep, sector: str | None = None, level: str | None = None, area: str | None = None,
                  q: Annotated[str | None, Query(max_length=200)] = None,
                  show: Annotated[str, Query(pattern="^(cohorts|companies)$")] = "cohorts") -> HTMLResponse:
    scenario = scenarios.get_scenario(session, principal, scenario_id)
    document = scenario.document
    area_of = {loc["id"]: loc["area"] for inst in document.get("institutions", []) for loc in inst.get("locations", [])}
    names = {inst["id"]: inst["name"] for inst in document.get("institutions", [])}
    institution_of = {loc["id"]: inst["id"] for inst in document.get("institutions", [])
                      for loc in inst.get("locations", [])}
    rows = [r for r in document.get(show, []) if _matches(r, sector or None, level or None, area or None, q, area_of)]
    areas = sorted({a["name"] for a in document.get("areas", [])})
    region = scenario.region
    recent = crud.list_jobs(session, None, scenario_id, 10, 0, principal.visible_regions)
    cap = settings.max_solve_seconds(principal.role)
    return page(request, "scenario.html", scenario=scenario, versions=scenarios.list_versions(session, principal, scenario_id),
                show=show, rows=rows[:MAX_ROWS], total=len(rows), all_rows=len(document.get(show, [])),
                area_of=area_of, names=names, institution_of=institution_of, areas=areas,
                filters={"sector": sector or "", "level": level or "", "area": area or "", "q": q or ""},
                jobs=views.jobs_out(session, list(recent)), may_write=principal.may_write(region),
                cap=cap, default_limit=min(settings.default_time_limit, cap))


@router.post("/scenarios/{scenario_id}/solve")
async def solve(request: Request, scenario_id: ScenarioId, principal: WebPrincipal, session: SessionDep,
                settings: SettingsDep, manager: JobsDep) -> Response:
    form = await checked_form(request)
    try:
        body = schemas.SolveRequest(mode=form.get("mode") or "optimise",
                                    time_limit=form.get("time_limit") or None)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, "request", "solve")) from None
    job = await run_in_threadpool(jobs.start_solve, session, manager, settings, principal, scenario_id, body)
    return redirect(f"/web/jobs/{job.id}", request)


# ------------------------------------------------------------------ jobs


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: JobId, principal: WebPrincipal, session: SessionDep) -> HTMLResponse:
    job = views.job_out(session, jobs.readable(session, principal, job_id))
    return page(request, "job.html", job=job, terminal=TERMINAL, may_write=principal.may_write(job.region))


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(request: Request, job_id: JobId, principal: WebPrincipal, session: SessionDep) -> HTMLResponse:
    """The progress block alone, which the job page fetches every second (htmx) until the job ends."""
    job = views.job_out(session, jobs.readable(session, principal, job_id))
    return page(request, "_progress.html", job=job, terminal=TERMINAL, may_write=principal.may_write(job.region))


@router.post("/jobs/{job_id}/cancel")
async def cancel(request: Request, job_id: JobId, principal: WebPrincipal, session: SessionDep,
                 manager: JobsDep) -> Response:
    await checked_form(request)
    await run_in_threadpool(jobs.cancel, session, manager, principal, job_id)
    return redirect(f"/web/jobs/{job_id}", request)


# ------------------------------------------------------------------ what-if


#: The changes the form builds, with the fields each one uses.
VARIANT_KINDS = ("add_capacity", "allow_forms", "move_window", "scale_inflow", "add_qualification_places",
                 "add_recognitions", "remove_recognitions")


def _list(value: object) -> list[str] | None:
    text = str(value or "").strip()
    return [text] if text else None


def variant_from_form(form: Any) -> dict[str, Any]:
    """A variant document (:class:`planner.whatif.variants.Variant`) from the what-if form's fields."""
    kind = str(form.get("kind") or "")
    chosen = {"sector": _list(form.get("sector")), "level": _list(form.get("level")), "area": _list(form.get("area"))}
    chosen = {k: v for k, v in chosen.items() if v}
    change: dict[str, Any] = {"kind": kind}
    if kind == "add_capacity":
        change.update(companies=chosen, places=form.get("places") or 0)
        if form.get("first_week") or form.get("last_week"):
            change["weeks"] = {"first": form.get("first_week"), "last": form.get("last_week")}
    elif kind == "allow_forms":
        change.update(cohorts=chosen, forms=[str(form.get("form") or "").strip()])
    elif kind == "move_window":
        change.update(cohorts=chosen, weeks=form.get("shift") or 0)
    elif kind == "scale_inflow":
        change.update(cohorts=chosen, factor=1 + float(form.get("percent") or 0) / 100)
    elif kind == "add_qualification_places":
        change.update(qualification=str(form.get("crebo") or "").strip() or None, area=(chosen.get("area") or [None])[0],
                      places=form.get("places") or 0)
        if form.get("first_week") or form.get("last_week"):
            change["weeks"] = {"first": form.get("first_week"), "last": form.get("last_week")}
    elif kind in ("add_recognitions", "remove_recognitions"):
        companies = {**chosen, **{"kind": _list(form.get("company_kind"))}}
        companies = {k: v for k, v in companies.items() if v}
        change.update(recognitions=_list(form.get("crebo")) or [],
                      **({"companies": companies} if companies or kind == "add_recognitions" else {}))
    return {"name": str(form.get("name") or "").strip(), "changes": [change]}


def _whatif_page(request: Request, scenario_id: int, principal: Any, session: Any, status_code: int = 200,
                 **extra: Any) -> HTMLResponse:
    scenario = scenarios.get_scenario(session, principal, scenario_id)
    variants = whatif_service.list_variants(session, principal, scenario_id)
    areas = sorted({a["name"] for a in scenario.document.get("areas", [])})
    weeks = [scenario.document["calendar"]["first_week"], scenario.document["calendar"]["last_week"]]
    context = {"problems": [], "sweep": None, "sweep_job": None, "form": {}, **extra}
    return page(request, "whatif.html", status_code=status_code, scenario=scenario, variants=variants, areas=areas,
                weeks=weeks, kinds=VARIANT_KINDS, may_write=principal.may_write(scenario.region),
                may_analyse=may_analyse(principal, scenario.region), **context)


@router.get("/scenarios/{scenario_id}/whatif", response_class=HTMLResponse)
def whatif_page(request: Request, scenario_id: ScenarioId, principal: WebPrincipal, session: SessionDep,
                sweep_job: int | None = None) -> HTMLResponse:
    """The what-if page; with ``sweep_job`` also that sweep: its progress while it runs, its comparison when done."""
    if sweep_job is None:
        return _whatif_page(request, scenario_id, principal, session)
    job = views.job_out(session, jobs.readable(session, principal, sweep_job))
    table = whatif_service.job_result(session, principal, sweep_job, "sweep") if job.status == "done" else None
    return _whatif_page(request, scenario_id, principal, session, sweep=table, sweep_job=job)


@router.post("/scenarios/{scenario_id}/variants", response_class=HTMLResponse)
async def create_variant(request: Request, scenario_id: ScenarioId, principal: WebPrincipal,
                         session: SessionDep) -> Response:
    form = await checked_form(request)
    try:
        document = variant_from_form(form)
        body = VariantCreate.model_validate(document)
        await run_in_threadpool(whatif_service.create_variant, session, principal, scenario_id, body)
    except ValidationError as err:
        problems = problems_from(err, "variant", str(form.get("name") or ""))
        return _whatif_page(request, scenario_id, principal, session, 422, problems=problems, form=dict(form))
    except (ScenarioError, ValueError) as err:
        problems = err.problems if isinstance(err, ScenarioError) else [InputProblem("variant", None, None, str(err))]
        return _whatif_page(request, scenario_id, principal, session, 422, problems=problems, form=dict(form))
    return redirect(f"/web/scenarios/{scenario_id}/whatif", request)


@router.post("/scenarios/{scenario_id}/sweep", response_class=HTMLResponse)
async def sweep(request: Request, scenario_id: ScenarioId, principal: WebPrincipal, session: SessionDep,
                settings: SettingsDep, manager: JobsDep) -> Response:
    form = await checked_form(request)
    ids = [int(v) for v in form.getlist("variant_ids") if str(v).isdigit()]
    try:
        # The work budget bounds each solve; the time limit is only a safety net (default: the role's cap).
        body = SweepRequest(variant_ids=ids, time_limit=form.get("time_limit") or None,
                                   mode=form.get("mode") or "optimise")
    except ValidationError as err:
        return _whatif_page(request, scenario_id, principal, session, 422,
                            problems=problems_from(err, "request", "sweep"))
    job = await run_in_threadpool(whatif_service.start_sweep, session, manager, settings, principal, scenario_id, body)
    return redirect(f"/web/scenarios/{scenario_id}/whatif?sweep_job={job.id}", request)


@router.get("/jobs/{job_id}/sweep-progress", response_class=HTMLResponse)
def sweep_progress(request: Request, job_id: JobId, principal: WebPrincipal, session: SessionDep) -> Response:
    """The sweep's progress block, fetched every second (htmx); when the sweep ends the page reloads."""
    job = views.job_out(session, jobs.readable(session, principal, job_id))
    if job.status in TERMINAL:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return page(request, "_sweep_progress.html", job=job)

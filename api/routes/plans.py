"""Plans: KPIs, schedule, shortages, utilisation, hotspots, map, charts, downloads, comparison."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from api import artifacts, crud, schemas, views
from api.core.headers import document_response, map_response
from api.deps import MAX_ID, Limit, Offset, PlanId, PrincipalDep, RegionQuery, SessionDep, SettingsDep
from api.schemas import WEEK_PATTERN, LevelCode, Mode, PathwayCode, SectorCode
from api.services import plans as service
from api.services.plans import XLSX
from planner.plan import analysis

router = APIRouter(prefix="/plans", tags=["plans"])

SectorQ = Annotated[SectorCode | None, Query(description="Sector chamber code.", examples=["zorg"])]
LevelQ = Annotated[LevelCode | None, Query(description="MBO level.", examples=["2"])]
HotspotByQ = Annotated[Literal["cell", "crebo", "family"], Query(
    description="Cells per (area, sector chamber, level), or per crebo or qualification family too.")]
QualificationQ = Annotated[str | None, Query(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                                             description="Only the cohorts of this crebo or qualification family.",
                                             examples=["25491"])]
PathwayQ = Annotated[PathwayCode | None, Query(description="Pathway.", examples=["BOL"])]
AreaQ = Annotated[str | None, Query(min_length=1, max_length=200, description="Area name (case-insensitive).",
                                    examples=["Enschede"])]
WeekQ = Annotated[str | None, Query(pattern=WEEK_PATTERN, description="ISO week.", examples=["2026-W40"])]
PlanA = Annotated[int, Query(ge=1, le=MAX_ID, description="Plan a (e.g. the status quo).", examples=[2])]
PlanB = Annotated[int, Query(ge=1, le=MAX_ID, description="Plan b (e.g. a what-if).", examples=[3])]
StatusQuoQ = Annotated[bool, Query(description="Show the plan against the newest status-quo plan of the same "
                                   "scenario version, when one is stored (solve it with mode status-quo).")]

NOT_FOUND = {404: schemas.ERRORS[404], 422: schemas.ERRORS[422]}
UNAVAILABLE = {503: {"model": schemas.Message, "description": "An optional part (maps) is not installed"}}


def _json_error(model: str, description: str) -> dict[str, Any]:
    # Explicit content: the route's own media type (CSV, HTML, PNG) does not apply to its errors.
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}}}


FILE_ERRORS: dict[int | str, Any] = {404: _json_error("Message", "Unknown id"),
                                     422: _json_error("ProblemList", "Invalid parameters; every problem listed")}
FILE_UNAVAILABLE = {503: _json_error("Message", "An optional part (maps) is not installed")}


def _file_responses(media_type: str, description: str, example: str | None = None,
                    schema: dict[str, Any] | None = None) -> dict[int | str, Any]:
    content: dict[str, Any] = {"schema": schema or {"type": "string"}}
    if media_type in ("image/png", "application/zip"):
        content = {"schema": {"type": "string", "format": "binary"}}
    elif example is not None:
        content["example"] = example
    return {200: {"content": {media_type: content}, "description": description}, **FILE_ERRORS}


@router.get("", response_model=list[schemas.PlanSummary], responses={422: schemas.ERRORS[422]}, summary="List plans")
def list_plans(principal: PrincipalDep, session: SessionDep, region: RegionQuery = None,
               scenario_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               mode: Annotated[Mode | None, Query(description="Only plans of this mode.", examples=["optimise"])] = None,
               limit: Limit = 100, offset: Offset = 0) -> list[schemas.PlanSummary]:
    """Stored plans, newest first, optionally of one region, scenario or mode (of the regions the token may read)."""
    return [views.plan_summary(row) for row in crud.list_plans(session, region, scenario_id, mode, limit, offset,
                                                               principal.visible_regions)]


@router.get("/compare", response_model=schemas.CompareOut, responses=NOT_FOUND, summary="Compare two plans")
def compare(principal: PrincipalDep, session: SessionDep,
            a: PlanA,
            b: PlanB,
            limit: Annotated[int, Query(ge=1, le=1000, description="At most this many cells per list.", examples=[20])] = 50,
            ) -> schemas.CompareOut:
    """KPI differences (b minus a, which plan is better on each) and the hotspot cells (area, sector
    chamber, level, week) where b has fewer or more unplaced students than a; also the
    stagebarometer cells (sector chamber, pathway, level)."""
    return service.compare(session, principal, a, b, limit)


@router.get("/compare/map", response_class=HTMLResponse,
            responses={**_file_responses("text/html", "The comparison map (self-contained HTML)"), **FILE_UNAVAILABLE},
            summary="Map of the difference between two plans")
def compare_map(principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                a: PlanA,
                b: PlanB,
                ) -> Response:
    """Where plan b leaves fewer (blue) or more (red) students without a place than plan a, per area;
    drawn on plan b's scenario version (422 when plan a does not fit it: other weeks, areas or companies)."""
    return map_response(service.comparison_map_file(session, settings, principal, a, b))


@router.get("/{plan_id}", response_model=schemas.PlanOut, responses=NOT_FOUND, summary="Read a plan's KPIs")
def get_plan(plan_id: PlanId, principal: PrincipalDep, session: SessionDep) -> schemas.PlanOut:
    """KPIs, baselines (status quo, greedy), solver statistics, where it comes from and links to its parts."""
    return service.plan_out(session, principal, plan_id)


@router.get("/{plan_id}/schedule", response_model=schemas.ScheduleOut, responses=NOT_FOUND,
            summary="The plan's internship calendar")
def schedule(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, sector: SectorQ = None, level: LevelQ = None,
             pathway: PathwayQ = None, area: AreaQ = None,
             institution: Annotated[str | None, Query(min_length=1, max_length=200, examples=["roc-oost"])] = None,
             changed: Annotated[bool | None, Query(description="Only cohorts whose period changed (true) "
                                                   "or stayed (false).")] = None) -> schemas.ScheduleOut:
    """Per cohort: its waves (form, start week, students) and where the students are placed."""
    plan = service.read_plan(session, principal, plan_id)
    cohorts = analysis.filter_cohorts(plan, sector, level, pathway, area, institution, changed)
    return schemas.ScheduleOut(plan_id=plan_id, count=len(cohorts), cohorts=cohorts)


@router.get("/{plan_id}/shortages", response_model=schemas.ShortagesOut, responses=NOT_FOUND,
            summary="Unplaced students by week, sector, pathway, level and area")
def shortages(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, sector: SectorQ = None, level: LevelQ = None,
              pathway: PathwayQ = None, area: AreaQ = None, week: WeekQ = None) -> schemas.ShortagesOut:
    """The plan's shortage cells, filtered by any of sector chamber, level, pathway, area and week."""
    plan = service.read_plan(session, principal, plan_id)
    cells = analysis.filter_shortages(plan, sector, level, pathway, area, week)
    filters = {k: v for k, v in {"sector": sector, "level": level, "pathway": pathway, "area": area,
                                 "week": week}.items() if v is not None}
    return schemas.ShortagesOut(plan_id=plan_id, filters=filters, count=len(cells),
                                student_weeks=sum(c.unplaced for c in cells), cells=cells)


@router.get("/{plan_id}/utilisation", response_model=schemas.UtilisationOut, responses=NOT_FOUND,
            summary="Supervision capacity and use per company and week")
def utilisation(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, area: AreaQ = None) -> schemas.UtilisationOut:
    """Capacity and use in student-days per company and week, and the totals per week."""
    plan = service.read_plan(session, principal, plan_id)
    companies = [u for u in plan.utilisation if area is None or u.area.casefold() == area.casefold()]
    return schemas.UtilisationOut(plan_id=plan_id, weeks=plan.weeks,
                                  totals=[schemas.WeekUse(**t) for t in analysis.weekly_totals(plan)],
                                  companies=companies)


@router.get("/{plan_id}/hotspots", response_model=schemas.HotspotsOut, responses=NOT_FOUND, tags=["hotspots"],
            summary="The plan's shortage hotspots")
def plan_hotspots(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, limit: Limit = 20, sector: SectorQ = None,
                  level: LevelQ = None, by: HotspotByQ = "cell", qualification: QualificationQ = None,
                  ) -> schemas.HotspotsOut:
    """Cells (area, sector chamber, level) with the most students without a place, each once with its weeks;
    ``by=crebo`` or ``by=family`` splits them per qualification, ``qualification`` keeps one crebo's or family's
    cohorts."""
    return service.hotspots(session, principal, plan_id, limit, sector, level, by, qualification)


@router.get("/{plan_id}/map", response_class=HTMLResponse,
            responses={**_file_responses("text/html", "The map (self-contained HTML, Leaflet)"), **FILE_UNAVAILABLE},
            summary="Map of the plan's shortage")
def plan_map(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
             status_quo: StatusQuoQ = True) -> Response:
    """An interactive map of the plan: students without a place per area, sector chamber, level and week,
    companies and institutions; with the status quo and the difference as further views when a
    status-quo plan of the same scenario version is stored."""
    return map_response(service.map_file(session, settings, principal, plan_id, status_quo))


@router.get("/{plan_id}/charts/{name}.png", response_class=Response,
            responses=_file_responses("image/png", "The chart as PNG"), summary="A chart of the plan")
def chart(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
          name: Annotated[Literal["weekly_capacity", "shortage_cells"], Path(
              description="weekly_capacity: demand against capacity per sector chamber and week; "
                          "shortage_cells: unplaced students per stagebarometer cell.")],
          status_quo: StatusQuoQ = True) -> Response:
    """A PNG chart of the plan, against the status quo when a status-quo plan is stored."""
    return FileResponse(service.chart_file(session, settings, principal, plan_id, name, status_quo),
                        media_type="image/png")


def _csv(table: str):  # noqa: ANN202
    def download(plan_id: PlanId, principal: PrincipalDep, session: SessionDep) -> Response:
        return views.file_response(service.table_file(session, principal, plan_id, table))
    download.__doc__ = f"The plan's {table} table as CSV, exactly as the command line writes {table}.csv."
    download.__name__ = f"{table}_csv"
    return download


_CSV_EXAMPLES = {
    "schedule": "cohort,institution,sector,level,pathway,wave,form,start_week,end_week,students,placed,company\n"
                "vig-3-ens,roc-oost,zorg,3,BOL,1,block:4,2026-W36,2026-W39,22,5,vvt-enschede\n",
    "shortages": "sector,sector_name,pathway,level,area,unplaced_students,student_weeks,first_week,last_week\n"
                 "zorg,\"Zorg, welzijn en sport\",BOL,3,Enschede,14,56,2026-W36,2026-W39\n",
    "shortage_weeks": "week,sector,sector_name,pathway,level,area,unplaced_students_in_week\n"
                      "2026-W36,zorg,\"Zorg, welzijn en sport\",BOL,3,Enschede,14\n",
    "utilisation": "company,area,week,capacity_student_days,used_student_days,utilisation\n"
                   "vvt-enschede,Enschede,2026-W36,25,25,1.0\n",
}
for _table in artifacts.TABLES:
    router.add_api_route(f"/{{plan_id}}/{_table}.csv", _csv(_table), methods=["GET"], response_class=PlainTextResponse,
                         responses=_file_responses("text/csv", f"{_table}.csv", _CSV_EXAMPLES[_table]),
                         summary=f"Download {_table}.csv")


@router.get("/{plan_id}/summary.md", response_class=PlainTextResponse,
            responses=_file_responses("text/plain", "summary.md", "# Plan for twente-zorg (optimised plan)\n"),
            summary="Download summary.md")
def summary_md(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    """The plan's readable summary, as the command line writes summary.md (served as plain text, so a
    browser never renders markup in it)."""
    return views.file_response(service.plan_file(session, settings, principal, plan_id, "summary.md"))


@router.get("/{plan_id}/plan.json", response_class=Response,
            responses=_file_responses("application/json", "plan.json", schema={
                "type": "object", "description": "The whole planner.plan.Plan (scenario, mode, weeks, kpis, "
                "baselines, cohorts, shortages, utilisation, solver)."}), summary="Download plan.json")
def plan_json(plan_id: PlanId, principal: PrincipalDep, session: SessionDep) -> Response:
    """The whole plan as the command line writes plan.json."""
    return views.file_response(service.json_file(session, principal, plan_id))


@router.get("/{plan_id}/outputs.zip", response_class=Response,
            responses=_file_responses("application/zip", "All result files"), summary="Download all result files")
def outputs_zip(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    """plan.json, the CSV tables, summary.md, the charts and the map as one zip (planner.report.write_outputs)."""
    return views.file_response(service.plan_file(session, settings, principal, plan_id, "outputs.zip"))


# ------------------------------------------------------------------ what changes per institution, and why

InstitutionQ = Annotated[str | None, Query(min_length=1, max_length=200, description="Only this institution (id).",
                                           examples=["roc-oost"])]
LangQ = Annotated[Literal["nl", "en"] | None, Query(description="Language of the texts (default Dutch).",
                                                   examples=["en"])]


@router.get("/{plan_id}/changes", response_model=schemas.ChangesOut, responses=NOT_FOUND,
            summary="What the plan changes, per institution")
def changes(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
            institution: InstitutionQ = None, lang: LangQ = None) -> schemas.ChangesOut:
    """Per cohort (BOL): its current period and form, the proposed waves (form, weeks, students, learning
    companies), placed and unplaced, whether it changed, and the reason for unplaced students; and per
    institution the totals."""
    return service.changes(session, settings, principal, plan_id, institution, lang)


@router.get("/{plan_id}/changes.csv", response_class=PlainTextResponse,
            responses=_file_responses("text/csv", "changes.csv", "institution,institution_name,location,area,cohort\n"),
            summary="Download changes.csv")
def changes_csv(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                institution: InstitutionQ = None, lang: LangQ = None) -> Response:
    """What the plan changes, one row per cohort, as the command line writes changes.csv."""
    return views.file_response(service.plan_file(session, settings, principal, plan_id, "changes.csv", institution,
                                                  lang))


@router.get("/{plan_id}/changes.xlsx", response_class=Response, responses=_file_responses(XLSX, "changes.xlsx"),
            summary="Download changes.xlsx")
def changes_xlsx(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                 lang: LangQ = None) -> Response:
    """What the plan changes as a workbook: a sheet for the region and one per institution."""
    return views.file_response(service.plan_file(session, settings, principal, plan_id, "changes.xlsx", lang=lang))


@router.get("/{plan_id}/institutions/{institution}/calendar.html", response_class=HTMLResponse,
            responses=_file_responses("text/html", "The institution's printable calendar"),
            summary="An institution's printable calendar")
def institution_calendar(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                         institution: Annotated[str, Path(min_length=1, max_length=200,
                                                          description="Institution id (as in the scenario).",
                                                          examples=["roc-oost"])],
                         lang: LangQ = None) -> Response:
    """One page per institution to print or save as PDF: each cohort's current period and proposed waves
    with dates (the Monday of the first week, the Friday of the last), what changes and why, and the reasons
    for students without a place (404 when the institution has no cohort in the plan)."""
    return document_response(service.calendar_html(session, settings, principal, plan_id, institution, lang))


@router.get("/{plan_id}/reasons", response_model=schemas.ReasonsOut, responses=NOT_FOUND,
            summary="Why students stay without a place")
def reasons(plan_id: PlanId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
            institution: InstitutionQ = None, lang: LangQ = None) -> schemas.ReasonsOut:
    """Per cohort with unplaced students the reason (no company in reach, companies full, priority groups
    given the places, window or wave limit) with its numbers; and the stagebarometer cells with more
    unplaced students than in the status quo with the cells that gained in the same companies and weeks."""
    return service.reasons(session, settings, principal, plan_id, institution, lang)

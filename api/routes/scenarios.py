"""Scenarios: upload (JSON, YAML or multipart with CSV tables), list, read, new versions, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api import crud, schemas, views
from api.deps import (
    MAX_ID,
    NAME_PATTERN,
    JobsDep,
    Limit,
    Offset,
    PrincipalDep,
    RegionQuery,
    ScenarioId,
    SessionDep,
    SettingsDep,
)
from api.scenario_input import read_scenario
from api.services import scenarios as service

router = APIRouter(prefix="/scenarios", tags=["scenarios"])

_CSV_COHORTS = ("id,location,crebo,programme,sector,level,pathway,students,forms,earliest_start,latest_end,"
                "current_start,current_form\nvig-3-ens,roc-oost-enschede,25655,Verzorgende IG,zorg,3,BOL,30,"
                "block:4|line:2x10,2026-W36,2026-W51,2026-W40,block:4\n")
_CSV_COMPANIES = ("id,name,area,sectors,levels,places\nvvt-enschede,Zorggroep Enschede,Enschede,zorg,2|3|4,5\n")

SCENARIO_BODY: dict[str, Any] = {
    "required": True,
    "description": "The scenario as a JSON document, a YAML document, or multipart form data with the scenario "
                   "file (part `scenario`) and the CSV tables it names (e.g. parts `cohorts` and `companies` with "
                   "file names `cohorts.csv` and `companies.csv`), plus optional side files (travel matrix CSV, "
                   "area GeoJSON) under the names the scenario uses; or a scenario workbook (`.xlsx`, as `stageplanner "
                   "template` and `export` write it) as part `scenario` alone. Validation problems come back as 422 with "
                   "the file, row, field and message, exactly as the command line reports them.",
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Scenario"},
            "examples": {"inline-tables": {"summary": "Scenario with inline tables",
                                           "value": schemas.EXAMPLE_SCENARIO}},
        },
        "application/yaml": {
            "schema": {"type": "string"},
            "examples": {"yaml": {"summary": "Scenario as YAML (tables inline or, with multipart, as CSV files)",
                                  "value": schemas.EXAMPLE_SCENARIO_YAML.replace(
                                      "cohorts: cohorts.csv\ncompanies: companies.csv\n",
                                      "cohorts:\n  - {id: vig-3-ens, location: roc-oost-enschede, crebo: '25655', "
                                      "programme: Verzorgende IG, sector: zorg, level: '3', pathway: BOL, "
                                      "students: 30, forms: [block:4], earliest_start: 2026-W36, latest_end: "
                                      "2026-W51, current_start: 2026-W40, current_form: block:4}\ncompanies:\n"
                                      "  - {id: vvt-enschede, name: Zorggroep Enschede, area: Enschede, "
                                      "sectors: [zorg], levels: ['2', '3', '4'], places: 5}\n")}},
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["scenario"],
                "properties": {
                    "scenario": {"type": "string", "format": "binary",
                                 "description": "The scenario file (YAML or JSON, or a scenario workbook .xlsx)."},
                    "cohorts": {"type": "string", "format": "binary", "description": "cohorts.csv, if named."},
                    "companies": {"type": "string", "format": "binary", "description": "companies.csv, if named."},
                    "region": {"type": "string", "description": "Region name (default: the scenario name)."},
                },
            },
            "examples": {"csv-tables": {"summary": "YAML plus cohorts.csv and companies.csv", "value": {
                "scenario": schemas.EXAMPLE_SCENARIO_YAML, "cohorts": _CSV_COHORTS, "companies": _CSV_COMPANIES,
                "region": "Twente"}}},
        },
    },
}

RegionParam = Annotated[str | None, Query(
    min_length=1, max_length=200, pattern=NAME_PATTERN, examples=["Twente"],
    description="Region of the scenario (for agreements and the SBB view). Default: the scenario name when "
                "created, the current region when replaced. Multipart uploads may send a `region` field instead.",
)]

UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: schemas.ERRORS[422],
    413: {"model": schemas.Message, "description": "Upload too large"},
    415: {"model": schemas.Message, "description": "Body is not JSON, YAML or multipart form data"},
}


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=schemas.ScenarioOut, responses=UPLOAD_RESPONSES,
    summary="Upload a scenario", openapi_extra={"requestBody": SCENARIO_BODY},
)
async def create_scenario(request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep,
                          response: Response, region: RegionParam = None) -> schemas.ScenarioOut:
    """Check and store a new scenario (version 1). Send JSON, YAML, or multipart form data with the
    scenario file and its CSV tables. Every validation problem is reported at once (422).
    Editors may store scenarios only in their own regions (403 otherwise)."""
    principal.check_writer()
    if region is not None:
        principal.check_write(region)  # before reading the body
    parsed = await read_scenario(request, settings, region)
    principal.check_write(crud.scenario_region(parsed.content, parsed.region))

    def store() -> schemas.ScenarioOut:  # large documents: off the event loop
        row, version = service.store(session, principal, parsed.content, parsed.region)
        response.headers["Location"] = f"/scenarios/{row.id}"
        return views.scenario_out(row, version)

    return await run_in_threadpool(store)


@router.get("", response_model=list[schemas.ScenarioSummary], summary="List scenarios",
            responses={422: schemas.ERRORS[422]})
def list_scenarios(principal: PrincipalDep, session: SessionDep, region: RegionQuery = None, limit: Limit = 100,
                   offset: Offset = 0) -> list[schemas.ScenarioSummary]:
    """Stored scenarios (latest versions), newest first; optionally of one region. Only the regions the
    token may read."""
    rows = crud.list_scenarios(session, region, limit, offset, principal.visible_regions)
    versions = crud.summary_versions(session, rows)  # without the documents
    return [views.scenario_summary(row, versions[row.id]) for row in rows]


@router.get("/{scenario_id}", response_model=schemas.ScenarioOut, responses=schemas.ERRORS,
            summary="Read a scenario (latest version)")
def get_scenario(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep) -> schemas.ScenarioOut:
    """The latest version of a scenario, with its document and load warnings."""
    return service.get_scenario(session, principal, scenario_id)


@router.put(
    "/{scenario_id}", response_model=schemas.ScenarioOut, responses={**UPLOAD_RESPONSES, 404: schemas.ERRORS[404]},
    summary="Replace a scenario (adds a version)", openapi_extra={"requestBody": SCENARIO_BODY},
)
async def replace_scenario(scenario_id: ScenarioId, request: Request, principal: PrincipalDep, session: SessionDep,
                           settings: SettingsDep, region: RegionParam = None) -> schemas.ScenarioOut:
    """Store a new version of the scenario. Earlier versions stay readable
    (`GET /scenarios/{id}/versions/{version}`), and plans and agreements keep pointing at the
    version they were made from. Same body formats and validation as the upload."""
    principal.check_write(crud.get_scenario(session, scenario_id).region)  # 404/403 before reading a large body
    if region is not None:
        principal.check_write(region)
    parsed = await read_scenario(request, settings, region)
    if parsed.region is not None:
        principal.check_write(parsed.region.strip())  # moving it to another region needs write access there too

    def store() -> schemas.ScenarioOut:  # large documents: off the event loop
        row, version = service.store(session, principal, parsed.content, parsed.region, scenario_id)
        return views.scenario_out(row, version)

    return await run_in_threadpool(store)


@router.delete("/{scenario_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: schemas.ERRORS[404],
               422: schemas.ERRORS[422]}, summary="Delete a scenario")
def delete_scenario(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep, jobs: JobsDep) -> Response:
    """Delete a scenario: it disappears from lists and reads, its queued and running jobs are cancelled.
    Its plans and the agreements that adopted them stay (they are the region's record)."""
    service.delete(session, jobs, principal, scenario_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{scenario_id}/versions", response_model=list[schemas.ScenarioVersionSummary],
            responses=schemas.ERRORS, summary="List a scenario's versions")
def list_versions(scenario_id: ScenarioId, principal: PrincipalDep,
                  session: SessionDep) -> list[schemas.ScenarioVersionSummary]:
    """Every version of the scenario, oldest first."""
    return service.list_versions(session, principal, scenario_id)


@router.get("/{scenario_id}/versions/{version}", response_model=schemas.ScenarioOut, responses=schemas.ERRORS,
            summary="Read one version of a scenario")
def get_version(scenario_id: ScenarioId, principal: PrincipalDep, session: SessionDep,
                version: Annotated[int, Path(ge=1, le=MAX_ID, description="Version number.", examples=[1])]
                ) -> schemas.ScenarioOut:
    """A given version of the scenario, as it was stored."""
    return service.get_scenario(session, principal, scenario_id, version)

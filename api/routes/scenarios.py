"""Scenarios: upload (JSON, YAML or multipart with CSV tables), list, read, new versions, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from starlette.datastructures import UploadFile as StarletteUpload

from api import schemas, store, views
from api.deps import JobsDep, Limit, Offset, RegionQuery, ScenarioId, SessionDep, SettingsDep
from api.scenario_input import (
    MULTIPART,
    ParsedScenario,
    UnsupportedMediaType,
    UploadedFile,
    load_upload,
    media_type,
    parse_body,
    safe_file_name,
)
from api.settings import Settings
from planner.scenario.problems import InputProblem, ScenarioError

router = APIRouter(prefix="/scenarios", tags=["scenarios"])


class PayloadTooLarge(Exception):
    """The upload is larger than the server accepts (HTTP 413)."""


_CSV_COHORTS = ("id,location,crebo,programme,sector,level,pathway,students,forms,earliest_start,latest_end,"
                "current_start,current_form\nvig-3-ens,roc-oost-enschede,25655,Verzorgende IG,zorg,3,BOL,30,"
                "block:4|line:2x10,2026-W36,2026-W51,2026-W40,block:4\n")
_CSV_COMPANIES = ("id,name,area,sectors,levels,places\nvvt-enschede,Zorggroep Enschede,Enschede,zorg,2|3|4,5\n")

SCENARIO_BODY: dict[str, Any] = {
    "required": True,
    "description": "The scenario as a JSON document, a YAML document, or multipart form data with the scenario "
                   "file (part `scenario`) and the CSV tables it names (e.g. parts `cohorts` and `companies` with "
                   "file names `cohorts.csv` and `companies.csv`), plus optional side files (travel matrix CSV, "
                   "area GeoJSON) under the names the scenario uses. Validation problems come back as 422 with "
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
                                 "description": "The scenario file (YAML or JSON)."},
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
    min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", examples=["Twente"],
    description="Region of the scenario (for agreements and the SBB view). Default: the scenario name when "
                "created, the current region when replaced. Multipart uploads may send a `region` field instead.",
)]

UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: schemas.ERRORS[422],
    413: {"model": schemas.Message, "description": "Upload too large"},
    415: {"model": schemas.Message, "description": "Body is not JSON, YAML or multipart form data"},
}


async def _read_scenario(request: Request, settings: Settings, region: str | None) -> ParsedScenario:
    """The scenario in the request body, checked like the CLI checks files."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_bytes:,} bytes")
    kind = media_type(request.headers.get("content-type"))
    if kind == MULTIPART:
        return await _read_multipart(request, settings, region)
    body = await request.body()
    if len(body) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_bytes:,} bytes")
    upload, source_format = parse_body(request.headers.get("content-type"), body)
    return load_upload(upload, [], source_format, region)


async def _read_multipart(request: Request, settings: Settings, region: str | None) -> ParsedScenario:
    try:
        form = await request.form(max_files=50, max_fields=50, max_part_size=settings.max_upload_bytes)
    except Exception as err:  # malformed multipart bodies: the client's mistake
        raise ScenarioError([InputProblem("request", "body", None, f"is not readable multipart form data ({err})")]) \
            from None
    try:
        scenario_file: UploadedFile | None = None
        others: list[UploadedFile] = []
        total = 0
        for name, value in form.multi_items():
            if isinstance(value, StarletteUpload):
                data = await value.read()
                total += len(data)
                if total > settings.max_upload_bytes:
                    raise PayloadTooLarge(f"the upload is larger than {settings.max_upload_bytes:,} bytes")
                if name == "scenario":
                    fallback = "scenario.json" if (value.content_type or "").endswith("json") else "scenario.yaml"
                    if scenario_file is not None:
                        raise ScenarioError([InputProblem("request", "body", "scenario", "was sent more than once")])
                    scenario_file = UploadedFile(safe_file_name(value.filename, fallback), data)
                else:
                    others.append(UploadedFile(safe_file_name(value.filename, f"{name}.csv"), data))
            elif name == "region":
                region = region or value.strip() or None
            elif name == "scenario":
                scenario_file = UploadedFile("scenario.yaml", value.encode("utf-8"))
            else:
                raise ScenarioError([InputProblem("request", "body", name, "is not a known form field; send files "
                                                  "as file parts, and only 'region' as a text field")])
        if scenario_file is None:
            raise ScenarioError([InputProblem("request", "body", "scenario",
                                              "is required: the scenario file (YAML or JSON) as part 'scenario'")])
        if region is not None:
            store_region = region.strip()
            if not store_region or len(store_region) > 200 or any(ord(ch) < 32 or ord(ch) == 127 for ch in store_region):
                raise ScenarioError([InputProblem("request", "body", "region",
                                                  "must be 1 to 200 characters without control characters")])
        return load_upload(scenario_file, others, "multipart", region)
    finally:
        await form.close()


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=schemas.ScenarioOut, responses=UPLOAD_RESPONSES,
    summary="Upload a scenario", openapi_extra={"requestBody": SCENARIO_BODY},
)
async def create_scenario(request: Request, session: SessionDep, settings: SettingsDep, response: Response,
                          region: RegionParam = None) -> schemas.ScenarioOut:
    """Check and store a new scenario (version 1). Send JSON, YAML, or multipart form data with the
    scenario file and its CSV tables. Every validation problem is reported at once (422)."""
    parsed = await _read_scenario(request, settings, region)
    row, version = store.create_scenario(session, parsed)
    session.commit()
    response.headers["Location"] = f"/scenarios/{row.id}"
    return views.scenario_out(row, version)


@router.get("", response_model=list[schemas.ScenarioSummary], summary="List scenarios",
            responses={422: schemas.ERRORS[422]})
def list_scenarios(session: SessionDep, region: RegionQuery = None, limit: Limit = 100,
                   offset: Offset = 0) -> list[schemas.ScenarioSummary]:
    """Stored scenarios (latest versions), newest first; optionally of one region."""
    rows = store.list_scenarios(session, region, limit, offset)
    return [views.scenario_summary(row, store.get_version(session, row.id)) for row in rows]


@router.get("/{scenario_id}", response_model=schemas.ScenarioOut, responses=schemas.ERRORS,
            summary="Read a scenario (latest version)")
def get_scenario(scenario_id: ScenarioId, session: SessionDep) -> schemas.ScenarioOut:
    """The latest version of a scenario, with its document and load warnings."""
    version = store.get_version(session, scenario_id)
    return views.scenario_out(version.scenario, version)


@router.put(
    "/{scenario_id}", response_model=schemas.ScenarioOut, responses={**UPLOAD_RESPONSES, 404: schemas.ERRORS[404]},
    summary="Replace a scenario (adds a version)", openapi_extra={"requestBody": SCENARIO_BODY},
)
async def replace_scenario(scenario_id: ScenarioId, request: Request, session: SessionDep, settings: SettingsDep,
                           region: RegionParam = None) -> schemas.ScenarioOut:
    """Store a new version of the scenario. Earlier versions stay readable
    (`GET /scenarios/{id}/versions/{version}`), and plans and agreements keep pointing at the
    version they were made from. Same body formats and validation as the upload."""
    store.get_scenario(session, scenario_id)  # 404 before reading a large body
    parsed = await _read_scenario(request, settings, region)
    row, version = store.add_version(session, scenario_id, parsed)
    session.commit()
    return views.scenario_out(row, version)


@router.delete("/{scenario_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: schemas.ERRORS[404],
               422: schemas.ERRORS[422]}, summary="Delete a scenario")
def delete_scenario(scenario_id: ScenarioId, session: SessionDep, jobs: JobsDep) -> Response:
    """Delete a scenario: it disappears from lists and reads, its queued and running jobs are cancelled.
    Its plans and the agreements that adopted them stay (they are the region's record)."""
    active = store.delete_scenario(session, scenario_id)
    session.commit()
    for job_id in active:
        try:
            jobs.cancel(job_id)
        except store.Conflict:
            pass  # finished in the meantime
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{scenario_id}/versions", response_model=list[schemas.ScenarioVersionSummary],
            responses=schemas.ERRORS, summary="List a scenario's versions")
def list_versions(scenario_id: ScenarioId, session: SessionDep) -> list[schemas.ScenarioVersionSummary]:
    """Every version of the scenario, oldest first."""
    return [views.version_summary(v) for v in store.list_versions(session, scenario_id)]


@router.get("/{scenario_id}/versions/{version}", response_model=schemas.ScenarioOut, responses=schemas.ERRORS,
            summary="Read one version of a scenario")
def get_version(scenario_id: ScenarioId, session: SessionDep,
                version: Annotated[int, Path(ge=1, le=2_147_483_647, description="Version number.", examples=[1])]
                ) -> schemas.ScenarioOut:
    """A given version of the scenario, as it was stored."""
    found = store.get_version(session, scenario_id, version)
    return views.scenario_out(found.scenario, found)


__all__ = ["router", "PayloadTooLarge", "UnsupportedMediaType"]

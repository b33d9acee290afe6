"""The FastAPI application: :func:`create_app`, ``app`` (settings from the environment) and :func:`serve`.

Start it with ``stageplanner serve --host 127.0.0.1 --port 8000`` (which calls :func:`serve`)
or ``uvicorn api.main:app``. At startup the database schema is upgraded with Alembic and
solve jobs a previous server left unfinished are resumed (see :mod:`api.jobs`).
Interactive documentation is at ``/docs`` (Swagger UI served from the package, so it works
offline; no ``/redoc``), the OpenAPI schema at ``/openapi.json``, and the web workbench at ``/web/``
(:mod:`api.web`; ``/`` leads there). Every answer carries security headers (:mod:`api.core.headers`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response

from api import schemas, web
from api.artifacts import Unavailable
from api.auth import TokenAuthentication, is_web
from api.core.config import Settings, load_settings
from api.core.db import Database, limit_request_threads
from api.core.headers import SecurityHeaders
from api.core.security import AccessDenied, FailureWindow, RateLimiter
from api.core.slots import DatabaseSlots
from api.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, QueueFull, UnsupportedMediaType
from api.jobs import JobManager
from api.language import RequestLanguage
from api.routes import (
    agreements,
    audit,
    hotspots,
    jobs,
    plans,
    proposals,
    scenarios,
    service,
    tokens,
    tradeoff,
    whatif,
)
from api.scenario_input import shutdown_upload_workers
from api.web.render import SignInRequired, error_page, sign_in_redirect
from api.web.session import CsrfError
from planner.i18n import _
from planner.scenario import Scenario
from planner.scenario.problems import InputProblem, ScenarioError, pydantic_message

log = logging.getLogger("stageplanner.api")

try:
    VERSION = version("stageplanner")
except PackageNotFoundError:  # running from a source tree without installing
    VERSION = "0.0.0"

DESCRIPTION = """\
Plans staggered internship periods (block and line internships) for Dutch MBO regions against
learning companies' weekly supervision capacity.

* **Regional consortia** upload a scenario, solve it, read the proposed calendar and its
  shortage by week, sector chamber, level and area, and record the plan they agree on.
* **SBB** reads shortage hotspots across the newest plan of every region.
* **Care roundtables** upload what-if versions of a scenario and compare plans side by side.

Everything is aggregated (cohorts and capacities); no personal data of students.
Every operation except `/health` needs an API token (`Authorization: Bearer <token>`, made with
`stageplanner tokens create`): 401 without a valid one, 403 when the token's role or regions do not
allow the operation, 429 (with `Retry-After`) above the token's request rate.
Roles: `reader` (read its regions), `editor` (also change scenarios, solves and agreements of its
regions), `analyst` (read every region: SBB), `admin` (everything, and the audit log), `school` (an
institution's editor in one region: reads it, approves or rejects its institution's part of a proposal).

Errors: 404 for unknown ids, 409 for actions that do not fit the current state, 422 with every
problem (file, row, field, message) for invalid input.

Messages are in Dutch unless the request asks for English, with `?lang=en` or
`Accept-Language: en`; `Content-Language` says which language an answer is in.
"""

TAGS = [
    {"name": "scenarios", "description": "A region's demand (cohorts) and supply (learning companies) for a school "
                                         "year; versioned."},
    {"name": "jobs", "description": "Solving a scenario in the background: queue, progress, cancel."},
    {"name": "plans", "description": "Proposed calendars with their KPIs, shortages, utilisation, map, charts and "
                                     "downloads; comparisons."},
    {"name": "hotspots", "description": "Where students are left without a place: per plan and across regions."},
    {"name": "agreements", "description": "A region adopting a plan as its agreed internship calendar, "
                                          "deviations from it, and the sign-off per school: a proposal each "
                                          "institution approves or rejects."},
    {"name": "regions", "description": "Regions with their newest plan and current agreement."},
    {"name": "what-if", "description": "Variants of a scenario (declarative changes stored with their base), "
                                       "small sweeps side by side, and where one more supervision place helps most."},
    {"name": "audit", "description": "Who changed which scenario, job or agreement, and when (admin tokens)."},
    {"name": "tokens", "description": "API tokens: create (shown once), list, revoke (admin tokens)."},
    {"name": "service", "description": "Health of the server (open: no token needed)."},
]


def _problem_json(problems: list[InputProblem]) -> list[dict[str, Any]]:
    return [{"file": p.file, "where": p.place, "field": p.field, "message": p.message, "text": str(p)}
            for p in problems]


def _validation_problems(errors: list[dict[str, Any]]) -> list[InputProblem]:
    problems = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else None
        field = ".".join(loc[1:]) or None
        if error.get("type") == "json_invalid":
            message = _("is not valid JSON ({error})").format(error=error.get("ctx", {}).get("error", error.get("msg")))
        else:
            message = pydantic_message({"msg": _("is not valid"), "type": "", **error})
        problems.append(InputProblem("request", where, field, message))
    return problems


def _install_handlers(app: FastAPI) -> None:
    def answer(request: Request, status: int, detail: Any, message: str,
               headers: dict[str, str] | None = None) -> Response:
        if is_web(request.url.path):  # the workbench's pages answer with a page, not JSON
            response = error_page(request, status, message)
            response.headers.update(headers or {})
            return response
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)

    def problems(request: Request, found: list[InputProblem]) -> Response:
        return answer(request, 422, _problem_json(found), "; ".join(str(p) for p in found))

    @app.exception_handler(ScenarioError)
    async def scenario_error(request: Request, err: ScenarioError) -> Response:
        return problems(request, err.problems)

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, err: InvalidInput) -> Response:
        return problems(request, err.problems)

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, err: RequestValidationError) -> Response:
        return problems(request, _validation_problems(list(err.errors())))

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, err: AccessDenied) -> Response:
        return answer(request, 403, str(err), str(err))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, err: NotFound) -> Response:
        return answer(request, 404, str(err), str(err))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, err: Conflict) -> Response:
        return answer(request, 409, str(err), str(err))

    @app.exception_handler(PayloadTooLarge)
    async def too_large(request: Request, err: PayloadTooLarge) -> Response:
        return answer(request, 413, str(err), str(err))

    @app.exception_handler(UnsupportedMediaType)
    async def media_type(request: Request, err: UnsupportedMediaType) -> Response:
        return answer(request, 415, str(err), str(err))

    @app.exception_handler(QueueFull)
    async def queue_full(request: Request, err: QueueFull) -> Response:
        return answer(request, 429, str(err), str(err), {"Retry-After": str(err.retry_after)})

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, err: Unavailable) -> Response:
        return answer(request, 503, str(err), str(err))

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _err: SignInRequired) -> Response:
        return sign_in_redirect(request)

    @app.exception_handler(CsrfError)
    async def csrf_error(request: Request, err: CsrfError) -> Response:
        return error_page(request, 403, str(err))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI schema, with the scenario document's schema (the JSON upload body) in components."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         tags=app.openapi_tags)
    scenario_schema = Scenario.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in scenario_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    scenario_schema["examples"] = [schemas.EXAMPLE_SCENARIO]
    components["Scenario"] = scenario_schema
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API application.

    Parameters
    ----------
    settings
        The settings to run with; read from the environment at startup when not given
        (:func:`api.core.config.load_settings`).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        active = settings or load_settings()
        limit_request_threads(active.request_threads)
        db = Database(active.database_url, active.db_pool_size)
        db.migrate()
        manager = JobManager(db, active)
        app.state.settings, app.state.db, app.state.jobs = active, db, manager
        app.state.rate_limiter = RateLimiter(active.rate_limit_per_second, active.rate_limit_burst)
        app.state.signin_failures = FailureWindow(active.signin_failures_per_minute,
                                                  active.signin_failures_per_minute_total)
        resumed = manager.start()
        log.info("stage planner API ready (%s database, %d job(s) resumed)", db.engine.dialect.name, len(resumed))
        try:
            yield
        finally:
            manager.shutdown()
            shutdown_upload_workers()
            db.dispose()

    # docs_url=None: /docs is served by api.web with the vendored Swagger UI (works offline); no /redoc (it
    # loads its script from a CDN).
    app = FastAPI(title="Stage planner API", version=VERSION, description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    _install_handlers(app)
    app.add_middleware(TokenAuthentication)
    app.add_middleware(DatabaseSlots)  # around the token lookup, which uses a connection too
    app.add_middleware(RequestLanguage)  # every answer, even a 401, is in the request's language
    app.add_middleware(SecurityHeaders)  # outermost: every answer carries the security headers
    for protected in (scenarios, jobs, plans, tradeoff, hotspots, agreements, proposals, audit, tokens, whatif):
        app.include_router(protected.router, responses=schemas.AUTH_ERRORS)
    app.include_router(service.router)
    web.install(app)  # the web workbench (/web/), / and the offline /docs

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


app = create_app()


def serve(host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve the API with uvicorn; the command line ``stageplanner serve`` calls this.

    The settings are read from the environment first, so a bad value stops the start with
    :class:`api.core.config.SettingsError` (a one-line message naming the variable) before
    anything listens.

    Parameters
    ----------
    host, port
        Where to listen.
    log_level
        ``critical``, ``error``, ``warning``, ``info`` or ``debug``.
    """
    settings = load_settings()
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level)
